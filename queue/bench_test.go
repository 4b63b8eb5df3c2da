package queue

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/injectq/injectq/internal/ring"
)

// The benchmarks run every backend and two baselines in one process, so
// that ratios come from one run on one machine:
//
//	go test ./queue -run '^$' -bench . -cpu 2 -count 10 > new.txt
//	benchstat -col /impl new.txt
//
// Per-item time is ns/op: each op moves one item through the queue.

// contender is the common face of the things measured.
type contender interface {
	push(v *int)
	pushBatch(vs []*int)
	pop() (*int, bool)
	popN(dst []*int) int
}

type injectq struct{ q *Queue[*int] }

func (c injectq) push(v *int)            { _ = c.q.Push(v) }
func (c injectq) pushBatch(vs []*int)    { _ = c.q.PushBatch(vs) }
func (c injectq) pop() (*int, bool)      { return c.q.Pop() }
func (c injectq) popN(dst []*int) int    { return c.q.PopN(dst) }
func (c *mutexRing) push(v *int)         { c.r.Push(v) }
func (c *mutexRing) pushBatch(vs []*int) { c.r.PushBatch(vs) }
func (c *mutexRing) pop() (*int, bool)   { return c.r.Pop() }
func (c *mutexRing) popN(dst []*int) int { return c.r.PopN(dst) }

type mutexRing struct{ r ring.Ring[*int] }

// channel is a buffered channel; it has no batch operations, so a batch is
// a loop of sends, and popN receives what is there without blocking.
type channel chan *int

func (c channel) push(v *int) { c <- v }
func (c channel) pushBatch(vs []*int) {
	for _, v := range vs {
		c <- v
	}
}
func (c channel) pop() (*int, bool) {
	select {
	case v := <-c:
		return v, true
	default:
		return nil, false
	}
}
func (c channel) popN(dst []*int) int {
	for i := range dst {
		select {
		case dst[i] = <-c:
		default:
			return i
		}
	}
	return len(dst)
}

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
	}{"chan", make(channel, capacity)}, struct {
		name string
		c    contender
	}{"mutexring", new(mutexRing)})
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
				c.push(benchItem)
				if _, ok := c.pop(); !ok {
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
					c.pushBatch(in)
					for got := 0; got < size; {
						got += c.popN(out[got:])
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

func mpmc(b *testing.B, c contender, producers, consumers, batch int) {
	perProducer := (b.N + producers - 1) / producers
	total := int64(perProducer * producers)
	var got atomic.Int64
	var wg sync.WaitGroup
	b.ResetTimer()
	for range producers {
		wg.Go(func() {
			in := make([]*int, batch)
			for i := range in {
				in[i] = benchItem
			}
			for sent := 0; sent < perProducer; sent += batch {
				if batch == 1 {
					c.push(benchItem)
				} else {
					c.pushBatch(in[:min(batch, perProducer-sent)])
				}
			}
		})
	}
	for range consumers {
		wg.Go(func() {
			out := make([]*int, batch)
			for got.Load() < total {
				var n int
				if batch == 1 {
					if _, ok := c.pop(); ok {
						n = 1
					}
				} else {
					n = c.popN(out)
				}
				if n == 0 {
					runtime.Gosched()
					continue
				}
				got.Add(int64(n))
			}
		})
	}
	wg.Wait()
}
