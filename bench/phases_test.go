package bench

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkPhases explains the single-item producers×consumers grid at
// GOMAXPROCS=2, where more goroutines than CPUs take turns: it runs the
// grid's loop (producers push, consumers poll and yield when empty) and
// reports, besides ns per item, which goroutines made progress together.
// Every goroutine notes the time every 256 items; in each 100 µs window
// the roles that progressed are noted: prod-only-% and cons-only-% are
// the shares of windows in which only producers, or only consumers, made
// progress (several of one role contending, or one alone, while the other
// role waits its turn for a CPU).
// "xsync-unbounded" is xsync's queue with room for every item, so that its
// producers never find it full and yield.
//
//	go test -run '^$' -bench Phases -cpu 2 -count 3
func BenchmarkPhases(b *testing.B) {
	contenders := map[string]Contender{}
	for _, ct := range Contenders() {
		contenders[ct.Name] = ct
	}
	const items = 1 << 16
	for _, sh := range [][2]int{{2, 1}, {1, 2}, {2, 2}} {
		for _, name := range []string{"asm", "mutexring", "xsync", "xsync-unbounded"} {
			ct, capacity := contenders[name], mpmcCap
			if name == "xsync-unbounded" {
				ct, capacity = contenders["xsync"], 2*items
			}
			if ct.New == nil {
				continue // asm missing from this build
			}
			b.Run(fmt.Sprintf("p=%d/c=%d/impl=%s", sh[0], sh[1], name), func(b *testing.B) {
				q := ct.New(capacity)
				its := newItems(items)
				var prod, cons, windows int
				b.ResetTimer()
				for done := 0; done < b.N; done += items {
					p, c, w := runPhases(q, its, sh[0], sh[1])
					prod, cons, windows = prod+p, cons+c, windows+w
				}
				b.ReportMetric(100*float64(prod)/float64(max(windows, 1)), "prod-only-%")
				b.ReportMetric(100*float64(cons)/float64(max(windows, 1)), "cons-only-%")
			})
		}
	}
}

// runPhases moves items through q with the grid's loop and returns how
// many 100 µs windows saw only producers progress, only consumers, and
// any.
func runPhases(q Queue, items []*Item, producers, consumers int) (prod, cons, windows int) {
	const every, window = 256, 100 * time.Microsecond
	var wg sync.WaitGroup
	var consumed atomic.Int64
	t0 := time.Now()
	stamps := make([][]time.Duration, producers+consumers)
	per := len(items) / producers
	for p := range producers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, v := range items[p*per : (p+1)*per] {
				q.Push(v)
				if i%every == 0 {
					stamps[p] = append(stamps[p], time.Since(t0))
				}
			}
		}()
	}
	total := int64(per * producers)
	for c := range consumers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n, local := 0, int64(0); ; {
				if _, ok := q.Pop(); ok {
					local++
					if n++; n%every == 0 {
						stamps[producers+c] = append(stamps[producers+c], time.Since(t0))
					}
					continue
				}
				// Empty: publish the count, as the grid's loop does.
				if consumed.Add(local) >= total {
					return
				}
				local = 0
				runtime.Gosched()
			}
		}()
	}
	wg.Wait()
	roles := map[int64]int{} // window → bit 1: producers progressed, bit 2: consumers
	for g, ts := range stamps {
		role := 1
		if g >= producers {
			role = 2
		}
		for _, t := range ts {
			roles[int64(t/window)] |= role
		}
	}
	for _, r := range roles {
		switch r {
		case 1:
			prod++
		case 2:
			cons++
		}
	}
	return prod, cons, len(roles)
}
