//go:build injectq_check

package queue

// The interleaving checker's scenarios (go test -tags injectq_check -run
// TestCheck ./queue; `make check`). Under the tag every atomic of the
// pure-Go core is a scheduling point of internal/check, blocks have 8
// slots, and only the fallback backend exists. Each scenario is run under
// every schedule with at most checkBound preemptions, then under PCT
// samples, and every run is checked: each item popped or released exactly
// once, each producer's items in order and each batch contiguous, the
// history linearizable against a FIFO model (Len and IsEmpty included),
// the block census whole, and no goroutine left waiting.

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/injectq/injectq/internal/atom"
	"github.com/injectq/injectq/internal/check"
	"github.com/injectq/injectq/internal/coretest"
)

// deeper names the scenarios small enough to search exhaustively with
// one preemption more than checkBound within the time make test allows.
var deeper = map[string]bool{"reuse": true, "full": true, "never-full": true, "stale-hint": true, "len-fallback": true}

const (
	// checkBound is the preemption bound of the exhaustive search.
	checkBound = 2
	// checkSamples is how many PCT schedules each scenario runs past it,
	// at depth 3 (two priority changes).
	checkSamples = 10000
	checkDepth   = 3
)

// Inputs and outputs of the operations in a history.
type (
	pushIn    struct{ vs []int } // Push (one item) or PushBatch
	popIn     struct{}
	popNIn    struct{ n int }
	popWaitIn struct{}
	closeIn   struct{}
	lenIn     struct{}
	emptyIn   struct{}
	shrinkIn  struct{}
	popOut    struct {
		v  int
		ok bool
	}
	lenOut struct {
		n     int
		exact bool
	}
)

func (p pushIn) String() string { return fmt.Sprintf("push%v", p.vs) }
func (popIn) String() string    { return "pop" }
func (p popNIn) String() string { return fmt.Sprintf("popN(%d)", p.n) }
func (popWaitIn) String() string {
	return "popWait"
}
func (closeIn) String() string  { return "close" }
func (lenIn) String() string    { return "len" }
func (emptyIn) String() string  { return "isEmpty" }
func (shrinkIn) String() string { return "shrink" }

// world is one instance of a scenario: a queue, and what its goroutines
// did to it.
type world struct {
	q        *Queue[int]
	c        *core[int]
	ops      []check.Op
	pushed   map[int]bool // accepted: the push returned nil
	rejected map[int]bool // the push returned ErrClosed
	full     map[int]bool // the push returned ErrFull
	// got is what each goroutine popped, in its order (PopWait included);
	// released is what Release saw, and drained what Drain's Release saw.
	got      [check.MaxThreads][]int
	released []int
	drains   []drainCall
	inDrain  bool
	// onRelease, if set, runs inside Release (after it is recorded).
	onRelease func(v int)
	// linear says whether the history must be linearizable (Drain is not
	// one atomic operation, so scenarios with it check its own rule).
	linear bool
	// mayFill says the scenario can fill its queue: otherwise ErrFull is
	// a failure.
	mayFill bool
	// limit is the queue's Config.Limit (0: none).
	limit int
	// quit ends a Waiter's sleep (waiterOnce) once closed.
	quit chan struct{}
}

type drainCall struct {
	start, end int
	// firstRelease is the step of Drain's first Release: Drain has read
	// the tail that bounds it by then.
	firstRelease int
	released     []int
}

func newWorld() *world { return newWorldLimit(0) }

// newWorldLimit is newWorld for a queue with Config.Limit limit.
func newWorldLimit(limit int) *world {
	w := &world{pushed: map[int]bool{}, rejected: map[int]bool{}, full: map[int]bool{}, linear: true, limit: limit, mayFill: limit > 0, quit: make(chan struct{})}
	q, err := NewWithConfig(Config[int]{Backend: "fallback", Limit: limit, Release: func(v int) {
		w.released = append(w.released, v)
		if w.inDrain {
			d := &w.drains[len(w.drains)-1]
			if len(d.released) == 0 {
				d.firstRelease = check.Now()
			}
			d.released = append(d.released, v)
		}
		if w.onRelease != nil {
			w.onRelease(v)
		}
	}})
	if err != nil {
		panic(err)
	}
	w.q, w.c = q, q.core()
	checkCores = nil
	return w
}

// cores returns every core the queue has used, the first one first.
func (w *world) cores() []*core[int] {
	cs := []*core[int]{w.c}
	for _, c := range checkCores {
		cs = append(cs, c.(*core[int]))
	}
	return cs
}

