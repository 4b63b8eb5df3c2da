// Package chain is the Go half of injectq's atomic core, the part that
// every backend runs: the walk along the chain of blocks that finds and
// installs blocks (the CAS-chain), the advance of the chain's first block
// and the in-order recycling of blocks, the free-block stack, the wait for
// a slot's publication, and the walk over the blocks of one reservation or
// claim (Run).
//
// The rest of the core (reservation, claim, close, publication and
// retirement) is what the backends implement, each in its own package:
// fallback (pure Go, the reference), asm and native. Native also walks the
// chain in C, in the same cgo call as its reservation or claim; Locate and
// LocateRun here are the reference its tests hold it to.
//
// Go's sync/atomic operations are sequentially consistent, which is
// stronger than every ordering argument below needs; the C mirror of Locate
// states the weaker orderings it uses.
package chain

import (
	"sync/atomic"

	"github.com/injectq/injectq/internal/skel"
)

// Locate returns the Ref of block number bn, walking the chain of links from
// from and installing missing blocks from the free stack: the CAS-chain.
//
// The caller holds a position in block bn that it has not yet published (a
// producer) or consumed (a consumer). Blocks leave the chain in order and
// only once all their positions are consumed, so block bn and all later
// blocks stay in the chain, and HeadBlk's number is at most bn.
//
// from is a Ref whose number is at most bn (a reservation's or claim's
// hint, a block located earlier) or NoRef. It may be stale: a block that
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

// LocateRun fills sp.Refs with the blocks of the run [pos, pos+count),
// count >= 1, up to skel.SpanRefs of them, each located from the one
// before it and the first from `from`: every one holds a position of the
// caller's run, so none can leave the chain meanwhile. It sets sp.N to how
// many it located. ok=false: a block had to be installed and the free
// stack was empty; the run's Run locates the rest, growing the arena.
//
// Native does the same in C (locate_run in native/injq.c), in the cgo call
// of its reservation or claim; this is the reference for it.
func LocateRun(a *skel.Arena, from skel.Ref, pos, count uint64, sp *skel.Span) (ok bool) {
	// Most runs lie within the block that the hint names: no walk.
	if bn := pos >> skel.LogB; skel.HasIdx(from) && skel.RefTag(from) == skel.TagOf(bn) && (pos+count-1)>>skel.LogB == bn {
		sp.Refs[0], sp.N = from, 1
		return true
	}
	return locateRun(a, from, pos, count, sp)
}

func locateRun(a *skel.Arena, from skel.Ref, pos, count uint64, sp *skel.Span) (ok bool) {
	bn := pos >> skel.LogB
	nb := min((pos+count-1)>>skel.LogB-bn+1, skel.SpanRefs)
	r := from
	for i := range nb {
		if r, ok = Locate(a, r, bn+i); !ok {
			sp.N = i
			return false
		}
		sp.Refs[i] = r
	}
	sp.N = nb
	return true
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

// MoveHint moves the hint word h (Ctl.TailHint or Ctl.HeadHint) from seen,
// its value read before the reservation or claim, to r, the block of the
// run's last position. If somebody else moved it meanwhile, theirs stays:
// it too names a block of a reserved (claimed) position, which is all a
// hint must be, and one CAS attempt keeps the common case to one
// instruction.
func MoveHint(h *skel.Ref, seen, r skel.Ref) {
	if r != seen {
		atomic.CompareAndSwapUint64(h, seen, r)
	}
}
