package queue_test

import (
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

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
				require.LessOrEqual(t, after, 2*(peak/1024+2), "blocks for a peak of %d items", peak)
			}
			require.Equal(t, after, queue.ArenaBlocks(q), "round %d allocated more blocks", round)
		}
	})
}

// TestBlocksRecycledConcurrently runs producers and consumers with a bounded
// backlog and checks that the arena stays small: every block that consumers
// finish, in whatever order they finish them, goes back to the free stack.
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
		// The backlog spans 2-3 blocks; in-flight batches and the growth
		// races add a few; a leak would hold about total/1024.
		require.LessOrEqual(t, queue.ArenaBlocks(q), 63, "blocks were not recycled")
		t.Logf("%d blocks for %d items", queue.ArenaBlocks(q), total)
	})
}