// record runs f as goroutine g's next operation and adds it to the history.
func (w *world) record(g int, in any, f func() any) any {
	start := check.Now()
	out := f()
	w.ops = append(w.ops, check.Op{Thread: g, Start: start, End: check.Now(), Input: in, Output: out})
	return out
}

func (w *world) pushed1(vs []int, err error) {
	for _, v := range vs {
		switch {
		case err == nil:
			w.pushed[v] = true
		case errors.Is(err, ErrClosed):
			w.rejected[v] = true
		case errors.Is(err, ErrFull):
			w.full[v] = true
		}
	}
}

func (w *world) push(g int, v int) {
	err, _ := w.record(g, pushIn{[]int{v}}, func() any { return w.q.Push(v) }).(error)
	w.pushed1([]int{v}, err)
}

func (w *world) pushBatch(g int, vs ...int) {
	err, _ := w.record(g, pushIn{vs}, func() any { return w.q.PushBatch(vs) }).(error)
	w.pushed1(vs, err)
}

// pushWait records PushWait as a push: it returns nil or ErrClosed, and
// takes effect at its last attempt.
func (w *world) pushWait(g int, v int) {
	err, _ := w.record(g, pushIn{[]int{v}}, func() any { return w.q.PushWait(context.Background(), v) }).(error)
	w.pushed1([]int{v}, err)
}

func (w *world) shrink(g int) {
	if w.record(g, shrinkIn{}, func() any { return w.q.Shrink() }).(bool) {
		shrinks++
	}
}

// shrinks counts the runs' Shrinks that retired an arena, so that TestCheck
// can require the shrink scenarios to reach it.
var shrinks int

func (w *world) pop(g int) {
	o := w.record(g, popIn{}, func() any { v, ok := w.q.Pop(); return popOut{v, ok} }).(popOut)
	if o.ok {
		w.got[g] = append(w.got[g], o.v)
	}
}

func (w *world) popN(g, n int) {
	vs := w.record(g, popNIn{n}, func() any {
		buf := make([]int, n)
		return buf[:w.q.PopN(buf)]
	}).([]int)
	w.got[g] = append(w.got[g], vs...)
}

func (w *world) popWait(g int) {
	o := w.record(g, popWaitIn{}, func() any {
		v, err := w.q.PopWait(context.Background())
		return popOut{v, err == nil}
	}).(popOut)
	if o.ok {
		w.got[g] = append(w.got[g], o.v)
	}
}

// popNWait is PopNWait, outside the linearizability check (its fair share
// takes fewer items than are queued, which the FIFO model's PopN does
// not describe).
func (w *world) popNWait(g, n int) {
	w.linear = false
	buf := make([]int, n)
	if k, err := w.q.PopNWait(context.Background(), buf); err == nil {
		w.got[g] = append(w.got[g], buf[:k]...)
	}
}

// waiterOnce is one round of a Waiter's select loop, outside the
// linearizability check (as popNWait): a PopN, and if it arms the Waiter, a
// sleep on C or on w.quit, then Stop. A pop of its own is handed on as a push
// of v, so that whoever waits for an item still gets one.
func (w *world) waiterOnce(g int, v int) {
	w.linear = false
	wt := w.q.NewWaiter()
	buf := make([]int, 1)
	n, err := wt.PopN(buf)
	if n > 0 {
		w.got[g] = append(w.got[g], buf[0])
		w.push(g, v)
		return
	}
	if err != nil {
		return // closed and empty
	}
	sleep(wt.C, w.quit, nil)
	wt.Stop()
}

func (w *world) close(g int) { w.record(g, closeIn{}, func() any { return w.q.Close() }) }

func (w *world) len(g int) {
	o := w.record(g, lenIn{}, func() any { n, exact := w.q.count(); return lenOut{n, exact} }).(lenOut)
	if !o.exact {
		inexactLens++
	}
}

// inexactLens counts the runs' Len calls that took the fallback, so that
// TestCheck can require the len-fallback scenario to reach it.
var inexactLens int

func (w *world) isEmpty(g int) { w.record(g, emptyIn{}, func() any { return w.q.IsEmpty() }) }

func (w *world) drain(g int) {
	w.linear = false
	w.drains = append(w.drains, drainCall{start: check.Now()})
	w.inDrain = true
	w.q.Drain()
	w.inDrain = false
	w.drains[len(w.drains)-1].end = check.Now()
}

