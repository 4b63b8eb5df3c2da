package bench

import (
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/injectq/injectq/queue"
)

// BenchmarkPhases explains the single-item producers×consumers grid at
// GOMAXPROCS=2, where more goroutines than CPUs take turns: it runs the
// grid's loop (producers push, consumers poll and yield when empty) and
// reports, besides ns per item, which goroutines made progress together.
// Every goroutine notes the time every 256 items; in each 100 µs window
// the roles that progressed are noted: prod-only-% and cons-only-% are
// the shares of windows in which only producers, or only consumers, made
// progress (several of one role contending, or one alone, while the other
// role waits its turn for a CPU), pops/µs-cons-only how fast items left in
// the consumers-only windows, and yields/kitem how often, per 1000 items, a
// consumer found the queue empty and yielded its CPU. Like the grid, every
// goroutine waits at a start line first.
// "xsync-unbounded" is xsync's queue with room for every item, so that its
// producers never find it full; they still yield after losing four CASes
// in a row to each other (the adapter's retry policy), which
// "xsync-unbounded-spin" does not: its producers retry without yielding,
// as injectq's do inside Push.
//
// ns/op is per item. injectq runs on its default backend.
//
//	go test -run '^$' -bench Phases -cpu 2 -count 2
func BenchmarkPhases(b *testing.B) {
	contenders := map[string]Contender{}
	for _, ct := range Contenders() {
		contenders[ct.Name] = ct
	}
	xs := contenders["xsync"]
	const items = 1 << 16
	for _, sh := range [][2]int{{2, 1}, {4, 1}, {1, 2}, {2, 2}} {
		for _, name := range []string{queue.DefaultBackend(), "mutexring", "xsync", "xsync-unbounded", "xsync-unbounded-spin"} {
			ct, capacity := contenders[name], mpmcCap
			switch name {
			case "xsync-unbounded":
				ct, capacity = xs, 2*items
			case "xsync-unbounded-spin":
				ct, capacity = Contender{New: func(n int) Queue { return xsyncSpin{xs.New(n).(xsyncQ)} }}, 2*items
			}
			if ct.New == nil {
				b.Fatalf("no contender %q", name)
			}
			b.Run(fmt.Sprintf("p=%d/c=%d/impl=%s", sh[0], sh[1], name), func(b *testing.B) {
				q := ct.New(capacity)
				its := newItems(items)
				var sum phases
				b.ResetTimer()
				for done := 0; done < b.N; {
					// Rounds of at most 64Ki items, b.N in all (a multiple
					// of the producers, so at least one each).
					n := min(items, b.N-done)
					n = max(n-n%sh[0], sh[0])
					sum.add(runPhases(q, its[:n], sh[0], sh[1]))
					done += n
				}
				w := float64(max(sum.windows, 1))
				b.ReportMetric(100*float64(sum.prodOnly)/w, "prod-only-%")
				b.ReportMetric(100*float64(sum.consOnly)/w, "cons-only-%")
				b.ReportMetric(float64(sum.yields)*1000/float64(b.N), "yields/kitem")
				// Pops per µs in the windows where consumers ran alone.
				b.ReportMetric(float64(sum.consOnlyPops)/(float64(max(sum.consOnly, 1))*phaseWindow.Seconds()*1e6), "pops/µs-cons-only")
			})
		}
	}
}

// phaseWindow is the span in which BenchmarkPhases looks at who progressed.
const phaseWindow = 100 * time.Microsecond

// phases counts windows: all that saw progress, those in which only
// producers or only consumers progressed, and the pops in the latter.
type phases struct{ windows, prodOnly, consOnly, consOnlyPops, yields int }

func (p *phases) add(q phases) {
	p.yields += q.yields
	p.windows += q.windows
	p.prodOnly += q.prodOnly
	p.consOnly += q.consOnly
	p.consOnlyPops += q.consOnlyPops
}

// runPhases moves items through q with the grid's loop and counts its
// windows.
func runPhases(q Queue, items []*Item, producers, consumers int) phases {
	const every = 64 // items between two notes of the time
	var wg, ready sync.WaitGroup
	var consumed, yields atomic.Int64
	var start atomic.Bool
	t0 := time.Now()
	stamps := make([][]time.Duration, producers+consumers)
	per := len(items) / producers
	// atStart runs f in a goroutine that first waits at the start line.
	atStart := func(f func()) {
		wg.Add(1)
		ready.Add(1)
		go func() {
			defer wg.Done()
			ready.Done()
			waitStart(&start)
			f()
		}()
	}
	for p := range producers {
		atStart(func() {
			for i, v := range items[p*per : (p+1)*per] {
				q.Push(v)
				if i%every == 0 {
					stamps[p] = append(stamps[p], time.Since(t0))
				}
			}
		})
	}
	total := int64(per * producers)
	for c := range consumers {
		atStart(func() {
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
				yields.Add(1)
				runtime.Gosched()
			}
		})
	}
	ready.Wait()
	t0 = time.Now()
	start.Store(true)
	wg.Wait()
	type window struct{ roles, pops int } // roles: 1 producers progressed, 2 consumers
	ws := map[int64]*window{}
	for g, ts := range stamps {
		for _, t := range ts {
			w := ws[int64(t/phaseWindow)]
			if w == nil {
				w = new(window)
				ws[int64(t/phaseWindow)] = w
			}
			if g < producers {
				w.roles |= 1
			} else {
				w.roles |= 2
				w.pops += every
			}
		}
	}
	p := phases{windows: len(ws), yields: int(yields.Load())}
	for _, w := range ws {
		switch w.roles {
		case 1:
			p.prodOnly++
		case 2:
			p.consOnly++
			p.consOnlyPops += w.pops
		}
	}
	return p
}

// xsyncSpin is xsyncQ whose Push never yields.
type xsyncSpin struct{ xsyncQ }

func (a xsyncSpin) Push(v *Item) {
	for !a.q.TryEnqueue(v) {
	}
}
