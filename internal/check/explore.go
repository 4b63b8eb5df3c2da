package check

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"strconv"
	"strings"
)

// A Scenario is one test of the checker.
type Scenario struct {
	Name string
	// Run makes a fresh instance of the scenario (a new queue, say).
	Run func() Instance
	// Mutation is the deliberate bug to switch on (0: none); see
	// atom.Mutation.
	Mutation int
	// MaxSteps bounds a run; more is reported as a livelock (0: 10000).
	MaxSteps int
}

// An Instance is one run's worth of a scenario.
type Instance struct {
	// Goroutines are the goroutines of the run.
	Goroutines []func()
	// Check is the check after the run, with every goroutine finished:
	// it returns what is wrong ("" if nothing).
	Check func() string
	// Context, if set, describes the run for a failure's report (the
	// operations so far, say); it is called after any failure.
	Context func() string
}

// A Failure is a run that failed: its message and the schedule that
// produced it.
type Failure struct {
	Scenario string
	Message  string
	// Schedule is the goroutine chosen at each decision of the run.
	Schedule []int
	// Runs is how many runs it took to find, this one included.
	Runs int
	// How is how the schedule was found: a preemption bound or a seed.
	How string
	// Mutation is the scenario's deliberate bug (0: none).
	Mutation int
}

func (f *Failure) Error() string {
	return fmt.Sprintf("%s: %s\nfound after %d runs (%s); schedule %s\nreplay: %s", f.Scenario, f.Message, f.Runs, f.How,
		FormatSchedule(f.Schedule), f.Replay())
}

// Replay is the environment setting that runs this failure's schedule
// again (see ParseReplay).
func (f *Failure) Replay() string {
	m := ""
	if f.Mutation != 0 {
		m = fmt.Sprintf("mutation:%d=", f.Mutation)
	}
	return EnvReplay + "='" + m + f.Scenario + "=" + FormatSchedule(f.Schedule) + "'"
}

// EnvReplay names the environment variable whose value, scenario=schedule
// (mutation:N=scenario=schedule for a run with deliberate bug N), makes the
// checker's tests run that one schedule of that one scenario.
const EnvReplay = "INJECTQ_CHECK_REPLAY"

// FormatSchedule writes a schedule as goroutine numbers separated by
// commas, a run of n equal choices as g*n.
func FormatSchedule(s []int) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		j := i
		for j < len(s) && s[j] == s[i] {
			j++
		}
		if b.Len() > 0 {
			b.WriteByte(',')
		}
		b.WriteString(strconv.Itoa(s[i]))
		if j-i > 1 {
			fmt.Fprintf(&b, "*%d", j-i)
		}
		i = j
	}
	return b.String()
}

// ParseSchedule reads what FormatSchedule writes.
func ParseSchedule(s string) ([]int, error) {
	var out []int
	if s == "" {
		return out, nil
	}
	for _, f := range strings.Split(s, ",") {
		g, n, rep := strings.Cut(f, "*")
		v, err := strconv.Atoi(g)
		if err != nil {
			return nil, fmt.Errorf("check: schedule %q: %v", s, err)
		}
		count := 1
		if rep {
			if count, err = strconv.Atoi(n); err != nil || count < 1 {
				return nil, fmt.Errorf("check: schedule %q: bad count %q", s, n)
			}
		}
		for range count {
			out = append(out, v)
		}
	}
	return out, nil
}

// prefix follows a schedule, then lets the running goroutine go on as
// long as it can (and then the lowest-numbered one that can run): the
// schedule's continuation with no further preemption.
type prefix []int

func (p prefix) pick(k int, d decision) int {
	if k < len(p) {
		return p[k]
	}
	if d.curRuns {
		return d.cur
	}
	return bits.TrailingZeros32(d.enabled)
}

// once runs the scenario under p and returns the run, its failure
// including the scenario's own check.
func once(sc Scenario, p policy) *run {
	in := sc.Run()
	steps := sc.MaxSteps
	if steps == 0 {
		steps = 10000
	}
	r := execute(in.Goroutines, p, sc.Mutation, steps)
	if r.failure == "" {
		r.failure = in.Check()
	}
	if r.failure != "" && in.Context != nil {
		r.failure += "\n" + in.Context()
	}
	return r
}

func (r *run) schedule() []int {
	s := make([]int, len(r.trace))
	for i, d := range r.trace {
		s[i] = d.chosen
	}
	return s
}

// Explore runs every schedule of sc with at most bound preemptions,
// bound by bound from 0, as CHESS does, and stops at the first failure.
// runs[b] is how many schedules bound b took (each bound repeats those of
// the bounds below it); maxDecisions is the most decisions a run made.
func Explore(sc Scenario, bound int) (runs []int, maxDecisions int, f *Failure) {
	total := 0
	for b := 0; b <= bound; b++ {
		n, m, f := explore(sc, b, total)
		runs = append(runs, n)
		maxDecisions = max(maxDecisions, m)
		total += n
		if f != nil {
			return runs, maxDecisions, f
		}
	}
	return runs, maxDecisions, nil
}

// node is one decision on the path of the depth-first search.
type node struct {
	d       decision
	tried   uint32 // the choices already explored here
	preempt int    // preemptions in the decisions before this one
}

