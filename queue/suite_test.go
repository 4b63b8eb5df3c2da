package queue_test

import (
	"math"
	"os"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

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

// TestMain turns the GC-paced retirement of arenas off for every test but
// those that set it (shrink_test.go), so that it cannot move a queue to a
// new arena while a test counts its blocks.
func TestMain(m *testing.M) {
	queue.SetShrinkAfter(math.MaxInt64)
	os.Exit(m.Run())
}

// scale shrinks a test's item count under -short and -race.
func scale(n int) int {
	if testing.Short() || raceEnabled {
		return max(n/20, 1)
	}
	return n
}

// requireNoLeak checks, on a quiescent empty queue, that the chain holds only
// the current block (and the successor its completion installed) and that
// every other block is on the free stack.
func requireNoLeak[T any](t *testing.T, q *queue.Queue[T]) {
	t.Helper()
	require.True(t, q.IsEmpty())
	blocks, chain, free := queue.Census(q)
	require.LessOrEqual(t, chain, 2, "an empty queue's chain holds finished blocks")
	require.Equal(t, blocks, chain+free, "blocks neither in the chain nor free (chain %d, free %d)", chain, free)
}
