// The judgements the report states: the targets injectq is held to, the
// cells where it loses to a contender that is not injectq, and where the
// cgo backend catches up with the pure Go one.

package bench

import (
	"fmt"
	"math"
	"sort"
	"strconv"
)

// target is one of the goals the report is judged on.
type target struct {
	Name, Goal, Measured, Status string
	Met, Measurable              bool
}

const zeroAllocLimit = 0.01 // B/item that still counts as "0 B/op"

func (r *Results) targets() []target {
	def := r.Default
	var ts []target
	ratioTarget := func(name, scenario, cellLabel, metric string, limit float64, unit string) {
		t := target{Name: name, Goal: fmt.Sprintf("≤ %s× chan", strconv.FormatFloat(limit, 'f', -1, 64))}
		sm, ok := r.sum(scenario, cellLabel, metric, def)
		if !ok || !sm.HasRatio {
			t.Measured, t.Status = "not measured", "not measured"
			ts = append(ts, t)
			return
		}
		t.Measurable = true
		t.Measured = fmt.Sprintf("%s %s = %s chan (range %s–%s)", fmtNum(sm.Med), unit, fmtRatio(sm.RMed), fmtRatio(sm.RMin), fmtRatio(sm.RMax))
		t.Met = sm.RMed <= limit
		t.Status = status(t.Met, sm.RMed/limit)
		ts = append(ts, t)
	}
	// Single push+pop: at least as fast as every other contender.
	{
		t := target{Name: "single push+pop (1 goroutine)", Goal: "≤ every other contender"}
		sm, ok := r.sum("pushpop", "single", "time", def)
		if !ok {
			t.Measured, t.Status = "not measured", "not measured"
		} else {
			best, bestImpl := math.Inf(1), ""
			for _, impl := range r.impls() {
				if r.isInjectq(impl) {
					continue
				}
				if o, ok := r.sum("pushpop", "single", "time", impl); ok && o.Med < best {
					best, bestImpl = o.Med, impl
				}
			}
			t.Measurable = true
			t.Measured = fmt.Sprintf("%s ns/item (%s chan); fastest other: %s %s ns", fmtNum(sm.Med), fmtRatio(sm.RMed), bestImpl, fmtNum(best))
			t.Met = sm.Med <= best
			t.Status = status(t.Met, sm.Med/best)
			if !t.Met {
				t.Status += " (vs " + bestImpl + ")"
			}
		}
		ts = append(ts, t)
	}
	ratioTarget("batch 64, per item", "batch", batchLabel(64), "time", 0.1, "ns/item")
	ratioTarget("batch 1024, per item", "batch", batchLabel(1024), "time", 0.1, "ns/item")
	ratioTarget("MPMC 4×4 single ops", "mpmc", mpmcLabel(PrimaryProcs, 4, 4, 1), "time", 0.67, "ns/item")
	ratioTarget("MPMC 4×4 batch 32", "mpmc", mpmcLabel(PrimaryProcs, 4, 4, 32), "time", 0.15, "ns/item")
	if len(r.latCells) > 0 {
		ratioTarget("p99 push→pop latency ("+r.latCells[0]+")", "latency", r.latCells[0], "p99", 1, "µs")
	} else {
		ts = append(ts, target{Name: "p99 push→pop latency", Goal: "≤ 1× chan", Measured: "not measured", Status: "not measured"})
	}
	// 0 B/op in every steady-state scenario.
	{
		t := target{Name: "allocation, steady state", Goal: fmt.Sprintf("0 B/op (median ≤ %g B/item in every cell)", zeroAllocLimit)}
		worst, where, n := -1.0, "", 0
		for _, k := range r.order {
			if k.impl != def || k.scenario == "memory" {
				continue
			}
			s := r.series[k]
			if k.scenario == "mpmc" && s.Procs != PrimaryProcs {
				continue
			}
			b := quantile(finite(s.Bytes), .5)
			if math.IsNaN(b) {
				continue
			}
			n++
			if b > worst {
				worst, where = b, k.scenario+" "+k.cell
			}
		}
		if n == 0 {
			t.Measured, t.Status = "not measured", "not measured"
		} else {
			t.Measurable = true
			t.Measured = fmt.Sprintf("worst median %s B/item over %d cells (%s)", fmtNum(worst), n, where)
			t.Met = worst <= zeroAllocLimit
			if t.Met {
				t.Status = "met"
			} else {
				t.Status = fmt.Sprintf("missed: %s B/item", fmtNum(worst))
			}
		}
		ts = append(ts, t)
	}
	return ts
}

