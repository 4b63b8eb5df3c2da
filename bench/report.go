// The Markdown report: results.md, section by section, and the summary
// that a run prints (its opening sections). Every table goes through
// mdTable and every list through mdList (format.go).

package bench

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

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

// writeSummary prints the opening, the targets and the headline table.
func (r *Results) writeSummary(w io.Writer, dir string) {
	r.writeHeader(w)
	r.writeTargets(w)
	r.writeHeadline(w)
	ls := r.losses()
	fmt.Fprintf(w, "Where injectq loses: %d cells for the default backend, %d for all backends", r.defaultLosses(ls), len(ls))
	if dir != "" {
		fmt.Fprintf(w, " (listed in %s)", filepath.Join(dir, "results.md"))
	}
	fmt.Fprintln(w, ".")
	if len(r.Excluded) > 0 || len(r.Errors) > 0 {
		fmt.Fprintln(w)
		r.writeProblems(w)
	}
}

// Markdown renders results.md.
func (r *Results) Markdown() []byte {
	var b bytes.Buffer
	r.writeHeader(&b)
	r.writeTargets(&b)
	r.writeHeadline(&b)
	r.writeProblems(&b)
	r.writeContenders(&b)
	r.writeCellTable(&b, fmt.Sprintf("## Single push+pop, one goroutine (ns/item, GOMAXPROCS=%d)", PrimaryProcs),
		"pushpop", "time", r.cellsOf("pushpop"), func(string) string { return "push+pop" })
	r.writeCellTable(&b, fmt.Sprintf("## Batch: PushBatch(n) then PopN(n), one goroutine (ns/item, GOMAXPROCS=%d)", PrimaryProcs),
		"batch", "time", r.cellsOf("batch"), func(c string) string { return c })
	for _, g := range r.mpmcGroups() {
		r.writeCellTable(&b, fmt.Sprintf("## MPMC producers×consumers, %s, GOMAXPROCS=%d (ns/item; Mitems/s = 1000 ÷ ns/item)", g.op(), g.procs),
			"mpmc", "time", g.cells, shapeOf)
	}
	r.writeLatency(&b)
	r.writeMemory(&b)
	r.writeAllocation(&b)
	r.writeCrossover(&b)
	r.writeLosses(&b)
	r.writePlotList(&b)
	return b.Bytes()
}

// implRows returns one table row per contender: its display name, then
// the cells cols gives for it.
func (r *Results) implRows(cols func(impl string) []string) [][]string {
	var rows [][]string
	for _, impl := range r.impls() {
		rows = append(rows, append([]string{r.displayName(impl)}, cols(impl)...))
	}
	return rows
}

// writeHeader is the opening of results.md and of the stdout summary.
func (r *Results) writeHeader(w io.Writer) {
	fmt.Fprintf(w, "# injectq benchmark results\n\n")
	build := fmt.Sprintf("CGO_ENABLED=%s", r.Machine.CGO)
	if r.Machine.Tags != "" {
		build += ", tags " + r.Machine.Tags
	}
	if r.Machine.Affects != "" {
		build += ", env " + r.Machine.Affects
	}
	items := []string{
		"**Machine:** " + r.Machine.Line(),
		fmt.Sprintf("**injectq:** `%s`", r.Describe),
		fmt.Sprintf("**Command:** `%s`", r.Command),
		fmt.Sprintf("**Build:** %s; default backend `%s` (marked *)", build, r.Default),
		fmt.Sprintf("**Run:** mode %s, %d repetitions per cell, contenders in a fresh shuffled order within every repetition, "+
			"each timed run sized to about %s by a pilot run; took %s",
			r.Mode, r.Reps, r.Params.target, r.Duration.Round(100_000_000)),
	}
	if r.Machine.Load0 != "" {
		items = append(items, fmt.Sprintf("**Load average** (1, 5, 15 min) at start %s, at end %s on %d CPUs: anything above ~0.5 means other work shared the machine",
			r.Machine.Load0, r.Machine.Load1, r.Machine.NumCPU))
	}
	mdList(w, items)
	fmt.Fprintf(w, "Cells read `median ±spread (ratio)`: spread is half the interquartile range over the repetitions, as %% of the median "+
		"(min and max are in results.csv); ratio is the median over repetitions of value ÷ the channel's value in the same repetition. "+
		"Lower is better everywhere.\n\n")
}

