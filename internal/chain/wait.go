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
// The words wholly inside the run are loaded and compared four at a time
// (a batch's common case: published long ago); only words not yet
// published, and the partial words at either end, go through waitWord.
func Wait(b *skel.Block, off, n uint32) {
	end := off + n
	if lo := off % 8; lo != 0 || n < 8 {
		hi := min(8, lo+n)
		waitWord(&b.State[off/8], skel.StateMask(lo, hi))
		if off += hi - lo; off == end {
			return
		}
	}
	// off is at a word boundary now, and the run goes on past it. Four
	// words at a time: a state byte is 0 or Published, so the AND of the
	// words is AllPublished only if each of them is.
	whole := b.State[off/8 : end/8]
	for ; len(whole) >= 4; whole = whole[4:] {
		w := whole[:4]
		if atom.Load(&w[0])&atom.Load(&w[1])&atom.Load(&w[2])&atom.Load(&w[3]) != skel.AllPublished {
			for i := range w {
				waitWord(&w[i], skel.AllPublished)
			}
		}
	}
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