// prefill pushes vs and pops k of them before the run (outside it), so
// that the run starts with a chain that already has blocks and hints.
func (w *world) prefill(vs []int, k int) {
	if err := w.q.PushBatch(vs); err != nil {
		panic(err)
	}
	for range k {
		w.q.Pop()
	}
	for _, v := range vs[k:] {
		w.pushed[v] = true
	}
	w.ops = append(w.ops, check.Op{Thread: -1, Start: -1, End: -1, Input: pushIn{vs[k:]}, Output: error(nil)})
}

// verify is the check after a run: everything else follows from the
// goroutines having finished.
func (w *world) verify() string {
	// What is left, popped once more outside the run, counts as a last
	// goroutine's pops.
	var rest []int
	for {
		v, ok := w.q.Pop()
		if !ok {
			break
		}
		rest = append(rest, v)
	}
	seen := map[int]string{}
	take := func(v int, how string) string {
		if prev, dup := seen[v]; dup {
			return fmt.Sprintf("item %d %s and %s", v, prev, how)
		}
		seen[v] = how
		return ""
	}
	for g, vs := range w.got {
		for _, v := range vs {
			if msg := take(v, fmt.Sprintf("popped by goroutine %d", g)); msg != "" {
				return msg
			}
		}
	}
	for _, v := range rest {
		if msg := take(v, "still queued"); msg != "" {
			return msg
		}
	}
	for _, v := range w.released {
		if msg := take(v, "released"); msg != "" {
			return msg
		}
	}
	for v, how := range seen {
		switch {
		case w.pushed[v] && how == "released" && !w.drained(v):
			return fmt.Sprintf("item %d was accepted and then released by a push", v)
		case w.rejected[v] && how != "released":
			return fmt.Sprintf("item %d was rejected (ErrClosed) and then %s", v, how)
		case !w.pushed[v] && !w.rejected[v]:
			return fmt.Sprintf("item %d (%s) was never pushed (or was refused as full)", v, how)
		}
	}
	for v := range w.pushed {
		if _, ok := seen[v]; !ok {
			return fmt.Sprintf("item %d was accepted and is gone", v)
		}
	}
	for v := range w.rejected {
		if _, ok := seen[v]; !ok {
			return fmt.Sprintf("item %d was rejected and never released", v)
		}
	}
	if msg := w.order(rest); msg != "" {
		return msg
	}
	if msg := w.drainRule(); msg != "" {
		return msg
	}
	for _, c := range w.cores() { // every arena the queue used
		if blocks, chain, free := coretest.Census(c.arena); chain+free != blocks {
			return fmt.Sprintf("census: %d blocks in the chain + %d free != %d allocated", chain, free, blocks)
		}
	}
	if n, m := load64(&w.c.w.waiters), load64(&w.c.w.roomWaiters); n != 0 || m != 0 {
		return fmt.Sprintf("sleepers still counted after the run: %d consumers, %d producers", n, m)
	}
	if len(w.full) > 0 && !w.mayFill {
		return fmt.Sprintf("ErrFull from a queue that cannot be full (refused %v)", slices.Sorted(maps.Keys(w.full)))
	}
	if w.linear && !check.Linearizable(fifoModel(w.limit), w.ops) {
		return "the history is not linearizable against a FIFO queue"
	}
	return ""
}

func (w *world) drained(v int) bool {
	for _, d := range w.drains {
		if slices.Contains(d.released, v) {
			return true
		}
	}
	return false
}

// order checks that every consumer saw each producer's items in order
// (items are producer*100 + sequence), and each batch contiguous.
func (w *world) order(rest []int) string {
	lists := append(w.got[:], rest)
	for _, d := range w.drains {
		lists = append(lists, d.released)
	}
	for _, vs := range lists {
		last := map[int]int{}
		for _, v := range vs {
			p := v / 100
			if prev, ok := last[p]; ok && v < prev {
				return fmt.Sprintf("producer %d's item %d came after its item %d", p, v, prev)
			}
			last[p] = v
		}
	}
	// A batch is contiguous: within what one claim took (a PopN), the
	// items of a batch stand together and in order.
	for _, op := range w.ops {
		got, ok := op.Output.([]int)
		if _, isPopN := op.Input.(popNIn); !ok || !isPopN {
			continue
		}
		for _, b := range w.ops {
			in, ok := b.Input.(pushIn)
			if !ok || len(in.vs) < 2 {
				continue
			}
			first, last := -1, -1
			for i, v := range got {
				if slices.Contains(in.vs, v) {
					if first < 0 {
						first = i
					}
					last = i
				}
			}
			if first < 0 {
				continue
			}
			k := slices.Index(in.vs, got[first])
			if k+last-first >= len(in.vs) || !slices.Equal(got[first:last+1], in.vs[k:k+last-first+1]) {
				return fmt.Sprintf("batch %v not contiguous in the claim %v", in.vs, got)
			}
		}
	}
	return ""
}

