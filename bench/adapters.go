package bench

import (
	"context"
	"fmt"
	"runtime"
	"sort"
	"strings"

	"github.com/puzpuzpuz/xsync/v4"

	"github.com/injectq/injectq/internal/chanq"
	"github.com/injectq/injectq/internal/ring"
	"github.com/injectq/injectq/queue"
)

// Item is what every contender moves: a pointer to a task-sized object
// (64 bytes, so that neighbouring items never share a cache line). Every
// item in a queue at one time is distinct, because the intrusive list
// links items through next.
type Item struct {
	next  *Item // the mutexlist contender's intrusive link; nobody else touches it
	Seq   uint64
	Stamp int64 // push time, ns since the run's start (latency scenario)
	_     [40]byte
}

// newItems returns n distinct items, Seq = 0..n-1, and pointers to them.
func newItems(n int) []*Item {
	arr := make([]Item, n)
	ptrs := make([]*Item, n)
	for i := range arr {
		arr[i].Seq = uint64(i)
		ptrs[i] = &arr[i]
	}
	return ptrs
}

// Queue is the one adapter interface every contender implements. Pop and
// PopN never block; Push and PushBatch block (spin) only while a bounded
// contender is full. A contender without batch operations loops.
type Queue interface {
	Push(v *Item)
	PushBatch(vs []*Item)
	Pop() (*Item, bool)
	PopN(dst []*Item) int
}

// Blocking is implemented by contenders whose consumers naturally block
// (the channel): scenarios that have consumers running concurrently with
// producers use PopWait instead of polling, and end the consumers with Stop.
type Blocking interface {
	// PopWait waits for at least one item and moves up to len(dst) items
	// into dst without waiting for more. stop reports that it took a stop
	// token (put in by Stop); the n items before it are still valid.
	PopWait(dst []*Item) (n int, stop bool)
	// Stop puts one stop token per consumer behind everything queued.
	Stop(consumers int)
}

// Contender describes one thing being measured.
type Contender struct {
	Name      string // the impl= name in benchmarks, tables and CSV
	Kind      string // "injectq", "baseline" or "peer"
	Bounded   bool   // New's capacity is a hard limit
	BatchPush bool   // PushBatch is one operation, not a loop
	BatchPop  bool   // PopN is one operation, not a loop
	Consumer  string // how its consumers wait when it is empty
	Notes     string // what it cannot do, and how the harness copes
	// New returns an empty queue. capacity is the peak number of items
	// the scenario can queue; only bounded contenders use it.
	New func(capacity int) Queue
}

// IsInjectq reports whether c is an injectq backend.
func (c Contender) IsInjectq() bool { return c.Kind == "injectq" }

// Contenders returns every contender available in this build: the injectq
// backends in queue.Backends() order, then the baselines and peers.
func Contenders() []Contender {
	var out []Contender
	for _, b := range queue.Backends() {
		name := b
		notes := "unbounded; PushBatch = one reservation CAS"
		if name == queue.DefaultBackend() {
			notes += "; the default backend"
		}
		out = append(out, Contender{
			Name: name, Kind: "injectq", BatchPush: true, BatchPop: true,
			Consumer: "poll + Gosched", Notes: notes,
			New: func(int) Queue { return injectqQ{newInjectq(name)} },
		})
	}
	// The default backend once more, with consumers that sleep in PopNWait
	// while the queue is empty (as the channel's do in a receive) instead
	// of polling: what blocking costs and buys.
	def := queue.DefaultBackend()
	out = append(out, Contender{
		Name: def + "-wait", Kind: "injectq", BatchPush: true, BatchPop: true,
		Consumer: "PopNWait (sleeps while empty)",
		Notes:    "the default backend, consumers sleeping in PopNWait; Stop is Close",
		New:      func(int) Queue { return injectqWaitQ{injectqQ{newInjectq(def)}} },
	})
	out = append(out,
		Contender{
			Name: "chan", Kind: "baseline", Bounded: true,
			Consumer: "blocking receive",
			Notes:    "bounded (capacity = scenario's peak occupancy); no batch ops: loops of sends/receives; consumers block in receive and end on a nil stop token",
			New:      func(capacity int) Queue { return chanQ{chanq.New[*Item](capacity)} },
		},
		Contender{
			Name: "mutexlist", Kind: "baseline", BatchPush: true, BatchPop: true,
			Consumer: "poll + Gosched",
			Notes:    "unbounded intrusive list (Tokio Inject / Go sched.runq): PushBatch links privately, splices in O(1) under the lock; PopN walks the list under the lock",
			New:      func(int) Queue { return new(mutexList) },
		},
		Contender{
			Name: "mutexring", Kind: "baseline", BatchPush: true, BatchPop: true,
			Consumer: "poll + Gosched",
			Notes:    "unbounded growable ring (internal/ring) under a sync.Mutex; batch = copy under one lock",
			New:      func(int) Queue { return new(ring.Ring[*Item]) },
		},
	)
	if lscqAvailable {
		out = append(out, Contender{
			Name: "lscq", Kind: "peer",
			Consumer: "poll + Gosched",
			Notes:    "unbounded (bytedance/gopkg lscq, 128-bit CAS); no batch ops: loops; each ring segment is 64Ki slots (1 MiB)",
			New:      newLSCQ,
		})
	}
	out = append(out, Contender{
		Name: "xsync", Kind: "peer", Bounded: true,
		Consumer: "poll + Gosched",
		Notes:    "bounded (capacity = scenario's peak occupancy, rounded up to a power of 2); no batch ops: loops; no blocking ops: a full TryEnqueue spins with Gosched",
		New:      func(capacity int) Queue { return xsyncQ{xsync.NewMPMCQueue[*Item](max(capacity, 1))} },
	})
	return out
}

