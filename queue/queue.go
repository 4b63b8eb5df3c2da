package queue

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/injectq/injectq/internal/atom"
	"github.com/injectq/injectq/internal/skel"
)

var (
	// ErrClosed is returned by Push and PushBatch once the queue is closed;
	// the rejected items have been handed to Config.Release.
	ErrClosed = errors.New("queue: closed")
	// ErrUnknownBackend is returned (wrapped, with the name) by
	// NewWithConfig for a backend name that injectq does not have.
	ErrUnknownBackend = errors.New("queue: unknown backend")
	// ErrBackendUnavailable is returned (wrapped, with the name and the
	// reason) by NewWithConfig for a backend that this build or CPU lacks:
	// asm under -tags purego, native without cgo.
	ErrBackendUnavailable = errors.New("queue: backend unavailable")
	// ErrTooLarge is returned (wrapped, with the length) by PushBatch for a
	// batch of more than MaxBatch items, or of more than Config.Limit
	// items (which could never fit), before anything is reserved: the
	// queue is unchanged, and the items stay the caller's (Release does not
	// see them).
	ErrTooLarge = errors.New("queue: batch too large")
	// ErrFull is returned by Push and PushBatch when the queue has no room
	// for the push: it would then hold more than Config.Limit items, or
	// its blocks, from the first not yet recycled to the one of the push's
	// last item, would hold more than MaxLen slots. Nothing was reserved
	// and the items stay the caller's (Release does not see them). A
	// consumer stalled between its claim and its retirement keeps its
	// block and those after it from being recycled, so an unbounded queue
	// can be full while Len is far below MaxLen. PushWait and
	// PushBatchWait wait for room instead.
	ErrFull = errors.New("queue: full")
	// ErrTimedOut is returned by PopWaitTimer and PopNWaitTimer when their
	// timer fires while they sleep.
	ErrTimedOut = errors.New("queue: timed out")
	// ErrBadLimit is returned (wrapped, with the value) by NewWithConfig
	// for a Config.Limit below zero or above MaxLen.
	ErrBadLimit = errors.New("queue: bad limit")
)

const (
	// MaxBatch is the longest batch PushBatch takes.
	MaxBatch = 1 << 24
	// MaxLen is the most items a queue holds (2^32 with the default
	// layout): a push after which its blocks, from the first one not yet
	// recycled to the one of the push's last item, would have more than
	// MaxLen slots returns ErrFull. The check costs a push nothing (one
	// load) until the queue's memory has grown to within a block of that.
	MaxLen = maxBlocks * skel.B
)

// Queue is an unbounded lock-free multi-producer multi-consumer FIFO queue.
// The zero value is an empty open queue on the default backend with no
// Release hook. A Queue must not be copied after first use.
type Queue[T any] struct {
	_ noCopy
	c atomic.Pointer[core[T]]
}

// Config configures a queue made by NewWithConfig.
type Config[T any] struct {
	// Backend names the implementation of the atomic core: "" for the one
	// chosen at start-up (DefaultBackend), else one of Backends().
	Backend string
	// Release is called exactly once for each item that a closed queue
	// rejects and for each item Drain removes; nil drops them. It runs in
	// the goroutine that pushed (or drained), outside any critical section,
	// so it may use the queue: pop, push, drain, close. One thing it must
	// not do is push into this queue without checking IsClosed first: a
	// push that the closed queue rejects calls Release again, before it
	// returns, so a Release that always pushes back would recurse without
	// end. With the check, a push that races with Close recurses once more
	// and stops.
	Release func(T)
	// Limit bounds the queue: a push after which it would hold more than
	// Limit items returns ErrFull at once (PushWait and PushBatchWait wait
	// for room), and a batch longer than Limit returns ErrTooLarge. The
	// bound is exact: Len never exceeds Limit. It counts items pushed and
	// not yet claimed by a pop, so the memory it bounds is Limit items
	// plus those pops are still copying out. 0 means unbounded. A bounded
	// queue's pushes take the general path, in Go on every backend, which
	// also loads the consumers' head (README, "An optional bound", has the
	// cost); an unbounded queue's pushes and pops pay one load of a
	// read-mostly word for the option.
	Limit int
}

// New returns an empty queue on the start-up backend, without a Release hook.
func New[T any]() *Queue[T] { return newQueue[T](defaultBackend, nil, 0) }