// drainRule: Drain releases no item whose push began after Drain had read
// the tail that bounds it, as it had by its first Release (the item's
// position is past that tail): its own Release's pushes among them.
func (w *world) drainRule() string {
	for _, d := range w.drains {
		for _, v := range d.released {
			for _, op := range w.ops {
				if in, ok := op.Input.(pushIn); ok && slices.Contains(in.vs, v) && op.Start >= d.firstRelease {
					return fmt.Sprintf("Drain released item %d, whose push began at step %d, after Drain's first Release (step %d)", v, op.Start, d.firstRelease)
				}
			}
		}
	}
	return ""
}

// skeleton describes the control words and the blocks, for a failure.
func (w *world) skeleton() string {
	var b strings.Builder
	for i, core := range w.cores() {
		c := core.ctl
		fmt.Fprintf(&b, "arena %d: tail %#x head %d headblk %#x tailhint %#x headhint %#x free %#x\n", i, c.Tail, c.Head, c.HeadBlk, c.TailHint, c.HeadHint, c.Free)
		blocks, _, _ := coretest.Census(core.arena)
		for i := range uint32(blocks) {
			bl := core.arena.Block(i)
			fmt.Fprintf(&b, "\tblock %d at %p: next %#x freenext %d consumed %d state %#x\n", i, bl, bl.Next, bl.FreeNext, bl.Consumed, bl.State)
		}
	}
	return b.String()
}

func (w *world) history() string {
	var lines []string
	for _, op := range w.ops {
		lines = append(lines, op.String())
	}
	return strings.Join(lines, "\n\t")
}

// fifoModel is the sequential specification of a queue with Config.Limit
// limit: the queued items and the closed flag, encoded in a string.
func fifoModel(limit int) check.Model[string] {
	return check.Model[string]{Init: "", Step: func(s string, op check.Op) (string, bool) { return fifoStep(s, op, limit) }}
}

func fifoStep(s string, op check.Op, limit int) (string, bool) {
	closed := strings.HasPrefix(s, "x")
	var items []int
	for _, f := range strings.Fields(strings.TrimPrefix(s, "x")) {
		var v int
		fmt.Sscan(f, &v)
		items = append(items, v)
	}
	enc := func(items []int, closed bool) string {
		var b strings.Builder
		if closed {
			b.WriteString("x")
		}
		for _, v := range items {
			fmt.Fprintf(&b, " %d", v)
		}
		return b.String()
	}
	switch in := op.Input.(type) {
	case pushIn:
		err, _ := op.Output.(error)
		switch {
		case closed:
			return s, errors.Is(err, ErrClosed)
		case errors.Is(err, ErrFull) && limit > 0:
			return s, len(items)+len(in.vs) > limit // refused only if it did not fit
		case errors.Is(err, ErrFull):
			return s, true // the capacity: no effect (verify limits when)
		case err != nil:
			return s, false
		}
		return enc(append(items, in.vs...), closed), limit == 0 || len(items)+len(in.vs) <= limit
	case popIn:
		o := op.Output.(popOut)
		if len(items) == 0 {
			return s, !o.ok
		}
		return enc(items[1:], closed), o.ok && o.v == items[0]
	case popWaitIn:
		o := op.Output.(popOut)
		if !o.ok {
			return s, closed && len(items) == 0
		}
		if len(items) == 0 {
			return s, false
		}
		return enc(items[1:], closed), o.v == items[0]
	case popNIn:
		got := op.Output.([]int)
		if len(got) == 0 {
			return s, len(items) == 0
		}
		if len(got) > in.n || len(got) > len(items) || !slices.Equal(got, items[:len(got)]) {
			return s, false
		}
		return enc(items[len(got):], closed), true
	case closeIn:
		return enc(items, true), op.Output.(bool) == !closed
	case lenIn:
		// Exact, or no more than at an instant of the call (Len's doc).
		o := op.Output.(lenOut)
		return s, o.n == len(items) || !o.exact && o.n <= len(items)
	case emptyIn:
		return s, op.Output.(bool) == (len(items) == 0)
	case shrinkIn:
		// No visible effect; it may succeed only on an empty open queue.
		return s, !op.Output.(bool) || len(items) == 0 && !closed
	}
	return s, false
}

