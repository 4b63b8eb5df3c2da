package queue_test

import (
	"math"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/injectq/injectq/queue"
)

// The tests of this file each hold a bug that a review found (now fixed),
// with the input that showed it.

// TestReleasePanicsOnManyItems: a Release that panics on every item of a
// long rejected batch still sees every item, and the stack stays flat (a
// recovery that nested one panic in another per item overflowed it). The
// child process gets a small stack, so that nesting would crash it at a
// few thousand items.
func TestReleasePanicsOnManyItems(t *testing.T) {
	const items = 20000
	if inChild(t) {
		debug.SetMaxStack(1 << 20)
		eachBackend(t, func(t *testing.T, mk maker) {
			released := 0
			q := newQ(t, mk, func(int) {
				released++
				panic(boom{released})
			})
			q.Close()
			require.Equal(t, boom{items}, catch(func() { _ = q.PushBatch(make([]int, items)) }), "the caller sees the last panic")
			require.Equal(t, items, released)
		})
		return
	}
	out, err := runChild(t)
	require.NoError(t, err, "child:\n%s", excerpt(out))
	require.Contains(t, out, "--- PASS: "+t.Name())
}

// TestReleaseGoexit: a Release that ends its goroutine (runtime.Goexit, as
// t.FailNow does) still has every item of the batch released.
func TestReleaseGoexit(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		var released []int
		q := newQ(t, mk, func(v int) {
			released = append(released, v)
			if v == 1 {
				runtime.Goexit()
			}
		})
		q.Close()
		done := make(chan struct{})
		go func() {
			defer close(done)
			_ = q.PushBatch(seq(0, 5))
		}()
		<-done
		require.Equal(t, seq(0, 5), released)
	})
}

// excerpt returns the first and the last lines of a child's output (a
// crash's message, and the end of its trace).
func excerpt(out string) string {
	lines := strings.Split(out, "\n")
	if len(lines) <= 40 {
		return out
	}
	return strings.Join(lines[:10], "\n") + "\n[...]\n" + strings.Join(lines[len(lines)-30:], "\n")
}

// TestDrainLeavesLaterItems: Drain releases only items queued when it
// began, even when concurrent pops move the head between its claims and
// its own Release pushes new items (a claim bounded by a head read before
// it ran past the end).
func TestDrainLeavesLaterItems(t *testing.T) {
	rounds := scale(4000)
	eachBackend(t, func(t *testing.T, mk maker) {
		for round := range rounds {
			var q *queue.Queue[int]
			var drained []int
			q = newQ(t, mk, func(v int) {
				if len(drained) == 0 { // the first release pushes 64 new items
					require.NoError(t, q.PushBatch(seq(1000, 64)))
				}
				drained = append(drained, v)
			})
			require.NoError(t, q.PushBatch(seq(0, 300)))
			var popped [2][]int
			var wg sync.WaitGroup
			var stop atomic.Bool
			for g := range 2 {
				wg.Go(func() {
					for !stop.Load() || !q.IsEmpty() {
						if v, ok := q.Pop(); ok {
							popped[g] = append(popped[g], v)
						}
					}
				})
			}
			q.Drain()
			stop.Store(true)
			wg.Wait()
			for _, v := range drained {
				if v >= 1000 {
					t.Fatalf("round %d: Drain released %d, pushed after it began", round, v)
				}
			}
			want := seq(0, 300)
			if len(drained) > 0 {
				want = append(want, seq(1000, 64)...)
			}
			got := append(append(append([]int{}, drained...), popped[0]...), popped[1]...)
			require.ElementsMatch(t, want, got, "round %d: every item once", round)
		}
	})
}