func status(met bool, ratioToGoal float64) string {
	if met {
		return "met"
	}
	return fmt.Sprintf("missed by %.0f%%", (ratioToGoal-1)*100)
}

// worstBytes is the largest per-cell median of allocated bytes per item
// over impl's series that keep accepts; NaN if none was measured.
func (r *Results) worstBytes(impl string, keep func(*Series) bool) float64 {
	worst := math.NaN()
	for _, k := range r.order {
		s := r.series[k]
		if k.impl != impl || !keep(s) {
			continue
		}
		if b := quantile(finite(s.Bytes), .5); !math.IsNaN(b) && (math.IsNaN(worst) || b > worst) {
			worst = b
		}
	}
	return worst
}

// loss is a cell where an injectq backend is slower (or bigger) than a
// contender that is not injectq.
type loss struct {
	scenario, cell, metric, unit, impl string
	inj                                summary
	others                             []string
	worst                              float64 // largest injectq/other ratio
	overlap                            bool    // every faster contender's range overlaps injectq's
}

func (r *Results) losses() []loss {
	var out []loss
	for _, k := range r.order {
		if !r.isInjectq(k.impl) {
			continue
		}
		s := r.series[k]
		inj := summarize(s, nil)
		if inj.N == 0 {
			continue
		}
		l := loss{scenario: k.scenario, cell: k.cell, metric: k.metric, unit: s.Unit, impl: k.impl, inj: inj, overlap: true}
		for _, impl := range r.impls() {
			if r.isInjectq(impl) {
				continue
			}
			o := r.Lookup(k.scenario, k.cell, k.metric, impl)
			if o == nil {
				continue
			}
			os := summarize(o, nil)
			if os.N == 0 || !(os.Med < inj.Med) {
				continue
			}
			ratio := inj.Med / os.Med
			if os.Med <= 0 {
				ratio = math.Inf(1)
			}
			l.others = append(l.others, fmt.Sprintf("%s %s (%s)", impl, fmtNum(os.Med), fmtRatio(ratio)))
			l.worst = max(l.worst, ratio)
			if os.Max < inj.Min {
				l.overlap = false
			}
		}
		if len(l.others) > 0 {
			out = append(out, l)
		}
	}
	return out
}

// defaultLosses counts the losses of the default backend.
func (r *Results) defaultLosses(ls []loss) int {
	n := 0
	for _, l := range ls {
		if l.impl == r.Default {
			n++
		}
	}
	return n
}

// crossover reports where native becomes at least as fast as fallback,
// with the rows of the table behind it (batch size, native, fallback,
// native ÷ fallback).
func (r *Results) crossover() (string, [][]string) {
	if !r.has("native") {
		return "n/a: `native` is not in queue.Backends() in this build (CGO_ENABLED=0, -tags purego, or not written yet)", nil
	}
	if !r.has("fallback") {
		return "n/a: `fallback` was not measured", nil
	}
	cells := r.cellsOf("batch")
	sort.Slice(cells, func(i, j int) bool { return sizeOf(cells[i]) < sizeOf(cells[j]) })
	var rows [][]string
	var ok []bool
	for _, c := range cells {
		n, ok1 := r.sum("batch", c, "time", "native")
		f, ok2 := r.sum("batch", c, "time", "fallback")
		if !ok1 || !ok2 {
			continue
		}
		rows = append(rows, []string{strconv.Itoa(sizeOf(c)), fmtNum(n.Med), fmtNum(f.Med), fmtRatio(n.Med / f.Med)})
		ok = append(ok, n.Med <= f.Med)
	}
	if len(rows) == 0 {
		return "n/a: the batch scenario was not run", nil
	}
	first, from := -1, -1
	for i := range ok {
		if ok[i] && first < 0 {
			first = i
		}
	}
	for i := len(ok) - 1; i >= 0 && ok[i]; i-- {
		from = i
	}
	if first < 0 {
		return fmt.Sprintf("never: native is slower than fallback at every batch size up to %s (medians)", rows[len(rows)-1][0]), rows
	}
	msg := fmt.Sprintf("batch size %s: the smallest at which native is at least as fast as fallback (medians, native ÷ fallback = %s)",
		rows[first][0], rows[first][3])
	switch {
	case from == first:
		msg += "; it stays so at every larger size measured"
	case from < 0:
		msg += "; but not at the largest size measured, so within noise rather than a crossover"
	default:
		msg += fmt.Sprintf("; it stays so from batch size %s on", rows[from][0])
	}
	return msg + ".", rows
}
