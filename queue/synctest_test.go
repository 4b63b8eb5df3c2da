package queue_test

import (
	"context"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/injectq/injectq/queue"
)

// sharedQueue is made outside every testing/synctest bubble, as a
// package-level queue of a program under test would be.
var sharedQueue = queue.New[int]()

// TestSynctestInBubble: a queue made in a bubble sleeps durably there, as a
// channel made there does: the bubble's fake clock advances while a
// consumer sleeps in PopWait or a Waiter's select, and a deadline fires on
// the fake clock.
func TestSynctestInBubble(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		synctest.Test(t, func(t *testing.T) {
			q := newQ[int](t, mk, nil)
			start := time.Now()
			go func() {
				time.Sleep(time.Hour) // fake time: only if the consumer blocks durably
				_ = q.Push(7)
			}()
			v, err := q.PopWait(t.Context())
			require.NoError(t, err)
			require.Equal(t, 7, v)
			require.Equal(t, time.Hour, time.Since(start))

			ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
			defer cancel()
			_, err = q.PopWait(ctx)
			require.ErrorIs(t, err, context.DeadlineExceeded)

			// A Waiter's select blocks durably too.
			w := q.NewWaiter()
			defer w.Stop()
			go func() {
				time.Sleep(time.Hour)
				_ = q.Push(8)
			}()
			start = time.Now()
			buf := make([]int, 1)
			for {
				if n, _ := w.PopN(buf); n > 0 {
					break
				}
				select {
				case <-w.C:
				case <-time.After(2 * time.Hour):
					t.Fatal("the push never woke the Waiter")
				}
			}
			require.Equal(t, 8, buf[0])
			require.Equal(t, time.Hour, time.Since(start))
		})
	})
}

// TestSynctestShared: a queue made outside the bubbles, slept on in two
// bubbles in turn and outside them, behaves as a channel made beside it
// would: nobody crashes. (Sleeping on the channels of a queue that a first
// sleeper had made inside its bubble killed the process: "select on
// synctest channel from outside bubble".) In a child process, because the
// failure is a fatal error.
func TestSynctestShared(t *testing.T) {
	if !inChild(t) {
		out, err := runChild(t)
		require.NoError(t, err, "child:\n%s", out)
		return
	}
	sleepThenPush := func(v int) {
		got := make(chan int, 1)
		go func() {
			w, err := sharedQueue.PopWait(context.Background())
			if err != nil {
				panic(err)
			}
			got <- w
		}()
		for sharedQueue.Sleepers() == 0 {
			runtime.Gosched()
		}
		if err := sharedQueue.Push(v); err != nil {
			panic(err)
		}
		if w := <-got; w != v {
			t.Errorf("popped %d, pushed %d", w, v)
		}
	}
	for i := range 2 {
		synctest.Test(t, func(t *testing.T) { sleepThenPush(i) })
	}
	sleepThenPush(2) // and outside any bubble
}
