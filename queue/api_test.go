package queue_test

import (
	"errors"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/injectq/injectq/queue"
)

// seq returns [from, from+n).
func seq(from, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = from + i
	}
	return out
}

// popAll pops until the queue reports empty.
func popAll[T any](q *queue.Queue[T]) []T {
	var out []T
	for {
		v, ok := q.Pop()
		if !ok {
			return out
		}
		out = append(out, v)
	}
}

func TestPushPopFIFO(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[int](t, mk, nil)
		require.True(t, q.IsEmpty())
		_, ok := q.Pop()
		require.False(t, ok, "pop from a new queue")
		const n = 5000 // crosses several blocks
		for i := range n {
			require.NoError(t, q.Push(i))
		}
		require.Equal(t, n, q.Len())
		require.False(t, q.IsEmpty())
		require.Equal(t, seq(0, n), popAll(q))
		require.Equal(t, 0, q.Len())
		require.True(t, q.IsEmpty())
	})
}

func TestBatchesAcrossBlocks(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[int](t, mk, nil)
		next, want := 0, 0
		// Batch sizes straddle block boundaries at every offset pattern,
		// including batches longer than several blocks and than one span.
		for _, size := range []int{1, 3, 1000, 1024, 1025, 2047, 5000, 9000, 17, 64} {
			require.NoError(t, q.PushBatch(seq(next, size)))
			next += size
		}
		require.Equal(t, next, q.Len())
		for _, size := range []int{7, 1024, 3000, 1, 10000, 64, 5083, 100} {
			dst := make([]int, size)
			n := q.PopN(dst)
			require.Equal(t, min(size, next-want), n)
			require.Equal(t, seq(want, n), dst[:n])
			want += n
		}
		require.Equal(t, next, want)
		require.Equal(t, 0, q.PopN(make([]int, 10)), "PopN on an empty queue")
	})
}

func TestInterleavedKeepsOrder(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[int](t, mk, nil)
		var got []int
		next := 0
		buf := make([]int, 300)
		for round := range 200 {
			require.NoError(t, q.PushBatch(seq(next, round%37+1)))
			next += round%37 + 1
			require.NoError(t, q.Push(next))
			next++
			n := q.PopN(buf[:round%50+1])
			got = append(got, buf[:n]...)
			if v, ok := q.Pop(); ok {
				got = append(got, v)
			}
		}
		got = append(got, popAll(q)...)
		require.Equal(t, seq(0, next), got)
	})
}

func TestBadInput(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		released := 0
		q := newQ(t, mk, func(int) { released++ })
		require.NoError(t, q.PushBatch(nil), "PushBatch(nil) is a no-op")
		require.NoError(t, q.PushBatch([]int{}), "empty batch is a no-op")
		require.Equal(t, 0, q.Len())
		require.Equal(t, 0, q.PopN(nil))
		require.NoError(t, q.Push(1))
		require.Equal(t, 0, q.PopN(nil), "PopN(nil) pops nothing")
		require.Equal(t, 0, q.PopN([]int{}), "zero-length dst pops nothing")
		require.Equal(t, 1, q.Len())

		require.True(t, q.Close())
		require.ErrorIs(t, q.PushBatch(nil), queue.ErrClosed, "an empty batch on a closed queue")
		require.Equal(t, 0, released)
	})
}

func TestUnknownAndUnavailableBackends(t *testing.T) {
	_, err := queue.NewWithConfig(queue.Config[int]{Backend: "no-such-backend"})
	require.ErrorIs(t, err, queue.ErrUnknownBackend)
	require.True(t, strings.HasPrefix(err.Error(), "queue: "), err.Error())
	require.Contains(t, err.Error(), "no-such-backend")

	have := queue.Backends()
	for _, name := range []string{"fallback", "asm", "native"} {
		q, err := queue.NewWithConfig(queue.Config[int]{Backend: name})
		if slices.Contains(have, name) {
			require.NoError(t, err)
			require.Equal(t, name, q.Backend())
		} else {
			require.ErrorIs(t, err, queue.ErrBackendUnavailable, name)
			require.Nil(t, q)
		}
	}
}

