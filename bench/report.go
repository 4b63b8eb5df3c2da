package bench

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// fmtNum prints a measurement with about three significant digits.
func fmtNum(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v):
		return "–"
	case a == 0:
		return "0"
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
}

func fmtRatio(r float64) string {
	if math.IsNaN(r) {
		return "–"
	}
	if r >= 10 {
		return strconv.FormatFloat(r, 'f', 1, 64) + "×"
	}
	return strconv.FormatFloat(r, 'f', 2, 64) + "×"
}

// fmtCell is "median ±spread% (ratio×chan)".
func fmtCell(sm summary) string {
	if sm.N == 0 {
		return "–"
	}
	s := fmtNum(sm.Med)
	if sp := sm.spreadPct(); !math.IsNaN(sp) && sm.N > 1 {
		s += fmt.Sprintf(" ±%.0f%%", sp)
	}
	if sm.HasRatio {
		s += " (" + fmtRatio(sm.RMed) + ")"
	}
	return s
}

// sum returns the summary of one series with its ratio to the channel's
// series of the same cell and metric; ok is false if it was not measured.
func (r *Results) sum(scenario, cellLabel, metric, impl string) (summary, bool) {
	s := r.Lookup(scenario, cellLabel, metric, impl)
	if s == nil {
		return summary{}, false
	}
	sm := summarize(s, r.Lookup(scenario, cellLabel, metric, "chan"))
	return sm, sm.N > 0
}

func (r *Results) impls() []string {
	var out []string
	for _, c := range r.Contenders {
		out = append(out, c.Name)
	}
	return out
}

func (r *Results) displayName(impl string) string {
	if impl == r.Default {
		return impl + "*"
	}
	return impl
}

func (r *Results) cellsOf(scenario string) []string {
	seen := map[string]bool{}
	var out []string
	for _, k := range r.order {
		if k.scenario == scenario && !seen[k.cell] {
			seen[k.cell] = true
			out = append(out, k.cell)
		}
	}
	return out
}

// mpmcGroup is the MPMC cells of one (GOMAXPROCS, batch) pair, in run
// order: one table and one plot each.
type mpmcGroup struct {
	procs, batch int
	cells        []string
}

// op names the group's operations.
func (g mpmcGroup) op() string {
	if g.batch > 1 {
		return fmt.Sprintf("PushBatch/PopN of %d", g.batch)
	}
	return "Push/Pop"
}

func (r *Results) mpmcGroups() []mpmcGroup {
	var groups []mpmcGroup
	at := map[[2]int]int{} // (procs, batch) -> index in groups
	for _, c := range r.cellsOf("mpmc") {
		procs, _, _, batch := parseMPMCLabel(c)
		k := [2]int{procs, batch}
		i, ok := at[k]
		if !ok {
			i = len(groups)
			at[k] = i
			groups = append(groups, mpmcGroup{procs: procs, batch: batch})
		}
		groups[i].cells = append(groups[i].cells, c)
	}
	return groups
}

// shapeOf labels an MPMC cell by its producers×consumers.
func shapeOf(c string) string {
	_, p, cc, _ := parseMPMCLabel(c)
	return fmt.Sprintf("%d×%d", p, cc)
}

// mdTable writes a Markdown table; columns whose cells all start with a
// number are right-aligned.
func mdTable(w io.Writer, header []string, rows [][]string) {
	fmt.Fprintf(w, "| %s |\n", strings.Join(header, " | "))
	seps := make([]string, len(header))
	for i := range seps {
		seps[i] = "---"
		numeric := len(rows) > 0
		for _, row := range rows {
			if i >= len(row) || !strings.ContainsRune("0123456789–-+", firstRune(row[i])) {
				numeric = false
				break
			}
		}
		if numeric {
			seps[i] = "--:"
		}
	}
	fmt.Fprintf(w, "|%s|\n", strings.Join(seps, "|"))
	for _, row := range rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
	}
	fmt.Fprintln(w)
}

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
	ratioTarget("batch 64, per item", "batch", "size=64", "time", 0.1, "ns/item")
	ratioTarget("batch 1024, per item", "batch", "size=1024", "time", 0.1, "ns/item")
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

// crossover reports where native becomes at least as fast as fallback.
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

