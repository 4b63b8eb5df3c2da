package queue_test

import (
	"context"
	"fmt"
	"math"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/injectq/injectq/queue"
)

func newLimited[T any](t testing.TB, mk maker, limit int, release func(T)) *queue.Queue[T] {
	t.Helper()
	q, err := queue.NewWithConfig(queue.Config[T]{Backend: mk.backend, Limit: limit, Release: release})
	require.NoError(t, err)
	return q
}

func TestLimitBadConfig(t *testing.T) {
	bad := []int{-1}
	if maxLen := uint64(queue.MaxLen); maxLen < math.MaxInt { // not on 32-bit
		bad = append(bad, int(maxLen+1))
	}
	for _, l := range bad {
		_, err := queue.NewWithConfig(queue.Config[int]{Limit: l})
		require.ErrorIs(t, err, queue.ErrBadLimit, "Limit %d", l)
	}
	largest := min(uint64(queue.MaxLen), math.MaxInt)
	q, err := queue.NewWithConfig(queue.Config[int]{Limit: int(largest)})
	require.NoError(t, err)
	require.NoError(t, q.Push(1))
}

// TestLimitFullAtOnce: Push and PushBatch refuse at once, whole batches, and
// leave refused items with the caller.
func TestLimitFullAtOnce(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		var released []int
		q := newLimited(t, mk, 4, func(v int) { released = append(released, v) })
		require.NoError(t, q.PushBatch([]int{1, 2, 3}))
		require.NoError(t, q.Push(4))
		require.ErrorIs(t, q.Push(5), queue.ErrFull)
		require.Equal(t, 4, q.Len())
		v, _ := q.Pop()
		require.Equal(t, 1, v)
		require.ErrorIs(t, q.PushBatch([]int{5, 6}), queue.ErrFull, "a batch of 2 with room for 1")
		require.ErrorIs(t, q.PushBatch([]int{1, 2, 3, 4, 5}), queue.ErrTooLarge, "a batch that can never fit")
		require.NoError(t, q.PushBatch([]int{5}))
		require.Equal(t, 4, q.Len())
		got := make([]int, 8)
		require.Equal(t, 4, q.PopN(got))
		require.Equal(t, []int{2, 3, 4, 5}, got[:4])
		require.Empty(t, released, "refused items went to Release")

		// ctx ended while full: ctx's error, the item stays the caller's.
		require.NoError(t, q.PushBatch([]int{1, 2, 3, 4}))
		ctx, cancel := context.WithTimeout(context.Background(), time.Millisecond)
		defer cancel()
		require.ErrorIs(t, q.PushWait(ctx, 9), context.DeadlineExceeded)
		require.ErrorIs(t, q.PushBatchWait(ctx, []int{9, 9}), context.DeadlineExceeded)
		require.Equal(t, 4, q.Len())
		require.Empty(t, released)
		// With room, a wait pushes even with ctx ended.
		q.Pop()
		require.NoError(t, q.PushWait(ctx, 9))
		require.Equal(t, 4, q.Len())
	})
}

