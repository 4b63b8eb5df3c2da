package queue

import (
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/injectq/injectq/fallback"
	"github.com/injectq/injectq/internal/chain"
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
	// so it may use the queue.
	Release func(T)
}

// New returns an empty queue on the start-up backend, without a Release hook.
func New[T any]() *Queue[T] {
	q := new(Queue[T])
	q.c.Store(newCore[T](defaultBackend, nil))
	return q
}

// NewWithConfig returns an empty queue configured by c. The error wraps
// ErrUnknownBackend or ErrBackendUnavailable.
func NewWithConfig[T any](c Config[T]) (*Queue[T], error) {
	b := defaultBackend
	if c.Backend != "" {
		var err error
		if b, err = lookup(c.Backend); err != nil {
			return nil, err
		}
	}
	q := new(Queue[T])
	q.c.Store(newCore(b, c.Release))
	return q, nil
}

func (q *Queue[T]) core() *core[T] {
	if c := q.c.Load(); c != nil {
		return c
	}
	return q.initZero()
}

// initZero makes the zero Queue usable (kept out of core so that core
// inlines).
func (q *Queue[T]) initZero() *core[T] {
	q.c.CompareAndSwap(nil, newCore[T](defaultBackend, nil))
	return q.c.Load()
}

// Backend returns the name of the backend this queue runs on.
func (q *Queue[T]) Backend() string { return q.core().backend.String() }

// Push appends v. After Close it returns ErrClosed, and v has been handed
// to Release.
func (q *Queue[T]) Push(v T) error {
	// The single-item path of pushBatch, without its span and copy loop,
	// and written out here rather than called: it is the path most callers
	// hit.
	c := q.c.Load() // q.core(), which does not inline
	if c == nil {
		c = q.initZero()
	}
	// t is the reserved position, hint TailHint as read before the
	// reservation, r the block of t if known (backend.go's table, row 1).
	var t uint64
	var hint, r skel.Ref
	var ok bool
	if c.backend == nativeBackend {
		t, hint, r, ok = c.reserveOneNative()
	} else {
		t, hint, ok = fallback.Reserve(c.ctl, 1)
		r = hint
	}
	if !ok {
		releaseAll(c.release, []T{v})
		return ErrClosed
	}
	preemptAfterReserve()
	// The hint names t's block but once per block; only then walk.
	if !skel.HasIdx(r) || skel.RefTag(r) != skel.TagOf(t>>skel.LogB) {
		r = c.Locate(hint, t>>skel.LogB)
	}
	chain.MoveHint(&c.ctl.TailHint, hint, r)
	b, vb := c.block(skel.RefIdx(r))
	off := uint32(t) & (skel.B - 1)
	vb[off] = v
	atomic.OrUint64(&b.State[off/8], skel.SlotBit(off)) // fallback.Publish of one slot
	if c.waiters.Load() != 0 {
		c.wakeUp(1)
	}
	return nil
}

// PushBatch appends vs as one contiguous run, all or nothing: no other
// push's items land between them, and a consumer sees them in order. After
// Close it returns ErrClosed and every item of vs has been handed to
// Release. An empty batch is a no-op (ErrClosed if the queue is closed).
// The queue copies the items; the caller may reuse vs.
func (q *Queue[T]) PushBatch(vs []T) error {
	c := q.core()
	switch len(vs) {
	case 0:
		if c.isClosed() {
			return ErrClosed
		}
		return nil
	case 1:
		return q.Push(vs[0])
	}
	return c.pushBatch(vs)
}

