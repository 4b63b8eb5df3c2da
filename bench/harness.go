package bench

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"time"

	"github.com/injectq/injectq/queue"
)

// Scenarios are the measured scenarios, in run order. "alloc" (bytes
// allocated per item) is measured in every run of every scenario, and
// "crossover" is computed from "batch"; selecting either runs what it
// needs.
var Scenarios = []string{"pushpop", "batch", "mpmc", "latency", "memory"}

// Config is one harness run.
type Config struct {
	Mode     string   // "quick", "default" or "full"
	Scenario string   // regexp over scenario names; commas separate alternatives; "" = all
	Out      string   // directory for results.md, results.csv and the plots ("" = none)
	Reps     int      // repetitions per cell; 0 = the mode's
	Impls    []string // contenders to run (the channel always runs); nil = all
	Command  string   // the command line, for results.md
	Seed     uint64   // shuffles the contender order within each repetition
	Stdout   io.Writer
	Stderr   io.Writer
}

// params sizes a run. Runs are sized by time, like go test's -benchtime:
// a pilot run per cell and contender measures the time per item, and every
// timed run then moves about target's worth of items (within the limits),
// so that fixed costs (starting goroutines, the last items' hand-off) weigh
// the same for fast and slow contenders.
type params struct {
	reps        int
	target      time.Duration // duration of one timed run
	batchSizes  []int
	procs       []int
	shapes      [][2]int // producers, consumers
	mpmcBatches []int
	mpmcMax     int     // items per MPMC run at most (they must be distinct)
	latRate     float64 // offered items/s
	latDur      time.Duration
	latCons     []int
	memItems    int
}

// PrimaryProcs is the GOMAXPROCS of the single-goroutine, latency and
// memory scenarios, and of the targets.
const PrimaryProcs = 2

// warmItems is how many items a single-goroutine run moves before the
// clock starts: enough to cross several of injectq's 1024-slot blocks, so
// that the queue has grown to what its steady state needs.
const warmItems = 8192

// pilotItems is the size of the pilot run that sizes the timed runs.
const pilotItems = 16384

// Capacities given to bounded contenders.
const (
	pushpopCap = 16   // one item is ever queued
	mpmcCap    = 4096 // producers run ahead of consumers by at most this
	latencyCap = 4096 // far above what a below-saturation rate queues
)

func modeParams(mode string) (params, error) {
	grid := [][2]int{}
	for _, p := range []int{1, 2, 4, 8} {
		for _, c := range []int{1, 2, 4, 8} {
			grid = append(grid, [2]int{p, c})
		}
	}
	procs := uniqueSorted([]int{1, 2, runtime.NumCPU()})
	all := []int{1, 4, 16, 64, 256, 1024, 4096}
	switch mode {
	case "quick":
		return params{reps: 5, target: 2 * time.Millisecond, batchSizes: all,
			procs: []int{PrimaryProcs}, shapes: [][2]int{{1, 1}, {1, 4}, {4, 1}, {4, 4}}, mpmcBatches: []int{1, 32}, mpmcMax: 1 << 16,
			latRate: 20000, latDur: 100 * time.Millisecond, latCons: []int{1}, memItems: 1 << 18}, nil
	case "default", "":
		return params{reps: 5, target: 10 * time.Millisecond, batchSizes: all,
			procs: procs, shapes: grid, mpmcBatches: []int{1, 32}, mpmcMax: 1 << 19,
			latRate: 20000, latDur: 500 * time.Millisecond, latCons: []int{1}, memItems: 1000000}, nil
	case "full":
		return params{reps: 10, target: 40 * time.Millisecond, batchSizes: all,
			procs: procs, shapes: grid, mpmcBatches: []int{1, 32, 256}, mpmcMax: 1 << 20,
			latRate: 20000, latDur: 2 * time.Second, latCons: []int{1, 2}, memItems: 1000000}, nil
	}
	return params{}, fmt.Errorf("bench: unknown mode %q (quick, default, full)", mode)
}

