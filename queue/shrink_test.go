package queue_test

import (
	"context"
	"fmt"
	"runtime"
	"runtime/metrics"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/injectq/injectq/queue"
)

// heapStats returns the live heap and the scannable heap of the last GC
// cycle (runtime/metrics), the cost every later cycle pays.
func heapStats() (live, scan uint64) {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}, {Name: "/gc/scan/heap:bytes"}}
	metrics.Read(s)
	return s[0].Value.Uint64(), s[1].Value.Uint64()
}

// gcTick runs a GC cycle and waits until the queue's GC tick has run after
// it (the tick runs on the runtime's cleanup goroutine; the wait is for
// that goroutine, and a tick that never comes fails the test).
func gcTick(t *testing.T) {
	t.Helper()
	before := queue.GCTicks()
	runtime.GC()
	for deadline := time.Now().Add(10 * time.Second); queue.GCTicks() == before; time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatal("no GC tick ran after runtime.GC")
		}
	}
}

// burst pushes n items in batches of 1024 and pops them all.
func burst(t *testing.T, q *queue.Queue[*int], n int) {
	t.Helper()
	v := new(int)
	buf := make([]*int, 1024)
	for i := range buf {
		buf[i] = v
	}
	for i := 0; i < n; i += len(buf) {
		require.NoError(t, q.PushBatch(buf[:min(len(buf), n-i)]))
	}
	for got := 0; got < n; {
		k := q.PopN(buf)
		require.NotZero(t, k, "%d of %d items popped", got, n)
		got += k
	}
	clear(buf)
}

// TestShrinkAfterBurst is the burst of issue 11: 10M items pushed and
// drained, then GC cycles. The queue must give its memory back by itself:
// its heap within 1 MB of a fresh queue's, and the GC's scan work within
// 1.2x of a fresh queue's.
func TestShrinkAfterBurst(t *testing.T) {
	defer queue.SetShrinkAfter(queue.SetShrinkAfter(0)) // the hysteresis is TestShrinkPolicy's
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[*int](t, mk, nil)
		require.NoError(t, q.Push(new(int)))
		q.Pop()
		runtime.GC()
		runtime.GC()
		live0, scan0 := heapStats()

		n := scale(10_000_000)
		burst(t, q, n)
		before := queue.ArenaID(q)
		livePeak, _ := heapStats()
		runtime.GC()
		livePeak, _ = heapStats()
		for i := 0; queue.ArenaID(q) == before; i++ {
			require.Less(t, i, 10, "the arena was not retired after %d GC cycles", i)
			gcTick(t)
		}
		// The old arena goes at the next cycle; native's pins go in a
		// cleanup after it, and its chunks at a cycle after that.
		var live, scan uint64
		for deadline := time.Now().Add(10 * time.Second); ; {
			runtime.GC()
			if live, scan = heapStats(); int64(live)-int64(live0) <= 1<<20 || time.Now().After(deadline) {
				break
			}
			time.Sleep(time.Millisecond) // for the cleanup goroutine
		}
		t.Logf("%d items: live heap %.1f MB at the peak, %.2f MB after (fresh %.2f MB); scan %.2f MB (fresh %.2f MB)",
			n, float64(livePeak)/1e6, float64(live)/1e6, float64(live0)/1e6, float64(scan)/1e6, float64(scan0)/1e6)
		require.LessOrEqual(t, int64(live)-int64(live0), int64(1<<20), "heap kept after the burst")
		require.LessOrEqual(t, float64(scan), 1.2*float64(scan0), "GC scan work after the burst")

		// The queue works on, in its new arena.
		require.NoError(t, q.PushBatch([]*int{new(int), new(int)}))
		require.Equal(t, 2, q.Len())
		require.Equal(t, 2, q.PopN(make([]*int, 3)))
	})
}