// Pop removes and returns the oldest item, or reports false if the queue is
// empty.
func (q *Queue[T]) Pop() (v T, ok bool) {
	// The single-item path of popN (see Push).
	c := q.c.Load()
	if c == nil {
		c = q.initZero()
	}
	var h uint64
	var r skel.Ref
	if c.backend != nativeBackend { // backend.go's table, footnote 3
		h, r, ok = c.claimPublished()
	}
	if !ok {
		if h, r, ok = c.claimSlow(); !ok {
			return v, false
		}
	}
	b, vb := c.block(skel.RefIdx(r))
	off := uint32(h) & (skel.B - 1)
	v = vb[off]
	var zero T
	vb[off] = zero
	if fallback.Retire(b, 1) {
		c.advance(r)
	}
	return v, true
}

// claimPublished claims the head position h if its slot is already
// published, without reading Ctl.Tail: a published slot was reserved, so
// h < Tail. Consumers then leave the producers' line alone, which under
// contention is one cache-line transfer fewer per pop (README, "Design
// notes"). It reports false, having claimed nothing, when HeadHint does not
// name h's block (once per block) or the slot is not published (an empty
// queue, or a producer between its reservation and its publication);
// claimSlow then decides.
//
// The state read is of the right block: HeadHint, read while Head was h,
// names h's block if its tag says so (see fallback.Claim), and that block
// stays in place while h is unclaimed. If the CAS succeeds, Head was h from
// the first load to the CAS (it only grows), so h was unclaimed when the
// state was read. If the block was recycled meanwhile, Head has moved and
// the CAS fails. The state load is an acquire: the value written before
// publication is visible.
func (c *core[T]) claimPublished() (h uint64, r skel.Ref, ok bool) {
	for {
		h = atomic.LoadUint64(&c.ctl.Head)
		r = atomic.LoadUint64(&c.ctl.HeadHint)
		if !skel.HasIdx(r) || skel.RefTag(r) != skel.TagOf(h>>skel.LogB) {
			return 0, 0, false
		}
		b, _ := c.block(skel.RefIdx(r))
		off := uint32(h) & (skel.B - 1)
		if atomic.LoadUint64(&b.State[off/8])&(skel.SlotBit(off)) == 0 {
			return 0, 0, false
		}
		preemptBeforeHeadCAS()
		if atomic.CompareAndSwapUint64(&c.ctl.Head, h, h+1) {
			return h, r, true
		}
	}
}

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
	return q.core().popN(dst)
}

// Len returns the number of items pushed and not yet popped. While
// operations race it counts batches whose reservation has happened (even if
// their push has not returned yet) and excludes items already claimed by a
// pop in progress; it is exact when nothing is in flight.
func (q *Queue[T]) Len() int {
	c := q.core()
	// Head first: the tail read after it is at least as large.
	h := atomic.LoadUint64(&c.ctl.Head)
	return int(atomic.LoadUint64(&c.ctl.Tail)&skel.PosMask - h)
}

// IsEmpty reports whether Len() == 0.
func (q *Queue[T]) IsEmpty() bool { return q.Len() == 0 }

// Close closes the queue to pushes; items already queued can still be
// popped or drained. It returns true only for the call that closed it.
func (q *Queue[T]) Close() bool { return q.core().close() }

// IsClosed reports whether Close has been called.
func (q *Queue[T]) IsClosed() bool { return q.core().isClosed() }

// Drain removes every item queued at the time of the call (less any that
// concurrent pops take first), hands each to Release in FIFO order, and
// returns how many it removed. It works on open and closed queues. If
// Release panics, the rest of the items Drain has already removed (at most
// 256) are still released, the panic continues, and items not yet removed
// stay queued.
func (q *Queue[T]) Drain() int { return q.core().drain() }

func (c *core[T]) isClosed() bool {
	return atomic.LoadUint64(&c.ctl.Tail)&skel.Closed != 0
}

// String describes the queue for debugging.
func (q *Queue[T]) String() string {
	return fmt.Sprintf("queue.Queue[%s len=%d closed=%t]", q.Backend(), q.Len(), q.IsClosed())
}

// noCopy makes go vet's copylocks check flag copies of a Queue.
type noCopy struct{}

func (*noCopy) Lock()   {}
func (*noCopy) Unlock() {}
