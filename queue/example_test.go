package queue_test

import (
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
