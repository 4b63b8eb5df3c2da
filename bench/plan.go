// The plan of a run: its cells (one point of one scenario each, with the
// closure that measures it) and the cell labels that name them in the
// report, the CSV and the plots.

package bench

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// metricVal is one measured number of one run.
type metricVal struct {
	metric, unit string
	v            float64
	bytes        float64 // allocated bytes per item in the timed part; NaN: not measured
	mallocs      float64
}

// cell is one point of one scenario: every contender runs it once per
// repetition.
type cell struct {
	scenario          string
	label             string
	procs             int
	size, p, c, batch int
	// run measures one run of n items (n is ignored by cells without
	// sizing, minN == 0).
	run        func(ct Contender, n int) ([]metricVal, error)
	minN, maxN int // the range of n; a pilot run of minN picks n per contender
}

// latencyMetrics names the percentiles (50, 99, 99.9) that a latency run
// reports.
var latencyMetrics = []string{"p50", "p99", "p99.9"}

// checkEmpty reports an error if q still holds an item after a run.
func checkEmpty(q Queue) error {
	if v, ok := q.Pop(); ok {
		return fmt.Errorf("queue not empty after the run: holds seq %d", v.Seq)
	}
	return nil
}

// plan lists the cells of the selected scenarios.
func plan(p params, sel map[string]bool, res *Results) []cell {
	need := 1
	if sel["batch"] {
		need = max(need, p.batchSizes[len(p.batchSizes)-1])
	}
	if sel["mpmc"] {
		need = max(need, p.mpmcMax)
	}
	latN := int(p.latRate * p.latDur.Seconds())
	if sel["latency"] {
		need = max(need, latN, latencyCap)
	}
	items := newItems(need)
	perItem := func(r runResult) metricVal {
		n := float64(r.items)
		return metricVal{metric: "time", unit: "ns/item", v: float64(r.elapsed.Nanoseconds()) / n,
			bytes: r.bytes / n, mallocs: r.mallocs / n}
	}
	var cells []cell
	if sel["pushpop"] {
		cells = append(cells, cell{scenario: "pushpop", label: "single", procs: PrimaryProcs, size: 1,
			minN: pilotItems, maxN: 1 << 26,
			run: func(ct Contender, n int) ([]metricVal, error) {
				q := ct.New(pushpopCap)
				runPushPop(q, items[0], warmItems, false)
				r := runPushPop(q, items[0], n, true)
				return []metricVal{perItem(r)}, checkEmpty(q)
			}})
	}
	if sel["batch"] {
		for _, size := range p.batchSizes {
			cells = append(cells, cell{scenario: "batch", label: batchLabel(size), procs: PrimaryProcs, size: size,
				minN: max(pilotItems, 2*size), maxN: 1 << 26,
				run: func(ct Contender, n int) ([]metricVal, error) {
					q := ct.New(size)
					in, out := items[:size], make([]*Item, size)
					runBatch(q, in, out, max(2, warmItems/size), false)
					r := runBatch(q, in, out, max(1, n/size), true)
					return []metricVal{perItem(r)}, checkEmpty(q)
				}})
		}
	}
	if sel["mpmc"] {
		for _, batch := range p.mpmcBatches {
			for _, procs := range p.procs {
				for _, sh := range p.shapes {
					cells = append(cells, cell{scenario: "mpmc", label: mpmcLabel(procs, sh[0], sh[1], batch),
						procs: procs, p: sh[0], c: sh[1], batch: batch,
						minN: pilotItems, maxN: p.mpmcMax,
						run: func(ct Contender, n int) ([]metricVal, error) {
							q := ct.New(mpmcCap)
							if ct.Bounded {
								warm(q, items[:min(n, mpmcCap)], batch)
							} else {
								warm(q, items[:n], batch)
							}
							r := runMPMC(q, items[:n], sh[0], sh[1], batch, mpmcOptions{measureAlloc: true})
							if r.consumed != n {
								return nil, fmt.Errorf("consumed %d of %d items", r.consumed, n)
							}
							return []metricVal{perItem(r)}, checkEmpty(q)
						}})
				}
			}
		}
	}
	if sel["latency"] {
		interval := time.Duration(float64(time.Second) / p.latRate)
		for _, nc := range p.latCons {
			label := fmt.Sprintf("p=1/c=%d/rate=%.0fk", nc, p.latRate/1000)
			res.latCells = append(res.latCells, label)
			res.lat[label] = map[string][]int64{}
			cells = append(cells, cell{scenario: "latency", label: label, procs: PrimaryProcs, p: 1, c: nc, batch: 1,
				run: func(ct Contender, _ int) ([]metricVal, error) {
					q := ct.New(latencyCap)
					warm(q, items[:latencyCap], 1)
					r, lat := runLatency(q, items[:latN], interval, nc, true)
					if r.consumed != latN {
						return nil, fmt.Errorf("consumed %d of %d items", r.consumed, latN)
					}
					res.lat[label][ct.Name] = append(res.lat[label][ct.Name], lat...)
					ps := percentiles(lat, 50, 99, 99.9)
					n := float64(r.items)
					out := make([]metricVal, len(latencyMetrics))
					for i, name := range latencyMetrics {
						out[i] = metricVal{metric: name, unit: "µs", v: ps[i] / 1000, bytes: r.bytes / n, mallocs: r.mallocs / n}
					}
					return out, checkEmpty(q)
				}})
		}
	}
	if sel["memory"] {
		var memItems []*Item
		cells = append(cells, cell{scenario: "memory", label: fmt.Sprintf("items=%d", p.memItems), procs: PrimaryProcs,
			run: func(ct Contender, _ int) ([]metricVal, error) {
				if memItems == nil {
					memItems = newItems(p.memItems)
				}
				_, done := res.timelines[ct.Name] // once per contender
				m := runMemory(ct, memItems, !done)
				res.memKind = m.rssKind
				if m.timeline != nil {
					res.timelines[ct.Name] = m.timeline
				}
				nan := math.NaN()
				return []metricVal{
					{metric: "peak RSS", unit: "B/item", v: m.peakRSS, bytes: nan, mallocs: nan},
					{metric: "live heap", unit: "B/item", v: m.liveHeap, bytes: nan, mallocs: nan},
					{metric: "heap after drain", unit: "B/item", v: m.afterDrain, bytes: nan, mallocs: nan},
					{metric: "heap after idle", unit: "B/item", v: m.afterIdle, bytes: nan, mallocs: nan},
				}, nil
			}})
	}
	return cells
}

// batchLabel names a batch cell; sizeOf undoes it.
func batchLabel(size int) string { return fmt.Sprintf("size=%d", size) }

func sizeOf(cellLabel string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(cellLabel, "size="))
	return n
}

// mpmcLabel names an MPMC cell; parseMPMCLabel undoes it.
func mpmcLabel(procs, p, c, batch int) string {
	return fmt.Sprintf("procs=%d/p=%d/c=%d/batch=%d", procs, p, c, batch)
}

func parseMPMCLabel(label string) (procs, p, c, batch int) {
	fmt.Sscanf(label, "procs=%d/p=%d/c=%d/batch=%d", &procs, &p, &c, &batch)
	return procs, p, c, batch
}

// shapeOf labels an MPMC cell by its producers×consumers.
func shapeOf(label string) string {
	_, p, c, _ := parseMPMCLabel(label)
	return fmt.Sprintf("%d×%d", p, c)
}