func TestBackendsAndDescribe(t *testing.T) {
	have := queue.Backends()
	require.Contains(t, have, "fallback")
	require.Contains(t, have, queue.DefaultBackend())
	d := queue.Describe()
	require.Contains(t, d, runtime.GOARCH)
	require.Contains(t, d, "default="+queue.DefaultBackend())
	require.NotContains(t, d, "\n", "Describe is one line")
	for _, name := range have {
		require.Contains(t, d, " "+name+": ", "Describe names each backend's code path")
	}
	require.Equal(t, queue.DefaultBackend(), queue.New[int]().Backend())
	q, err := queue.NewWithConfig(queue.Config[int]{})
	require.NoError(t, err)
	require.Equal(t, queue.DefaultBackend(), q.Backend())
}

func TestZeroValueQueue(t *testing.T) {
	var q queue.Queue[string]
	require.True(t, q.IsEmpty())
	require.Equal(t, queue.DefaultBackend(), q.Backend())
	require.NoError(t, q.Push("a"))
	require.NoError(t, q.PushBatch([]string{"b", "c"}))
	v, ok := q.Pop()
	require.True(t, ok)
	require.Equal(t, "a", v)
	require.Equal(t, 2, q.Drain())
	require.True(t, q.Close())
	require.ErrorIs(t, q.Push("d"), queue.ErrClosed)
}

func TestCloseSemantics(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		var released []int
		q := newQ(t, mk, func(v int) { released = append(released, v) })
		require.NoError(t, q.PushBatch(seq(0, 1500)))
		require.False(t, q.IsClosed())
		require.True(t, q.Close(), "first Close closes")
		require.False(t, q.Close(), "second Close reports it did nothing")
		require.True(t, q.IsClosed())

		err := q.Push(-1)
		require.ErrorIs(t, err, queue.ErrClosed)
		require.Equal(t, "queue: closed", err.Error())
		require.ErrorIs(t, q.PushBatch(seq(10000, 3000)), queue.ErrClosed)
		require.Equal(t, append([]int{-1}, seq(10000, 3000)...), released,
			"every rejected item is released once, in order")
		require.Equal(t, 1500, q.Len(), "rejected pushes queue nothing")

		// Items queued before Close stay poppable.
		v, ok := q.Pop()
		require.True(t, ok)
		require.Equal(t, 0, v)
		require.Equal(t, seq(1, 1499), popAll(q))
	})
}

func TestDrain(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		var released []int
		q := newQ(t, mk, func(v int) { released = append(released, v) })
		require.Equal(t, 0, q.Drain(), "drain of an empty queue")

		require.NoError(t, q.PushBatch(seq(0, 3000)))
		_, _ = q.Pop()
		require.Equal(t, 2999, q.Drain(), "drain of an open queue")
		require.Equal(t, seq(1, 2999), released)
		require.True(t, q.IsEmpty())
		require.False(t, q.IsClosed(), "Drain does not close")
		require.NoError(t, q.Push(7), "an open queue stays usable after Drain")

		released = nil
		require.NoError(t, q.PushBatch(seq(100, 50)))
		q.Close()
		require.Equal(t, 51, q.Drain(), "drain of a closed queue")
		require.Equal(t, append([]int{7}, seq(100, 50)...), released)
		require.Equal(t, 0, q.Drain())
	})
}

func TestDrainWithoutRelease(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[int](t, mk, nil)
		require.NoError(t, q.PushBatch(seq(0, 700)))
		q.Close()
		require.ErrorIs(t, q.Push(1), queue.ErrClosed, "a nil Release just drops")
		require.Equal(t, 700, q.Drain())
		require.True(t, q.IsEmpty())
	})
}

