package fallback_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/injectq/injectq/fallback"
	"github.com/injectq/injectq/internal/coretest"
	"github.com/injectq/injectq/internal/skel"
)

func TestCore(t *testing.T) { coretest.Run(t, coretest.Ops{}) }

// locate is Locate that must succeed.
func locate(t *testing.T, a *skel.Arena, from skel.Ref, bn uint64) skel.Ref {
	t.Helper()
	r, ok := fallback.Locate(a, from, bn)
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
	_, ok := fallback.Locate(a, r3, 7)
	require.False(t, ok, "Locate must report an empty free stack")
	first, last := a.AddChunk(3)
	fallback.PushFree(a, first, last)
	locate(t, a, r3, 7)
}

// complete marks every slot of block bn consumed, as its consumers would,
// and runs Advance if that completed it.
func complete(t *testing.T, a *skel.Arena, r skel.Ref) {
	t.Helper()
	b := a.Block(skel.RefIdx(r))
	require.True(t, fallback.Retire(b, skel.B))
	require.True(t, fallback.Advance(a, r))
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
	require.True(t, fallback.Retire(a.Block(skel.RefIdx(r0)), skel.B))
	require.False(t, fallback.Advance(a, r0), "no block for the successor: the caller must grow")
	require.Equal(t, r0, a.Ctl().HeadBlk)
	first, last := a.AddChunk(1)
	fallback.PushFree(a, first, last)
	require.True(t, fallback.Advance(a, r0))
	require.Equal(t, skel.TagOf(1), skel.RefTag(a.Ctl().HeadBlk))
}

func TestFreeStack(t *testing.T) {
	a := skel.NewArena(false)
	_, ok := fallback.PopFree(a)
	require.False(t, ok)
	first, last := a.AddChunk(2) // blocks 3..6
	require.Equal(t, uint32(3), first)
	require.Equal(t, uint32(6), last)
	fallback.PushFree(a, first, last)
	tag := skel.RefTag(a.Ctl().Free)
	var got []uint32
	for {
		i, ok := fallback.PopFree(a)
		if !ok {
			break
		}
		got = append(got, i)
	}
	require.Equal(t, []uint32{3, 4, 5, 6}, got)
	require.Equal(t, tag+4, skel.RefTag(a.Ctl().Free), "every CAS bumps the tag (ABA)")
	fallback.PushFree(a, 5, 5)
	fallback.PushFree(a, 4, 4)
	i, _ := fallback.PopFree(a)
	require.Equal(t, uint32(4), i, "LIFO")
}
