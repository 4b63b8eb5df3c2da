// Package coretest holds the checks that the backends' tests share, below
// the queue API: the word-level checks of the five functions each backend
// implements (Run; fallback's, the reference, and asm's variant are held to
// the same ones), and the checks of a run of operations on a skeleton
// (Census, CheckTiling) that the chain's and native's tests use.
package coretest

import (
	"slices"
	"testing"
	"time"

	"github.com/injectq/injectq/internal/chain"
	"github.com/injectq/injectq/internal/skel"
)

// Ops is the part of the core a backend implements (package fallback's
// five functions, or their variants).
type Ops struct {
	Reserve func(c *skel.Ctl, k uint64) (t uint64, hint skel.Ref, ok bool)
	Claim   func(c *skel.Ctl, n uint64) (h, m uint64, hint skel.Ref)
	Close   func(c *skel.Ctl) bool
	Publish func(b *skel.Block, off, n uint32)
	Retire  func(b *skel.Block, n uint64) bool
}

// NewArena returns an arena with chunks 0..k allocated and on the free stack.
func NewArena(k int) *skel.Arena {
	a := skel.NewArena(false)
	for i := 0; i <= k; i++ {
		first, last := a.AddChunk(i)
		chain.PushFree(a, first, last)
	}
	return a
}

// A Range is the positions [Pos, Pos+N) of one reservation or claim.
type Range struct{ Pos, N uint64 }

// CheckTiling fails t unless rs (in any order) tile [0, end) exactly: no
// position in two ranges, none missing, no empty range.
func CheckTiling(t testing.TB, what string, rs []Range, end uint64) {
	t.Helper()
	rs = slices.Clone(rs)
	slices.SortFunc(rs, func(a, b Range) int {
		switch {
		case a.Pos < b.Pos:
			return -1
		case a.Pos > b.Pos:
			return 1
		}
		return 0
	})
	next := uint64(0)
	for _, r := range rs {
		if r.N == 0 || r.Pos != next {
			t.Fatalf("%s: range [%d, +%d) where position %d was expected (gap, overlap or empty)", what, r.Pos, r.N, next)
		}
		next += r.N
	}
	if next != end {
		t.Fatalf("%s: ranges cover [0, %d), want [0, %d)", what, next, end)
	}
}

// Census counts a quiescent arena's blocks: all allocated, those in the
// chain from HeadBlk, and those on the free stack. A block in neither the
// chain nor the free stack has leaked.
func Census(a *skel.Arena) (blocks, chain, free int) {
	for k := range skel.MaxChunks {
		if a.HasChunk(k) {
			blocks += 1 << k
		}
	}
	c := a.Ctl()
	for r := c.HeadBlk; skel.HasIdx(r); {
		chain++
		next := a.Block(skel.RefIdx(r)).Next
		if !skel.HasIdx(next) {
			break
		}
		r = skel.MakeRef(skel.RefTag(r)+1, skel.RefIdx(next))
	}
	for top := c.Free & skel.IdxMask; top != 0; free++ {
		top = a.Block(uint32(top-1)).FreeNext & skel.IdxMask
	}
	return blocks, chain, free
}

// Run runs every check against o, whose functions must all be set.
func Run(t *testing.T, o Ops) {
	if o.Reserve == nil || o.Claim == nil || o.Close == nil || o.Publish == nil || o.Retire == nil {
		t.Fatal("coretest.Run: every function of Ops must be set")
	}
	t.Run("ReserveClaimClose", func(t *testing.T) { reserveClaimClose(t, o) })
	t.Run("PublishRuns", func(t *testing.T) { publishRuns(t, o) })
	t.Run("Retire", func(t *testing.T) { retire(t, o) })
}