func uniqueSorted(xs []int) []int {
	sort.Ints(xs)
	var out []int
	for i, x := range xs {
		if i == 0 || x != xs[i-1] {
			out = append(out, x)
		}
	}
	return out
}

// checkEmpty reports an error if q still holds an item after a run.
func checkEmpty(q Queue) error {
	if v, ok := q.Pop(); ok {
		return fmt.Errorf("queue not empty after the run: holds seq %d", v.Seq)
	}
	return nil
}

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

// size returns how many items a timed run of ct should move: target's
// worth at the pilot run's speed, within [minN, maxN].
func (c cell) sizeRun(ct Contender, target time.Duration) (int, error) {
	if c.minN == 0 {
		return 0, nil
	}
	mvs, err := c.run(ct, c.minN)
	if err != nil {
		return 0, err
	}
	ns := mvs[0].v
	n := c.maxN
	if ns > 0 {
		n = int(float64(target.Nanoseconds()) / ns)
	}
	return max(c.minN, min(n, c.maxN)), nil
}

// Series is every repetition of one metric of one cell of one contender.
type Series struct {
	Scenario, Cell, Metric, Unit, Impl string
	Procs                              int
	Size, P, C, Batch                  int
	Items                              int       // items per timed run (0: not sized)
	Vals, Bytes, Allocs                []float64 // per repetition; NaN: missing
}

type seriesKey struct{ scenario, cell, metric, impl string }

// Results is everything one harness run measured.
type Results struct {
	Machine    Machine
	Describe   string
	Default    string
	Command    string
	Mode       string
	Reps       int
	Params     params
	Start      time.Time
	Duration   time.Duration
	Contenders []Contender
	Excluded   []string // contenders that failed Check, with why
	Errors     []string // runs that failed
	series     map[seriesKey]*Series
	order      []seriesKey
	// lat[cell][impl] pools every latency sample (ns) of that cell.
	lat map[string]map[string][]int64
	// latCells lists the latency cells in order.
	latCells []string
	plots    []string // files written by writePlots
	memKind  string   // how the memory scenario read the peak RSS
}

func (r *Results) get(c cell, metric, unit, impl string) *Series {
	k := seriesKey{c.scenario, c.label, metric, impl}
	if s, ok := r.series[k]; ok {
		return s
	}
	s := &Series{Scenario: c.scenario, Cell: c.label, Metric: metric, Unit: unit, Impl: impl,
		Procs: c.procs, Size: c.size, P: c.p, C: c.c, Batch: c.batch}
	nan := func() []float64 {
		v := make([]float64, r.Reps)
		for i := range v {
			v[i] = math.NaN()
		}
		return v
	}
	s.Vals, s.Bytes, s.Allocs = nan(), nan(), nan()
	r.series[k] = s
	r.order = append(r.order, k)
	return s
}

// sortSeries orders the series by cell (in plan order), then contender
// (in Contenders order), keeping each one's metrics in measured order.
func (r *Results) sortSeries(cells []cell) {
	cellPos := map[[2]string]int{}
	for i, c := range cells {
		cellPos[[2]string{c.scenario, c.label}] = i
	}
	implPos := map[string]int{}
	for i, c := range r.Contenders {
		implPos[c.Name] = i
	}
	sort.SliceStable(r.order, func(i, j int) bool {
		a, b := r.order[i], r.order[j]
		ca, cb := cellPos[[2]string{a.scenario, a.cell}], cellPos[[2]string{b.scenario, b.cell}]
		if ca != cb {
			return ca < cb
		}
		return implPos[a.impl] < implPos[b.impl]
	})
}

// Lookup returns the series of one metric of one cell and contender.
func (r *Results) Lookup(scenario, cellLabel, metric, impl string) *Series {
	return r.series[seriesKey{scenario, cellLabel, metric, impl}]
}

func (r *Results) isInjectq(impl string) bool {
	for _, c := range r.Contenders {
		if c.Name == impl {
			return c.IsInjectq()
		}
	}
	return false
}

