package queue_test

import (
	"runtime"
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
		require.Zero(t, q.Sleepers(), "an empty dst stops the Waiter")
		_, _ = w.PopN(buf) // armed again

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
		q.Close()
		recvWithin(t, w.C, "after Close")
		n, err = w.PopN(buf)
		require.ErrorIs(t, err, queue.ErrClosed)
		require.Zero(t, n)
		require.Zero(t, q.Sleepers())

		// Items win over the close.
		q = newQ[int](t, mk, nil)
		w = q.NewWaiter()
		require.NoError(t, q.Push(4))
		q.Close()
		n, err = w.PopN(buf)
		require.NoError(t, err)
		require.Equal(t, []int{4}, buf[:n])
		n, err = w.PopN(buf)
		require.ErrorIs(t, err, queue.ErrClosed)
		require.Zero(t, n)
	})
}

// TestWaiterMisuseLosesNothing: receiving from C when not armed, with a
// zero-length dst, or on a closed queue goes against the Waiter's doc, but
// a token taken so must still reach the Waiter it was meant for.
func TestWaiterMisuseLosesNothing(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		buf := make([]int, 1)
		for _, misuse := range []string{"not armed", "empty dst", "closed"} {
			q := newQ[int](t, mk, nil)
			w1, w2 := q.NewWaiter(), q.NewWaiter()
			if n, _ := w1.PopN(buf); n != 0 {
				t.Fatal("popped from an empty queue")
			}
			if misuse == "empty dst" {
				_, _ = w2.PopN(buf) // armed too
			}
			if misuse == "closed" {
				q.Close() // one token, for w1: in the buffer, nobody receives
			} else {
				require.NoError(t, q.Push(7)) // likewise
			}
			recvWithin(t, w2.C, misuse) // taken by the wrong one
			switch misuse {
			case "not armed":
				w2.Stop()
			case "empty dst":
				_, _ = w2.PopN(nil)
			case "closed":
				_, err := w2.PopN(buf)
				require.ErrorIs(t, err, queue.ErrClosed)
			}
			recvWithin(t, w1.C, misuse+": the wake-up passed on")
			n, err := w1.PopN(buf)
			if misuse == "closed" {
				require.ErrorIs(t, err, queue.ErrClosed)
			} else {
				require.NoError(t, err)
				require.Equal(t, []int{7}, buf[:n], misuse)
			}
			require.Zero(t, q.Sleepers(), misuse)
		}
	})
}

// TestWaiterDropped: a Waiter dropped while armed stops counting as a
// sleeper once the collector finds it unreachable.
func TestWaiterDropped(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[int](t, mk, nil)
		func() {
			w := q.NewWaiter()
			_, _ = w.PopN(make([]int, 1))
		}()
		require.Equal(t, 1, q.Sleepers())
		deadline := time.Now().Add(time.Minute)
		for q.Sleepers() != 0 {
			require.True(t, time.Now().Before(deadline), "the dropped Waiter is still counted")
			runtime.GC()
			time.Sleep(time.Millisecond)
		}
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