// newQueue returns an empty queue with its first core and its wait state.
func newQueue[T any](b backend, release func(T), limit uint64) *Queue[T] {
	q := new(Queue[T])
	q.c.Store(newCore(b, release, limit, &q.c, newWaitState()))
	return q
}

// NewWithConfig returns an empty queue configured by c. The error wraps
// ErrUnknownBackend, ErrBackendUnavailable or ErrBadLimit.
func NewWithConfig[T any](c Config[T]) (*Queue[T], error) {
	if c.Limit < 0 || uint64(c.Limit) > MaxLen {
		return nil, fmt.Errorf("%w: %d (want 0 for none, or 1 to %d)", ErrBadLimit, c.Limit, uint64(MaxLen))
	}
	b := defaultBackend
	if c.Backend != "" {
		var err error
		if b, err = lookup(c.Backend); err != nil {
			return nil, err
		}
	}
	return newQueue(b, c.Release, uint64(c.Limit)), nil
}

func (q *Queue[T]) core() *core[T] {
	if c := loadPtr(&q.c); c != nil {
		return c
	}
	return q.initZero()
}

// initZero makes the zero Queue usable (kept out of core so that core
// inlines).
func (q *Queue[T]) initZero() *core[T] {
	casPtr(&q.c, nil, newCore[T](defaultBackend, nil, 0, &q.c, newWaitState()))
	return loadPtr(&q.c)
}

// Backend returns the name of the backend this queue runs on.
func (q *Queue[T]) Backend() string { return q.core().backend.String() }

// Push appends v. After Close it returns ErrClosed, and v has been handed
// to Release. A queue at its Limit or its capacity (MaxLen) returns
// ErrFull, and v stays the caller's (PushWait waits for room instead).
func (q *Queue[T]) Push(v T) error {
	// The single-item path of pushBatch, without its span and copy loop,
	// and written out here rather than called: it is the path most callers
	// hit.
	c := loadPtr(&q.c) // q.core(), which does not inline
	if c == nil {
		c = q.initZero()
	}
	if load64(&c.bounded) != 0 {
		return c.pushBatch([]T{v}) // a limit or the capacity checked (core.go)
	}
	// t is the reserved position, hint TailHint as read before the
	// reservation, r the block of t if known (backend.go's table, row 1).
	var t uint64
	var hint, r skel.Ref
	if c.backend == nativeBackend {
		var ok bool
		if t, hint, r, ok = c.reserveOneNative(); !ok {
			return c.pushRefused([]T{v}, ErrClosed)
		}
	} else {
		// fallback.Reserve(c.ctl, 1), written out: the call would not
		// inline in the user's package (door.go).
		ctl := c.ctl
		for {
			t = load64(&ctl.Tail)
			if t&skel.Closed != 0 {
				return c.pushRefused([]T{v}, ErrClosed)
			}
			hint = load64(&ctl.TailHint)
			if cas64(&ctl.Tail, t, t+1) {
				break
			}
		}
		r = hint
	}
	preemptAfterReserve()
	// The hint names t's block but once per block; only then walk.
	if !hasIdx(r) || refTag(r) != tagOf(t>>skel.LogB) {
		r = c.Locate(hint, t>>skel.LogB)
	}
	moveHint(&c.ctl.TailHint, hint, r)
	b, vb := c.block(refIdx(r))
	off := uint32(t) & (skel.B - 1)
	if atom.Checking && mutated(atom.PublishEarly) { // a deliberate bug, for the checker
		or64(&b.State[off/8], slotBit(off))
	}
	touch()
	vb[off] = v
	// fallback.Publish of one slot, on every backend: the assembly's plain
	// store, one locked instruction fewer, costs consumers that poll an
	// almost empty queue 1.7x (backend.go's table, footnote 1).
	or64(&b.State[off/8], slotBit(off))
	if load64(&c.w.waiters) != 0 {
		c.wakeUp()
	}
	return nil
}

// PushBatch appends vs as one contiguous run, all or nothing: no other
// push's items land between them, and a consumer sees them in order. After
// Close it returns ErrClosed and every item of vs has been handed to
// Release. An empty batch is a no-op (ErrClosed if the queue is closed).
// A batch of more than MaxBatch items, or of more than the queue's Limit,
// returns ErrTooLarge, and one that would fill the queue past its Limit or
// MaxLen ErrFull; neither reserves anything.
// The queue copies the items; the caller may reuse vs.
func (q *Queue[T]) PushBatch(vs []T) error {
	c := q.core()
	switch {
	case len(vs) == 0:
		if q.IsClosed() {
			return ErrClosed
		}
		return nil
	case len(vs) == 1:
		return q.Push(vs[0])
	case len(vs) > MaxBatch:
		return fmt.Errorf("%w: %d items, at most %d", ErrTooLarge, len(vs), MaxBatch)
	case c.limit != 0 && uint64(len(vs)) > c.limit:
		return fmt.Errorf("%w: %d items, more than the queue's limit of %d", ErrTooLarge, len(vs), c.limit)
	}
	return c.pushBatch(vs)
}