// TestLenNeverOverCounts: one goroutine pushes and pops in turn, so the
// queue never holds more than one item; Len, meanwhile, must never say
// more (it counted every push and pop between its two loads).
func TestLenNeverOverCounts(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[int](t, mk, nil)
		var stop atomic.Bool
		var wg sync.WaitGroup
		wg.Go(func() {
			for !stop.Load() {
				_ = q.Push(1)
				q.Pop()
			}
		})
		for range scale(2_000_000) {
			if n := q.Len(); n < 0 || n > 1 {
				stop.Store(true)
				wg.Wait()
				t.Fatalf("Len = %d; the queue never held more than 1", n)
			}
		}
		stop.Store(true)
		wg.Wait()
	})
}

// TestAbsurdBatch: a batch longer than MaxBatch is refused before anything
// is reserved (math.MaxInt zero-size items carried the tail into the
// closed bit: the queue read as closed and lost what it held).
func TestAbsurdBatch(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		released := 0
		q := newQ(t, mk, func(struct{}) { released++ })
		require.NoError(t, q.Push(struct{}{}))
		for _, n := range []int{math.MaxInt, queue.MaxBatch + 1} {
			err := q.PushBatch(make([]struct{}, n))
			require.ErrorIs(t, err, queue.ErrTooLarge, "%d items", n)
			require.True(t, strings.HasPrefix(err.Error(), "queue: "), err.Error())
		}
		require.False(t, q.IsClosed(), "a refused batch does not close the queue")
		require.Equal(t, 1, q.Len(), "the item queued before is still there")
		_, ok := q.Pop()
		require.True(t, ok)
		require.True(t, q.IsEmpty())
		require.Zero(t, released, "refused items stay the caller's")
		require.NoError(t, q.PushBatch(make([]struct{}, 3000)), "the queue still works")
		require.Equal(t, 3000, q.Len())
	})
}

// TestReleaseMayPushBackWhileOpen: the Release documented as safe, which
// pushes an item back only while the queue is open, ends on a closed
// queue (one that always pushed back would recurse without end: every
// rejected push calls Release again before it returns).
func TestReleaseMayPushBackWhileOpen(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		var q *queue.Queue[int]
		var calls []int
		q = newQ(t, mk, func(v int) {
			calls = append(calls, v)
			if !q.IsClosed() {
				_ = q.Push(v) // put it back for later
			}
		})
		require.NoError(t, q.PushBatch(seq(0, 10)))
		require.Equal(t, 10, q.Drain(), "open: each item is released and pushed back")
		require.Equal(t, 10, q.Len())
		q.Close()
		require.ErrorIs(t, q.Push(99), queue.ErrClosed)
		require.Equal(t, 10, q.Drain())
		require.Equal(t, append(append(seq(0, 10), 99), seq(0, 10)...), calls, "each item released once per push that did not land")
		require.True(t, q.IsEmpty())
	})
}

// TestFullQueue: a queue whose chain would pass its bound refuses pushes
// with ErrFull, keeps what it holds, and takes pushes again once popped.
// The bound is lowered for the test (queue.SetCapacity); at its real size
// it is 2^32 items.
func TestFullQueue(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[int](t, mk, func(int) { t.Error("Release saw an item refused as full") })
		queue.SetCapacity(q, 4) // blocks
		n, batch := 0, max(2, queue.BlockSlots/10)
		var err error
		for n < 100*queue.BlockSlots {
			if err = q.PushBatch(seq(n, batch)); err != nil {
				break
			}
			n += batch
		}
		require.ErrorIs(t, err, queue.ErrFull)
		require.Equal(t, n, q.Len(), "a refused batch reserves nothing")
		for err = nil; err == nil; { // single items fill the last block
			if err = q.Push(n); err == nil {
				n++
			}
		}
		require.ErrorIs(t, err, queue.ErrFull)
		require.Equal(t, 4*queue.BlockSlots, q.Len(), "the bound is four blocks")
		require.Equal(t, seq(0, n), popAll(q), "what it held, in order")
		require.NoError(t, q.PushBatch(seq(0, batch)), "room again")
	})
}