// TestShrinkPolicy: the GC tick retires an arena only when its backlog is
// at most an eighth of it and it has been quiet for shrinkAfter.
func TestShrinkPolicy(t *testing.T) {
	defer queue.SetShrinkAfter(queue.SetShrinkAfter(0))
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[*int](t, mk, nil)
		v := new(int)
		const n = 200 * queue.BlockSlots // chunks up to 255 blocks
		for range n {
			require.NoError(t, q.Push(v))
		}
		for range n / 2 {
			q.Pop()
		}
		id := queue.ArenaID(q)
		for range 4 {
			gcTick(t)
		}
		// Had a look found it quiet, the empty pop would now retire it.
		for q.Len() > 0 {
			q.Pop()
		}
		_, ok := q.Pop()
		require.False(t, ok)
		require.Equal(t, id, queue.ArenaID(q), "the looks found a backlog of half the arena quiet")

		// Quiet, but for less than shrinkAfter: kept.
		queue.SetShrinkAfter(int64(time.Hour))
		for range 4 {
			gcTick(t)
		}
		require.Equal(t, id, queue.ArenaID(q), "retired before shrinkAfter")

		// Quiet long enough: retired at the next ticks.
		queue.SetShrinkAfter(0)
		for i := 0; queue.ArenaID(q) == id; i++ {
			require.Less(t, i, 10, "an empty, quiet arena was not retired")
			gcTick(t)
		}
	})
}

// TestShrinkByConsumer: a queue the policy wants to retire, but that is not
// empty at the tick, is retired by the first pop that finds it empty.
func TestShrinkByConsumer(t *testing.T) {
	defer queue.SetShrinkAfter(queue.SetShrinkAfter(0))
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[*int](t, mk, nil)
		burst(t, q, 100*queue.BlockSlots)
		require.NoError(t, q.Push(new(int))) // a small backlog: quiet, not empty
		id := queue.ArenaID(q)
		for range 4 {
			gcTick(t)
		}
		require.Equal(t, id, queue.ArenaID(q), "retired while it held an item")
		_, ok := q.Pop()
		require.True(t, ok)
		_, ok = q.Pop() // finds it empty
		require.False(t, ok)
		require.NotEqual(t, id, queue.ArenaID(q), "the empty pop did not retire the arena")
	})
}

// TestShrinkExplicit: Shrink's conditions, and the queue after it.
func TestShrinkExplicit(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[int](t, mk, nil)
		require.False(t, q.Shrink(), "a fresh queue has nothing to give back")
		vs := make([]int, 5*queue.BlockSlots)
		for i := range vs {
			vs[i] = i
		}
		require.NoError(t, q.PushBatch(vs))
		require.False(t, q.Shrink(), "Shrink retired a queue that holds items")
		got := make([]int, len(vs))
		require.Equal(t, len(vs), q.PopN(got))
		id := queue.ArenaID(q)
		require.True(t, q.Shrink())
		require.NotEqual(t, id, queue.ArenaID(q))
		require.Zero(t, queue.ArenaBlocks(q), "the new arena starts without blocks")
		require.True(t, q.IsEmpty())
		require.Zero(t, q.Len())
		require.False(t, q.IsClosed())
		require.NoError(t, q.PushBatch(vs[:3]))
		require.NoError(t, q.Push(3))
		require.Equal(t, 4, q.PopN(got))
		require.Equal(t, []int{0, 1, 2, 3}, got[:4])

		require.NoError(t, q.PushBatch(vs))
		q.PopN(got)
		require.True(t, q.Close())
		require.False(t, q.Shrink(), "Shrink retired a closed queue")
		require.False(t, q.Close())
		require.True(t, q.IsClosed())
		require.ErrorIs(t, q.Push(1), queue.ErrClosed)
	})
}