func (r *Results) has(impl string) bool {
	for _, c := range r.Contenders {
		if c.Name == impl {
			return true
		}
	}
	return false
}

func sizeOf(cellLabel string) int {
	n, _ := strconv.Atoi(strings.TrimPrefix(cellLabel, "size="))
	return n
}

// headline is the one table that sums up the run at GOMAXPROCS=2.
func (r *Results) headline() ([]string, [][]string) {
	cols := []struct{ title, scenario, cell, metric string }{
		{"push+pop ns/item", "pushpop", "single", "time"},
		{"batch 64 ns/item", "batch", "size=64", "time"},
		{"batch 1024 ns/item", "batch", "size=1024", "time"},
		{"4×4 single ns/item", "mpmc", mpmcLabel(PrimaryProcs, 4, 4, 1), "time"},
		{"4×4 batch 32 ns/item", "mpmc", mpmcLabel(PrimaryProcs, 4, 4, 32), "time"},
	}
	if len(r.latCells) > 0 {
		cols = append(cols, struct{ title, scenario, cell, metric string }{"p99 latency µs", "latency", r.latCells[0], "p99"})
	}
	header := []string{"impl"}
	var used []int
	for i, c := range cols {
		for _, impl := range r.impls() {
			if _, ok := r.sum(c.scenario, c.cell, c.metric, impl); ok {
				header = append(header, c.title)
				used = append(used, i)
				break
			}
		}
	}
	header = append(header, "B/item (worst cell)")
	var rows [][]string
	for _, impl := range r.impls() {
		row := []string{r.displayName(impl)}
		for _, i := range used {
			c := cols[i]
			sm, _ := r.sum(c.scenario, c.cell, c.metric, impl)
			row = append(row, fmtCell(sm))
		}
		row = append(row, fmtNum(r.worstBytes(impl, func(s *Series) bool {
			return s.Scenario != "mpmc" || s.Procs == PrimaryProcs
		})))
		rows = append(rows, row)
	}
	return header, rows
}

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

// writeHeader is the opening of results.md and of the stdout summary.
func (r *Results) writeHeader(w io.Writer) {
	fmt.Fprintf(w, "# injectq benchmark results\n\n")
	fmt.Fprintf(w, "- **Machine:** %s\n", r.Machine.Line())
	fmt.Fprintf(w, "- **injectq:** `%s`\n", r.Describe)
	fmt.Fprintf(w, "- **Command:** `%s`\n", r.Command)
	build := fmt.Sprintf("CGO_ENABLED=%s", r.Machine.CGO)
	if r.Machine.Tags != "" {
		build += ", tags " + r.Machine.Tags
	}
	if r.Machine.Affects != "" {
		build += ", env " + r.Machine.Affects
	}
	fmt.Fprintf(w, "- **Build:** %s; default backend `%s` (marked *)\n", build, r.Default)
	fmt.Fprintf(w, "- **Run:** mode %s, %d repetitions per cell, contenders in a fresh shuffled order within every repetition, "+
		"each timed run sized to about %s by a pilot run; took %s\n",
		r.Mode, r.Reps, r.Params.target, r.Duration.Round(100_000_000))
	if r.Machine.Load0 != "" {
		fmt.Fprintf(w, "- **Load average** (1, 5, 15 min) at start %s, at end %s on %d CPUs: anything above ~0.5 means other work shared the machine\n",
			r.Machine.Load0, r.Machine.Load1, r.Machine.NumCPU)
	}
	fmt.Fprintf(w, "\nCells read `median ±spread (ratio)`: spread is half the interquartile range over the repetitions, as %% of the median "+
		"(min and max are in results.csv); ratio is the median over repetitions of value ÷ the channel's value in the same repetition. "+
		"Lower is better everywhere.\n\n")
}

func (r *Results) writeTargets(w io.Writer) {
	fmt.Fprintf(w, "## Targets (default backend `%s`, GOMAXPROCS=%d)\n\n", r.Default, PrimaryProcs)
	var rows [][]string
	for _, t := range r.targets() {
		rows = append(rows, []string{t.Name, t.Goal, t.Measured, t.Status})
	}
	mdTable(w, []string{"target", "goal", "measured", "status"}, rows)
}

