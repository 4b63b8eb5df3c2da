//go:build !injectq_check

// These tests size their runs for the default 1024-slot blocks; under the
// checker's tag (8-slot blocks) only the checker runs.

package queue_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/injectq/injectq/internal/skel"
	"github.com/injectq/injectq/queue"
)

// TestMemoryReused checks that memory grows with the peak backlog and is
// reused after: repeating the same peak allocates no further blocks.
func TestMemoryReused(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[int](t, mk, nil)
		require.Zero(t, queue.ArenaBlocks(q), "a new queue allocates no blocks")
		const peak = 100_000
		var after int
		for round := range 8 {
			if round%2 == 0 {
				require.NoError(t, q.PushBatch(seq(0, peak)))
			} else {
				for i := range peak {
					require.NoError(t, q.Push(i))
				}
			}
			dst := make([]int, 777)
			for got := 0; got < peak; got += q.PopN(dst) {
			}
			require.True(t, q.IsEmpty())
			if round == 0 {
				after = queue.ArenaBlocks(q)
				require.LessOrEqual(t, after, 2*(peak/skel.B+2), "blocks for a peak of %d items", peak)
			}
			require.Equal(t, after, queue.ArenaBlocks(q), "round %d allocated more blocks", round)
			requireNoLeak(t, q)
		}
	})
}

// TestBlocksRecycledConcurrently runs producers and consumers with a bounded
// backlog and checks that every block that consumers finished, in whatever
// order they finished them, went back to the free stack.
//
// It does not bound the arena's size during the run: a consumer descheduled
// between its claim and its retire holds its block, and every later one, in
// the chain until it runs again, so the arena grows with what is pushed
// meanwhile (README, "Memory"); on an oversubscribed machine that can be
// the whole run.
func TestBlocksRecycledConcurrently(t *testing.T) {
	total := scale(1_000_000)
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[int](t, mk, nil)
		const producers, consumers, backlog = 4, 4, 2048
		var got atomic.Int64
		var wg sync.WaitGroup
		for p := range producers {
			wg.Go(func() {
				buf := make([]int, 300)
				for sent := 0; sent < total/producers; {
					for q.Len() > backlog {
						runtime.Gosched()
					}
					n := min(1+(sent+p)%len(buf), total/producers-sent)
					if err := q.PushBatch(buf[:n]); err != nil {
						t.Error(err)
						return
					}
					sent += n
				}
			})
		}
		for c := range consumers {
			wg.Go(func() {
				dst := make([]int, 1+c*97)
				for got.Load() < int64(total/producers*producers) {
					n := q.PopN(dst)
					if n == 0 {
						runtime.Gosched()
					}
					got.Add(int64(n))
				}
			})
		}
		wg.Wait()
		requireNoLeak(t, q)
		t.Logf("%d blocks for %d items", queue.ArenaBlocks(q), total)
	})
}

// TestHintsFollow checks that every backend moves the hints along with
// single and batch operations: a hint left behind still gives correct
// results, but each operation then walks the chain from the head.
func TestHintsFollow(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[int](t, mk, nil)
		for i := range 5000 {
			require.NoError(t, q.Push(i))
		}
		tail, _ := queue.Hints(q)
		require.Equal(t, uint64(4999/skel.B), tail, "TailHint after single pushes")
		for range 3000 {
			_, ok := q.Pop()
			require.True(t, ok)
		}
		_, head := queue.Hints(q)
		require.Equal(t, uint64(2999/skel.B), head, "HeadHint after single pops")
		require.NoError(t, q.PushBatch(seq(0, 3000)))
		require.Equal(t, 4000, q.PopN(make([]int, 4000)))
		tail, head = queue.Hints(q)
		require.Equal(t, uint64(7999/skel.B), tail, "TailHint after a batch")
		require.Equal(t, uint64(6999/skel.B), head, "HeadHint after a batch")
	})
}

// TestGrowthDoesNotOvershoot starts many producers on a new queue at once:
// they all find the free stack empty together, and chunks double in size,
// so if each grew on its own the arena would hold far more blocks than the
// few that the backlog needs.
func TestGrowthDoesNotOvershoot(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		worst := 0
		for range 30 {
			q := newQ[int](t, mk, nil)
			const producers = 16
			var ready atomic.Int32
			var wg sync.WaitGroup
			for range producers {
				wg.Go(func() {
					ready.Add(1)
					for ready.Load() < producers {
						runtime.Gosched()
					}
					for range 4 {
						_ = q.PushBatch(make([]int, 100))
					}
				})
			}
			wg.Wait()
			worst = max(worst, queue.ArenaBlocks(q))
		}
		// 6400 items need 7 blocks; with chunk sizes 1, 2, 4, 8, ... that
		// is 15 blocks, one chunk of overshoot 31.
		require.LessOrEqual(t, worst, 31, "arena overshoot")
		t.Logf("at most %d blocks", worst)
	})
}
