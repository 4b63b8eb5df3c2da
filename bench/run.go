package bench

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"
)

// allocSnap is the allocation counters at one instant.
type allocSnap struct{ bytes, mallocs uint64 }

func readAlloc() allocSnap {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return allocSnap{ms.TotalAlloc, ms.Mallocs}
}

// runResult is one timed run.
type runResult struct {
	elapsed  time.Duration
	items    int     // items moved
	consumed int     // items the consumers counted (MPMC)
	bytes    float64 // bytes allocated during the timed part
	mallocs  float64
}

// allocSince records in r what has been allocated since a0.
func (r *runResult) allocSince(a0 allocSnap) {
	a1 := readAlloc()
	r.bytes, r.mallocs = float64(a1.bytes-a0.bytes), float64(a1.mallocs-a0.mallocs)
}

// warm pushes and pops items through q in runs of batch, so that an
// unbounded queue has grown to the run's peak before the clock starts.
func warm(q Queue, items []*Item, batch int) {
	batch = max(batch, 1)
	buf := make([]*Item, batch)
	for lo := 0; lo < len(items); lo += batch {
		hi := min(lo+batch, len(items))
		if batch == 1 {
			q.Push(items[lo])
		} else {
			q.PushBatch(items[lo:hi])
		}
	}
	for got := 0; got < len(items); {
		k := q.PopN(buf)
		if k == 0 {
			panic(fmt.Sprintf("bench: warm-up lost items: popped %d of %d", got, len(items)))
		}
		got += k
	}
}

// runPushPop: one goroutine pushes one item and pops it, n times. The
// channel receives with a blocking receive (the item is there).
func runPushPop(q Queue, it *Item, n int, measureAlloc bool) runResult {
	blk, blocking := singleBlocking(q)
	buf := make([]*Item, 1)
	var a0 allocSnap
	if measureAlloc {
		a0 = readAlloc()
	}
	t0 := time.Now()
	if blocking {
		for range n {
			q.Push(it)
			if k, _ := blk.PopWait(buf); k != 1 {
				panic("bench: pushpop: empty")
			}
		}
	} else {
		for range n {
			q.Push(it)
			if _, ok := q.Pop(); !ok {
				panic("bench: pushpop: empty")
			}
		}
	}
	r := runResult{elapsed: time.Since(t0), items: n}
	if measureAlloc {
		r.allocSince(a0)
	}
	return r
}

// runBatch: one goroutine pushes len(in) items with PushBatch and pops them
// with PopN (the channel: blocking receive of the first), rounds times.
func runBatch(q Queue, in, out []*Item, rounds int, measureAlloc bool) runResult {
	size := len(in)
	blk, blocking := singleBlocking(q)
	var a0 allocSnap
	if measureAlloc {
		a0 = readAlloc()
	}
	t0 := time.Now()
	for range rounds {
		q.PushBatch(in)
		for got := 0; got < size; {
			var k int
			if blocking {
				k, _ = blk.PopWait(out[got:])
			} else {
				k = q.PopN(out[got:])
			}
			if k == 0 {
				panic(fmt.Sprintf("bench: batch: empty after %d of %d", got, size))
			}
			got += k
		}
	}
	r := runResult{elapsed: time.Since(t0), items: rounds * size}
	if measureAlloc {
		r.allocSince(a0)
	}
	return r
}

// singleBlocking returns q's blocking pop for the one-goroutine scenarios,
// where the item is always there: the channel's plain receive is cheaper
// than its non-blocking select, while injectq's Pop and PopN are its
// cheapest pops (PopNWait adds a closed check and a context).
func singleBlocking(q Queue) (Blocking, bool) {
	if c, ok := q.(chanQ); ok {
		return c, true
	}
	return nil, false
}

// waitStart holds a goroutine at the start line. The goroutines spin
// (yielding) rather than park so that the start does not wait for the OS
// to wake threads, which on a loaded machine can take milliseconds.
func waitStart(start *atomic.Bool) {
	for !start.Load() {
		runtime.Gosched()
	}
}

type mpmcOptions struct {
	measureAlloc bool
	// visit, if set, sees every item a consumer takes (correctness checks).
	visit func(consumer int, v *Item)
}

