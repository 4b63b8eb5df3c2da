//go:build cgo && !purego && !race && !injectq_check

package native

import (
	"sync/atomic"
	"testing"

	"github.com/injectq/injectq/fallback"
	"github.com/injectq/injectq/internal/chain"
	"github.com/injectq/injectq/internal/skel"
)

// The cost of one cgo crossing against what native does in it:
//
//	go test ./native -run '^$' -bench Crossing -count 10 > x.txt
//	benchstat -col /op x.txt
//
// Crossing/op=noop is a bare cgo call (same noescape/nocallback directives)
// and Crossing/op=reserve-run, op=claim-run one native call for a batch of one;
// op=reserve-go and op=claim-go are the same work in pure Go (fallback).
// Consumption (or production) on the other side is done in bulk, one
// block at a time, so that it adds well under a nanosecond per op.

var sinkU64 uint64

// benchArena returns a pinned arena with a few free blocks.
func benchArena() *skel.Arena {
	a := skel.NewArena(true)
	for k := range 4 {
		first, last := a.AddChunk(k)
		chain.PushFree(a, first, last)
	}
	return a
}

// mustLocate is chain.Locate that must succeed.
func mustLocate(b *testing.B, a *skel.Arena, from skel.Ref, bn uint64) skel.Ref {
	r, ok := chain.Locate(a, from, bn)
	if !ok {
		b.Fatal("out of blocks")
	}
	return r
}

// consumeBlock claims the B positions of the block at head (pure Go),
// retires them and recycles the block.
func consumeBlock(b *testing.B, a *skel.Arena) {
	c := a.Ctl()
	h, m, hint := fallback.Claim(c, skel.B)
	if m != skel.B || h%skel.B != 0 {
		b.Fatalf("bulk claim %d at %d", m, h)
	}
	r := mustLocate(b, a, hint, h>>skel.LogB)
	atomic.StoreUint64(&c.HeadHint, r)
	if fallback.Retire(a.Block(skel.RefIdx(r)), skel.B) && !chain.Advance(a, r) {
		b.Fatal("out of blocks")
	}
}

// produceBlock reserves the next B positions (pure Go) and locates their
// block, as a producer would; nothing is published (claims do not wait).
func produceBlock(b *testing.B, a *skel.Arena) {
	c := a.Ctl()
	t, hint, _ := fallback.Reserve(c, skel.B)
	atomic.StoreUint64(&c.TailHint, mustLocate(b, a, hint, t>>skel.LogB))
}

func BenchmarkCrossing(b *testing.B) {
	b.Run("op=noop", func(b *testing.B) {
		c := benchArena().Ctl()
		for b.Loop() {
			noop(c)
		}
	})
	b.Run("op=reserve-run", func(b *testing.B) {
		a := benchArena()
		c := a.Ctl()
		var sp skel.Span
		for i := 0; b.Loop(); i++ {
			if ReserveRun(c, 1, &sp) != OK {
				b.Fatal("splice")
			}
			if sp.Refs[0] != sp.Hint { // the queue's hint update
				atomic.CompareAndSwapUint64(&c.TailHint, sp.Hint, sp.Refs[0])
			}
			if sp.Pos%skel.B == skel.B-1 {
				consumeBlock(b, a)
			}
		}
	})
	b.Run("op=reserve-go", func(b *testing.B) {
		a := benchArena()
		c := a.Ctl()
		for b.Loop() {
			t, hint, ok := fallback.Reserve(c, 1)
			if !ok {
				b.Fatal("reserve")
			}
			// What the queue does after Reserve: use the hint if it names
			// t's block, else walk.
			if !skel.HasIdx(hint) || skel.RefTag(hint) != skel.TagOf(t>>skel.LogB) {
				r := mustLocate(b, a, hint, t>>skel.LogB)
				atomic.CompareAndSwapUint64(&c.TailHint, hint, r)
			}
			sinkU64 += hint
			if t%skel.B == skel.B-1 {
				consumeBlock(b, a)
			}
		}
	})
	b.Run("op=claim-run", func(b *testing.B) {
		a := benchArena()
		c := a.Ctl()
		var sp skel.Span
		for b.Loop() {
			if atomic.LoadUint64(&c.Head)%skel.B == 0 {
				produceBlock(b, a)
			}
			m, st := ClaimRun(c, 1, &sp)
			if m != 1 || st != OK {
				b.Fatal("claim")
			}
			if sp.Refs[0] != sp.Hint {
				atomic.CompareAndSwapUint64(&c.HeadHint, sp.Hint, sp.Refs[0])
			}
			if sp.Pos%skel.B == skel.B-1 {
				r := sp.Refs[0]
				if fallback.Retire(a.Block(skel.RefIdx(r)), skel.B) && !chain.Advance(a, r) {
					b.Fatal("advance")
				}
			}
		}
	})
	b.Run("op=claim-go", func(b *testing.B) {
		a := benchArena()
		c := a.Ctl()
		for b.Loop() {
			if atomic.LoadUint64(&c.Head)%skel.B == 0 {
				produceBlock(b, a)
			}
			h, m, hint := fallback.Claim(c, 1)
			if m != 1 {
				b.Fatal("claim")
			}
			r := hint
			if !skel.HasIdx(hint) || skel.RefTag(hint) != skel.TagOf(h>>skel.LogB) {
				r = mustLocate(b, a, hint, h>>skel.LogB)
				atomic.CompareAndSwapUint64(&c.HeadHint, hint, r)
			}
			if h%skel.B == skel.B-1 {
				if fallback.Retire(a.Block(skel.RefIdx(r)), skel.B) && !chain.Advance(a, r) {
					b.Fatal("advance")
				}
			}
		}
	})
}