// SelectContenders filters Contenders by name (nil or empty = all). The
// channel is always kept: every ratio is to it.
func SelectContenders(names []string) ([]Contender, error) {
	all := Contenders()
	if len(names) == 0 {
		return all, nil
	}
	want := map[string]bool{"chan": true}
	for _, n := range names {
		want[strings.TrimSpace(n)] = true
	}
	var out []Contender
	for _, c := range all {
		if want[c.Name] {
			out = append(out, c)
			delete(want, c.Name)
		}
	}
	if len(want) > 0 {
		var missing []string
		for n := range want {
			missing = append(missing, n)
		}
		sort.Strings(missing)
		var have []string
		for _, c := range all {
			have = append(have, c.Name)
		}
		return nil, fmt.Errorf("bench: unknown or unavailable contenders %s (have %s)", strings.Join(missing, ", "), strings.Join(have, ", "))
	}
	return out, nil
}

// injectq

type injectqQ struct{ q *queue.Queue[*Item] }

func (a injectqQ) Push(v *Item) {
	if err := a.q.Push(v); err != nil {
		panic(err)
	}
}

func (a injectqQ) PushBatch(vs []*Item) {
	if err := a.q.PushBatch(vs); err != nil {
		panic(err)
	}
}

func (a injectqQ) Pop() (*Item, bool)   { return a.q.Pop() }
func (a injectqQ) PopN(dst []*Item) int { return a.q.PopN(dst) }

func newInjectq(backend string) *queue.Queue[*Item] {
	q, err := queue.NewWithConfig(queue.Config[*Item]{Backend: backend})
	if err != nil {
		panic(err)
	}
	return q
}

// injectqWaitQ is an injectq queue whose consumers sleep in PopNWait while
// it is empty, like the channel's in a receive. Stop is Close, after which
// PopNWait hands out what is left and then reports ErrClosed.
type injectqWaitQ struct{ injectqQ }

func (a injectqWaitQ) PopWait(dst []*Item) (int, bool) {
	n, err := a.q.PopNWait(context.Background(), dst)
	return n, err != nil
}

func (a injectqWaitQ) Stop(int) { a.q.Close() }

// chan: a buffered channel (internal/chanq, shared with the queue
// package's benchmarks); nil is its stop token.

type chanQ struct{ chanq.Chan[*Item] }

func (c chanQ) PopWait(dst []*Item) (int, bool) {
	if len(dst) == 0 {
		return 0, false
	}
	v := <-c.Chan
	if v == nil {
		return 0, true
	}
	dst[0] = v
	for n := 1; n < len(dst); n++ {
		select {
		case v = <-c.Chan:
			if v == nil {
				return n, true
			}
			dst[n] = v
		default:
			return n, false
		}
	}
	return len(dst), false
}

func (c chanQ) Stop(consumers int) {
	for range consumers {
		c.Chan <- nil
	}
}

// xsync: bounded MPMCQueue with only TryEnqueue/TryDequeue. TryEnqueue and
// TryDequeue also fail when they lose a CAS to another goroutine, so the
// adapter retries a few times before it calls the queue full or empty.

type xsyncQ struct{ q *xsync.MPMCQueue[*Item] }

const xsyncTries = 4

func (a xsyncQ) Push(v *Item) {
	for i := 0; !a.q.TryEnqueue(v); i++ {
		if i >= xsyncTries {
			runtime.Gosched()
		}
	}
}

func (a xsyncQ) PushBatch(vs []*Item) {
	for _, v := range vs {
		a.Push(v)
	}
}

func (a xsyncQ) Pop() (*Item, bool) {
	for range xsyncTries {
		if v, ok := a.q.TryDequeue(); ok {
			return v, true
		}
	}
	return nil, false
}

// PopN is a loop of its own, as lscq's is, not a helper shared over Queue:
// that would call Pop through the interface, an indirect call per item
// that xsync's own users do not pay.
func (a xsyncQ) PopN(dst []*Item) int {
	for i := range dst {
		v, ok := a.Pop()
		if !ok {
			return i
		}
		dst[i] = v
	}
	return len(dst)
}
