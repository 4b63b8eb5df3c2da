// Package suite runs a test body once per injectq backend. Every
// behavioural test of the project goes through EachBackend, so a backend is
// tested by the same suite as the others. A backend that this build lacks
// shows as a skipped subtest with the reason (go test -v lists it), and one
// named in INJECTQ_REQUIRE fails the test instead.
package suite

import (
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/injectq/injectq/queue"
)

// All names every backend injectq has, available here or not, in
// queue.Backends' order of preference (queue's TestSuiteKnowsEveryBackend
// holds the two lists together).
var All = []string{"asm", "fallback", "native"}

// EnvRequire lists backends that must be available, comma-separated.
const EnvRequire = "INJECTQ_REQUIRE"

// Required returns the backends named in INJECTQ_REQUIRE.
func Required() []string {
	var out []string
	for _, name := range strings.Split(os.Getenv(EnvRequire), ",") {
		if name = strings.TrimSpace(name); name != "" {
			out = append(out, name)
		}
	}
	return out
}

// CheckRequired fails t if a backend named in INJECTQ_REQUIRE is missing.
func CheckRequired(t testing.TB) {
	t.Helper()
	have := queue.Backends()
	for _, name := range Required() {
		if !slices.Contains(have, name) {
			t.Fatalf("%s names backend %q, which is not available here (have %v; %s)",
				EnvRequire, name, have, queue.Describe())
		}
	}
}

// EachBackend runs body once per backend, as a subtest named after it; a
// backend this build lacks is a skipped subtest that says why.
func EachBackend(t *testing.T, body func(t *testing.T, backend string)) {
	t.Helper()
	CheckRequired(t)
	have := queue.Backends()
	for _, name := range All {
		t.Run(name, func(t *testing.T) {
			if !slices.Contains(have, name) {
				_, err := queue.NewWithConfig(queue.Config[int]{Backend: name})
				if !errors.Is(err, queue.ErrBackendUnavailable) {
					t.Fatalf("backend %s is not in queue.Backends() %v, but NewWithConfig says %v", name, have, err)
				}
				t.Skip(err)
			}
			body(t, name)
		})
	}
}

// New returns a queue on backend with the given Release hook; it fails t
// if the backend cannot be had.
func New[T any](t testing.TB, backend string, release func(T)) *queue.Queue[T] {
	t.Helper()
	q, err := queue.NewWithConfig(queue.Config[T]{Backend: backend, Release: release})
	if err != nil {
		t.Fatal(err)
	}
	if q.Backend() != backend {
		t.Fatalf("asked for backend %q, got %q", backend, q.Backend())
	}
	return q
}
