package queue_test

import (
	"slices"
	"testing"

	"github.com/injectq/injectq/internal/suite"
	"github.com/injectq/injectq/queue"
)

// maker names the backend a test body runs on.
type maker struct{ backend string }

func eachBackend(t *testing.T, body func(t *testing.T, mk maker)) {
	t.Helper()
	suite.EachBackend(t, func(t *testing.T, backend string) { body(t, maker{backend}) })
}

func newQ[T any](t testing.TB, mk maker, release func(T)) *queue.Queue[T] {
	t.Helper()
	return suite.New(t, mk.backend, release)
}

// TestSuiteKnowsEveryBackend: the suite's list of backends, which it
// iterates whether this build has them or not, is queue's.
func TestSuiteKnowsEveryBackend(t *testing.T) {
	if got := queue.Registered(); !slices.Equal(got, suite.All) {
		t.Fatalf("queue registers %v, suite.All is %v", got, suite.All)
	}
}

func TestRequiredBackendsPresent(t *testing.T) {
	suite.CheckRequired(t)
	t.Logf("backends %v; %s", queue.Backends(), queue.Describe())
}

// scale shrinks a test's item count under -short and -race.
func scale(n int) int {
	if testing.Short() || raceEnabled {
		return max(n/20, 1)
	}
	return n
}
