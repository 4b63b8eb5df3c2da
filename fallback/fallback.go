// Package fallback is the pure-Go reference implementation of the part of
// injectq's atomic core that each backend implements for itself: Reserve,
// Claim, Close, Publish and Retire, on the pointer-free skeleton of package
// skel. Package asm implements exactly these five functions, in assembly,
// with the same contract; package native implements the reservation and
// the claim in their span form (with the walk to the run's blocks in the
// same cgo call) and Close. Everything else that every backend runs (the
// chain walk, recycling, the free stack, the wait for publication) is
// package chain.
//
// Go's sync/atomic operations are sequentially consistent, which is stronger
// than every ordering argument below needs; the asm and C variants state the
// weaker orderings they use.
package fallback

import (
	"github.com/injectq/injectq/internal/atom"
	"github.com/injectq/injectq/internal/skel"
)

// Reserve reserves the k >= 1 positions [t, t+k) at the tail with one CAS,
// which is the linearization point of the whole batch. It returns ok=false,
// reserving nothing, once the queue is closed.
//
// hint is Ctl.TailHint as read between loading the tail and the successful
// CAS. The tail did not move in that window, and the hint is only ever set to
// a block holding a reserved position, so hint's block number is at most t/B:
// a valid starting point for chain.Locate. If its number equals t/B, hint names
// t's block and needs no validation: that block could have left the chain
// only after all of its positions were consumed, which needs Tail > t.
func Reserve(c *skel.Ctl, k uint64) (t uint64, hint skel.Ref, ok bool) {
	for {
		t = atom.Load(&c.Tail)
		if t&skel.Closed != 0 {
			return 0, 0, false
		}
		hint = atom.Load(&c.TailHint)
		if atom.CAS(&c.Tail, t, t+k) {
			return t, hint, true
		}
	}
}

// Claim claims m = min(n, items reserved) positions [h, h+m) at the head
// with one CAS, or returns m = 0 when the head has caught up with the tail.
// The claimed slots may still be unpublished; see chain.Wait.
//
// hint is Ctl.HeadHint as read while the head stayed h. It is only ever set
// to the block of a claimed position, so, as for Reserve's hint, its number
// is at most h/B, and if it equals h/B it names h's block: that block cannot
// have left the chain while h was unclaimed.
func Claim(c *skel.Ctl, n uint64) (h, m uint64, hint skel.Ref) {
	for {
		h = atom.Load(&c.Head)
		t := atom.Load(&c.Tail) & skel.PosMask
		if t == h {
			return h, 0, 0
		}
		m = min(n, t-h)
		hint = atom.Load(&c.HeadHint)
		if atom.CAS(&c.Head, h, h+m) {
			return h, m, hint
		}
	}
}

// Close sets the Closed bit and reports whether this call set it.
func Close(c *skel.Ctl) bool {
	return atom.Or(&c.Tail, skel.Closed)&skel.Closed == 0
}

// Publish marks slots [off, off+n) of b published; the caller has written
// their values. Words whose eight slots all belong to the caller are stored
// whole; the partial words at either end are shared with other producers'
// runs and take an atomic OR. Either is a release in Go's model.
func Publish(b *skel.Block, off, n uint32) {
	for end := off + n; off < end; {
		w, lo := off/8, off%8
		hi := min(8, lo+end-off)
		if hi-lo == 8 {
			atom.Store(&b.State[w], skel.AllPublished)
		} else {
			atom.Or(&b.State[w], skel.StateMask(lo, hi))
		}
		off += hi - lo
	}
}

// Retire records that the values of n slots of b have been taken and
// reports whether that completed the block. The add is the consumer's
// release of those slots: the recycler, which reads the final count, sees
// every value read before it.
func Retire(b *skel.Block, n uint64) (complete bool) {
	return atom.Add(&b.Consumed, n) == skel.B
}