func (r *Results) writeTargets(w io.Writer) {
	fmt.Fprintf(w, "## Targets (default backend `%s`, GOMAXPROCS=%d)\n\n", r.Default, PrimaryProcs)
	rows := mapSlice(r.targets(), func(t target) []string { return []string{t.Name, t.Goal, t.Measured, t.Status} })
	mdTable(w, []string{"target", "goal", "measured", "status"}, rows)
}

// headlineCol is one column of the headline table.
type headlineCol struct{ title, scenario, cell, metric string }

// headline is the one table that sums up the run at GOMAXPROCS=2; a
// column that no contender measured is left out.
func (r *Results) headline() ([]string, [][]string) {
	cols := []headlineCol{
		{"push+pop ns/item", "pushpop", "single", "time"},
		{"batch 64 ns/item", "batch", batchLabel(64), "time"},
		{"batch 1024 ns/item", "batch", batchLabel(1024), "time"},
		{"4×4 single ns/item", "mpmc", mpmcLabel(PrimaryProcs, 4, 4, 1), "time"},
		{"4×4 batch 32 ns/item", "mpmc", mpmcLabel(PrimaryProcs, 4, 4, 32), "time"},
	}
	if len(r.latCells) > 0 {
		cols = append(cols, headlineCol{"p99 latency µs", "latency", r.latCells[0], "p99"})
	}
	header := []string{"impl"}
	var used []headlineCol
	for _, c := range cols {
		for _, impl := range r.impls() {
			if _, ok := r.sum(c.scenario, c.cell, c.metric, impl); ok {
				header = append(header, c.title)
				used = append(used, c)
				break
			}
		}
	}
	header = append(header, "B/item (worst cell)")
	rows := r.implRows(func(impl string) []string {
		row := mapSlice(used, func(c headlineCol) string {
			sm, _ := r.sum(c.scenario, c.cell, c.metric, impl)
			return fmtCell(sm)
		})
		return append(row, fmtNum(r.worstBytes(impl, func(s *Series) bool {
			return s.Scenario != "mpmc" || s.Procs == PrimaryProcs
		})))
	})
	return header, rows
}

func (r *Results) writeHeadline(w io.Writer) {
	fmt.Fprintf(w, "## Headline (GOMAXPROCS=%d)\n\n", PrimaryProcs)
	h, rows := r.headline()
	mdTable(w, h, rows)
}

// writeProblems lists the contenders Check excluded and the runs that
// failed, if any.
func (r *Results) writeProblems(w io.Writer) {
	if len(r.Excluded) > 0 {
		fmt.Fprintf(w, "**Excluded (failed the adapter check, so not measured):**\n\n")
		mdList(w, r.Excluded)
	}
	if len(r.Errors) > 0 {
		fmt.Fprintf(w, "**Failed runs (left out of the numbers):**\n\n")
		mdList(w, r.Errors)
	}
}

func (r *Results) writeContenders(w io.Writer) {
	fmt.Fprintf(w, "## Contenders\n\n")
	yn := func(v bool, no string) string {
		if v {
			return "yes"
		}
		return no
	}
	rows := mapSlice(r.Contenders, func(c Contender) []string {
		return []string{r.displayName(c.Name), c.Kind, yn(c.Bounded, "no"), yn(c.BatchPush, "loop"), yn(c.BatchPop, "loop"), c.Consumer, c.Notes}
	})
	mdTable(w, []string{"impl", "kind", "bounded", "batch push", "batch pop", "consumers when empty", "notes"}, rows)
	fmt.Fprintf(w, "Bounded capacities: push+pop %d, batch = the batch size, MPMC %d, latency %d, memory = the item count. "+
		"Items are distinct 64-byte objects allocated before the clock starts. Every queue is warmed before each timed run "+
		"(filled to the run's peak and emptied), so the timed part shows steady state; every contender gets a new queue for every run, "+
		"and every run checks that its queue is empty at the end.\n\n", pushpopCap, mpmcCap, latencyCap)
}

