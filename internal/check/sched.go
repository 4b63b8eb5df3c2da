// Package check explores the interleavings of injectq's pure-Go core, in
// the spirit of Tokio's loom and folly's DeterministicSchedule. Built with
// -tags injectq_check, every atomic of the core goes through package atom,
// which calls Point here first; the scheduler runs the goroutines of a
// scenario one at a time and decides, at each point, which one takes the
// next step. Go's atomics are sequentially consistent, so a run is fully
// described by that sequence of decisions, and enumerating the sequences
// enumerates every behaviour of the code under test.
//
// Explore enumerates every schedule with at most a given number of
// preemptions (a switch away from a goroutine that could have gone on),
// bound by bound, as CHESS does; Sample then runs schedules chosen at
// random with PCT-style priorities to reach deeper ones. Each run is
// checked by the caller; a failing run is reported with its schedule, a
// list of decisions that Replay runs again exactly.
//
// Loops that wait for another goroutine (a consumer waiting for a slot's
// publication) call Spin: the goroutine then cannot be scheduled until some
// other goroutine writes shared memory, and if every goroutine waits, the
// run is reported as a deadlock instead of hanging.
//
// This package is used only by tests built with the tag; in other builds
// nothing calls it.
package check

import (
	"fmt"
	"math/bits"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
)

// MaxThreads is how many goroutines a scenario may start.
const MaxThreads = 8

type state uint8

const (
	runnable state = iota
	spinning       // waits until another goroutine writes
	finished
)

type thread struct {
	id      int
	fn      func()
	wake    chan struct{}
	state   state
	arrived bool   // it has reached its first point (see starting)
	where   string // where it last began to spin, for a deadlock's report
}

// decision is one point at which more than one goroutine could run.
type decision struct {
	enabled uint32 // the goroutines that could run, as a bit set
	cur     int    // the goroutine that reached the point
	curRuns bool   // whether it could go on (else a switch is free)
	chosen  int
}

// preempts reports whether the choice switched away from a goroutine that
// could have gone on.
func (d decision) preempts() bool { return d.curRuns && d.chosen != d.cur }

// policy picks the goroutine at decision number k.
type policy interface {
	pick(k int, d decision) int
}

// run is one execution of a scenario.
type run struct {
	threads []*thread
	cur     *thread
	// starting: the goroutines are being run, one after another, up to
	// their first point, before any decision. What a goroutine does
	// before its first atomic touches nothing shared, so this loses no
	// behaviour, and without it "start g1, switch back at once" and "go on
	// with g0" would be two schedules of one behaviour.
	starting bool
	policy   policy
	trace    []decision
	steps    int
	maxSteps int
	mutation int
	failure  string
	aborting bool
	done     chan struct{}
	exited   sync.WaitGroup
}

// abortRun unwinds the goroutines of a run that has failed.
type abortRun struct{}

// active is the run in progress. Only the goroutine it has scheduled runs
// scenario code, so the scheduler's state needs no lock: every hand-over
// is a channel operation, which orders it.
var active *run

// Point is a scheduling point before an atomic operation; write says that
// the operation may store, which lets spinning goroutines run again.
// Outside a run (a scenario's set-up and checks) it does nothing.
func Point(write bool) {
	r := active
	if r == nil {
		return
	}
	r.step(r.cur)
	if write {
		// After the step, when the operation runs next without any other
		// goroutine running first: a spinner woken before the step could
		// begin to spin only after it, and miss the write.
		r.wakeSpinners()
	}
}

// Spin is a round of a wait for another goroutine: the caller cannot be
// scheduled again until some other goroutine writes. Outside a run it
// yields the processor.
func Spin() {
	r := active
	if r == nil {
		runtime.Gosched()
		return
	}
	t := r.cur
	t.state = spinning
	t.where = caller()
	r.step(t)
}

// Signal records a change that spinning goroutines may wait for but that
// no atomic of package atom made (a channel send or close, just done).
func Signal() {
	if r := active; r != nil {
		r.wakeSpinners()
		r.step(r.cur)
	}
}

// Mutation returns the deliberate bug the current run has switched on (0:
// none).
func Mutation() int {
	if r := active; r != nil {
		return r.mutation
	}
	return 0
}

// Now returns the number of steps the current run has taken: a clock for
// the start and end of the operations in a history.
func Now() int {
	if r := active; r != nil {
		return r.steps
	}
	return 0
}

func (r *run) wakeSpinners() {
	for _, t := range r.threads {
		if t.state == spinning {
			t.state = runnable
		}
	}
}

// step lets the policy choose who takes the next step after t's, and
// switches to it.
func (r *run) step(t *thread) {
	if r.aborting {
		panic(abortRun{})
	}
	from := t
	if r.starting {
		t.arrived = true
		if next := r.unstarted(); next != nil {
			r.switchTo(t, next)
			return
		}
		// All have arrived: the first decision is next, and as at the
		// start of a run nobody is running, so any choice is free.
		r.starting, from = false, nil
	}
	if r.steps++; r.steps > r.maxSteps {
		r.fail(fmt.Sprintf("no end after %d steps: a livelock, or a scenario too long for the checker", r.maxSteps))
	}
	next := r.choose(from)
	if next == nil {
		r.fail("deadlock: every goroutine that has not finished is waiting for another: " + r.waiting())
	}
	if r.aborting { // choose found the schedule does not fit
		panic(abortRun{})
	}
	if next != t {
		r.switchTo(t, next)
	}
}

