// The run loop: Run checks the contenders, plans the cells, sizes and
// measures every cell, and writes the outputs.

package bench

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"runtime"
	"time"

	"github.com/injectq/injectq/queue"
)

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
	sel, err := selectScenarios(cfg.Scenario)
	if err != nil {
		return nil, err
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
		series: map[seriesKey]*Series{}, lat: map[string]map[string][]int64{}, timelines: map[string][]heapSample{},
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
	for _, c := range cells {
		res.measure(c, p, prog, rng)
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

// measure runs one cell: a pilot run per contender sizes its timed runs,
// then p.reps repetitions run every contender once, in an order rng
// shuffles afresh for each.
func (r *Results) measure(c cell, p params, prog *progress, rng *rand.Rand) {
	runtime.GOMAXPROCS(c.procs)
	// Size the runs: one pilot per contender, which also warms up.
	sizes := make([]int, len(r.Contenders))
	broken := make([]bool, len(r.Contenders))
	for i, ct := range r.Contenders {
		prog.show(fmt.Sprintf("%s %s sizing impl=%s", c.scenario, c.label, ct.Name))
		n, err := c.sizeRun(ct, p.target)
		if err != nil {
			r.Errors = append(r.Errors, fmt.Sprintf("%s %s impl=%s pilot: %v", c.scenario, c.label, ct.Name, err))
			broken[i] = true
		}
		sizes[i] = n
	}
	order := make([]int, len(r.Contenders))
	for rep := range p.reps {
		for i := range order {
			order[i] = i
		}
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		// One collection per repetition, outside the timed runs; the
		// runs themselves allocate (almost) nothing.
		runtime.GC()
		for _, i := range order {
			ct := r.Contenders[i]
			prog.step(fmt.Sprintf("%s %s rep %d/%d impl=%s", c.scenario, c.label, rep+1, p.reps, ct.Name))
			if broken[i] {
				continue
			}
			mvs, err := c.run(ct, sizes[i])
			if err != nil {
				r.Errors = append(r.Errors, fmt.Sprintf("%s %s impl=%s rep %d: %v", c.scenario, c.label, ct.Name, rep+1, err))
				continue
			}
			for _, mv := range mvs {
				s := r.seriesFor(c, mv.metric, mv.unit, ct.Name)
				s.Items = sizes[i]
				s.Vals[rep], s.Bytes[rep], s.Allocs[rep] = mv.v, mv.bytes, mv.mallocs
			}
		}
	}
}

// sizeRun returns how many items a timed run of ct should move: target's
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
