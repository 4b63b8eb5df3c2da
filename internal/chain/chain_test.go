//go:build !injectq_check

// These tests size their runs for the default 1024-slot blocks; under the
// checker's tag (8-slot blocks) only the checker runs.

package chain_test

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/injectq/injectq/internal/chain"
	"github.com/injectq/injectq/internal/coretest"
	"github.com/injectq/injectq/internal/skel"
)

// locate is Locate that must succeed.
func locate(t *testing.T, a *skel.Arena, from skel.Ref, bn uint64) skel.Ref {
	t.Helper()
	r, ok := chain.Locate(a, from, bn)
	require.True(t, ok, "Locate(%#x, %d) ran out of blocks", from, bn)
	require.Equal(t, skel.TagOf(bn), skel.RefTag(r))
	return r
}

func TestLocateInstallsAndWalks(t *testing.T) {
	a := coretest.NewArena(2) // 7 blocks
	c := a.Ctl()
	r0 := locate(t, a, skel.NoRef, 0)
	require.Equal(t, r0, c.HeadBlk, "the first block becomes HeadBlk")
	r3 := locate(t, a, r0, 3) // installs 1, 2, 3
	require.Equal(t, r3, locate(t, a, skel.NoRef, 3), "walking again from the head finds the same block")
	r1 := locate(t, a, r0, 1)
	require.Equal(t, r3, locate(t, a, r1, 3))
	require.Equal(t, r1, locate(t, a, r3, 1), "a start past the target restarts from the head")
	seen := map[uint32]bool{}
	for _, r := range []skel.Ref{r0, r1, locate(t, a, r0, 2), r3} {
		require.False(t, seen[skel.RefIdx(r)], "block %d used twice in the chain", skel.RefIdx(r))
		seen[skel.RefIdx(r)] = true
	}
	// Three free blocks remain: 4, 5, 6 can be installed, 7 cannot.
	locate(t, a, r3, 6)
	_, ok := chain.Locate(a, r3, 7)
	require.False(t, ok, "Locate must report an empty free stack")
	first, last := a.AddChunk(3)
	chain.PushFree(a, first, last)
	locate(t, a, r3, 7)
}

// complete marks every slot of block bn consumed, as its consumers would,
// and runs Advance if that completed it.
func complete(t *testing.T, a *skel.Arena, r skel.Ref) {
	t.Helper()
	b := a.Block(skel.RefIdx(r))
	b.Consumed = skel.B // every slot retired, as the backends' Retire would leave it
	require.True(t, chain.Advance(a, r))
}

func TestAdvanceRecyclesInOrder(t *testing.T) {
	a := coretest.NewArena(3) // 15 blocks
	c := a.Ctl()
	r := []skel.Ref{locate(t, a, skel.NoRef, 0)}
	for bn := uint64(1); bn < 5; bn++ {
		r = append(r, locate(t, a, r[bn-1], bn))
	}
	free := func() int { // blocks on the free stack
		_, _, n := coretest.Census(a)
		return n
	}
	require.Equal(t, 10, free())

	// Block 2 completes first: it is not the head, so nothing moves.
	complete(t, a, r[2])
	require.Equal(t, r[0], c.HeadBlk)
	require.Equal(t, 10, free())
	// Block 1, then 0: completing 0 recycles 0, 1 and 2 in one cascade.
	complete(t, a, r[1])
	require.Equal(t, r[0], c.HeadBlk)
	complete(t, a, r[0])
	require.Equal(t, r[3], c.HeadBlk, "HeadBlk moves past every complete block")
	require.Equal(t, 13, free())
	for _, old := range r[:3] {
		b := a.Block(skel.RefIdx(old))
		require.Zero(t, b.Consumed, "a recycled block starts empty")
		require.Equal(t, [skel.B / 8]uint64{}, b.State, "a recycled block's slots are unpublished")
	}

	// A stale Ref (block 0's old incarnation) restarts from the head.
	require.Equal(t, r[4], locate(t, a, r[0], 4))
	// Re-installed blocks carry their new number in their link tag, so the
	// stale Ref to a block that is back in the chain is detected too.
	r5 := locate(t, a, r[4], 5)
	r6 := locate(t, a, r5, 6)
	require.Equal(t, r6, locate(t, a, r[1], 6))

	// Completing the last block of the chain installs its successor so
	// that HeadBlk always names a block.
	complete(t, a, r[3])
	complete(t, a, r[4])
	complete(t, a, r5)
	complete(t, a, r6)
	require.Equal(t, skel.TagOf(7), skel.RefTag(c.HeadBlk))
}