// explore is a stateless depth-first search over the schedules with at
// most bound preemptions: each run replays the path to the deepest
// decision with a choice left untried, takes it, and continues without
// preemption.
func explore(sc Scenario, bound, before int) (runs, maxDecisions int, f *Failure) {
	var path []node
	for {
		choices := make(prefix, len(path))
		for i, n := range path {
			choices[i] = n.d.chosen
		}
		r := once(sc, choices)
		runs++
		maxDecisions = max(maxDecisions, len(r.trace))
		if msg := diverges(r.trace, path); msg != "" && r.failure == "" {
			r.failure = msg
		}
		pre := 0
		if len(path) > 0 {
			last := path[len(path)-1]
			pre = last.preempt + b2i(last.d.preempts())
		}
		for _, d := range r.trace[len(path):] {
			path = append(path, node{d: d, tried: 1 << d.chosen, preempt: pre})
			pre += b2i(d.preempts())
		}
		if r.failure != "" {
			return runs, maxDecisions, &Failure{Scenario: sc.Name, Message: r.failure, Schedule: r.schedule(), Mutation: sc.Mutation,
				Runs: before + runs, How: fmt.Sprintf("every schedule with at most %d preemptions", bound)}
		}
		for len(path) > 0 {
			n := &path[len(path)-1]
			if c, ok := n.untried(bound); ok {
				n.tried |= 1 << c
				n.d.chosen = c
				break
			}
			path = path[:len(path)-1]
		}
		if len(path) == 0 {
			return runs, maxDecisions, nil
		}
	}
}

// diverges reports a run whose decisions along the replayed path saw other
// goroutines able to run than the run that recorded the path: the scenario
// is not deterministic given its schedule, and the search would be wrong.
func diverges(trace []decision, path []node) string {
	for i, n := range path {
		if i >= len(trace) {
			return fmt.Sprintf("the scenario is not deterministic: a replay ended at decision %d of %d", i, len(path))
		}
		if d := trace[i]; d.enabled != n.d.enabled || d.cur != n.d.cur || d.curRuns != n.d.curRuns {
			return fmt.Sprintf("the scenario is not deterministic: at decision %d a replay saw %s able to run (goroutine %d at the point), the recorded run %s (goroutine %d)",
				i, set(d.enabled), d.cur, set(n.d.enabled), n.d.cur)
		}
	}
	return ""
}

// untried returns a choice not yet explored at n that keeps the schedule
// within bound preemptions.
func (n *node) untried(bound int) (int, bool) {
	for alts := n.d.enabled &^ n.tried; alts != 0; {
		c := bits.TrailingZeros32(alts)
		alts &^= 1 << c
		if n.preempt+b2i(n.d.curRuns && c != n.d.cur) <= bound {
			return c, true
		}
	}
	return 0, false
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// pct is PCT's policy (Burckhardt et al., "A randomized scheduler with
// probabilistic guarantees of finding bugs"): goroutines run by random
// distinct priorities, highest first, and at depth-1 random decisions the
// running goroutine drops below every other.
type pct struct {
	prio   [MaxThreads]int
	change map[int]int // decision number -> the priority to drop to
}

func newPCT(rng *rand.Rand, depth, decisions int) *pct {
	p := &pct{change: map[int]int{}}
	for i, v := range rng.Perm(MaxThreads) {
		p.prio[i] = depth + v
	}
	// depth-1 distinct decisions (fewer if the runs are shorter).
	for i := 1; i < depth && len(p.change) < decisions; {
		if k := rng.IntN(decisions); p.change[k] == 0 {
			p.change[k] = depth - i
			i++
		}
	}
	return p
}

func (p *pct) pick(k int, d decision) int {
	if low, ok := p.change[k]; ok && d.cur >= 0 {
		p.prio[d.cur] = low
	}
	best := -1
	for s := d.enabled; s != 0; {
		c := bits.TrailingZeros32(s)
		s &^= 1 << c
		if best < 0 || p.prio[c] > p.prio[best] {
			best = c
		}
	}
	return best
}

// Sample runs n schedules of sc chosen by PCT with the given depth (the
// number of priority changes plus one) over runs of about decisions
// decisions, from a seed, and stops at the first failure.
func Sample(sc Scenario, n, depth, decisions int, seed uint64) *Failure {
	for i := range n {
		rng := rand.New(rand.NewPCG(seed, uint64(i)))
		r := once(sc, newPCT(rng, depth, decisions))
		if r.failure != "" {
			return &Failure{Scenario: sc.Name, Message: r.failure, Schedule: r.schedule(), Mutation: sc.Mutation, Runs: i + 1,
				How: fmt.Sprintf("PCT depth %d, seed %d, run %d", depth, seed, i)}
		}
	}
	return nil
}

// Replay runs sc once with schedule s (then without preemption, as
// Explore continues a schedule) and returns its failure, if any.
func Replay(sc Scenario, s []int) *Failure {
	r := once(sc, prefix(s))
	if r.failure == "" {
		return nil
	}
	return &Failure{Scenario: sc.Name, Message: r.failure, Schedule: r.schedule(), Mutation: sc.Mutation, Runs: 1, How: "replay"}
}
