package queue_test

import (
	"context"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/injectq/injectq/queue"
)

func TestPopWait(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[int](t, mk, nil)
		ctx := context.Background()
		require.NoError(t, q.PushBatch([]int{1, 2, 3}))
		v, err := q.PopWait(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, v)
		dst := make([]int, 5)
		n, err := q.PopNWait(ctx, dst)
		require.NoError(t, err)
		require.Equal(t, []int{2, 3}, dst[:n])
		n, err = q.PopNWait(ctx, nil)
		require.NoError(t, err)
		require.Zero(t, n)

		// It sleeps until a push.
		got := make(chan int)
		go func() {
			v, err := q.PopWait(ctx)
			if err != nil {
				v = -1
			}
			got <- v
		}()
		select {
		case v := <-got:
			t.Fatalf("PopWait on an empty queue returned %d", v)
		case <-time.After(30 * time.Millisecond):
		}
		require.NoError(t, q.Push(42))
		select {
		case v := <-got:
			require.Equal(t, 42, v)
		case <-time.After(10 * time.Second):
			t.Fatal("PopWait was not woken by a push")
		}

		// It gives up when its context does.
		short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
		defer cancel()
		_, err = q.PopWait(short)
		require.ErrorIs(t, err, context.DeadlineExceeded)
		gone, cancel2 := context.WithCancel(ctx)
		cancel2()
		_, err = q.PopNWait(gone, dst)
		require.ErrorIs(t, err, context.Canceled)
	})
}

func TestPopWaitClose(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[int](t, mk, nil)
		const sleepers = 5
		errs := make(chan error, sleepers)
		for range sleepers {
			go func() {
				_, err := q.PopWait(context.Background())
				errs <- err
			}()
		}
		time.Sleep(20 * time.Millisecond) // let them fall asleep
		q.Close()
		for range sleepers {
			select {
			case err := <-errs:
				require.ErrorIs(t, err, queue.ErrClosed)
			case <-time.After(10 * time.Second):
				t.Fatal("Close did not wake a sleeping consumer")
			}
		}

		// Items queued before Close are still handed out, then ErrClosed.
		q2 := newQ[int](t, mk, nil)
		require.NoError(t, q2.PushBatch([]int{7, 8}))
		q2.Close()
		for _, want := range []int{7, 8} {
			v, err := q2.PopWait(context.Background())
			require.NoError(t, err)
			require.Equal(t, want, v)
		}
		_, err := q2.PopWait(context.Background())
		require.ErrorIs(t, err, queue.ErrClosed)
	})
}

// TestPopWaitNoLostWakeups has sleeping consumers (PopWait, PopNWait and a
// Waiter in a select) and producers that push
// a few items at a time with pauses in between: a wakeup lost between a
// consumer's last look and its sleep would strand an item, and the run
// would end at its deadline instead.
func TestPopWaitNoLostWakeups(t *testing.T) {
	total := scale(200_000)
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[int](t, mk, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		const producers, consumers = 3, 4
		per := total / producers
		seen := make([]atomic.Int32, producers*per)
		var got atomic.Int64
		var pwg, cwg sync.WaitGroup
		for p := range producers {
			pwg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(p), 5))
				buf := make([]int, 0, 8)
				for s := 0; s < per; {
					n := min(1+rng.IntN(8), per-s)
					buf = buf[:0]
					for i := range n {
						buf = append(buf, p*per+s+i)
					}
					if n == 1 {
						_ = q.Push(buf[0])
					} else {
						_ = q.PushBatch(buf)
					}
					s += n
					if rng.IntN(64) == 0 {
						time.Sleep(50 * time.Microsecond) // let the consumers fall asleep
					} else if rng.IntN(4) == 0 {
						runtime.Gosched()
					}
				}
			})
		}
		errs := make(chan error, consumers)
		for c := range consumers {
			cwg.Go(func() {
				dst := make([]int, 1+c*3)
				// Consumer 2 selects, beside ctx alone: a case that
				// fired on its own (a ticker) would pick up items that
				// a lost wake-up stranded, and hide it.
				w := q.NewWaiter()
				defer w.Stop()
				for {
					var n int
					var err error
					switch c % 3 {
					case 0:
						var v int
						if v, err = q.PopWait(ctx); err == nil {
							dst[0], n = v, 1
						}
					case 1:
						n, err = q.PopNWait(ctx, dst)
					case 2:
						if n, err = w.PopN(dst); n == 0 && err == nil {
							select {
							case <-w.C:
							case <-ctx.Done():
								err = ctx.Err()
							}
						}
					}
					if err != nil {
						errs <- err
						return
					}
					for _, v := range dst[:n] {
						seen[v].Add(1)
					}
					got.Add(int64(n))
				}
			})
		}
		pwg.Wait()
		for got.Load() < int64(producers*per) && ctx.Err() == nil {
			time.Sleep(time.Millisecond)
		}
		q.Close()
		cwg.Wait()
		close(errs)
		for err := range errs {
			require.ErrorIs(t, err, queue.ErrClosed, "consumers stopped by something other than Close (lost wakeup?)")
		}
		require.Equal(t, int64(producers*per), got.Load(), "items stranded")
		for i := range seen {
			require.Equal(t, int32(1), seen[i].Load(), "item %d", i)
		}
	})
}