func TestAdvanceNeedsBlock(t *testing.T) {
	a := coretest.NewArena(0) // one block
	r0 := locate(t, a, skel.NoRef, 0)
	a.Block(skel.RefIdx(r0)).Consumed = skel.B
	require.False(t, chain.Advance(a, r0), "no block for the successor: the caller must grow")
	require.Equal(t, r0, a.Ctl().HeadBlk)
	first, last := a.AddChunk(1)
	chain.PushFree(a, first, last)
	require.True(t, chain.Advance(a, r0))
	require.Equal(t, skel.TagOf(1), skel.RefTag(a.Ctl().HeadBlk))
}

func TestFreeStack(t *testing.T) {
	a := skel.NewArena(false)
	_, ok := chain.PopFree(a)
	require.False(t, ok)
	first, last := a.AddChunk(2) // blocks 3..6
	require.Equal(t, uint32(3), first)
	require.Equal(t, uint32(6), last)
	chain.PushFree(a, first, last)
	tag := skel.RefTag(a.Ctl().Free)
	var got []uint32
	for {
		i, ok := chain.PopFree(a)
		if !ok {
			break
		}
		got = append(got, i)
	}
	require.Equal(t, []uint32{3, 4, 5, 6}, got)
	require.Equal(t, tag+4, skel.RefTag(a.Ctl().Free), "every CAS bumps the tag (ABA)")
	chain.PushFree(a, 5, 5)
	chain.PushFree(a, 4, 4)
	i, _ := chain.PopFree(a)
	require.Equal(t, uint32(4), i, "LIFO")
}

func TestLocateRun(t *testing.T) {
	a := coretest.NewArena(4) // 31 blocks
	r0 := locate(t, a, skel.NoRef, 0)
	for _, tc := range []struct {
		pos, count uint64
		n          uint64 // blocks LocateRun fills
	}{
		{0, 1, 1}, {5, skel.B - 5, 1}, {5, skel.B - 4, 2}, {skel.B - 1, 2, 2},
		{3, skel.B * 3, 4}, {0, skel.B * (skel.SpanRefs + 2), skel.SpanRefs},
	} {
		var sp skel.Span
		require.True(t, chain.LocateRun(a, r0, tc.pos, tc.count, &sp), "run %+v", tc)
		require.Equal(t, tc.n, sp.N, "run %+v", tc)
		for i := range sp.N {
			require.Equal(t, locate(t, a, skel.NoRef, tc.pos>>skel.LogB+i), sp.Refs[i], "run %+v, block %d", tc, i)
		}
	}
	// A hint that names the run's only block is taken as it is.
	var sp skel.Span
	r3 := locate(t, a, skel.NoRef, 3)
	require.True(t, chain.LocateRun(a, r3, 3*skel.B+7, 9, &sp))
	require.Equal(t, uint64(1), sp.N)
	require.Equal(t, r3, sp.Refs[0])

	// Out of blocks partway: the blocks found so far, and false.
	b := coretest.NewArena(1) // 3 blocks
	sp = skel.Span{}
	require.False(t, chain.LocateRun(b, skel.NoRef, skel.B/2, 4*skel.B, &sp))
	require.Equal(t, uint64(3), sp.N)
	for i := range sp.N {
		require.Equal(t, skel.TagOf(i), skel.RefTag(sp.Refs[i]))
	}
}

// locator records the walks a Run asks for.
type locator struct {
	t     *testing.T
	a     *skel.Arena
	calls [][2]uint64 // from's number, bn
}

func (l *locator) Locate(from skel.Ref, bn uint64) skel.Ref {
	l.calls = append(l.calls, [2]uint64{skel.RefTag(from), bn})
	return locate(l.t, l.a, from, bn)
}