// items returns producer p's items from..from+n-1.
func items(p, from, n int) []int {
	vs := make([]int, n)
	for i := range vs {
		vs[i] = p*100 + from + i
	}
	return vs
}

// scenario builds a check.Scenario from a set-up that returns the world
// and its goroutines.
func scenario(name string, setup func() (*world, []func())) check.Scenario {
	return check.Scenario{Name: name, Run: func() check.Instance {
		w, gs := setup()
		return check.Instance{Goroutines: gs, Check: w.verify, Context: func() string { return "history:\n\t" + w.history() + "\n" + w.skeleton() }}
	}}
}

// scenarios are the checker's scenarios; every one crosses a block.
var scenarios = []check.Scenario{
	// Single pushes and pops across a block boundary, with the first block
	// recycled while the pops race.
	scenario("push-pop", func() (*world, []func()) {
		w := newWorld()
		w.prefill(items(9, 0, 7), 5) // positions 0-6, head at 5
		return w, []func(){
			func() { w.push(0, 100); w.push(0, 101) },
			func() { w.pop(1); w.pop(1) },
			func() { w.pop(2); w.pop(2) },
		}
	}),
	// Batches that cross blocks against single pushes and batch pops.
	scenario("batches", func() (*world, []func()) {
		w := newWorld()
		w.prefill(items(9, 0, 6), 6)
		return w, []func(){
			func() { w.pushBatch(0, items(1, 0, 4)...) },
			func() { w.push(1, 200); w.push(1, 201) },
			func() { w.popN(2, 3); w.popN(2, 4) },
		}
	}),
	// Growth from an empty free stack: two batches need new chunks at once.
	scenario("grow", func() (*world, []func()) {
		w := newWorld()
		return w, []func(){
			func() { w.pushBatch(0, items(1, 0, 6)...) },
			func() { w.pushBatch(1, items(2, 0, 5)...) },
			func() { w.popN(2, 8) },
		}
	}),
	// Close against pushes and pops: each item popped, or rejected and
	// released, once.
	scenario("close", func() (*world, []func()) {
		w := newWorld()
		w.prefill(items(9, 0, 7), 6)
		return w, []func(){
			func() { w.pushBatch(0, items(1, 0, 3)...); w.push(0, 150) },
			func() { w.close(1); w.pop(1) },
			func() { w.popN(2, 3) },
		}
	}),
	// A block recycled by a pop and reused at once by a batch push.
	scenario("reuse", func() (*world, []func()) {
		w := newWorld()
		w.prefill(items(9, 0, 15), 7) // positions 7-14; the head at block 0's last slot
		return w, []func(){
			func() { w.push(0, 100); w.pushBatch(0, items(1, 1, 8)...) },
			func() { w.pop(1); w.pop(1) },
		}
	}),
	// Drain against pops and a push, its Release pushing one item back.
	scenario("drain", func() (*world, []func()) {
		w := newWorld()
		w.prefill(items(9, 0, 7), 3)
		first := true
		w.onRelease = func(v int) {
			if first {
				first = false
				_ = w.q.Push(800 + v%100)
				w.pushed[800+v%100] = true
				w.ops = append(w.ops, check.Op{Thread: 0, Start: check.Now(), End: check.Now(), Input: pushIn{[]int{800 + v%100}}})
			}
		}
		return w, []func(){
			func() { w.drain(0) },
			func() { w.pop(1); w.pop(1) },
			func() { w.push(2, 300) },
		}
	}),
	// A sleeping consumer and its wake-up, and Close waking the other.
	sleepScenario("popwait", (*world).popWait, (*world).popWait, func(w *world) { w.push(2, 100); w.close(2) }),
	// Close against two sleeping consumers and two producers waiting for
	// room: Close wakes one of each itself here (closeWakeups), and the
	// one it wakes must wake the other.
	sleepScenario("close-sleepers", (*world).popWait, (*world).popWait, func(w *world) { w.close(2) }),
	scenario("close-pushers", func() (*world, []func()) {
		w := newWorldLimit(1)
		w.prefill(items(9, 0, 1), 0)
		return w, []func(){
			func() { w.pushWait(0, 100) },
			func() { w.pushWait(1, 101) },
			func() { w.close(2) },
		}
	}),
	// A Waiter that takes the wake-up token of another sleeper and Stops
	// without a pop: its Stop must wake that sleeper.
	sleepScenario("waiter-stop", waiterRound, popWaitThenQuit, func(w *world) { w.push(2, 100) }),
	// The same against Close: a Waiter that takes Close's one token here
	// must hand it on from its Stop.
	sleepScenario("waiter-close", waiterRound, popWaitThenQuit, func(w *world) { w.close(2) }),
	// Len and IsEmpty while single pushes and pops cross a block.
	scenario("len", func() (*world, []func()) {
		w := newWorld()
		w.prefill(items(9, 0, 7), 6)
		return w, []func(){
			func() { w.push(0, 100); w.push(0, 101) },
			func() { w.pop(1); w.pop(1) },
			func() { w.len(2); w.isEmpty(2); w.len(2) },
		}
	}),
	// Len when pushes land through every attempt: one attempt only here,
	// so that the checker reaches the fallback's answer.
	scenario("len-fallback", func() (*world, []func()) {
		w := newWorld()
		w.c.lenTries = 1
		w.prefill(items(9, 0, 7), 6)
		return w, []func(){
			func() { w.push(0, 100); w.pop(0); w.push(0, 101); w.pop(0) },
			func() { w.len(1); w.len(1) },
		}
	}),
	// A queue near its capacity (two blocks here): pushes are refused with
	// ErrFull, never lost, and pops make room.
	scenario("full", func() (*world, []func()) {
		w := newWorld()
		w.mayFill = true
		w.c.maxBlocks, w.c.nearFullAt = 2, 0
		w.prefill(items(9, 0, 12), 4)
		return w, []func(){
			func() { w.pushBatch(0, items(1, 0, 3)...); w.push(0, 150) },
			func() { w.pushBatch(1, items(2, 0, 2)...) },
			func() { w.popN(2, 4) },
		}
	}),
	// The capacity check of a queue that cannot fill (three blocks, never
	// more than ten items over two): no push may be refused as full.
	scenario("never-full", func() (*world, []func()) {
		w := newWorld()
		w.c.maxBlocks, w.c.nearFullAt = 3, 0
		w.prefill(items(9, 0, 1), 1)
		return w, []func(){
			func() { w.push(0, 500) },
			func() { w.pushBatch(1, items(1, 0, 9)...); w.popN(1, 9) },
		}
	}),
}

