//go:build injectq_hooks

package queue_test

import (
	"runtime"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/injectq/injectq/queue"
)

// TestWaiterCleanupWaitsForPopN: a Waiter whose last use is a PopN that
// arms it becomes unreachable during that PopN; a collection there must
// not run its cleanup before the PopN has counted it (the count would then
// be left for good). The hook collects in the window before the count.
func TestWaiterCleanupWaitsForPopN(t *testing.T) {
	queue.SetBeforePark(func() {
		runtime.GC()
		time.Sleep(5 * time.Millisecond) // for the cleanup goroutine
	})
	defer queue.SetBeforePark(nil)
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[int](t, mk, nil)
		n, _ := q.NewWaiter().PopN(make([]int, 1))
		require.Zero(t, n)
		deadline := time.Now().Add(time.Minute)
		for q.Sleepers() != 0 {
			require.True(t, time.Now().Before(deadline), "a cleanup that ran during PopN left the Waiter counted")
			runtime.GC()
			time.Sleep(time.Millisecond)
		}
	})
}