// compileScenario turns the -scenario flag into a matcher.
func compileScenario(s string) (*regexp.Regexp, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return regexp.MustCompile(""), nil
	}
	parts := strings.Split(s, ",")
	for i := range parts {
		parts[i] = "(?:" + strings.TrimSpace(parts[i]) + ")"
	}
	re, err := regexp.Compile(strings.Join(parts, "|"))
	if err != nil {
		return nil, fmt.Errorf("bench: -scenario: %w", err)
	}
	return re, nil
}

// Run measures, then writes results.md, results.csv and the plots into
// cfg.Out, and prints the summary to cfg.Stdout.
func Run(cfg Config) (*Results, error) {
	if cfg.Stdout == nil {
		cfg.Stdout = io.Discard
	}
	if cfg.Stderr == nil {
		cfg.Stderr = io.Discard
	}
	p, err := modeParams(cfg.Mode)
	if err != nil {
		return nil, err
	}
	if cfg.Mode == "" {
		cfg.Mode = "default"
	}
	if cfg.Reps > 0 {
		p.reps = cfg.Reps
	}
	re, err := compileScenario(cfg.Scenario)
	if err != nil {
		return nil, err
	}
	sel := map[string]bool{}
	for _, s := range Scenarios {
		sel[s] = re.MatchString(s)
	}
	if re.MatchString("crossover") {
		sel["batch"] = true
	}
	if re.MatchString("alloc") {
		sel["pushpop"], sel["batch"] = true, true
	}
	selected := false
	for _, v := range sel {
		selected = selected || v
	}
	if !selected {
		return nil, fmt.Errorf("bench: -scenario %q matches none of %s (or alloc, crossover)", cfg.Scenario, strings.Join(Scenarios, ", "))
	}
	cts, err := SelectContenders(cfg.Impls)
	if err != nil {
		return nil, err
	}
	if cfg.Out != "" {
		if err := os.MkdirAll(cfg.Out, 0o755); err != nil {
			return nil, err
		}
	}

	start := time.Now()
	res := &Results{
		Machine: thisMachine(start), Describe: queue.Describe(), Default: queue.DefaultBackend(),
		Command: cfg.Command, Mode: cfg.Mode, Reps: p.reps, Params: p, Start: start,
		series: map[seriesKey]*Series{}, lat: map[string]map[string][]int64{},
	}
	prev := runtime.GOMAXPROCS(PrimaryProcs)
	defer runtime.GOMAXPROCS(prev)

	// A broken adapter cannot produce numbers.
	for _, ct := range cts {
		if err := Check(ct); err != nil {
			if ct.Name == "chan" {
				return nil, fmt.Errorf("bench: the channel baseline fails its check: %w", err)
			}
			res.Excluded = append(res.Excluded, err.Error())
			continue
		}
		res.Contenders = append(res.Contenders, ct)
	}

	cells := plan(p, sel, res)
	prog := newProgress(cfg.Stderr, len(cells)*p.reps*len(res.Contenders))
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x1a7ec7))
	order := make([]int, len(res.Contenders))
	for _, c := range cells {
		runtime.GOMAXPROCS(c.procs)
		// Size the runs: one pilot per contender, which also warms up.
		sizes := make([]int, len(res.Contenders))
		broken := make([]bool, len(res.Contenders))
		for i, ct := range res.Contenders {
			prog.show(fmt.Sprintf("%s %s sizing impl=%s", c.scenario, c.label, ct.Name))
			n, err := c.sizeRun(ct, p.target)
			if err != nil {
				res.Errors = append(res.Errors, fmt.Sprintf("%s %s impl=%s pilot: %v", c.scenario, c.label, ct.Name, err))
				broken[i] = true
			}
			sizes[i] = n
		}
		for rep := range p.reps {
			for i := range order {
				order[i] = i
			}
			rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			// One collection per repetition, outside the timed runs; the
			// runs themselves allocate (almost) nothing.
			runtime.GC()
			for _, i := range order {
				ct := res.Contenders[i]
				prog.step(fmt.Sprintf("%s %s rep %d/%d impl=%s", c.scenario, c.label, rep+1, p.reps, ct.Name))
				if broken[i] {
					continue
				}
				mvs, err := c.run(ct, sizes[i])
				if err != nil {
					res.Errors = append(res.Errors, fmt.Sprintf("%s %s impl=%s rep %d: %v", c.scenario, c.label, ct.Name, rep+1, err))
					continue
				}
				for _, mv := range mvs {
					s := res.get(c, mv.metric, mv.unit, ct.Name)
					s.Items = sizes[i]
					s.Vals[rep], s.Bytes[rep], s.Allocs[rep] = mv.v, mv.bytes, mv.mallocs
				}
			}
		}
	}
	runtime.GOMAXPROCS(prev)
	res.sortSeries(cells)
	res.Duration = time.Since(start)
	res.Machine.Load1 = loadAvg()
	prog.finish(res.Duration)

	var errs []error
	if cfg.Out != "" {
		errs = append(errs, res.writeFiles(cfg.Out))
	}
	res.writeSummary(cfg.Stdout, cfg.Out)
	return res, errors.Join(errs...)
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
			cells = append(cells, cell{scenario: "batch", label: fmt.Sprintf("size=%d", size), procs: PrimaryProcs, size: size,
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
					out := make([]metricVal, 3)
					for i, name := range []string{"p50", "p99", "p99.9"} {
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
				m := runMemory(ct, memItems)
				res.memKind = m.rssKind
				nan := math.NaN()
				return []metricVal{
					{metric: "peak RSS", unit: "B/item", v: m.peakRSS, bytes: nan, mallocs: nan},
					{metric: "live heap", unit: "B/item", v: m.liveHeap, bytes: nan, mallocs: nan},
				}, nil
			}})
	}
	return cells
}

