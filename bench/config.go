// The run configuration: what a run measures (Config, the scenarios and
// their selection) and how big it is (params, per mode, and the constants
// every mode shares).

package bench

import (
	"fmt"
	"io"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"time"
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
			latRate: 20000, latDur: 500 * time.Millisecond, latCons: []int{1, 4}, memItems: 1000000}, nil
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

// selectScenarios turns the -scenario flag into the set of scenarios to
// run, adding what "alloc" and "crossover" need.
func selectScenarios(spec string) (map[string]bool, error) {
	re, err := compileScenario(spec)
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
		return nil, fmt.Errorf("bench: -scenario %q matches none of %s (or alloc, crossover)", spec, strings.Join(Scenarios, ", "))
	}
	return sel, nil
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
