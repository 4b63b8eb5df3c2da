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
//
// The words wholly inside the run are each one load and one compare (a
// batch's common case: published long ago); only a word that is not yet
// published, or a partial word at either end, goes through waitWord.
func Wait(b *skel.Block, off, n uint32) {
	end := off + n
	if lo := off % 8; lo != 0 || n < 8 {
		hi := min(8, lo+n)
		waitWord(&b.State[off/8], skel.StateMask(lo, hi))
		if off += hi - lo; off == end {
			return
		}
	}
	// off is at a word boundary now, and the run goes on past it.
	whole := b.State[off/8 : end/8]
	for i := range whole {
		if atom.Load(&whole[i]) != skel.AllPublished {
			waitWord(&whole[i], skel.AllPublished)
		}
	}
	if rem := end % 8; rem != 0 {
		waitWord(&b.State[end/8], skel.StateMask(0, rem))
	}
}

// waitWord returns once the state word w has every byte of mask published.
func waitWord(w *uint64, mask uint64) {
	for wt := (Waiter{}); atom.Load(w)&mask != mask; {
		wt.Pause()
	}
}

// spinRounds is how many times a Waiter re-reads before it starts yielding:
// a producer that was not preempted publishes within that.
const spinRounds = 16