// switchTo hands the run from t to next and waits until t is scheduled
// again.
func (r *run) switchTo(t, next *thread) {
	r.cur = next
	next.wake <- struct{}{}
	<-t.wake
	if r.aborting {
		panic(abortRun{})
	}
}

// unstarted returns the first goroutine that has not reached its first
// point, nil if all have.
func (r *run) unstarted() *thread {
	for _, th := range r.threads {
		if !th.arrived && th.state != finished {
			return th
		}
	}
	return nil
}

// choose returns the goroutine that runs next, nil if none can; a choice
// between two or more is a decision, recorded in the trace. It does not
// unwind: a schedule that does not fit sets aborting, for the caller.
func (r *run) choose(t *thread) *thread {
	var enabled uint32
	for i, th := range r.threads {
		if th.state == runnable {
			enabled |= 1 << i
		}
	}
	switch bits.OnesCount32(enabled) {
	case 0:
		return nil
	case 1:
		return r.threads[bits.TrailingZeros32(enabled)]
	}
	d := decision{enabled: enabled, cur: -1}
	if t != nil {
		d.cur, d.curRuns = t.id, t.state == runnable
	}
	d.chosen = r.policy.pick(len(r.trace), d)
	if d.chosen < 0 || d.chosen >= len(r.threads) || enabled&(1<<d.chosen) == 0 {
		if r.failure == "" {
			r.failure = fmt.Sprintf("the schedule does not fit this run at decision %d (goroutine %d chosen, %s can run): the scenario or the code changed since it was recorded",
				len(r.trace), d.chosen, set(enabled))
		}
		r.aborting = true
		d.chosen = bits.TrailingZeros32(enabled)
	}
	r.trace = append(r.trace, d)
	return r.threads[d.chosen]
}

// fail ends the run with a failure (the first one counts) and unwinds the
// calling goroutine.
func (r *run) fail(msg string) {
	if r.failure == "" {
		r.failure = msg
	}
	r.aborting = true
	panic(abortRun{})
}

// exit is the end of goroutine t: it hands over to the next one, or ends
// the run.
func (r *run) exit(t *thread, p any) {
	if p != nil {
		if _, ok := p.(abortRun); !ok && r.failure == "" {
			r.failure = fmt.Sprintf("goroutine %d panicked: %v\n%s", t.id, p, debug.Stack())
		}
		r.aborting = true
	}
	t.state = finished
	var next *thread
	if r.starting {
		if next = r.unstarted(); next == nil {
			r.starting = false
		}
	}
	if next != nil {
		// go on starting the others
	} else if r.aborting {
		for _, th := range r.threads {
			if th.state != finished {
				next = th
				break
			}
		}
	} else if next = r.choose(nil); next == nil {
		for _, th := range r.threads {
			if th.state != finished {
				r.failure = "deadlock: every goroutine that has not finished is waiting for another: " + r.waiting()
				r.aborting = true
				next = th
				break
			}
		}
	}
	if next == nil {
		close(r.done)
		return
	}
	r.cur = next
	next.wake <- struct{}{}
}

// execute runs fns as the goroutines of one run under p and returns the
// run (its trace, steps and failure).
func execute(fns []func(), p policy, mutation, maxSteps int) *run {
	if len(fns) < 1 || len(fns) > MaxThreads {
		panic(fmt.Sprintf("check: a scenario has 1 to %d goroutines, not %d", MaxThreads, len(fns)))
	}
	r := &run{policy: p, mutation: mutation, maxSteps: maxSteps, done: make(chan struct{})}
	for i, fn := range fns {
		r.threads = append(r.threads, &thread{id: i, fn: fn, wake: make(chan struct{}, 1)})
	}
	for _, t := range r.threads {
		r.exited.Add(1)
		go func() {
			defer r.exited.Done()
			<-t.wake
			defer func() { r.exit(t, recover()) }()
			if r.aborting {
				panic(abortRun{})
			}
			t.fn()
		}()
	}
	active = r
	r.starting = true
	first := r.threads[0]
	r.cur = first
	first.wake <- struct{}{}
	<-r.done
	r.exited.Wait()
	active = nil
	return r
}

// caller names the functions that called Spin, innermost first.
func caller() string {
	pc := make([]uintptr, 8)
	frames := runtime.CallersFrames(pc[:runtime.Callers(3, pc)])
	var out []string
	for {
		f, more := frames.Next()
		out = append(out, fmt.Sprintf("%s:%d", f.Function, f.Line))
		if !more || strings.HasSuffix(f.Function, "TestCheck") {
			break
		}
	}
	return strings.Join(out, " < ")
}

// waiting lists the goroutines that wait, and where.
func (r *run) waiting() string {
	var out []string
	for _, t := range r.threads {
		if t.state == spinning {
			out = append(out, fmt.Sprintf("goroutine %d at %s", t.id, t.where))
		}
	}
	return strings.Join(out, "; ")
}

// set formats a bit set of goroutines.
func set(s uint32) string {
	out := "{"
	for s != 0 {
		i := bits.TrailingZeros32(s)
		s &^= 1 << i
		out += fmt.Sprint(i)
		if s != 0 {
			out += ","
		}
	}
	return out + "}"
}
