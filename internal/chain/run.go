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
type Run struct {
	sp   *skel.Span
	pos  uint64   // first position of the next share
	left uint64   // positions from pos to the run's end
	i    uint64   // index of the next share's block within the run
	next skel.Ref // the next share's block
}

// Walk starts a Run over the n >= 1 positions that sp describes, whose
// first sp.N blocks are located; l locates the rest as the walk reaches
// them (the first, from sp.Hint, if sp.N is 0).
func Walk(sp *skel.Span, n uint64, l Locator) Run {
	w := Run{sp: sp, pos: sp.Pos, left: n}
	if sp.N > 0 {
		w.next = sp.Refs[0]
	} else {
		w.next = l.Locate(sp.Hint, sp.Pos>>skel.LogB)
	}
	return w
}

// Next returns the run's next share: its block r, the offset in r of its
// first slot, and its length n; last reports that it ends the run. Before
// it returns, it locates the block of the share after this one, walking
// from r: the caller has not yet handed r's slots on (published or retired
// them), so r cannot have been recycled and is the shortest valid start.
func (w *Run) Next(l Locator) (r skel.Ref, off, n uint32, last bool) {
	r = w.next
	off = uint32(w.pos) & (skel.B - 1)
	n = uint32(min(uint64(skel.B-off), w.left))
	w.pos += uint64(n)
	w.left -= uint64(n)
	if w.left == 0 {
		return r, off, n, true
	}
	if w.i++; w.i < w.sp.N {
		w.next = w.sp.Refs[w.i]
	} else {
		w.next = l.Locate(r, w.pos>>skel.LogB)
	}
	return r, off, n, false
}
