// What a run measured: Results and its Series, and the lookups that the
// report, the CSV and the plots read them through.

package bench

import (
	"fmt"
	"math"
	"sort"
	"time"
)

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
	// timelines[impl] is the memory scenario's burst-idle timeline.
	timelines map[string][]heapSample
}

// seriesFor returns the series of one metric of cell c and contender
// impl, creating it (every repetition missing) on first use.
func (r *Results) seriesFor(c cell, metric, unit, impl string) *Series {
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

// impls returns the measured contenders' names, in Contenders order.
func (r *Results) impls() []string {
	var out []string
	for _, c := range r.Contenders {
		out = append(out, c.Name)
	}
	return out
}

// contender returns the measured contender named impl.
func (r *Results) contender(impl string) (Contender, bool) {
	for _, c := range r.Contenders {
		if c.Name == impl {
			return c, true
		}
	}
	return Contender{}, false
}

func (r *Results) has(impl string) bool {
	_, ok := r.contender(impl)
	return ok
}

func (r *Results) isInjectq(impl string) bool {
	c, ok := r.contender(impl)
	return ok && c.IsInjectq()
}

// displayName is impl as tables and legends show it: the default backend
// marked with *.
func (r *Results) displayName(impl string) string {
	if impl == r.Default {
		return impl + "*"
	}
	return impl
}

// cellsOf returns the labels of a scenario's measured cells, in plan
// order.
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