func mpmcLabel(procs, p, c, batch int) string {
	return fmt.Sprintf("procs=%d/p=%d/c=%d/batch=%d", procs, p, c, batch)
}

// parseMPMCLabel undoes mpmcLabel.
func parseMPMCLabel(label string) (procs, p, c, batch int) {
	fmt.Sscanf(label, "procs=%d/p=%d/c=%d/batch=%d", &procs, &p, &c, &batch)
	return procs, p, c, batch
}

// progress keeps one status line on stderr: rewritten in place on a
// terminal, a line every few seconds elsewhere.
type progress struct {
	w          io.Writer
	tty        bool
	total, n   int
	start      time.Time
	last       time.Time
	lastLabel  string
	lastLength int
}

func newProgress(w io.Writer, total int) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progress{w: w, tty: tty, total: total, start: time.Now()}
}

// step counts one run and shows it; show only shows.
func (p *progress) step(label string) {
	p.n++
	p.show(label)
}

func (p *progress) show(label string) {
	now := time.Now()
	if !p.tty && now.Sub(p.last) < 3*time.Second && !p.last.IsZero() {
		return
	}
	if p.tty && now.Sub(p.last) < 50*time.Millisecond {
		return
	}
	p.last = now
	el := now.Sub(p.start)
	eta := ""
	if p.n > 1 && p.n <= p.total {
		eta = fmt.Sprintf(", ~%s left", (el * time.Duration(p.total-p.n+1) / time.Duration(p.n-1)).Round(time.Second))
	}
	line := fmt.Sprintf("injectbench: %d/%d runs, %s%s: %s", p.n, p.total, el.Round(time.Second), eta, label)
	if p.tty {
		pad := max(0, p.lastLength-len(line))
		fmt.Fprintf(p.w, "\r%s%s", line, strings.Repeat(" ", pad))
		p.lastLength = len(line)
	} else {
		fmt.Fprintln(p.w, line)
	}
}

func (p *progress) finish(d time.Duration) {
	if p.tty {
		fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.lastLength)+"\r")
	}
	fmt.Fprintf(p.w, "injectbench: %d runs in %s\n", p.n, d.Round(100*time.Millisecond))
}