type boom struct{ v int }

func TestReleasePanicsOnClosedPush(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		var released []int
		q := newQ(t, mk, func(v int) {
			released = append(released, v)
			if v%10 == 3 {
				panic(boom{v})
			}
		})
		require.NoError(t, q.PushBatch(seq(0, 5)))
		q.Close()

		r := catch(func() { _ = q.PushBatch(seq(100, 10)) })
		require.Equal(t, boom{103}, r, "the panic reaches the caller")
		require.Equal(t, seq(100, 10), released, "the rest of the batch is still released")

		released = nil
		r = catch(func() { _ = q.PushBatch(seq(200, 20)) })
		require.Equal(t, boom{213}, r, "with several panics, the caller sees the last")
		require.Equal(t, seq(200, 20), released)

		released = nil
		require.Equal(t, boom{3}, catch(func() { _ = q.Push(3) }))
		require.Equal(t, []int{3}, released)

		// The queue is consistent and usable.
		require.Equal(t, 5, q.Len())
		v, ok := q.Pop()
		require.True(t, ok)
		require.Equal(t, 0, v)
		released = nil
		require.Equal(t, boom{3}, catch(func() { q.Drain() }))
		require.Equal(t, seq(1, 4), released, "drained items after the panicking one are still released")
		require.True(t, q.IsEmpty())
	})
}

func TestReleasePanicsDuringDrainLeavesRestQueued(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		var released []int
		q := newQ(t, mk, func(v int) {
			released = append(released, v)
			if v == 10 {
				panic(boom{v})
			}
		})
		require.NoError(t, q.PushBatch(seq(0, 1000)))
		require.Equal(t, boom{10}, catch(func() { q.Drain() }))
		// Drain removes in chunks (256 items): the chunk holding 10 is
		// released whole, and the rest is still queued, in order.
		k := queue.DrainChunk()
		end := (10/k + 1) * k
		require.Equal(t, seq(0, end), released)
		require.Equal(t, 1000-end, q.Len())
		require.Equal(t, seq(end, 1000-end), popAll(q))
	})
}

func TestReleasePushesBack(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		var q *queue.Queue[int]
		var errs []error
		q = newQ(t, mk, func(v int) {
			if v < 1000 { // push back once, tagged so the second release stops
				errs = append(errs, q.Push(v+1000))
			}
		})
		// On an open queue, Drain releases what was queued at the call;
		// what Release pushes back is left for later, so Drain terminates.
		require.NoError(t, q.PushBatch(seq(0, 300)))
		require.Equal(t, 300, q.Drain())
		require.Len(t, errs, 300)
		for _, err := range errs {
			require.NoError(t, err)
		}
		require.Equal(t, seq(1000, 300), popAll(q))

		// On a closed queue the pushed-back item is rejected in turn, from
		// inside Release: no deadlock, and it is released once more.
		errs = nil
		q.Close()
		require.ErrorIs(t, q.Push(5), queue.ErrClosed)
		require.Len(t, errs, 1)
		require.ErrorIs(t, errs[0], queue.ErrClosed)
	})
}

func TestStringAndLen(t *testing.T) {
	q := queue.New[int]()
	require.NoError(t, q.PushBatch(seq(0, 3)))
	assert.Equal(t, "queue.Queue["+q.Backend()+" len=3 closed=false]", q.String())
}

// catch runs f and returns what it panicked with (nil if it did not).
func catch(f func()) (r any) {
	defer func() { r = recover() }()
	f()
	return nil
}

func TestErrorsAreDistinct(t *testing.T) {
	require.False(t, errors.Is(queue.ErrClosed, queue.ErrUnknownBackend))
	for _, err := range []error{queue.ErrClosed, queue.ErrUnknownBackend, queue.ErrBackendUnavailable} {
		require.True(t, strings.HasPrefix(err.Error(), "queue: "), err.Error())
	}
}
