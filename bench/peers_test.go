package bench

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/injectq/injectq/queue"
)

// The go test face of the harness: the same adapters and runners, one
// sub-benchmark per contender, so that benchstat compares them:
//
//	go test -run '^$' -bench . -count 10 -cpu 2 > new.txt
//	benchstat -col /impl new.txt
//
// ns/op is per item throughout. CI runs them with -benchtime 1x.

var sink *Item

// BenchmarkPushPop: one goroutine, Push then Pop.
func BenchmarkPushPop(b *testing.B) {
	for _, ct := range Contenders() {
		b.Run("impl="+ct.Name, func(b *testing.B) {
			q := ct.New(pushpopCap)
			it := newItems(1)[0]
			runPushPop(q, it, warmItems, false)
			b.ReportAllocs()
			b.ResetTimer()
			runPushPop(q, it, b.N, false)
			sink = it
		})
	}
}

// BenchmarkBatch: one goroutine, PushBatch(size) then PopN(size).
func BenchmarkBatch(b *testing.B) {
	for _, size := range []int{1, 4, 16, 64, 256, 1024, 4096} {
		for _, ct := range Contenders() {
			b.Run(fmt.Sprintf("size=%d/impl=%s", size, ct.Name), func(b *testing.B) {
				q := ct.New(size)
				in, out := newItems(size), make([]*Item, size)
				runBatch(q, in, out, max(2, warmItems/size), false)
				b.ReportAllocs()
				b.ResetTimer()
				runBatch(q, in, out, (b.N+size-1)/size, false)
				sink = out[size-1]
			})
		}
	}
}

// BenchmarkMPMC: producers push, consumers pop, concurrently; batch 1 is
// Push/Pop, else PushBatch/PopN of that size. GOMAXPROCS comes from -cpu.
// b.N items move in rounds of at most 64Ki (so that the items, which must
// be distinct while queued, stay few).
func BenchmarkMPMC(b *testing.B) {
	for _, batch := range []int{1, 32} {
		for _, sh := range [][2]int{{1, 1}, {2, 2}, {4, 4}, {8, 8}, {1, 4}, {4, 1}} {
			for _, ct := range Contenders() {
				name := fmt.Sprintf("p=%d/c=%d/batch=%d/impl=%s", sh[0], sh[1], batch, ct.Name)
				b.Run(name, func(b *testing.B) {
					items := newItems(min(b.N, 1<<16))
					q := ct.New(mpmcCap)
					warm(q, items[:min(len(items), mpmcCap)], batch)
					b.ReportAllocs()
					b.ResetTimer()
					_, blocking := q.(Blocking)
					for done := 0; done < b.N; {
						if blocking && done > 0 {
							// A blocking contender's round ends with
							// Stop (a Close for injectq): a new queue
							// for the next round.
							b.StopTimer()
							q = ct.New(mpmcCap)
							warm(q, items[:min(len(items), mpmcCap)], batch)
							b.StartTimer()
						}
						n := min(len(items), b.N-done)
						if r := runMPMC(q, items[:n], sh[0], sh[1], batch, mpmcOptions{}); r.consumed != n {
							b.Fatalf("consumed %d of %d", r.consumed, n)
						}
						done += n
					}
					b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
					sink = items[0]
				})
			}
		}
	}
}

// BenchmarkLatency: one paced producer offering 20k items/s, one consumer;
// reports push→pop latency percentiles (ns/op is the pacing interval).
func BenchmarkLatency(b *testing.B) {
	for _, ct := range Contenders() {
		b.Run("p=1/c=1/impl="+ct.Name, func(b *testing.B) {
			items := newItems(max(b.N, latencyCap))
			q := ct.New(latencyCap)
			warm(q, items[:latencyCap], 1)
			b.ReportAllocs()
			b.ResetTimer()
			r, lat := runLatency(q, items[:b.N], 50*time.Microsecond, 1, false)
			b.StopTimer()
			if r.consumed != b.N {
				b.Fatalf("consumed %d of %d", r.consumed, b.N)
			}
			ps := percentiles(lat, 50, 99, 99.9)
			b.ReportMetric(ps[0], "p50-ns")
			b.ReportMetric(ps[1], "p99-ns")
			b.ReportMetric(ps[2], "p99.9-ns")
		})
	}
}