// The scenarios of arena retirement, of Config.Limit, and of sleeping
// without a Close at the end (a Close wakes every sleeper, and so would
// hide a lost wake-up).
var shrinkScenarios = []check.Scenario{
	// Two sleepers and three single pushes: every push's wake-up reaches a
	// sleeper, and woken consumers stay counted until they pop.
	scenario("sleep-two", func() (*world, []func()) {
		w := newWorld()
		w.prefill(items(9, 0, 7), 7)
		return w, []func(){
			func() { w.popWait(0); w.popWait(0) },
			func() { w.popWait(1) },
			func() { w.push(2, 100); w.push(2, 101); w.push(2, 102) },
		}
	}),
	// PopNWait's fair share beside a PopWait, fed a batch and one more.
	sleepScenario("sleep-share", popNWait2, (*world).popWait, func(w *world) { w.pushBatch(2, 100, 101); w.push(2, 102) }),
	// A batch into the two: the one it wakes takes its share and must
	// wake the other for the rest.
	sleepScenario("sleep-batch", popNWait2, (*world).popWait, func(w *world) { w.pushBatch(2, 100, 101, 102) }),
	// Two sleepers across a retirement, woken by pushes into the successor.
	scenario("sleep-shrink", func() (*world, []func()) {
		w := newWorld()
		w.prefill(items(9, 0, 9), 9)
		return w, []func(){
			func() { w.popWait(0) },
			func() { w.popWait(1) },
			func() { w.shrink(2); w.push(2, 100); w.push(2, 101) },
		}
	}),
	// Shrink racing pushes and pops that cross a block: the queue moves
	// on only while empty, and nothing is lost or reordered across the
	// move, whichever goroutine finds the seal first.
	scenario("shrink", func() (*world, []func()) {
		w := newWorld()
		w.prefill(items(9, 0, 10), 8) // two arenas' chunks; two items left
		return w, []func(){
			func() { w.pop(0); w.shrink(0); w.pop(0) },
			func() { w.push(1, 100); w.pushBatch(1, items(1, 1, 2)...) },
			func() { w.pop(2); w.shrink(2); w.len(2) },
		}
	}),
	// Shrink against Close and pushes: Close closes the queue exactly once
	// wherever it lives, and no push lands after it.
	scenario("shrink-close", func() (*world, []func()) {
		w := newWorld()
		w.prefill(items(9, 0, 9), 9) // empty, grown past its first block
		return w, []func(){
			func() { w.shrink(0); w.isEmpty(0) },
			func() { w.close(1) },
			func() { w.push(2, 100); w.push(2, 101) },
		}
	}),
	// A consumer asleep in an arena that is retired: it stays asleep on
	// the queue's wait state, and it finds the item pushed into the
	// successor.
	scenario("shrink-wait", func() (*world, []func()) {
		w := newWorld()
		w.prefill(items(9, 0, 9), 9)
		return w, []func(){
			func() { w.popWait(0) },
			func() { w.shrink(1); w.push(1, 100) },
		}
	}),
	// Config.Limit: pushes refused with ErrFull only when they would not
	// fit, never past the limit, and pops making room, across a block.
	scenario("limit", func() (*world, []func()) {
		w := newWorldLimit(3)
		for range 6 { // the head at position 6
			_ = w.q.Push(0)
			w.q.Pop()
		}
		w.prefill(items(9, 0, 2), 0) // positions 6-7 queued, the next block ahead
		return w, []func(){
			func() { w.push(0, 100); w.pushBatch(0, items(1, 1, 2)...) },
			// One goroutine, so that the pop ends before the push
			// begins (a goroutine's first operation begins at step 0).
			func() { w.pop(1); w.push(1, 200); w.popN(1, 2) },
		}
	}),
	// A producer waiting for room is woken by a pop, or by Close.
	scenario("pushwait", func() (*world, []func()) {
		w := newWorldLimit(1)
		w.prefill(items(9, 0, 1), 0)
		return w, []func(){
			func() { w.pushWait(0, 100); w.pushWait(0, 101) },
			func() { w.pop(1); w.close(1) },
		}
	}),
}