func TestRun(t *testing.T) {
	a := coretest.NewArena(5)
	l := &locator{t: t, a: a}
	refs := []skel.Ref{locate(t, a, skel.NoRef, 0)}
	for bn := uint64(1); bn < 20; bn++ {
		refs = append(refs, locate(t, a, refs[bn-1], bn))
	}
	for _, tc := range []struct {
		pos, n, located uint64 // located: sp.N
	}{
		{7, 1, 1}, {0, skel.B, 1}, {skel.B - 3, 6, 2}, {skel.B - 3, 6, 1},
		{5, 12 * skel.B, skel.SpanRefs}, {5, 12 * skel.B, 1}, {3 * skel.B, 2 * skel.B, 2},
	} {
		sp := skel.Span{Pos: tc.pos, Hint: refs[0], N: tc.located}
		for i := range tc.located {
			sp.Refs[i] = refs[tc.pos>>skel.LogB+i]
		}
		l.calls = nil
		var got []skel.Ref
		pos := tc.pos
		for w := chain.Walk(&sp, tc.n); ; {
			r, off, n, last := w.Share()
			require.Equal(t, refs[pos>>skel.LogB], r, "%+v at %d", tc, pos)
			require.Equal(t, uint32(pos%skel.B), off, "%+v at %d", tc, pos)
			require.True(t, n >= 1 && off+n <= skel.B, "%+v: share [%d, +%d)", tc, off, n)
			got = append(got, r)
			pos += uint64(n)
			require.Equal(t, pos == tc.pos+tc.n, last, "%+v at %d", tc, pos)
			if last {
				break
			}
			require.Zero(t, pos%skel.B, "%+v: a share ends inside a block", tc)
			w.Advance(l)
		}
		blocks := (tc.pos+tc.n-1)>>skel.LogB - tc.pos>>skel.LogB + 1
		require.Equal(t, blocks, uint64(len(got)), "%+v", tc)
		// The Run walks only to the blocks the span lacks, each from the
		// block before it.
		var want [][2]uint64
		for i := tc.located; i < blocks; i++ {
			bn := tc.pos>>skel.LogB + i
			want = append(want, [2]uint64{bn - 1, bn})
		}
		require.Equal(t, want, l.calls, "%+v", tc)
	}
}

func TestMoveHint(t *testing.T) {
	h := skel.MakeRef(1, 1)
	chain.MoveHint(&h, skel.MakeRef(1, 1), skel.MakeRef(2, 5))
	require.Equal(t, skel.MakeRef(2, 5), h, "moved from the value seen")
	chain.MoveHint(&h, skel.MakeRef(1, 1), skel.MakeRef(3, 6))
	require.Equal(t, skel.MakeRef(2, 5), h, "somebody else's move stays")
}

// TestWaitReadsOnlyItsRun publishes exactly the slots of each run (at
// every offset and length within a block, up to a few words) and checks
// that Wait returns: a Wait that looked at a slot outside its run would
// spin for ever (the first Wait has no deadline: the test's timeout is
// it). Then, for a slot in each word of the run, it leaves that one slot
// unpublished and checks that Wait has not returned after a few scheduler
// rounds, and returns once the slot is published.
func TestWaitReadsOnlyItsRun(t *testing.T) {
	for off := uint32(0); off < 40; off++ {
		for n := uint32(1); off+n <= min(skel.B, 96); n++ {
			b := new(skel.Block)
			for s := off; s < off+n; s++ {
				b.State[s/8] |= skel.SlotBit(s)
			}
			chain.Wait(b, off, n)

			for w := off / 8; w <= (off+n-1)/8; w++ { // one slot of every word
				miss := max(off, w*8)
				b.State[miss/8] &^= skel.SlotBit(miss)
				done := make(chan struct{})
				go func() { chain.Wait(b, off, n); close(done) }()
				for range 3 { // let it run: a Wait that returns now is wrong
					runtime.Gosched()
				}
				select {
				case <-done:
					t.Fatalf("Wait(%d, %d) returned with slot %d unpublished", off, n, miss)
				default:
				}
				atomic.OrUint64(&b.State[miss/8], skel.SlotBit(miss))
				select {
				case <-done:
				case <-time.After(time.Minute):
					t.Fatalf("Wait(%d, %d) still waiting after slot %d was published", off, n, miss)
				}
			}
		}
	}
}