// BenchmarkBackpressure: producers that wait for room in a full queue and
// a consumer that waits for items, through a bounded injectq queue
// (PushWait, PopWait; default backend) and a channel of the same capacity
// (send, receive). ns/op is per item: the cost of a handoff where every
// push finds the queue full and is woken by a pop.
func BenchmarkBackpressure(b *testing.B) {
	for _, limit := range []int{1, 64} {
		for _, p := range []int{1, 4} {
			b.Run(fmt.Sprintf("limit=%d/p=%d/impl=injectq", limit, p), func(b *testing.B) {
				q, err := queue.NewWithConfig(queue.Config[int]{Limit: limit})
				if err != nil {
					b.Fatal(err)
				}
				ctx := context.Background()
				b.ReportAllocs()
				handoff(b, p, func(v int) {
					if err := q.PushWait(ctx, v); err != nil {
						panic(err)
					}
				}, func() {
					if _, err := q.PopWait(ctx); err != nil {
						panic(err)
					}
				})
			})
			b.Run(fmt.Sprintf("limit=%d/p=%d/impl=chan", limit, p), func(b *testing.B) {
				ch := make(chan int, limit)
				b.ReportAllocs()
				handoff(b, p, func(v int) { ch <- v }, func() { <-ch })
			})
		}
	}
}

// handoff moves b.N items from p producers (push) to one consumer (pop).
func handoff(b *testing.B, p int, push func(int), pop func()) {
	var wg sync.WaitGroup
	b.ResetTimer()
	for i := range p {
		wg.Go(func() {
			for v := i; v < b.N; v += p {
				push(v)
			}
		})
	}
	for range b.N {
		pop()
	}
	wg.Wait()
}

// BenchmarkBounded: one goroutine's Push+Pop, and PushBatch(64)+PopN(64)
// per item, on the default backend, unbounded and with a Limit that is
// never reached: what the bound costs a push and a pop.
func BenchmarkBounded(b *testing.B) {
	for _, limit := range []int{0, 1 << 20} {
		name := "unbounded"
		if limit != 0 {
			name = "limit"
		}
		q, err := queue.NewWithConfig(queue.Config[int]{Limit: limit})
		if err != nil {
			b.Fatal(err)
		}
		b.Run("op=pushpop/impl="+name, func(b *testing.B) {
			b.ReportAllocs()
			for i := range b.N {
				_ = q.Push(i)
				q.Pop()
			}
		})
		b.Run("op=batch64/impl="+name, func(b *testing.B) {
			buf := make([]int, 64)
			b.ReportAllocs()
			for range (b.N + 63) / 64 {
				_ = q.PushBatch(buf)
				q.PopN(buf)
			}
		})
	}
}

// BenchmarkWaitForms: one producer pushing batches of 32 into a pool of 4
// sleeping consumers, through PopNWait, the Batches and All iterators
// (default backend) and a channel's range (capacity 1024, the producer
// sending item by item). ns/op is per item; allocs/op shows what the waiting forms
// allocate per item.
func BenchmarkWaitForms(b *testing.B) {
	const consumers, batch = 4, 32
	forms := []struct {
		name    string
		consume func(q *queue.Queue[int], buf []int) int
	}{
		{"popnwait", func(q *queue.Queue[int], buf []int) (n int) {
			for {
				k, err := q.PopNWait(context.Background(), buf)
				if err != nil {
					return n
				}
				n += k
			}
		}},
		{"batches", func(q *queue.Queue[int], buf []int) (n int) {
			for vs := range q.Batches(context.Background(), buf) {
				n += len(vs)
			}
			return n
		}},
		{"all", func(q *queue.Queue[int], _ []int) (n int) {
			for range q.All(context.Background()) {
				n++
			}
			return n
		}},
		{"waiter", func(q *queue.Queue[int], buf []int) (n int) {
			return waiterLoop(q, buf, nil)
		}},
	}
	for _, f := range forms {
		b.Run("impl="+f.name, func(b *testing.B) {
			q := queue.New[int]()
			var wg sync.WaitGroup
			b.ReportAllocs()
			b.ResetTimer()
			for range consumers {
				wg.Go(func() { f.consume(q, make([]int, batch)) })
			}
			buf := make([]int, batch)
			for i := 0; i < b.N; i += batch {
				if err := q.PushBatch(buf[:min(batch, b.N-i)]); err != nil {
					b.Fatal(err)
				}
			}
			q.Close()
			wg.Wait()
		})
	}
	b.Run("impl=chan", func(b *testing.B) {
		ch := make(chan int, 1024)
		var wg sync.WaitGroup
		b.ReportAllocs()
		b.ResetTimer()
		for range consumers {
			wg.Go(func() {
				for range ch {
				}
			})
		}
		for i := range b.N {
			ch <- i
		}
		close(ch)
		wg.Wait()
	})
	b.Run("impl=chan-select", func(b *testing.B) {
		ch, quit := make(chan int, 1024), make(chan struct{})
		var wg sync.WaitGroup
		b.ReportAllocs()
		b.ResetTimer()
		for range consumers {
			wg.Go(func() {
				for {
					select {
					case _, ok := <-ch:
						if !ok {
							return
						}
					case <-quit:
						return
					}
				}
			})
		}
		for i := range b.N {
			ch <- i
		}
		close(ch)
		wg.Wait()
	})
}