// sleepScenario: an empty queue whose first block is used up, and three
// goroutines: g0 as goroutine 0, g1 as 1, g2's wake-ups.
func sleepScenario(name string, g0, g1 func(w *world, g int), g2 func(w *world)) check.Scenario {
	return scenario(name, func() (*world, []func()) {
		w := newWorld()
		w.prefill(items(9, 0, 7), 7)
		return w, []func(){
			func() { g0(w, 0) },
			func() { g1(w, 1) },
			func() { g2(w) },
		}
	})
}

// The sleepers of sleepScenario's goroutines 0 and 1, besides popWait.
func popNWait2(w *world, g int)       { w.popNWait(g, 2) }
func waiterRound(w *world, g int)     { w.waiterOnce(g, 200) }
func popWaitThenQuit(w *world, g int) { w.popWait(g); close(w.quit); signal() }

// staleHint is a scenario whose consumers start from a head hint that
// names a block recycled since (a state the hints' contract allows: its
// number is below the head's block), so that the walk must see the tag
// of the recycled block's link and restart.
var staleHint = scenario("stale-hint", func() (*world, []func()) {
	w := newWorld()
	if err := w.q.PushBatch(items(9, 0, 8)); err != nil { // block 0
		panic(err)
	}
	w.q.Pop()
	old := w.c.ctl.HeadHint // block 0
	for range 7 {
		w.q.Pop() // block 0 consumed and recycled
	}
	w.prefill(items(8, 0, 20), 4) // blocks 1-3, block 0's memory reused
	w.c.ctl.HeadHint = old
	return w, []func(){
		func() { w.popN(0, 5) },
		func() { w.pop(1); w.pop(1) },
	}
})

func TestCheck(t *testing.T) {
	if r := os.Getenv(check.EnvReplay); r != "" {
		replay(t, r)
		return
	}
	for _, sc := range allScenarios() {
		t.Run(sc.Name, func(t *testing.T) {
			bound := checkBound
			if deeper[sc.Name] {
				bound++
			}
			inexactLens, shrinks = 0, 0
			runs, decisions, f := check.Explore(sc, bound)
			if f != nil {
				t.Fatal(f)
			}
			if f := check.Sample(sc, checkSamples, checkDepth, decisions, 1); f != nil {
				t.Fatal(f)
			}
			if sc.Name == "len-fallback" && inexactLens == 0 {
				t.Fatal("no run reached Len's fallback")
			}
			if strings.HasPrefix(sc.Name, "shrink") && shrinks == 0 {
				t.Fatal("no run retired an arena")
			}
			t.Logf("%s: %v schedules with at most 0..%d preemptions, then %d PCT samples; up to %d decisions a run",
				sc.Name, runs, bound, checkSamples, decisions)
		})
	}
}

