package queue_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/injectq/injectq/queue"
)

// A pool of workers fed through one inject queue: producers hand over whole
// batches, each worker takes up to 32 tasks per claim (its fair share while
// others sleep), sleeps while the queue is empty, and stops once the queue
// is closed and drained.
func Example_workerPool() {
	q := queue.New[func()]()
	ctx := context.Background()
	var done atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for tasks, err := range q.Batches(ctx, make([]func(), 32)) {
				if err != nil {
					return // ctx ended
				}
				for _, task := range tasks {
					task()
				}
			}
		})
	}
	tasks := make([]func(), 1000)
	for i := range tasks {
		tasks[i] = func() { done.Add(1) }
	}
	_ = q.PushBatch(tasks) // one CAS for all 1000
	q.Close()
	wg.Wait()
	fmt.Println(done.Load(), "tasks run")
	// Output: 1000 tasks run
}

// A batcher that waits in a select: for items (a Waiter), and for a ticker
// that flushes what it has gathered, with no goroutine or context per
// wait. It ends once the queue is closed and drained.
func ExampleWaiter() {
	q := queue.New[string]()
	go func() {
		for i := range 10 {
			_ = q.Push(fmt.Sprint("event ", i))
		}
		q.Close()
	}()
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	var batch []string
	flushed := 0
	flush := func() { flushed += len(batch); batch = batch[:0] }

	w := q.NewWaiter()
	defer w.Stop() // passes on a wake-up that C took, if we leave early
	buf := make([]string, 8)
	for {
		n, err := w.PopN(buf)
		if err != nil {
			break // closed and drained
		}
		if n > 0 {
			batch = append(batch, buf[:n]...)
			continue
		}
		select {
		case <-w.C: // items, or the close: PopN again
		case <-tick.C:
			flush()
		}
	}
	flush()
	fmt.Println(flushed, "events flushed")
	// Output: 10 events flushed
}

// A worker that retires itself once it has been idle for a while, with a
// timer it keeps and resets: no allocation per wait.
func ExampleQueue_PopNWaitTimer() {
	q := queue.New[func()]()
	ran := 0
	for range 3 {
		_ = q.Push(func() { ran++ })
	}
	const idle = 10 * time.Millisecond
	t := time.NewTimer(idle)
	defer t.Stop()
	buf := make([]func(), 8)
	for {
		t.Reset(idle)
		n, err := q.PopNWaitTimer(buf, t.C)
		if errors.Is(err, queue.ErrTimedOut) {
			break // idle: retire (a pool starts another when Sleepers() is zero)
		}
		if err != nil {
			return // closed and drained
		}
		for _, task := range buf[:n] {
			task()
		}
	}
	fmt.Println(ran, "tasks, then retired")
	// Output: 3 tasks, then retired
}

// A worker that polls instead, for a loop that does other work between
// tries: check IsClosed before IsEmpty (the other order can lose an item
// pushed between the two calls).
func Example_polling() {
	q := queue.New[int]()
	_ = q.PushBatch([]int{1, 2, 3})
	q.Close()
	sum := 0
	buf := make([]int, 2)
	for {
		n := q.PopN(buf)
		for _, v := range buf[:n] {
			sum += v
		}
		if n == 0 {
			if q.IsClosed() && q.IsEmpty() {
				break
			}
			runtime.Gosched() // other work goes here
		}
	}
	fmt.Println(sum)
	// Output: 6
}

// Close rejects later pushes; their items go to Release, queued ones stay.
func ExampleConfig_release() {
	q, _ := queue.NewWithConfig(queue.Config[string]{
		Release: func(s string) { fmt.Println("released", s) },
	})
	_ = q.Push("a")
	q.Close()
	fmt.Println(q.Push("b"))
	v, _ := q.Pop()
	fmt.Println("popped", v)
	// Output:
	// released b
	// queue: closed
	// popped a
}

// A bounded pipeline stage: the producer waits for room instead of letting
// the backlog grow, and Close wakes it if the consumer goes away.
func ExampleConfig_limit() {
	q, _ := queue.NewWithConfig(queue.Config[int]{Limit: 2})
	_ = q.PushBatch([]int{1, 2})
	fmt.Println(q.Push(3)) // full: refused at once, 3 stays ours

	done := make(chan error)
	go func() { done <- q.PushWait(context.Background(), 3) }() // waits for room
	v, _ := q.PopWait(context.Background())                     // makes room
	fmt.Println("popped", v, "then", <-done)
	fmt.Println(q.Len(), "queued")
	// Output:
	// queue: full
	// popped 1 then <nil>
	// 2 queued
}

// After a burst a queue gives its memory back by itself (see the package
// doc); Shrink does it at once.
func ExampleQueue_Shrink() {
	q := queue.New[int]()
	burst := make([]int, 100_000)
	for lo := 0; lo < len(burst); lo += 1000 {
		_ = q.PushBatch(burst[lo : lo+1000])
	}
	for q.PopN(burst) > 0 {
	}
	fmt.Println(q.Shrink(), q.Len()) // a fresh arena; the old one goes to the GC
	// Output: true 0
}
