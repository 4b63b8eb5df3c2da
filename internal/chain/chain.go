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
	"github.com/injectq/injectq/internal/atom"
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
			if r = atom.Load(&c.HeadBlk); !skel.HasIdx(r) {
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
		next := atom.Load(&b.Next)
		if skel.RefTag(next) != tag && !(atom.Checking && atom.Mutated(atom.LocateNoTag)) { // b was recycled since r was read
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
// stack was empty; grow the arena and locate the rest (package queue
// locates the first block at once, and a Run the others as it reaches
// them).
//
// Native does the same in C (locate_run in native/injq.c), in the cgo call
// of its reservation or claim; this is the reference for it.
func LocateRun(a *skel.Arena, from skel.Ref, pos, count uint64, sp *skel.Span) (ok bool) {
	if Names(from, pos, count) {
		sp.Refs[0], sp.N = from, 1
		return true
	}
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

// Names reports whether Ref r names the one block that holds the whole run
// [pos, pos+count): most runs lie within the block their hint names, and
// then there is nothing to walk (callers test it inline, before the call).
func Names(r skel.Ref, pos, count uint64) bool {
	bn := pos >> skel.LogB
	return skel.HasIdx(r) && skel.RefTag(r) == skel.TagOf(bn) && (pos+count-1)>>skel.LogB == bn
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
	atom.Store(&a.Block(y).Next, (skel.RefTag(empty)+1)<<skel.IdxBits)
	if !atom.CAS(&b.Next, empty, empty|(uint64(y)+1)) {
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
	atom.Store(&a.Block(y).Next, 0) // empty link of block number 0
	if !atom.CAS(&a.Ctl().HeadBlk, skel.NoRef, skel.MakeRef(0, y)) {
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
		atom.CAS(h, seen, r)
	}
}

// ClaimBefore claims m = min(n, items reserved) positions [h, h+m) at the
// head, as the backends' Claim does, but none at or past end; m = 0: the
// head has reached end or the tail. It is Go on every backend, over the
// same words as theirs: Drain uses it (rarely, and never on a hot path) to
// take only what was queued when it began, which a claim bounded by a head
// read before it cannot promise once a concurrent pop moves the head.
func ClaimBefore(c *skel.Ctl, n, end uint64) (h, m uint64, hint skel.Ref) {
	for {
		h = atom.Load(&c.Head)
		t := atom.Load(&c.Tail) & skel.PosMask
		if h >= end || h == t {
			return h, 0, 0
		}
		m = min(n, t-h, end-h)
		hint = atom.Load(&c.HeadHint) // see fallback.Claim for why it is read here
		if atom.CAS(&c.Head, h, h+m) {
			return h, m, hint
		}
	}
}

// Outcomes of ReserveBounded.
type Outcome uint8

const (
	Reserved Outcome = iota
	Closed           // the queue is closed; nothing reserved
	Full             // the chain would pass its bound; nothing reserved
)

// ReserveBounded is the backends' Reserve for a queue with a bound: it
// reserves [t, t+k) with one CAS unless the queue is closed, or the chain
// would then span more than maxBlocks blocks, from HeadBlk's to t+k-1's,
// or (limit > 0) the queue would then hold more than limit items.
//
// HeadBlk and Head are read before the tail. HeadBlk then names a block
// numbered at most t/B (it never passes the head's block, nor the head the
// tail), so the span cannot wrap; and both only move on, so at the CAS the
// chain is no longer, and the queue holds no more items, than computed:
// the bounds are exact. Full is linearizable too: it is reported only if
// the head had not moved by a second load, so the queue held t-h items
// when the tail was read. It is Go on every backend, over the same words
// as theirs (package queue switches to it for a queue with a limit, and
// once an arena is large).
func ReserveBounded(c *skel.Ctl, k, maxBlocks, limit uint64) (t uint64, hint skel.Ref, o Outcome) {
	// Deliberate bugs, for the checker: the tail read first.
	tailFirst := atom.Checking && atom.Mutated(atom.BoundTailFirst)
	for {
		if tailFirst {
			t = atom.Load(&c.Tail)
		}
		first := uint64(0) // no block yet: the chain starts at block 0
		if hb := atom.Load(&c.HeadBlk); skel.HasIdx(hb) {
			first = skel.RefTag(hb)
		}
		var h uint64
		if limit != 0 {
			h = atom.Load(&c.Head)
		}
		if !tailFirst {
			t = atom.Load(&c.Tail)
		}
		if t&skel.Closed != 0 {
			return 0, 0, Closed
		}
		if span := ((t+k-1)>>skel.LogB-first)&skel.TagMask + 1; span > maxBlocks {
			return 0, 0, Full
		}
		if limit != 0 && t+k-h > limit {
			if atom.Load(&c.Head) != h && !(atom.Checking && atom.Mutated(atom.LimitNoRecheck)) {
				continue // room was made meanwhile: look again
			}
			return 0, 0, Full
		}
		hint = atom.Load(&c.TailHint) // see fallback.Reserve for why it is read here
		if atom.CAS(&c.Tail, t, t+k) {
			return t, hint, Reserved
		}
	}
}
