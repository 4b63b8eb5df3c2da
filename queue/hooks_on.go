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

// preemptBeforeHeadCAS yields, one time in four, between a single pop's
// look at the head slot's state and its claim: the window in which other
// consumers move the head on and the block may be recycled and reused, so
// that the claim must fail.
func preemptBeforeHeadCAS() {
	if rand.Uint32()%4 == 0 {
		runtime.Gosched()
	}
}

// preemptBeforePark yields, one time in two, between a consumer's look at
// an empty queue and its announcing itself as a sleeper: the window in which
// a push can slip by unseen, which the second look must catch.
func preemptBeforePark() {
	if beforePark != nil {
		beforePark()
	}
	if rand.Uint32()%2 == 0 {
		runtime.Gosched()
	}
}

// beforePark, if set (a test's, before it starts anything), runs in
// preemptBeforePark too.
var beforePark func()

// maxWakeups makes every push wake at most one sleeper, as if the token
// buffer were full, so that the hand-on of wakeups (passOn) carries the
// rest on every run.
func maxWakeups(int) int { return 1 }
