package chain

import (
	"sync/atomic"

	"github.com/injectq/injectq/internal/skel"
)

// Advance is called by the consumer whose retirement completed block r. If
// r is the first block of the chain it moves HeadBlk to r's successor
// (installing it if nobody has yet) and recycles r; then it does the same
// for the successor if that is complete too. A block completed while an
// earlier one is still in the chain is left for the consumer that advances
// past the earlier one: the completer's add and the advancer's CAS each
// precede a load of the other's word, so at least one of them sees the
// other's write. ok=false: a successor had to be installed and the free
// stack was empty; grow the arena and call again.
func Advance(a *skel.Arena, r skel.Ref) (ok bool) {
	c := a.Ctl()
	for {
		if atomic.LoadUint64(&c.HeadBlk) != r {
			return true
		}
		b := a.Block(skel.RefIdx(r))
		next := atomic.LoadUint64(&b.Next)
		if skel.RefTag(next) != skel.RefTag(r) { // another advancer recycled r
			return true
		}
		if !skel.HasIdx(next) {
			if !link(a, b, next) {
				return false
			}
			continue
		}
		nr := skel.MakeRef(skel.RefTag(r)+1, skel.RefIdx(next))
		if !atomic.CompareAndSwapUint64(&c.HeadBlk, r, nr) {
			return true
		}
		recycle(a, b, skel.RefIdx(r))
		if atomic.LoadUint64(&a.Block(skel.RefIdx(nr)).Consumed) != skel.B {
			return true
		}
		r = nr
	}
}

// recycle resets block idx, which has just left the chain, and puts it on
// the free stack. Nobody reads a left block's slot states (every position in
// it is consumed), so they are cleared with plain stores, published to the
// next user by the free-stack CAS. Its link word is left alone: stale walkers
// may still read it, and it names a correct successor until the block is
// re-linked under a new tag.
func recycle(a *skel.Arena, b *skel.Block, idx uint32) {
	clear(b.State[:])
	atomic.StoreUint64(&b.Consumed, 0) // a late Advance may still load it
	PushFree(a, idx, idx)
}

// PopFree takes a block off the free stack; ok=false when it is empty.
// The stack top carries a tag bumped by every CAS, so a top that was popped
// and pushed back in between makes the CAS fail instead of corrupting the
// stack (ABA).
func PopFree(a *skel.Arena) (idx uint32, ok bool) {
	c := a.Ctl()
	for {
		top := atomic.LoadUint64(&c.Free)
		if !skel.HasIdx(top) {
			return 0, false
		}
		idx = skel.RefIdx(top)
		next := atomic.LoadUint64(&a.Block(idx).FreeNext)
		if atomic.CompareAndSwapUint64(&c.Free, top, (skel.RefTag(top)+1)<<skel.IdxBits|next&skel.IdxMask) {
			return idx, true
		}
	}
}

// PushFree pushes the chain of blocks first..last (linked through FreeNext,
// last's link is set here) onto the free stack with one CAS.
func PushFree(a *skel.Arena, first, last uint32) {
	c := a.Ctl()
	lb := a.Block(last)
	for {
		top := atomic.LoadUint64(&c.Free)
		atomic.StoreUint64(&lb.FreeNext, top&skel.IdxMask)
		if atomic.CompareAndSwapUint64(&c.Free, top, skel.MakeRef(skel.RefTag(top)+1, first)) {
			return
		}
	}
}