// TestLimitHolds: 8 producers push through PushWait and PushBatchWait into a
// queue of limit 64 while 2 consumers pop; a watcher samples Len all along.
// The queue never holds more than its limit, and every item arrives once,
// each producer's in order.
func TestLimitHolds(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		const limit, producers, consumers = 64, 8, 2
		per := scale(40_000)
		q := newLimited[uint64](t, mk, limit, nil)
		var wg, cons sync.WaitGroup
		var over atomic.Int64
		var maxLen atomic.Int64
		done := make(chan struct{})
		wg.Go(func() {
			for {
				select {
				case <-done:
					return
				default:
				}
				n := int64(q.Len())
				if n > limit {
					over.Store(n)
				}
				if n > maxLen.Load() {
					maxLen.Store(n)
				}
			}
		})
		for p := range producers {
			wg.Go(func() {
				buf := make([]uint64, 0, 7)
				for s := 0; s < per; {
					k := 1 + s%7
					k = min(k, per-s)
					var err error
					if k == 1 {
						err = q.PushWait(context.Background(), item(p, s))
					} else {
						buf = buf[:0]
						for i := range k {
							buf = append(buf, item(p, s+i))
						}
						err = q.PushBatchWait(context.Background(), buf)
					}
					if err != nil {
						panic(err)
					}
					s += k
				}
			})
		}
		var got atomic.Int64
		var errs firstError
		seen := make([][]atomic.Uint32, producers)
		for p := range seen {
			seen[p] = make([]atomic.Uint32, per)
		}
		for c := range consumers {
			cons.Go(func() {
				last := make([]int, producers)
				for i := range last {
					last[i] = -1
				}
				dst := make([]uint64, 5)
				for {
					n, err := q.PopNWait(context.Background(), dst[:1+c*4])
					if err != nil {
						return // closed and empty
					}
					for _, v := range dst[:n] {
						p, s := itemProducer(v), itemSeq(v)
						if s <= last[p] || seen[p][s].Add(1) != 1 {
							errs.set(fmt.Errorf("producer %d's item %d: out of order or twice", p, s))
						}
						last[p] = s
					}
					got.Add(int64(n))
				}
			})
		}
		for got.Load() < int64(producers*per) {
			time.Sleep(time.Millisecond)
		}
		close(done)
		wg.Wait()
		q.Close()
		cons.Wait()
		errs.check(t)
		require.Zero(t, over.Load(), "Len passed the limit")
		require.Equal(t, int64(producers*per), got.Load())
		t.Logf("largest Len seen: %d (limit %d)", maxLen.Load(), limit)
	})
}

// TestPushWaitClose: producers waiting for room wake on Close, with
// ErrClosed, and their items go to Release exactly once.
func TestPushWaitClose(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		var mu sync.Mutex
		released := map[int]int{}
		q := newLimited(t, mk, 2, func(v int) { mu.Lock(); released[v]++; mu.Unlock() })
		require.NoError(t, q.PushBatch([]int{0, 1}))
		const waiters = 4
		errs := make(chan error, waiters)
		for i := range waiters {
			go func() {
				if i%2 == 0 {
					errs <- q.PushWait(context.Background(), 100+i)
				} else {
					errs <- q.PushBatchWait(context.Background(), []int{100 + i, 200 + i})
				}
			}()
		}
		for queue.RoomWaiters(q) < waiters {
			time.Sleep(time.Millisecond)
		}
		require.True(t, q.Close())
		for range waiters {
			require.ErrorIs(t, <-errs, queue.ErrClosed)
		}
		require.Equal(t, map[int]int{100: 1, 101: 1, 201: 1, 102: 1, 103: 1, 203: 1}, released)
		require.Equal(t, 2, q.Len(), "the queued items stay poppable")
	})
}

// TestPushWaitWakes: a producer waiting for room is woken by each pop, one
// item at a time through a queue of limit 1, in order.
func TestPushWaitWakes(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newLimited[int](t, mk, 1, nil)
		n := scale(20_000)
		go func() {
			for i := range n {
				if err := q.PushWait(context.Background(), i); err != nil {
					panic(err)
				}
			}
		}()
		for i := range n {
			v, err := q.PopWait(context.Background())
			require.NoError(t, err)
			require.Equal(t, i, v)
		}
	})
}

// TestLimitAllocs: a bounded queue's push and pop, and a PushWait with room,
// allocate nothing.
func TestLimitAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newLimited[int](t, mk, 8, nil)
		buf := make([]int, 4)
		ctx := context.Background()
		allocs := testing.AllocsPerRun(1000, func() {
			_ = q.Push(1)
			_ = q.PushBatch(buf)
			_ = q.PushWait(ctx, 2)
			q.Pop()
			q.PopN(buf)
			q.Pop()
		})
		require.Zero(t, allocs)
	})
}
