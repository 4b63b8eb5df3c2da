package queue_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/injectq/injectq/queue"
)

// A pool of workers fed through one inject queue: producers hand over whole
// batches, each worker takes up to 32 tasks per claim.
func Example_workerPool() {
	q := queue.New[func()]()
	var done atomic.Int64
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			buf := make([]func(), 32)
			for {
				n := q.PopN(buf)
				for _, task := range buf[:n] {
					task()
				}
				if n == 0 {
					if q.IsClosed() && q.IsEmpty() {
						return
					}
					runtime.Gosched() // an inject queue is polled, like a scheduler's
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