// Pop removes and returns the oldest item, or reports false if the queue is
// empty.
func (q *Queue[T]) Pop() (v T, ok bool) {
	// The single-item path of popN (see Push).
	c := loadPtr(&q.c)
	if c == nil {
		c = q.initZero()
	}
	var h uint64
	var r skel.Ref
	var b *skel.Block
	var vb *valBlock[T]
	if c.backend != nativeBackend { // backend.go's table, footnote 3
		// The published claim (below Pop).
		ctl := c.ctl
		for {
			h = load64(&ctl.Head)
			r = load64(&ctl.HeadHint)
			if !hasIdx(r) || refTag(r) != tagOf(h>>skel.LogB) {
				break
			}
			b, vb = c.block(refIdx(r))
			off := uint32(h) & (skel.B - 1)
			if load64(&b.State[off/8])&slotBit(off) == 0 && !(atom.Checking && mutated(atom.ClaimUnpublished)) {
				break
			}
			preemptBeforeHeadCAS()
			if cas64(&ctl.Head, h, h+1) {
				ok = true
				break
			}
		}
	}
	if !ok {
		if h, r, b, vb, ok = c.claimSlow(); !ok {
			if load64(&c.movedOn)|load64(&c.shrinkWanted) != 0 {
				return c.popEmpty()
			}
			return v, false
		}
	}
	if load64(&c.bounded) != 0 && load64(&c.w.roomWaiters) != 0 {
		c.wakeRoom(1) // the claim made room (wait.go)
	}
	off := uint32(h) & (skel.B - 1)
	// fallback.Retire(b, 1), written out (see Push).
	if atom.Checking && mutated(atom.RetireEarly) && add64(&b.Consumed, 1) == skel.B { // a deliberate bug, for the checker
		c.advance(r)
	}
	touch()
	v = vb[off]
	var zero T
	vb[off] = zero
	if !(atom.Checking && mutated(atom.RetireEarly)) && add64(&b.Consumed, 1) == skel.B {
		c.advance(r)
	}
	return v, true
}

// popEmpty is Pop's answer when it found c empty and the queue had moved
// on or wants to (emptyPop): pop from the successor, or nothing. Pop tests
// the two words inline first (see the README's design notes for what a
// call on the empty path cost).
func (c *core[T]) popEmpty() (v T, ok bool) {
	var one [1]T
	if c.popNEmpty(one[:], noEnd) == 1 {
		return one[0], true
	}
	return v, false
}

// The published claim: Pop claims the head position h if its slot is
// already published, without reading Ctl.Tail: a published slot was
// reserved, so h < Tail. Consumers then leave the producers' line alone,
// which under contention is one cache-line transfer fewer per pop (README,
// "Design notes"). It gives up, having claimed nothing, when HeadHint does
// not name h's block (once per block) or the slot is not published (an
// empty queue, or a producer between its reservation and its
// publication); claimSlow then decides. It is written out in Pop because
// as a method it is over the inliner's budget, and so a call.
//
// The state read is of the right block: HeadHint, read while Head was h,
// names h's block if its tag says so (see fallback.Claim), and that block
// stays in place while h is unclaimed. If the CAS succeeds, Head was h from
// the first load to the CAS (it only grows), so h was unclaimed when the
// state was read. If the block was recycled meanwhile, Head has moved and
// the CAS fails. The state load is an acquire: the value written before
// publication is visible.

// PopN removes up to len(dst) of the oldest items into dst, in FIFO order,
// and returns how many. It returns 0 when the queue is empty or dst is.
func (q *Queue[T]) PopN(dst []T) int {
	switch len(dst) {
	case 0:
		return 0
	case 1:
		v, ok := q.Pop()
		if !ok {
			return 0
		}
		dst[0] = v
		return 1
	}
	return q.core().popN(dst, noEnd) // moves on past a sealed core
}