// TestShrinkWakesSleepers: consumers asleep in a retired arena, and
// producers waiting for room in it, go on in the new one.
func TestShrinkWakesSleepers(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[int](t, mk, nil)
		burst := make([]int, 3*queue.BlockSlots)
		require.NoError(t, q.PushBatch(burst))
		require.Equal(t, len(burst), q.PopN(burst))
		const sleepers = 4
		got := make(chan int, sleepers)
		// The deadline only turns a sleeper that is never woken into a
		// failure instead of a hang.
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		var wg sync.WaitGroup
		for range sleepers {
			wg.Go(func() {
				v, err := q.PopWait(ctx)
				if err == nil {
					got <- v
				}
			})
		}
		for queue.Sleepers(q) < sleepers {
			runtime.Gosched()
		}
		require.True(t, q.Shrink())
		for i := range sleepers {
			require.NoError(t, q.Push(i))
		}
		wg.Wait()
		close(got)
		sum := 0
		for v := range got {
			sum += v
		}
		require.Equal(t, 0+1+2+3, sum)
	})
}

// TestStressShrink is the MPMC stress with a goroutine that calls Shrink
// all along: every item once, each producer's in order, across arenas.
func TestStressShrink(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[uint64](t, mk, nil)
		var shrinks atomic.Int64
		stressMPMC(t, q, 4, 4, scale(400_000), shrinkLoop(q, &shrinks))
		t.Logf("%d arenas retired during the run", shrinks.Load())
		// The drained queue was retired at the end, or is now.
		require.True(t, shrinks.Load() > 0 && queue.ArenaBlocks(q) == 0 || q.Shrink(), "the drained queue was not retired")
	})
}

// TestStressShrinkWait: producers in PushWait and PushBatchWait, consumers
// in PopNWait, and a goroutine calling Shrink all along, unbounded and with
// a Limit: every item once, each producer's in order, nobody left asleep.
// With the consumers sleeping, the queue is often empty, and arenas are
// retired under sleeping consumers and waiting producers (thousands of
// times a run here; how many depends on the scheduler, so it is logged,
// and the checker's shrink scenarios are the deterministic cover).
func TestStressShrinkWait(t *testing.T) {
	for _, limit := range []int{0, 5} {
		eachBackend(t, func(t *testing.T, mk maker) {
			const producers, consumers = 3, 3
			per := scale(30_000)
			q := newLimited[uint64](t, mk, limit, nil)
			seen := make([][]atomic.Uint32, producers)
			for p := range seen {
				seen[p] = make([]atomic.Uint32, per)
			}
			// The deadline only turns a hang into a failure.
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			stop := make(chan struct{})
			var shrinks atomic.Int64
			var prod, cons, side sync.WaitGroup
			side.Go(func() { shrinkLoop(q, &shrinks)(stop) })
			var errs firstError
			for p := range producers {
				prod.Go(func() {
					for s := 0; s < per; {
						var err error
						if s%3 == 0 && s+2 <= per {
							err = q.PushBatchWait(ctx, []uint64{item(p, s), item(p, s+1)})
							s += 2
						} else {
							err = q.PushWait(ctx, item(p, s))
							s++
						}
						if err != nil {
							errs.set(err)
							return
						}
					}
				})
			}
			var got atomic.Int64
			for c := range consumers {
				cons.Go(func() {
					last := make([]int, producers)
					for i := range last {
						last[i] = -1
					}
					dst := make([]uint64, 1+c)
					for {
						n, err := q.PopNWait(ctx, dst)
						if err != nil {
							if err != queue.ErrClosed {
								errs.set(err)
							}
							return
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
			prod.Wait()
			for got.Load() < int64(producers*per) && ctx.Err() == nil {
				time.Sleep(time.Millisecond)
			}
			close(stop)
			side.Wait()
			q.Close()
			cons.Wait()
			errs.check(t)
			require.Equal(t, int64(producers*per), got.Load())
			t.Logf("limit %d: %d arenas retired", limit, shrinks.Load())
		})
	}
}

// shrinkLoop returns a loop that calls q.Shrink until stop is closed,
// counting the arenas it retires in n.
func shrinkLoop[T any](q *queue.Queue[T], n *atomic.Int64) func(stop <-chan struct{}) {
	return func(stop <-chan struct{}) {
		for {
			select {
			case <-stop:
				return
			default:
			}
			if q.Shrink() {
				n.Add(1)
			}
		}
	}
}