// mutations pairs each deliberate bug with the scenario that must catch it.
var mutations = []struct {
	m        atom.Mutation
	name     string
	scenario check.Scenario
}{
	{atom.DrainPastEnd, "Drain's bound (review finding 2)", named("drain")},
	{atom.LocateNoTag, "no tag check in Locate", staleHint},
	{atom.RetireEarly, "retire before the value is read", named("reuse")},
	{atom.PublishEarly, "publication before the value is written", named("push-pop")},
	{atom.ClaimUnpublished, "the published claim without its state check", named("push-pop")},
	{atom.LenHeadFirst, "Len's head read before its tail (review finding 3)", named("len")},
	{atom.BoundTailFirst, "the bounded reservation's tail read before HeadBlk", named("never-full")},
	{atom.SealNotEmpty, "Shrink sealing a queue that holds items", named("shrink")},
	{atom.LimitNoRecheck, "ErrFull without the limit's second look at the head", named("limit")},
	{atom.NoSecondLook, "a consumer sleeps without its second look", named("sleep-two")},
	{atom.WokenNoPassOn, "a woken consumer that leaves items wakes nobody", named("sleep-batch")},
	{atom.StopNoPassOn, "a Waiter's Stop keeps a wake-up it took", named("waiter-stop")},
	{atom.StopNoPassOn, "a Waiter's Stop keeps Close's wake-up", named("waiter-close")},
	{atom.NoSecondLookClose, "a consumer's second look misses the close", named("close-sleepers")},
	{atom.NoCloseHandOn, "a sleeper woken on a closed queue wakes nobody", named("close-sleepers")},
	{atom.NoCloseHandOn, "a producer woken on a closed queue wakes nobody", named("close-pushers")},
}

func allScenarios() []check.Scenario {
	return append(append(slices.Clip(scenarios), shrinkScenarios...), staleHint)
}

// named returns the scenario called name.
func named(name string) check.Scenario {
	for _, sc := range allScenarios() {
		if sc.Name == name {
			return sc
		}
	}
	panic("no scenario " + name)
}

// TestCheckCatchesMutations switches on each deliberate bug in turn and
// requires the checker to find it, saying after how many schedules.
func TestCheckCatchesMutations(t *testing.T) {
	if os.Getenv(check.EnvReplay) != "" {
		t.Skip("replaying one schedule")
	}
	for _, mu := range mutations {
		t.Run(mu.scenario.Name+"/"+strings.ReplaceAll(mu.name, " ", "_"), func(t *testing.T) {
			sc := mu.scenario
			sc.Mutation = int(mu.m)
			runs, decisions, f := check.Explore(sc, checkBound)
			if f == nil {
				f = check.Sample(sc, checkSamples, checkDepth, decisions, 1)
			}
			if f == nil {
				t.Fatalf("mutation %q not caught (%v schedules, %d PCT samples)", mu.name, runs, checkSamples)
			}
			t.Logf("mutation %q caught after %d schedules (%s): %s; %s", mu.name, f.Runs, f.How, firstLine(f.Message), f.Replay())
		})
	}
}

func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return line
}

// replay runs one schedule: INJECTQ_CHECK_REPLAY=scenario=schedule, as a
// failure prints it (add mutation:N= before the scenario for a mutant).
func replay(t *testing.T, spec string) {
	mutation := 0
	if rest, ok := strings.CutPrefix(spec, "mutation:"); ok {
		n, tail, _ := strings.Cut(rest, "=")
		fmt.Sscan(n, &mutation)
		spec = tail
	}
	name, sched, _ := strings.Cut(spec, "=")
	s, err := check.ParseSchedule(sched)
	if err != nil {
		t.Fatal(err)
	}
	sc := named(name)
	sc.Mutation = mutation
	if f := check.Replay(sc, s); f != nil {
		t.Fatal(f)
	}
	t.Logf("%s: schedule %s passes", name, check.FormatSchedule(s))
}
