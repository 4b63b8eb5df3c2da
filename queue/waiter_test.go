package queue_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/injectq/injectq/queue"
)

// recvWithin receives from c, or fails the test after a minute (a hang,
// not a timing assertion).
func recvWithin(t *testing.T, c <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-c:
	case <-time.After(time.Minute):
		t.Fatalf("%s: nothing received", what)
	}
}

// TestWaiter: PopN arms the Waiter on an empty queue and counts it as a
// sleeper; a push makes C receive; Stop withdraws; after Close, C receives
// and PopN returns what is left, then ErrClosed.
func TestWaiter(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[int](t, mk, nil)
		w := q.NewWaiter()
		buf := make([]int, 4)
		n, err := w.PopN(buf)
		require.NoError(t, err)
		require.Zero(t, n)
		require.Equal(t, 1, q.Sleepers(), "an armed Waiter is a sleeper")
		n, err = w.PopN(buf[:0])
		require.Equal(t, [2]any{0, nil}, [2]any{n, err})
		require.Equal(t, 1, q.Sleepers(), "an empty dst leaves the Waiter armed")

		require.NoError(t, q.PushBatch([]int{1, 2}))
		recvWithin(t, w.C, "after a push")
		n, err = w.PopN(buf)
		require.NoError(t, err)
		require.Equal(t, []int{1, 2}, buf[:n])
		require.Zero(t, q.Sleepers(), "a PopN that pops disarms")

		n, _ = w.PopN(buf)
		require.Zero(t, n)
		w.Stop()
		require.Zero(t, q.Sleepers(), "Stop disarms")
		w.Stop() // twice: nothing

		require.NoError(t, q.Push(3))
		n, _ = w.PopN(buf) // not armed: a plain pop
		require.Equal(t, []int{3}, buf[:n])
		n, _ = w.PopN(buf)
		require.Zero(t, n)
		require.NoError(t, q.Push(4))
		q.Close()
		recvWithin(t, w.C, "after Close")
		n, err = w.PopN(buf)
		require.NoError(t, err, "items win over the close")
		require.Equal(t, []int{4}, buf[:n])
		n, err = w.PopN(buf)
		require.ErrorIs(t, err, queue.ErrClosed)
		require.Zero(t, n)
		require.Zero(t, q.Sleepers())
	})
}

// TestWaiterStopPassesOn: two armed Waiters and one push, whose one token
// the first takes; its Stop, without a pop, must pass the wake-up on to
// the second.
func TestWaiterStopPassesOn(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[int](t, mk, nil)
		w1, w2 := q.NewWaiter(), q.NewWaiter()
		buf := make([]int, 1)
		for _, w := range []*queue.Waiter[int]{w1, w2} {
			if n, _ := w.PopN(buf); n != 0 {
				t.Fatal("popped from an empty queue")
			}
		}
		require.NoError(t, q.Push(7)) // one token, in the buffer: nobody is receiving
		recvWithin(t, w1.C, "the first Waiter")
		w1.Stop()
		recvWithin(t, w2.C, "the second Waiter, after the first one's Stop")
		n, err := w2.PopN(buf)
		require.NoError(t, err)
		require.Equal(t, []int{7}, buf[:n])
		require.Zero(t, q.Sleepers())
	})
}

// TestWaiterAllocs: a Waiter's loop, through sleeps and wake-ups, allocates
// nothing.
func TestWaiterAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[int](t, mk, nil)
		w := q.NewWaiter()
		defer w.Stop()
		buf := make([]int, 8)
		allocs := testing.AllocsPerRun(1000, func() {
			if n, _ := w.PopN(buf); n != 0 {
				t.Fatal("popped from an empty queue")
			}
			_ = q.Push(1)
			<-w.C
			if n, _ := w.PopN(buf); n != 1 {
				t.Fatal("item lost")
			}
		})
		require.Zero(t, allocs)
	})
}
