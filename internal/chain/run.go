package chain

import "github.com/injectq/injectq/internal/skel"

// A Locator finds block number bn of the chain, walking from `from` (see
// Locate), and grows the arena as often as the walk needs: it does not
// fail. Package queue's core is one, on each backend's walk.
type Locator interface {
	Locate(from skel.Ref, bn uint64) skel.Ref
}

// A Run walks the blocks of one reservation or claim in order, one block's
// share of the run at a time: the batch push and the batch pop move their
// values share by share through one Run.
//
//	for w := chain.Walk(&sp, n); ; {
//		r, off, n, last := w.Share()
//		... move the values of slots [off, off+n) of block r ...
//		if !last {
//			w.Advance(l) // before the share's slots are handed on
//		}
//		... publish (or retire) them ...
//		if last {
//			break
//		}
//	}
//
// Walk and Share inline and make no call; only Advance, once per block
// crossing, may walk the chain.
type Run struct {
	sp  *skel.Span
	pos uint64   // first position of the current share
	end uint64   // the run's end
	cur skel.Ref // the current share's block
}

// Walk starts a Run over the n >= 1 positions that sp describes, whose
// first sp.N >= 1 blocks are located.
func Walk(sp *skel.Span, n uint64) Run {
	return Run{sp: sp, pos: sp.Pos, end: sp.Pos + n, cur: sp.Refs[0]}
}

// Share returns the run's current share: its block r, the offset in r of
// its first slot, and its length n; last reports that it ends the run.
func (w *Run) Share() (r skel.Ref, off, n uint32, last bool) {
	off = uint32(w.pos) & (skel.B - 1)
	if left := w.end - w.pos; left <= uint64(skel.B-off) {
		return w.cur, off, uint32(left), true
	}
	return w.cur, off, skel.B - off, false
}

// Advance moves the Run to its next share (the current one must not be the
// last) and locates that share's block: from the span, or walking from the
// current block with l. Call it before the current share's slots are
// handed on (published or retired): until then the current block cannot
// be recycled, so it is the shortest valid start for the walk.
func (w *Run) Advance(l Locator) {
	r := w.cur
	w.pos = (w.pos | (skel.B - 1)) + 1 // the next block's first position
	if i := w.pos>>skel.LogB - w.sp.Pos>>skel.LogB; i < w.sp.N {
		w.cur = w.sp.Refs[i]
		return
	}
	w.cur = l.Locate(r, w.pos>>skel.LogB)
}
