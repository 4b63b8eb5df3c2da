package queue

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/injectq/injectq/internal/chanq"
	"github.com/injectq/injectq/internal/ring"
)

// The benchmarks run every backend and two baselines in one process, so
// that ratios come from one run on one machine:
//
//	go test ./queue -run '^$' -bench . -cpu 2 -count 10 > new.txt
//	benchstat -col /impl new.txt
//
// Per-item time is ns/op: each op moves one item through the queue.

// contender is the common face of the things measured: the baselines'
// own method sets (chanq.Chan, ring.Ring) and a wrapper over Queue.
type contender interface {
	Push(v *int)
	PushBatch(vs []*int)
	Pop() (*int, bool)
	PopN(dst []*int) int
}

// injectq drops Push's error: the benchmarks never close their queues.
type injectq struct{ *Queue[*int] }

func (c injectq) Push(v *int)         { _ = c.Queue.Push(v) }
func (c injectq) PushBatch(vs []*int) { _ = c.Queue.PushBatch(vs) }

// contenders returns every backend and the baselines; capacity sizes the
// channel (which is bounded) for the scenario's peak occupancy.
func contenders(b *testing.B, capacity int) []struct {
	name string
	c    contender
} {
	var out []struct {
		name string
		c    contender
	}
	for _, name := range Backends() {
		q, err := NewWithConfig(Config[*int]{Backend: name})
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, struct {
			name string
			c    contender
		}{name, injectq{q}})
	}
	out = append(out, struct {
		name string
		c    contender
	}{"chan", chanq.New[*int](capacity)}, struct {
		name string
		c    contender
	}{"mutexring", new(ring.Ring[*int])})
	return out
}

var benchItem = new(int)

// BenchmarkPushPop: one goroutine, Push then Pop (ns per item).
func BenchmarkPushPop(b *testing.B) {
	for _, ct := range contenders(b, 16) {
		b.Run("impl="+ct.name, func(b *testing.B) {
			c := ct.c
			b.ReportAllocs()
			for b.Loop() {
				c.Push(benchItem)
				if _, ok := c.Pop(); !ok {
					b.Fatal("empty")
				}
			}
		})
	}
}

// BenchmarkBatch: one goroutine, PushBatch(size) then PopN(size); ns per
// item.
func BenchmarkBatch(b *testing.B) {
	for _, size := range []int{1, 16, 64, 256, 1024, 4096} {
		for _, ct := range contenders(b, size) {
			b.Run(fmt.Sprintf("size=%d/impl=%s", size, ct.name), func(b *testing.B) {
				c := ct.c
				in := make([]*int, size)
				for i := range in {
					in[i] = benchItem
				}
				out := make([]*int, size)
				b.ReportAllocs()
				b.ResetTimer()
				for i := 0; i < b.N; i += size {
					c.PushBatch(in)
					for got := 0; got < size; {
						got += c.PopN(out[got:])
					}
				}
			})
		}
	}
}

// BenchmarkMPMC: P producers and C consumers move b.N items; batch is the
// producers' and consumers' batch size (1 = Push/Pop). ns per item.
func BenchmarkMPMC(b *testing.B) {
	for _, shape := range []struct{ p, c, batch int }{{4, 4, 1}, {4, 4, 32}, {1, 1, 1}, {2, 2, 16}} {
		for _, ct := range contenders(b, 1024) {
			name := fmt.Sprintf("p=%d/c=%d/batch=%d/impl=%s", shape.p, shape.c, shape.batch, ct.name)
			b.Run(name, func(b *testing.B) {
				b.ReportAllocs()
				mpmc(b, ct.c, shape.p, shape.c, shape.batch)
			})
		}
	}
}

// mpmcRound bounds the items of one round of mpmc. Producers of an
// unbounded queue can run far ahead of its consumers; without rounds a
// backlog of b.N items (hundreds of millions) would make the benchmark
// measure memory growth and cache misses instead of the queue.
const mpmcRound = 1 << 20

func mpmc(b *testing.B, c contender, producers, consumers, batch int) {
	b.ResetTimer()
	for left := b.N; left > 0; left -= mpmcRound {
		mpmcOnce(c, producers, consumers, batch, min(left, mpmcRound))
	}
}

// mpmcOnce moves about n items from producers to consumers and returns
// once the consumers have taken every one.
func mpmcOnce(c contender, producers, consumers, batch, n int) {
	perProducer := (n + producers - 1) / producers
	total := int64(perProducer * producers)
	var got atomic.Int64
	var wg sync.WaitGroup
	for range producers {
		wg.Go(func() {
			in := make([]*int, batch)
			for i := range in {
				in[i] = benchItem
			}
			for sent := 0; sent < perProducer; sent += batch {
				if batch == 1 {
					c.Push(benchItem)
				} else {
					c.PushBatch(in[:min(batch, perProducer-sent)])
				}
			}
		})
	}
	for range consumers {
		wg.Go(func() {
			// Count locally and publish the count only when the queue
			// looks empty: a shared counter bumped per pop would add a
			// contended line to every contender's pop.
			out := make([]*int, batch)
			local := int64(0)
			for {
				var n int
				if batch == 1 {
					if _, ok := c.Pop(); ok {
						n = 1
					}
				} else {
					n = c.PopN(out)
				}
				if n > 0 {
					local += int64(n)
					continue
				}
				if local > 0 {
					got.Add(local)
					local = 0
				}
				if got.Load() >= total {
					return
				}
				runtime.Gosched()
			}
		})
	}
	wg.Wait()
}