// TestPopWaitPingPong hands single items to one sleeping consumer and waits
// for each to arrive before pushing the next, so every item needs the push's
// wakeup (or the consumer's second look) to be delivered.
func TestPopWaitPingPong(t *testing.T) {
	rounds := scale(2000)
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[int](t, mk, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		ack := make(chan int)
		go func() {
			for {
				v, err := q.PopWait(ctx)
				if err != nil {
					close(ack)
					return
				}
				ack <- v
			}
		}()
		for i := range rounds {
			if i%3 == 0 {
				time.Sleep(10 * time.Microsecond) // the consumer is (usually) asleep
			}
			if i%2 == 0 {
				require.NoError(t, q.Push(i))
			} else {
				require.NoError(t, q.PushBatch([]int{i}))
			}
			v, ok := <-ack
			require.True(t, ok, "item %d never arrived: %v", i, ctx.Err())
			require.Equal(t, i, v)
		}
		q.Close()
		_, ok := <-ack
		require.False(t, ok)
	})
}

// TestPopWaitManySleepers wakes more consumers than a push sends tokens
// for: the woken ones must pass the wakeup on.
func TestPopWaitManySleepers(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[int](t, mk, nil)
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		const sleepers = 200
		got := make(chan error, sleepers)
		for range sleepers {
			go func() {
				_, err := q.PopWait(ctx)
				got <- err
			}()
		}
		time.Sleep(50 * time.Millisecond)
		require.NoError(t, q.PushBatch(seq(0, sleepers)))
		for range sleepers {
			require.NoError(t, <-got, "a sleeper was not woken though items were left")
		}
		require.True(t, q.IsEmpty())
	})
}

// TestCloseWakesEverySleeper: Close wakes a few sleepers itself and each
// woken one the next, so that many more than the tokens in flight all
// return: consumers with ErrClosed, producers waiting for room too.
func TestCloseWakesEverySleeper(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		q, err := queue.NewWithConfig(queue.Config[int]{Backend: mk.backend, Limit: 1})
		require.NoError(t, err)
		p := newQ[int](t, mk, nil) // its consumers sleep; q's producers wait for room
		require.NoError(t, q.Push(0))
		ctx := context.Background() // a deadline would wake them, and they would find the close
		const sleepers = 200
		got := make(chan error, 2*sleepers)
		for i := range sleepers {
			go func() {
				_, err := p.PopWait(ctx)
				got <- err
			}()
			go func() { got <- q.PushWait(ctx, i) }()
		}
		for p.Sleepers() < sleepers {
			time.Sleep(time.Millisecond)
		}
		time.Sleep(10 * time.Millisecond) // most producers asleep too
		p.Close()
		q.Close()
		hang := time.After(time.Minute)
		for range 2 * sleepers {
			select {
			case err := <-got:
				require.ErrorIs(t, err, queue.ErrClosed)
			case <-hang:
				t.Fatalf("sleepers not woken by Close (%d consumers still counted)", p.Sleepers())
			}
		}
		require.Zero(t, p.Sleepers())
	})
}