// runMPMC moves items from producers to consumers once: producer p pushes
// its contiguous share of items (Push, or PushBatch in runs of batch),
// consumers pop (Pop, or PopN into a buffer of batch) until every item is
// consumed. Polling consumers yield (runtime.Gosched) when they find the
// queue empty; a Blocking contender's consumers block in PopWait and are
// ended by Stop once every producer is done. The clock runs from the
// release of all goroutines (already started, and spinning at the start
// line) until the last one has finished.
func runMPMC(q Queue, items []*Item, producers, consumers, batch int, opt mpmcOptions) runResult {
	total := len(items)
	batch = max(batch, 1)
	blk, blocking := q.(Blocking)
	var ready, done, prodDone sync.WaitGroup
	var start atomic.Bool
	var consumed atomic.Int64
	counts := make([]struct {
		n int
		_ [56]byte
	}, consumers)
	per := (total + producers - 1) / producers
	for p := range producers {
		mine := items[min(p*per, total):min((p+1)*per, total)]
		ready.Add(1)
		done.Add(1)
		prodDone.Add(1)
		go func() {
			defer done.Done()
			defer prodDone.Done()
			ready.Done()
			waitStart(&start)
			if batch == 1 {
				for _, v := range mine {
					q.Push(v)
				}
				return
			}
			for lo := 0; lo < len(mine); lo += batch {
				q.PushBatch(mine[lo:min(lo+batch, len(mine))])
			}
		}()
	}
	if blocking {
		done.Add(1)
		go func() {
			defer done.Done()
			prodDone.Wait()
			blk.Stop(consumers)
		}()
	}
	visit := opt.visit
	for ci := range consumers {
		buf := make([]*Item, batch)
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			waitStart(&start)
			n := 0
			// The polling loops for Pop and for PopN are alike but for the
			// call: each has its own so that the measured loop makes no
			// per-item choice between the two.
			switch {
			case blocking:
				for {
					k, stop := blk.PopWait(buf)
					if visit != nil {
						for _, v := range buf[:k] {
							visit(ci, v)
						}
					}
					n += k
					if stop {
						break
					}
				}
			case batch == 1:
				local := 0
				for {
					if v, ok := q.Pop(); ok {
						if visit != nil {
							visit(ci, v)
						}
						local++
						continue
					}
					// Empty: publish the count, and stop once all are in.
					if local > 0 {
						consumed.Add(int64(local))
						n += local
						local = 0
					}
					if consumed.Load() >= int64(total) {
						break
					}
					runtime.Gosched()
				}
			default:
				local := 0
				for {
					if k := q.PopN(buf); k > 0 {
						if visit != nil {
							for _, v := range buf[:k] {
								visit(ci, v)
							}
						}
						local += k
						continue
					}
					if local > 0 {
						consumed.Add(int64(local))
						n += local
						local = 0
					}
					if consumed.Load() >= int64(total) {
						break
					}
					runtime.Gosched()
				}
			}
			counts[ci].n = n
		}()
	}
	ready.Wait()
	var a0 allocSnap
	if opt.measureAlloc {
		a0 = readAlloc()
	}
	t0 := time.Now()
	start.Store(true)
	done.Wait()
	r := runResult{elapsed: time.Since(t0), items: total}
	if opt.measureAlloc {
		r.allocSince(a0)
	}
	for _, c := range counts {
		r.consumed += c.n
	}
	return r
}

// runLatency offers items at a fixed rate from one paced producer, which
// sleeps between items (see pacer) and stamps each item with the time just
// before its push; consumers record the time from that stamp to their pop
// returning. It returns every latency in ns.
func runLatency(q Queue, items []*Item, interval time.Duration, consumers int, measureAlloc bool) (runResult, []int64) {
	blk, blocking := q.(Blocking)
	var ready, done sync.WaitGroup
	var start atomic.Bool
	var consumed atomic.Int64
	total := len(items)
	lats := make([][]int64, consumers)
	var base time.Time
	// A consumer with a P of its own polls without yielding: a dedicated
	// poller, which is how a lock-free queue without blocking operations
	// is used for latency. Yielding (runtime.Gosched) moves the consumer
	// through the global run queue, from where the producer's P can take
	// it and then sit on it while the producer sleeps. With more
	// goroutines than Ps the consumers must yield.
	dedicated := consumers+1 <= runtime.GOMAXPROCS(0)
	for ci := range consumers {
		lat := make([]int64, 0, total)
		buf := make([]*Item, 1)
		ready.Add(1)
		done.Add(1)
		go func() {
			defer done.Done()
			ready.Done()
			waitStart(&start)
			if blocking {
				for {
					k, stop := blk.PopWait(buf)
					if k == 1 {
						lat = append(lat, int64(time.Since(base))-buf[0].Stamp)
					}
					if stop {
						break
					}
				}
			} else {
				local := 0
				for {
					if v, ok := q.Pop(); ok {
						lat = append(lat, int64(time.Since(base))-v.Stamp)
						local++
						continue
					}
					if local > 0 {
						consumed.Add(int64(local))
						local = 0
					}
					if consumed.Load() >= int64(total) {
						break
					}
					if !dedicated {
						runtime.Gosched()
					}
				}
			}
			lats[ci] = lat
		}()
	}
	ready.Add(1)
	done.Add(1)
	go func() {
		defer done.Done()
		ready.Done()
		pc := newPacer()
		defer pc.close()
		waitStart(&start)
		step := int64(interval)
		for i, v := range items {
			// Due times are absolute: a late wake-up sends the items it
			// missed at once, so the offered rate holds on average.
			if wait := int64(i)*step - int64(time.Since(base)); wait > 0 {
				pc.sleep(time.Duration(wait))
			}
			v.Stamp = int64(time.Since(base))
			q.Push(v)
			// Yield before sleeping, as a goroutine parking in time.Sleep
			// would: a consumer the push woke (the channel's) may then run
			// on this P instead of waiting for the sleep's syscall to end.
			runtime.Gosched()
		}
		if blocking {
			blk.Stop(consumers)
		}
	}()
	ready.Wait()
	var a0 allocSnap
	if measureAlloc {
		a0 = readAlloc()
	}
	base = time.Now()
	start.Store(true)
	done.Wait()
	r := runResult{elapsed: time.Since(base), items: total}
	if measureAlloc {
		r.allocSince(a0)
	}
	var all []int64
	for _, l := range lats {
		r.consumed += len(l)
		all = append(all, l...)
	}
	return r, all
}