// Len returns the number of items pushed and not yet popped: the items of
// every push whose reservation has happened (even if the push has not
// returned yet), less those a pop has claimed (even if it has not
// returned). It is linearizable, the number at one instant during the
// call, unless pushes land during each of its attempts (it makes four, of
// three loads each); then it returns a number no greater than the queue
// held at any instant of its last attempt, so never more than the most the
// queue held during the call.
func (q *Queue[T]) Len() int {
	n, _ := q.count()
	return n
}

// count is Len; exact reports that it is the count at one instant (the
// checker's model holds the other answer to the weaker bound).
func (q *Queue[T]) count() (n int, exact bool) {
	c := q.core()
	for {
		n, exact, sealed := c.count()
		if !sealed {
			return n, exact
		}
		c = c.moveOn() // c was empty from its seal on: count the successor
	}
}

// count is Len over c; sealed reports that c was sealed at the first load
// (its count is then 0 for good, and the queue's is its successor's).
func (c *core[T]) count() (n int, exact, sealed bool) {
	if atom.Checking && mutated(atom.LenHeadFirst) { // a deliberate bug, for the checker
		h := load64(&c.ctl.Head)
		t := load64(&c.ctl.Tail)
		return int(t&skel.PosMask - h), true, t&skel.Sealed != 0
	}
	for range c.lenTries {
		// The tail, the head, the tail again: if the tail did not move,
		// t-h is the count at the instant the head was read (the head
		// never passes the tail).
		t := load64(&c.ctl.Tail)
		if t&skel.Sealed != 0 {
			return 0, true, true
		}
		h := load64(&c.ctl.Head)
		if load64(&c.ctl.Tail) == t {
			return int(t&skel.PosMask - h), true, false
		}
	}
	// The tail first: t-h is at most the count at every instant between
	// the two loads (the tail only grows after the first, the head was
	// no larger before the second).
	t := load64(&c.ctl.Tail)
	if t&skel.Sealed != 0 {
		return 0, true, true
	}
	if h := load64(&c.ctl.Head); h < t&skel.PosMask {
		return int(t&skel.PosMask - h), false, false
	}
	return 0, false, false
}

// lenTries is how often Len tries for an exact count.
const lenTries = 4

// IsEmpty reports whether the queue holds no items. It is linearizable: if
// it returns true the queue was empty at an instant during the call, and
// if false it held an item at one. To learn that a queue is done (closed
// and drained), call IsClosed first and IsEmpty second: after a true
// IsClosed no push lands, so an empty queue stays empty. The other order
// can see the queue empty, then a push and the close, and lose that item.
// (All and Batches end at that point by themselves.)
func (q *Queue[T]) IsEmpty() bool {
	// The head first: a tail read after it equal to it means the queue
	// was empty at both loads; a larger one, that a reservation was ahead
	// of the head at the first load or landed between them. (A sealed
	// core was empty from its seal on; liveTail moves on past it.)
	_, h, t := q.liveTail()
	return t&skel.PosMask == h
}

// Close closes the queue to pushes; items already queued can still be
// popped or drained. It returns true only for the call that closed it.
func (q *Queue[T]) Close() bool {
	for c := q.core(); ; c = c.moveOn() {
		if c.close() {
			return true
		}
		if !c.sealed() {
			return false // closed by another call
		}
	}
}

// IsClosed reports whether Close has been called.
func (q *Queue[T]) IsClosed() bool {
	_, _, t := q.liveTail()
	return t&skel.Closed != 0
}

// Drain removes every item queued at the time of the call (less any that
// concurrent pops take first), hands each to Release in FIFO order, and
// returns how many it removed. It works on open and closed queues. If
// Release panics, the rest of the items Drain has already removed (at most
// 256) are still released, the panic continues, and items not yet removed
// stay queued.
func (q *Queue[T]) Drain() int {
	c := q.live()
	return c.drain(c.release)
}

// DrainTo is Drain with f in place of Release: it hands each item queued at
// the time of the call to f, in FIFO order, and returns how many. Release
// then sees only the items of rejected pushes (a pool that wants a hook
// for discarded accepted tasks passes it here). f may use the queue, as
// Release may; if f panics, DrainTo behaves as Drain does. A nil f drops
// the items.
func (q *Queue[T]) DrainTo(f func(T)) int { return q.live().drain(f) }

// String describes the queue for debugging.
func (q *Queue[T]) String() string {
	return fmt.Sprintf("queue.Queue[%s len=%d closed=%t]", q.Backend(), q.Len(), q.IsClosed())
}

// noCopy makes go vet's copylocks check flag copies of a Queue.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}