// writeCellTable writes a section whose table has a row per cell (named
// by rowName) and a column per contender; nothing if cells is empty.
func (r *Results) writeCellTable(w io.Writer, title, scenario, metric string, cells []string, rowName func(string) string) {
	if len(cells) == 0 {
		return
	}
	fmt.Fprintf(w, "%s\n\n", title)
	impls := r.impls()
	header := append([]string{""}, mapSlice(impls, r.displayName)...)
	rows := mapSlice(cells, func(c string) []string {
		return append([]string{rowName(c)}, mapSlice(impls, func(impl string) string {
			sm, _ := r.sum(scenario, c, metric, impl)
			return fmtCell(sm)
		})...)
	})
	mdTable(w, header, rows)
}

func (r *Results) writeLatency(w io.Writer) {
	for _, lc := range r.latCells {
		fmt.Fprintf(w, "## Push→pop latency, %s, GOMAXPROCS=%d (µs; one paced producer, consumers poll or block)\n\n", lc, PrimaryProcs)
		rows := r.implRows(func(impl string) []string {
			row := mapSlice(latencyMetrics, func(m string) string {
				sm, _ := r.sum("latency", lc, m, impl)
				return fmtCell(sm)
			})
			pooled := percentiles(r.lat[lc][impl], 50, 99, 99.9, 100)
			return append(row, fmt.Sprintf("%s / %s / %s / %s", fmtNum(pooled[0]/1000), fmtNum(pooled[1]/1000), fmtNum(pooled[2]/1000), fmtNum(pooled[3]/1000)),
				strconv.Itoa(len(r.lat[lc][impl])))
		})
		mdTable(w, []string{"impl", "p50", "p99", "p99.9", "pooled p50/p99/p99.9/max", "samples"}, rows)
		fmt.Fprintf(w, "The producer offers %.0f items/s: it sleeps between items (%s), stamps each item just before its push and yields after it. "+
			"Polling consumers (all but the blocking ones) spin on the queue, without yielding while they have a P of their own, so each holds a CPU; "+
			"blocking consumers (chan's receive, the -wait contender's PopNWait) park and are woken by the push. Percentiles per repetition, then their median and spread; "+
			"the pooled column merges every repetition's samples.\n\n", r.Params.latRate, pacerKind)
	}
}

func (r *Results) writeMemory(w io.Writer) {
	for _, mc := range r.cellsOf("memory") {
		fmt.Fprintf(w, "## Memory with %s queued (bytes per queued item; items themselves not counted)\n\n", strings.TrimPrefix(mc, "items="))
		rows := r.implRows(func(impl string) []string {
			a, _ := r.sum("memory", mc, "peak RSS", impl)
			h, _ := r.sum("memory", mc, "live heap", impl)
			d, _ := r.sum("memory", mc, "heap after drain", impl)
			i, _ := r.sum("memory", mc, "heap after idle", impl)
			return []string{fmtCell(a), fmtCell(h), fmtCell(d), fmtCell(i)}
		})
		mdTable(w, []string{"impl", "peak RSS growth while filling", "Go heap in use after GC", "Go heap kept after draining", "after a burst: kept after 1.5 s idle"}, rows)
		fmt.Fprintf(w, "Peak RSS (read as %s): the process's peak resident size while filling (the kernel's VmHWM, reset through /proc/self/clear_refs "+
			"before filling) minus its resident size before, after runtime/debug.FreeOSMemory; it includes garbage that a growing queue leaves behind, "+
			"and only pages actually touched. Go heap: HeapInuse after a GC, so it counts allocated but untouched memory. "+
			"Kept after draining: HeapInuse once every item has been popped and a GC has run, per item of the burst, with the queue still alive: "+
			"what a long-lived queue goes on holding (and the collector on scanning) after a burst. "+
			"After a burst: the same after 1.5 s more with the queue idle and a GC every 100 ms (a program that goes on allocating), "+
			"the time injectq's policy needs to retire an arena (quiet for 1 s) and the collector to free it; memory_timeline.svg follows the heap through a second burst and idle period. "+
			"Bounded contenders are created with the whole capacity. mutexlist's link lives in the item (8 of its 64 bytes), so the list itself adds nothing.\n\n", r.memKind)
	}
}