func (r *Results) writeHeadline(w io.Writer) {
	fmt.Fprintf(w, "## Headline (GOMAXPROCS=%d)\n\n", PrimaryProcs)
	h, rows := r.headline()
	mdTable(w, h, rows)
}

// writeSummary prints the opening, the targets and the headline table.
func (r *Results) writeSummary(w io.Writer, dir string) {
	r.writeHeader(w)
	r.writeTargets(w)
	r.writeHeadline(w)
	ls := r.losses()
	def := 0
	for _, l := range ls {
		if l.impl == r.Default {
			def++
		}
	}
	fmt.Fprintf(w, "Where injectq loses: %d cells for the default backend, %d for all backends", def, len(ls))
	if dir != "" {
		fmt.Fprintf(w, " (listed in %s)", filepath.Join(dir, "results.md"))
	}
	fmt.Fprintln(w, ".")
	r.writeProblems(w)
}

func (r *Results) writeProblems(w io.Writer) {
	if len(r.Excluded) > 0 {
		fmt.Fprintf(w, "\n**Excluded (failed the adapter check, so not measured):**\n\n")
		for _, e := range r.Excluded {
			fmt.Fprintf(w, "- %s\n", e)
		}
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(w, "\n**Failed runs (left out of the numbers):**\n\n")
		for _, e := range r.Errors {
			fmt.Fprintf(w, "- %s\n", e)
		}
	}
}

