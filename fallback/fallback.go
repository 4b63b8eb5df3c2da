// Package fallback is the pure-Go reference implementation of injectq's
// atomic core: the batch reservation, the claim, close, slot publication,
// the CAS-chain walk that finds (and installs) blocks, and the in-order
// recycling of blocks. It works on the pointer-free skeleton of package
// skel and builds everywhere; packages asm and native replace parts of it
// and are tested against it.
//
// Go's sync/atomic operations are sequentially consistent, which is stronger
// than every ordering argument below needs; the asm and C variants state the
// weaker orderings they use.
package fallback

import (
	"sync/atomic"

	"github.com/injectq/injectq/internal/skel"
)

// Reserve reserves the k >= 1 positions [t, t+k) at the tail with one CAS,
// which is the linearization point of the whole batch. It returns ok=false,
// reserving nothing, once the queue is closed.
//
// hint is Ctl.TailHint as read between loading the tail and the successful
// CAS. The tail did not move in that window, and the hint is only ever set to
// a block holding a reserved position, so hint's block number is at most t/B:
// a valid starting point for Locate. If its number equals t/B, hint names
// t's block and needs no validation: that block could have left the chain
// only after all of its positions were consumed, which needs Tail > t.
func Reserve(c *skel.Ctl, k uint64) (t uint64, hint skel.Ref, ok bool) {
	for {
		t = atomic.LoadUint64(&c.Tail)
		if t&skel.Closed != 0 {
			return 0, 0, false
		}
		hint = atomic.LoadUint64(&c.TailHint)
		if atomic.CompareAndSwapUint64(&c.Tail, t, t+k) {
			return t, hint, true
		}
	}
}

// Claim claims m = min(n, items reserved) positions [h, h+m) at the head
// with one CAS, or returns m = 0 when the head has caught up with the tail.
// The claimed slots may still be unpublished; see Wait.
//
// hint is Ctl.HeadHint as read while the head stayed h. It is only ever set
// to the block of a claimed position, so, as for Reserve's hint, its number
// is at most h/B, and if it equals h/B it names h's block: that block cannot
// have left the chain while h was unclaimed.
func Claim(c *skel.Ctl, n uint64) (h, m uint64, hint skel.Ref) {
	for {
		h = atomic.LoadUint64(&c.Head)
		t := atomic.LoadUint64(&c.Tail) & skel.PosMask
		if t == h {
			return h, 0, 0
		}
		m = min(n, t-h)
		hint = atomic.LoadUint64(&c.HeadHint)
		if atomic.CompareAndSwapUint64(&c.Head, h, h+m) {
			return h, m, hint
		}
	}
}

// Close sets the Closed bit and reports whether this call set it.
func Close(c *skel.Ctl) bool {
	return atomic.OrUint64(&c.Tail, skel.Closed)&skel.Closed == 0
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
			atomic.StoreUint64(&b.State[w], skel.AllPublished)
		} else {
			atomic.OrUint64(&b.State[w], skel.StateMask(lo, hi))
		}
		off += hi - lo
	}
}

// Wait returns once slots [off, off+n) of b are published (each load is an
// acquire, so the values written before Publish are visible). This is the
// one wait in the queue: a consumer that claimed a slot waits for the
// producer that reserved it, which is at most a few instructions away from
// its Publish unless it was preempted in between.
func Wait(b *skel.Block, off, n uint32) {
	for end := off + n; off < end; {
		w, lo := off/8, off%8
		hi := min(8, lo+end-off)
		mask := skel.StateMask(lo, hi)
		for wt := (Waiter{}); atomic.LoadUint64(&b.State[w])&mask != mask; {
			wt.Pause()
		}
		off += hi - lo
	}
}

// spinRounds is how many times a Waiter re-reads before it starts yielding:
// a producer that was not preempted publishes within that.
const spinRounds = 16

// Retire records that the values of n slots of b have been taken and
// reports whether that completed the block. The add is the consumer's
// release of those slots: the recycler, which reads the final count, sees
// every value read before it.
func Retire(b *skel.Block, n uint64) (complete bool) {
	return atomic.AddUint64(&b.Consumed, n) == skel.B
}

// Locate returns the Ref of block number bn, walking the chain of links from
// from and installing missing blocks from the free stack: the CAS-chain.
//
// The caller holds a position in block bn that it has not yet published (a
// producer) or consumed (a consumer). Blocks leave the chain in order and
// only once all their positions are consumed, so block bn and all later
// blocks stay in the chain, and HeadBlk's number is at most bn.
//
// from is a Ref whose number is at most bn (Reserve's or Claim's hint, a
// block located earlier) or NoRef. It may be stale: a block that
// has been recycled shows a different tag in its link word, and the walk
// restarts from HeadBlk. ok=false means a block had to be installed and the
// free stack was empty: grow the arena and call again.
func Locate(a *skel.Arena, from skel.Ref, bn uint64) (r skel.Ref, ok bool) {
	c := a.Ctl()
	want := skel.TagOf(bn)
	for r = from; ; {
		if !skel.HasIdx(r) {
			if r = atomic.LoadUint64(&c.HeadBlk); !skel.HasIdx(r) {
				if !installFirst(a) {
					return 0, false
				}
				continue
			}
		}
		tag := skel.RefTag(r)
		switch d := (want - tag) & skel.TagMask; {
		case d == 0:
			return r, true
		case d > skel.TagMask/2: // r is past bn: not a valid start
			r = skel.NoRef
			continue
		}
		b := a.Block(skel.RefIdx(r))
		next := atomic.LoadUint64(&b.Next)
		if skel.RefTag(next) != tag { // b was recycled since r was read
			r = skel.NoRef
			continue
		}
		if !skel.HasIdx(next) {
			if !link(a, b, next) {
				return 0, false
			}
			continue
		}
		r = skel.MakeRef(tag+1, skel.RefIdx(next))
	}
}

// link installs a block after b, whose link word was seen as the empty
// link "empty". The new block is initialised (its own empty link, for the
// next number) before the CAS that makes it reachable. Losing the CAS to
// another installer returns the block to the free stack. ok=false: no free
// block.
func link(a *skel.Arena, b *skel.Block, empty uint64) bool {
	y, ok := PopFree(a)
	if !ok {
		return false
	}
	atomic.StoreUint64(&a.Block(y).Next, (skel.RefTag(empty)+1)<<skel.IdxBits)
	if !atomic.CompareAndSwapUint64(&b.Next, empty, empty|(uint64(y)+1)) {
		PushFree(a, y, y)
	}
	return true
}

// installFirst installs block number 0, the first block of a new queue,
// as HeadBlk (blocks are allocated on first use so that an unused queue
// costs only its control words).
func installFirst(a *skel.Arena) bool {
	y, ok := PopFree(a)
	if !ok {
		return false
	}
	atomic.StoreUint64(&a.Block(y).Next, 0) // empty link of block number 0
	if !atomic.CompareAndSwapUint64(&a.Ctl().HeadBlk, skel.NoRef, skel.MakeRef(0, y)) {
		PushFree(a, y, y)
	}
	return true
}

// Advance is called by the consumer whose Retire completed block r. If r is
// the first block of the chain it moves HeadBlk to r's successor (installing
// it if nobody has yet) and recycles r; then it does the same for the
// successor if that is complete too. A block completed while an earlier one
// is still in the chain is left for the consumer that advances past the
// earlier one: the completer's add and the advancer's CAS each precede a
// load of the other's word, so at least one of them sees the other's write.
// ok=false: a successor had to be installed and the free stack was empty;
// grow the arena and call again.
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