func (r *Results) writeAllocation(w io.Writer) {
	fmt.Fprintf(w, "## Bytes allocated per item in the timed part (runtime.MemStats; median per cell, worst cell shown)\n\n")
	type allocCol struct {
		title string
		keep  func(*Series) bool
	}
	cols := []allocCol{
		{"push+pop", func(s *Series) bool { return s.Scenario == "pushpop" }},
		{"batch (all sizes)", func(s *Series) bool { return s.Scenario == "batch" }},
		{fmt.Sprintf("MPMC, GOMAXPROCS=%d", PrimaryProcs), func(s *Series) bool { return s.Scenario == "mpmc" && s.Procs == PrimaryProcs }},
		{"MPMC, other GOMAXPROCS", func(s *Series) bool { return s.Scenario == "mpmc" && s.Procs != PrimaryProcs }},
		{"latency", func(s *Series) bool { return s.Scenario == "latency" }},
	}
	rows := r.implRows(func(impl string) []string {
		return mapSlice(cols, func(c allocCol) string { return fmtNum(r.worstBytes(impl, c.keep)) })
	})
	header := append([]string{"impl"}, mapSlice(cols, func(c allocCol) string { return c.title })...)
	mdTable(w, header, rows)
}

func (r *Results) writeCrossover(w io.Writer) {
	fmt.Fprintf(w, "## cgo crossover (native vs fallback, batch scenario)\n\n")
	msg, rows := r.crossover()
	fmt.Fprintf(w, "%s\n\n", msg)
	if len(rows) > 0 {
		mdTable(w, []string{"batch size", "native ns/item", "fallback ns/item", "native ÷ fallback"}, rows)
	}
}

func (r *Results) writeLosses(w io.Writer) {
	fmt.Fprintf(w, "## Where injectq loses\n\n")
	ls := r.losses()
	if len(ls) == 0 {
		fmt.Fprintf(w, "Nowhere: in every measured cell every injectq backend's median is at or below every other contender's.\n\n")
		return
	}
	fmt.Fprintf(w, "Cells where an injectq backend's median is above a non-injectq contender's (%d cells, %d of them for the default backend `%s`). "+
		"\"overlap\" marks losses where the min–max ranges overlap, i.e. that may be noise.\n\n", len(ls), r.defaultLosses(ls), r.Default)
	rows := mapSlice(ls, func(l loss) []string {
		noise := ""
		if l.overlap {
			noise = "overlap"
		}
		return []string{l.scenario, l.cell, l.metric, r.displayName(l.impl), fmtNum(l.inj.Med) + " " + l.unit,
			strings.Join(l.others, ", "), fmtRatio(l.worst), noise}
	})
	mdTable(w, []string{"scenario", "cell", "metric", "injectq", "injectq median", "faster: contender median (injectq ÷ it)", "worst", "noise?"}, rows)
}

func (r *Results) writePlotList(w io.Writer) {
	plots := r.plotNames()
	if len(plots) == 0 {
		return
	}
	fmt.Fprintf(w, "## Plots\n\n")
	mdList(w, mapSlice(plots, func(p string) string { return fmt.Sprintf("[%s](%s)", p, p) }))
}
