package asm

import (
	"testing"

	"github.com/injectq/injectq/fallback"
	"github.com/injectq/injectq/internal/coretest"
	"github.com/injectq/injectq/internal/skel"
)

// BenchmarkOps measures each operation alone, uncontended, in this
// package's variant (impl=asm, through the assembly's call) and the
// fallback's (impl=fallback, inlined into the loop): the difference is
// the instructions plus the call that assembly cannot avoid. ns per call
// (Publish: per 64-slot run).
func BenchmarkOps(b *testing.B) {
	a := coretest.NewArena(0)
	c, blk := a.Ctl(), a.Block(0)
	runs := uint32(skel.B) // offsets of 64-slot runs that fit a block from 3 on
	runs -= 128
	b.Run("op=Reserve/impl=asm", func(b *testing.B) {
		for b.Loop() {
			Reserve(c, 1)
		}
	})
	b.Run("op=Reserve/impl=fallback", func(b *testing.B) {
		for b.Loop() {
			fallback.Reserve(c, 1)
		}
	})
	b.Run("op=Claim/impl=asm", func(b *testing.B) {
		c.Tail = 1 << 62
		for b.Loop() {
			Claim(c, 1)
		}
	})
	b.Run("op=Claim/impl=fallback", func(b *testing.B) {
		c.Tail = 1 << 62
		for b.Loop() {
			fallback.Claim(c, 1)
		}
	})
	b.Run("op=Publish1/impl=asm", func(b *testing.B) {
		for i := uint32(0); b.Loop(); i++ {
			Publish(blk, i%skel.B, 1)
		}
	})
	b.Run("op=Publish1/impl=fallback", func(b *testing.B) {
		for i := uint32(0); b.Loop(); i++ {
			fallback.Publish(blk, i%skel.B, 1)
		}
	})
	b.Run("op=Publish64/impl=asm", func(b *testing.B) {
		for i := uint32(0); b.Loop(); i++ {
			Publish(blk, i*64%runs+3, 64)
		}
	})
	b.Run("op=Publish64/impl=fallback", func(b *testing.B) {
		for i := uint32(0); b.Loop(); i++ {
			fallback.Publish(blk, i*64%runs+3, 64)
		}
	})
	b.Run("op=Retire/impl=asm", func(b *testing.B) {
		for b.Loop() {
			Retire(blk, 1)
		}
	})
	b.Run("op=Retire/impl=fallback", func(b *testing.B) {
		for b.Loop() {
			fallback.Retire(blk, 1)
		}
	})
}
