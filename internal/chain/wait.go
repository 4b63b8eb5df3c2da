package chain

import (
	"github.com/injectq/injectq/internal/atom"
	"github.com/injectq/injectq/internal/skel"
)

// Wait returns once slots [off, off+n) of b are published (each load is an
// acquire, so the values written before the publication are visible). This
// is the one wait in the queue: a consumer that claimed a slot waits for the
// producer that reserved it, which is at most a few instructions away from
// publishing unless it was preempted in between.
func Wait(b *skel.Block, off, n uint32) {
	for end := off + n; off < end; {
		w, lo := off/8, off%8
		hi := min(8, lo+end-off)
		mask := skel.StateMask(lo, hi)
		for wt := (Waiter{}); atom.Load(&b.State[w])&mask != mask; {
			wt.Pause()
		}
		off += hi - lo
	}
}

// spinRounds is how many times a Waiter re-reads before it starts yielding:
// a producer that was not preempted publishes within that.
const spinRounds = 16
