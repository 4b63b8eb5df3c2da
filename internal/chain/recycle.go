package chain

import (
	"github.com/injectq/injectq/internal/atom"
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
		if atom.Load(&c.HeadBlk) != r {
			return true
		}
		b := a.Block(skel.RefIdx(r))
		next := atom.Load(&b.Next)
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
		if !atom.CAS(&c.HeadBlk, r, nr) {
			return true
		}
		recycle(a, b, skel.RefIdx(r))
		if atom.Load(&a.Block(skel.RefIdx(nr)).Consumed) != skel.B {
			return true
		}
		r = nr
	}
}

// recycle resets block idx, which has just left the chain, and puts it on
// the free stack; the free-stack CAS publishes the reset to the block's
// next user. Every position of the block has been consumed, so no
// producer or consumer uses it any more, but three kinds of late reader
// may still load its words:
//   - a stale walker (Locate) its link word, which is left alone: it names
//     a correct successor until the block is re-linked under a new tag,
//     and then the tag sends the walker back to HeadBlk;
//   - a late Advance its Consumed count, hence the atomic store;
//   - a single pop (the published claim in queue's Pop) that read HeadHint
//     while the block still held the head, a State word: it may read the
//     old state, the cleared one or a new user's. Whatever it reads is
//     discarded, for its claim is a CAS that expects Head at a position of
//     this block, and Head has passed them all.
//
// The states are cleared with plain stores all the same (an atomic store
// per word would be one locked or fenced store per 8 slots on every
// recycling, where a plain clear is a memclr):
// the last reader's load races with them, which Go's memory model allows
// for word-sized memory (the load returns some value stored there), and
// the value is not used. Under the checker (atom.Clear) the clearing is one
// atomic step, so the checker explores that read before and after it;
// under the race detector it is atomic stores.
func recycle(a *skel.Arena, b *skel.Block, idx uint32) {
	atom.Clear(b.State[:])
	atom.Store(&b.Consumed, 0)
	PushFree(a, idx, idx)
}

// PopFree takes a block off the free stack; ok=false when it is empty.
// The stack top carries a tag bumped by every CAS, so a top that was popped
// and pushed back in between makes the CAS fail instead of corrupting the
// stack (ABA).
func PopFree(a *skel.Arena) (idx uint32, ok bool) {
	c := a.Ctl()
	for {
		top := atom.Load(&c.Free)
		if !skel.HasIdx(top) {
			return 0, false
		}
		idx = skel.RefIdx(top)
		next := atom.Load(&a.Block(idx).FreeNext)
		if atom.CAS(&c.Free, top, (skel.RefTag(top)+1)<<skel.IdxBits|next&skel.IdxMask) {
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
		top := atom.Load(&c.Free)
		atom.Store(&lb.FreeNext, top&skel.IdxMask)
		if atom.CAS(&c.Free, top, skel.MakeRef(skel.RefTag(top)+1, first)) {
			return
		}
	}
}