// Markdown renders results.md.
func (r *Results) Markdown() []byte {
	var b bytes.Buffer
	r.writeHeader(&b)
	r.writeTargets(&b)
	r.writeHeadline(&b)
	r.writeProblems(&b)

	fmt.Fprintf(&b, "## Contenders\n\n")
	var rows [][]string
	yn := func(v bool, no string) string {
		if v {
			return "yes"
		}
		return no
	}
	for _, c := range r.Contenders {
		rows = append(rows, []string{r.displayName(c.Name), c.Kind, yn(c.Bounded, "no"), yn(c.BatchPush, "loop"), yn(c.BatchPop, "loop"), c.Consumer, c.Notes})
	}
	mdTable(&b, []string{"impl", "kind", "bounded", "batch push", "batch pop", "consumers when empty", "notes"}, rows)
	fmt.Fprintf(&b, "Bounded capacities: push+pop %d, batch = the batch size, MPMC %d, latency %d, memory = the item count. "+
		"Items are distinct 64-byte objects allocated before the clock starts. Every queue is warmed before each timed run "+
		"(filled to the run's peak and emptied), so the timed part shows steady state; every contender gets a new queue for every run, "+
		"and every run checks that its queue is empty at the end.\n\n", pushpopCap, mpmcCap, latencyCap)

	impls := r.impls()
	header := append([]string{""}, mapSlice(impls, r.displayName)...)
	wide := func(title, scenario, metric string, cells []string, rowName func(string) string) {
		if len(cells) == 0 {
			return
		}
		fmt.Fprintf(&b, "%s\n\n", title)
		var rows [][]string
		for _, c := range cells {
			row := []string{rowName(c)}
			for _, impl := range impls {
				sm, _ := r.sum(scenario, c, metric, impl)
				row = append(row, fmtCell(sm))
			}
			rows = append(rows, row)
		}
		mdTable(&b, header, rows)
	}
	wide(fmt.Sprintf("## Single push+pop, one goroutine (ns/item, GOMAXPROCS=%d)", PrimaryProcs), "pushpop", "time", r.cellsOf("pushpop"), func(string) string { return "push+pop" })
	wide(fmt.Sprintf("## Batch: PushBatch(n) then PopN(n), one goroutine (ns/item, GOMAXPROCS=%d)", PrimaryProcs), "batch", "time", r.cellsOf("batch"), func(c string) string { return c })

	// MPMC: one table per (batch, GOMAXPROCS).
	for _, g := range r.mpmcGroups() {
		wide(fmt.Sprintf("## MPMC producers×consumers, %s, GOMAXPROCS=%d (ns/item; Mitems/s = 1000 ÷ ns/item)", g.op(), g.procs),
			"mpmc", "time", g.cells, shapeOf)
	}

	for _, lc := range r.latCells {
		fmt.Fprintf(&b, "## Push→pop latency, %s, GOMAXPROCS=%d (µs; one paced producer, consumers poll or block)\n\n", lc, PrimaryProcs)
		var rows [][]string
		for _, impl := range impls {
			row := []string{r.displayName(impl)}
			for _, m := range []string{"p50", "p99", "p99.9"} {
				sm, _ := r.sum("latency", lc, m, impl)
				row = append(row, fmtCell(sm))
			}
			pooled := percentiles(r.lat[lc][impl], 50, 99, 99.9, 100)
			row = append(row, fmt.Sprintf("%s / %s / %s / %s", fmtNum(pooled[0]/1000), fmtNum(pooled[1]/1000), fmtNum(pooled[2]/1000), fmtNum(pooled[3]/1000)))
			row = append(row, strconv.Itoa(len(r.lat[lc][impl])))
			rows = append(rows, row)
		}
		mdTable(&b, []string{"impl", "p50", "p99", "p99.9", "pooled p50/p99/p99.9/max", "samples"}, rows)
		fmt.Fprintf(&b, "The producer offers %.0f items/s: it sleeps between items (%s), stamps each item just before its push and yields after it. "+
			"Polling consumers (all but the blocking ones) spin on the queue, without yielding while they have a P of their own, so each holds a CPU; "+
			"blocking consumers (chan's receive, the -wait contender's PopNWait) park and are woken by the push. Percentiles per repetition, then their median and spread; "+
			"the pooled column merges every repetition's samples.\n\n", r.Params.latRate, pacerKind)
	}

	for _, mc := range r.cellsOf("memory") {
		fmt.Fprintf(&b, "## Memory with %s queued (bytes per queued item; items themselves not counted)\n\n", strings.TrimPrefix(mc, "items="))
		var rows [][]string
		for _, impl := range impls {
			a, _ := r.sum("memory", mc, "peak RSS", impl)
			h, _ := r.sum("memory", mc, "live heap", impl)
			rows = append(rows, []string{r.displayName(impl), fmtCell(a), fmtCell(h)})
		}
		mdTable(&b, []string{"impl", "peak RSS growth while filling", "Go heap in use after GC"}, rows)
		fmt.Fprintf(&b, "Peak RSS (read as %s): the process's peak resident size while filling (the kernel's VmHWM, reset through /proc/self/clear_refs "+
			"before filling) minus its resident size before, after runtime/debug.FreeOSMemory; it includes garbage that a growing queue leaves behind, "+
			"and only pages actually touched. Go heap: HeapInuse after a GC, so it counts allocated but untouched memory. "+
			"Bounded contenders are created with the whole capacity. mutexlist's link lives in the item (8 of its 64 bytes), so the list itself adds nothing.\n\n", r.memKind)
	}

	// Allocation.
	{
		fmt.Fprintf(&b, "## Bytes allocated per item in the timed part (runtime.MemStats; median per cell, worst cell shown)\n\n")
		cols := []struct {
			title string
			keep  func(*Series) bool
		}{
			{"push+pop", func(s *Series) bool { return s.Scenario == "pushpop" }},
			{"batch (all sizes)", func(s *Series) bool { return s.Scenario == "batch" }},
			{fmt.Sprintf("MPMC, GOMAXPROCS=%d", PrimaryProcs), func(s *Series) bool { return s.Scenario == "mpmc" && s.Procs == PrimaryProcs }},
			{"MPMC, other GOMAXPROCS", func(s *Series) bool { return s.Scenario == "mpmc" && s.Procs != PrimaryProcs }},
			{"latency", func(s *Series) bool { return s.Scenario == "latency" }},
		}
		var rows [][]string
		for _, impl := range impls {
			row := []string{r.displayName(impl)}
			for _, c := range cols {
				row = append(row, fmtNum(r.worstBytes(impl, c.keep)))
			}
			rows = append(rows, row)
		}
		hdr := []string{"impl"}
		for _, c := range cols {
			hdr = append(hdr, c.title)
		}
		mdTable(&b, hdr, rows)
	}

	fmt.Fprintf(&b, "## cgo crossover (native vs fallback, batch scenario)\n\n")
	cx, cxRows := r.crossover()
	fmt.Fprintf(&b, "%s\n\n", cx)
	if len(cxRows) > 0 {
		mdTable(&b, []string{"batch size", "native ns/item", "fallback ns/item", "native ÷ fallback"}, cxRows)
	}

	fmt.Fprintf(&b, "## Where injectq loses\n\n")
	ls := r.losses()
	if len(ls) == 0 {
		fmt.Fprintf(&b, "Nowhere: in every measured cell every injectq backend's median is at or below every other contender's.\n\n")
	} else {
		def := 0
		for _, l := range ls {
			if l.impl == r.Default {
				def++
			}
		}
		fmt.Fprintf(&b, "Cells where an injectq backend's median is above a non-injectq contender's (%d cells, %d of them for the default backend `%s`). "+
			"\"overlap\" marks losses where the min–max ranges overlap, i.e. that may be noise.\n\n", len(ls), def, r.Default)
		var rows [][]string
		for _, l := range ls {
			noise := ""
			if l.overlap {
				noise = "overlap"
			}
			rows = append(rows, []string{l.scenario, l.cell, l.metric, r.displayName(l.impl), fmtNum(l.inj.Med) + " " + l.unit,
				strings.Join(l.others, ", "), fmtRatio(l.worst), noise})
		}
		mdTable(&b, []string{"scenario", "cell", "metric", "injectq", "injectq median", "faster: contender median (injectq ÷ it)", "worst", "noise?"}, rows)
	}
	if plots := r.plotNames(); len(plots) > 0 {
		fmt.Fprintf(&b, "## Plots\n\n")
		for _, p := range plots {
			fmt.Fprintf(&b, "- [%s](%s)\n", p, p)
		}
		fmt.Fprintln(&b)
	}
	return b.Bytes()
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

func mapSlice(xs []string, f func(string) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

// CSVHeader is the first row of results.csv.
var CSVHeader = []string{"scenario", "cell", "gomaxprocs", "size", "producers", "consumers", "batch", "impl", "kind", "default",
	"metric", "unit", "items_per_run", "reps", "median", "min", "max", "q1", "q3", "ratio_to_chan", "ratio_min", "ratio_max",
	"bytes_per_item", "allocs_per_item", "values"}

// CSV renders results.csv: one row per (cell, metric, contender).
func (r *Results) CSV() ([]byte, error) {
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.Write(CSVHeader); err != nil {
		return nil, err
	}
	kind := map[string]string{}
	for _, c := range r.Contenders {
		kind[c.Name] = c.Kind
	}
	f := func(v float64) string {
		if math.IsNaN(v) {
			return ""
		}
		return strconv.FormatFloat(v, 'g', 6, 64)
	}
	for _, k := range r.order {
		s := r.series[k]
		sm := summarize(s, r.Lookup(k.scenario, k.cell, k.metric, "chan"))
		ratio := []string{"", "", ""}
		if sm.HasRatio {
			ratio = []string{f(sm.RMed), f(sm.RMin), f(sm.RMax)}
		}
		vals := mapFloat(s.Vals, f)
		rec := []string{s.Scenario, s.Cell, strconv.Itoa(s.Procs), strconv.Itoa(s.Size), strconv.Itoa(s.P), strconv.Itoa(s.C), strconv.Itoa(s.Batch),
			s.Impl, kind[s.Impl], strconv.FormatBool(s.Impl == r.Default), s.Metric, s.Unit, strconv.Itoa(s.Items), strconv.Itoa(sm.N),
			f(sm.Med), f(sm.Min), f(sm.Max), f(sm.Q1), f(sm.Q3), ratio[0], ratio[1], ratio[2],
			f(sm.BytesMed), f(sm.AllocsMed), strings.Join(vals, ";")}
		if err := w.Write(rec); err != nil {
			return nil, err
		}
	}
	w.Flush()
	return b.Bytes(), w.Error()
}

func mapFloat(xs []float64, f func(float64) string) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}

// writeFiles writes results.md, results.csv and the SVG plots into dir.
func (r *Results) writeFiles(dir string) error {
	if err := r.writePlots(dir); err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "results.md"), r.Markdown(), 0o644); err != nil {
		return err
	}
	c, err := r.CSV()
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "results.csv"), c, 0o644)
}
