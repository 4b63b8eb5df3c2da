//go:build injectq_hooks

package queue

import (
	"math/rand/v2"
	"runtime"
)

// preemptAfterReserve yields, one time in four, between a producer's
// reservation and its publication: the window in which consumers wait on
// the producer. Built with -tags injectq_hooks, the stress, close-race and
// linearizability tests then exercise that window on every run instead of
// relying on an unlucky preemption.
func preemptAfterReserve() {
	if rand.Uint32()%4 == 0 {
		runtime.Gosched()
	}
}