// waiterLoop is the select loop of a Waiter's documentation, with quit as
// the other case (nil: never), until the queue is closed and drained or
// quit is closed; it returns how many items it popped.
func waiterLoop(q *queue.Queue[int], buf []int, quit <-chan struct{}) (n int) {
	w := q.NewWaiter()
	defer w.Stop()
	for {
		k, err := w.PopN(buf)
		if err != nil {
			return n
		}
		if k > 0 {
			n += k
			continue
		}
		select {
		case <-w.C:
		case <-quit:
			return n
		}
	}
}

// BenchmarkWakeup: a ping-pong between two goroutines, each sleeping on
// its own queue (PopWait) until the other pushes into it, beside the same
// over two channels: ns/op is one handoff, a sleep and a wake-up.
func BenchmarkWakeup(b *testing.B) {
	b.Run("impl=injectq", func(b *testing.B) {
		ping, pong := queue.New[int](), queue.New[int]()
		ctx := context.Background()
		b.ReportAllocs()
		pingPong(b, func(v int) { _ = ping.Push(v) }, func() int { v, _ := ping.PopWait(ctx); return v },
			func(v int) { _ = pong.Push(v) }, func() int { v, _ := pong.PopWait(ctx); return v })
	})
	b.Run("impl=chan", func(b *testing.B) {
		ping, pong := make(chan int, 1), make(chan int, 1)
		b.ReportAllocs()
		pingPong(b, func(v int) { ping <- v }, func() int { return <-ping },
			func(v int) { pong <- v }, func() int { return <-pong })
	})
	// The same where each side waits in a select beside a channel that
	// never fires: a Waiter's, and a channel receive's.
	b.Run("impl=injectq-waiter", func(b *testing.B) {
		ping, pong := queue.New[int](), queue.New[int]()
		quit := make(chan struct{})
		b.ReportAllocs()
		pingPong(b, func(v int) { _ = ping.Push(v) }, waitOne(ping, quit),
			func(v int) { _ = pong.Push(v) }, waitOne(pong, quit))
	})
	b.Run("impl=chan-select", func(b *testing.B) {
		ping, pong := make(chan int, 1), make(chan int, 1)
		quit := make(chan struct{})
		recv := func(ch chan int) func() int {
			return func() int {
				select {
				case v := <-ch:
					return v
				case <-quit:
					panic("quit")
				}
			}
		}
		b.ReportAllocs()
		pingPong(b, func(v int) { ping <- v }, recv(ping), func(v int) { pong <- v }, recv(pong))
	})
}

// waitOne returns a receive of one item from q through a Waiter's select
// beside quit.
func waitOne(q *queue.Queue[int], quit <-chan struct{}) func() int {
	w := q.NewWaiter()
	buf := make([]int, 1)
	return func() int {
		for {
			if n, _ := w.PopN(buf); n > 0 {
				return buf[0]
			}
			select {
			case <-w.C:
			case <-quit:
				panic("quit")
			}
		}
	}
}

// pingPong bounces b.N/2 values through ping and back through pong.
func pingPong(b *testing.B, ping func(int), recvPing func() int, pong func(int), recvPong func() int) {
	var wg sync.WaitGroup
	b.ResetTimer()
	wg.Go(func() {
		for range (b.N + 1) / 2 {
			pong(recvPing() + 1)
		}
	})
	for i := range (b.N + 1) / 2 {
		ping(i)
		if recvPong() != i+1 {
			panic("pingPong: wrong value")
		}
	}
	wg.Wait()
}