func reserveClaimClose(t *testing.T, o Ops) {
	a := NewArena(0)
	c := a.Ctl()
	if h, m, _ := o.Claim(c, 5); m != 0 || h != 0 {
		t.Fatalf("Claim on an empty queue = %d, %d", h, m)
	}
	c.TailHint = skel.MakeRef(0, 7)
	pos := uint64(0)
	for _, k := range []uint64{1, 3, 1024, 5000, 1} {
		got, hint, ok := o.Reserve(c, k)
		if !ok || got != pos || hint != skel.MakeRef(0, 7) {
			t.Fatalf("Reserve(%d) = %d, %#x, %t; want %d, the hint, true", k, got, hint, ok, pos)
		}
		pos += k
	}
	if c.Tail != pos {
		t.Fatalf("Tail = %d, want %d", c.Tail, pos)
	}
	c.HeadBlk = skel.MakeRef(1, 5)
	c.HeadHint = skel.MakeRef(3, 2)
	head := uint64(0)
	for _, n := range []uint64{2, 1, 4000, 10000, 1} {
		h, m, hb := o.Claim(c, n)
		want := min(n, pos-head)
		if h != head || m != want || (m != 0 && hb != skel.MakeRef(3, 2)) {
			t.Fatalf("Claim(%d) = %d, %d, %#x; want %d, %d", n, h, m, hb, head, want)
		}
		head += m
	}
	if c.Head != pos {
		t.Fatalf("Head = %d after claiming everything, want %d", c.Head, pos)
	}
	if !o.Close(c) {
		t.Fatal("first Close returned false")
	}
	if o.Close(c) {
		t.Fatal("second Close returned true")
	}
	if c.Tail != pos|skel.Closed {
		t.Fatalf("Tail = %#x after Close, want %#x", c.Tail, pos|skel.Closed)
	}
	if _, _, ok := o.Reserve(c, 1); ok {
		t.Fatal("Reserve succeeded on a closed queue")
	}
	if c.Tail != pos|skel.Closed {
		t.Fatal("a rejected Reserve moved the tail")
	}
	if _, m, _ := o.Claim(c, 1); m != 0 {
		t.Fatal("Claim past the tail of a closed queue")
	}
}

// publishRuns publishes runs of every length at every offset of the first
// words and checks exactly their state bytes are set.
func publishRuns(t *testing.T, o Ops) {
	a := NewArena(0)
	b := a.Block(0)
	for off := uint32(0); off < 40; off++ {
		for n := uint32(1); off+n <= 104; n++ { // up to 13 words: runs of 4, and the rest
			clear(b.State[:])
			o.Publish(b, off, n)
			for s := uint32(0); s < skel.B; s++ {
				got := b.State[s/8] >> (8 * (s % 8)) & 0xff
				want := uint64(0)
				if s >= off && s < off+n {
					want = skel.Published
				}
				if got != want {
					t.Fatalf("Publish(%d, %d): slot %d state %d, want %d", off, n, s, got, want)
				}
			}
			chain.Wait(b, off, n) // returns at once: all published
		}
	}
	clear(b.State[:])
	o.Publish(b, 0, skel.B)
	for w, v := range b.State {
		if v != skel.AllPublished {
			t.Fatalf("Publish(0, B): word %d = %#x", w, v)
		}
	}
	// Publication into a run that shares words with other producers'
	// published runs keeps theirs.
	clear(b.State[:])
	o.Publish(b, 3, 2)
	o.Publish(b, 9, 5)
	o.Publish(b, 5, 4)
	if st := b.State[:]; st[0] != skel.StateMask(3, 8) || st[1] != skel.StateMask(0, 6) {
		t.Fatalf("adjacent runs: %#x %#x", st[0], st[1])
	}

	// Wait blocks until the last slot of its run is published.
	clear(b.State[:])
	o.Publish(b, 100, 9)
	done := make(chan struct{})
	go func() {
		chain.Wait(b, 100, 10)
		close(done)
	}()
	select {
	case <-done:
		t.Fatal("Wait returned before the run was published")
	case <-time.After(20 * time.Millisecond):
	}
	o.Publish(b, 109, 1)
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("Wait did not return after publication")
	}
}

func retire(t *testing.T, o Ops) {
	a := NewArena(0)
	b := a.Block(0)
	// Four retirements that leave one slot of the block unconsumed.
	half := uint64(skel.B / 2)
	for _, n := range []uint64{1, half - 12, 22, half - 12} {
		if o.Retire(b, n) {
			t.Fatalf("Retire(%d) completed the block at %d", n, b.Consumed)
		}
	}
	if !o.Retire(b, 1) {
		t.Fatalf("Retire reaching B = %d did not complete", b.Consumed)
	}
}
