package queue

import (
	"context"
	"sync/atomic"

	"github.com/injectq/injectq/internal/skel"
)

// parking lets consumers sleep while the queue is empty. It is off the
// lock-free path: a producer only loads core.waiters (one plain load on
// amd64 and arm64) and touches the channels when somebody sleeps.
//
// The protocol is an eventcount. A consumer announces itself (waiters+1),
// then looks at the queue once more, then sleeps. A producer reserves (its
// CAS on the tail), publishes, then loads waiters. Both orders are
// sequentially consistent, so either the consumer's second look sees the
// reservation (and takes the item, waiting for its publication if need
// be), or the producer sees the consumer and wakes it. No wakeup is lost.
type parking struct {
	wake   chan struct{} // one token per sleeper to wake
	closed chan struct{} // closed once c takes no more pushes
	shut   uint64        // 1 once closed is
}

// wakeTokens bounds the tokens in flight: a woken consumer that takes an
// item passes the wakeup on if more are waiting and items remain, so a few
// tokens wake any number of sleepers.
const wakeTokens = 64

// The same parking serves producers waiting for room (PushWait), with
// roomWaiters and roomParked in place of waiters and parked, and consumers'
// claims in place of producers' reservations.

// park returns the parking *pp, creating it on first use.
func (c *core[T]) park(pp *atomic.Pointer[parking]) *parking {
	if p := loadPtr(pp); p != nil {
		return p
	}
	p := &parking{wake: make(chan struct{}, wakeTokens), closed: make(chan struct{})}
	if !casPtr(pp, nil, p) {
		return loadPtr(pp)
	}
	if c.tailClosed() { // a Close or seal that ran before the CAS found no parking
		p.shutDown()
	}
	return p
}

// wake wakes up to n of the sleepers counted by *waiters on parking *pp.
func wake(pp *atomic.Pointer[parking], waiters *uint64, n int) {
	p := loadPtr(pp)
	for n = min(maxWakeups(n), int(load64(waiters))); n > 0; n-- {
		select {
		case p.wake <- struct{}{}:
			signal()
		default:
			return // enough tokens are in flight
		}
	}
}

// wakeUp wakes up to n sleeping consumers. Producers call it after they
// publish, when waiters is not zero.
func (c *core[T]) wakeUp(n int) { wake(&c.parked, &c.waiters, n) }

// wakeRoom wakes up to n producers waiting for room. Consumers call it
// after a claim of n, when bounded is set and roomWaiters is not zero.
func (c *core[T]) wakeRoom(n int) { wake(&c.roomParked, &c.roomWaiters, n) }

// shutDown wakes every sleeper of p for good.
func (p *parking) shutDown() {
	if p != nil && cas64(&p.shut, 0, 1) {
		close(p.closed)
		signal()
	}
}

// closeParkings wakes every sleeper, consumer or producer, for good; called
// by the Close that closed c and by the seal that retired it (and by park
// if it lost that race). Woken consumers find the queue closed and empty,
// or moved on; woken producers find it closed, or moved on.
func (c *core[T]) closeParkings() {
	loadPtr(&c.parked).shutDown()
	loadPtr(&c.roomParked).shutDown()
}

// PopWait removes and returns the oldest item, sleeping while the queue is
// empty. It returns ErrClosed once the queue is closed and empty, and
// ctx.Err() if ctx ends first. Sleeping consumers cost producers nothing
// until an item arrives; then a producer wakes one per item it pushed.
func (q *Queue[T]) PopWait(ctx context.Context) (T, error) {
	var v T
	_, err := q.popNWait(ctx, func() int {
		var ok bool
		if v, ok = q.Pop(); ok {
			return 1
		}
		return 0
	})
	return v, err
}

// PopNWait is PopN that sleeps while the queue is empty: it returns n > 0
// items, or 0 and ErrClosed once the queue is closed and empty, or 0 and
// ctx.Err() if ctx ends first. A zero-length dst returns 0, nil at once.
func (q *Queue[T]) PopNWait(ctx context.Context, dst []T) (int, error) {
	if len(dst) == 0 {
		return 0, nil
	}
	return q.popNWait(ctx, func() int { return q.PopN(dst) }) // len 1: Pop's path
}

// popNWait runs pop, which pops from the queue (moving on past sealed
// cores), until it returns n > 0, sleeping between tries.
func (q *Queue[T]) popNWait(ctx context.Context, pop func() int) (int, error) {
	for slept := false; ; slept = true {
		// Closed first, then empty: no push can land after the close.
		c, _, t := q.liveTail()
		closed := t&skel.Closed != 0
		if n := pop(); n > 0 {
			if slept {
				c.passOn()
			}
			return n, nil
		}
		if closed {
			return 0, ErrClosed
		}
		p := c.park(&c.parked)
		preemptBeforePark()
		add64(&c.waiters, 1)
		// The second look, after announcing ourselves: see parking. If c
		// is sealed meanwhile, its parking is shut: we look again.
		if n := pop(); n > 0 {
			add64(&c.waiters, ^uint64(0))
			c.passOn()
			return n, nil
		}
		cancelled := sleep(p, ctx)
		add64(&c.waiters, ^uint64(0))
		if cancelled {
			return 0, ctx.Err()
		}
	}
}

// PushWait is Push that waits for room in a queue with a Limit: it returns
// nil once v is queued, ErrClosed (v went to Release) once the queue is
// closed, or ctx.Err() if ctx ends first (v stays the caller's). Room made
// by a pop wakes one waiting producer per item claimed. With room, it
// pushes even if ctx has ended. On an unbounded queue it is Push (which
// waits only at MaxLen).
func (q *Queue[T]) PushWait(ctx context.Context, v T) error {
	return q.pushWait(ctx, func() error { return q.Push(v) })
}

// PushBatchWait is PushBatch that waits for room for the whole batch, as
// PushWait does for one item: all of vs is queued, or none. A batch that
// could never fit (more than Limit or MaxBatch items) returns ErrTooLarge
// at once. Producers waiting for room are not served in order: a large
// batch can wait while smaller ones take the room that pops make.
func (q *Queue[T]) PushBatchWait(ctx context.Context, vs []T) error {
	return q.pushWait(ctx, func() error { return q.PushBatch(vs) })
}

func (q *Queue[T]) pushWait(ctx context.Context, push func() error) error {
	var seen uint64 // the head at our last look
	for slept := false; ; slept = true {
		c := q.core()
		h := load64(&c.ctl.Head)
		err := push()
		if err != ErrFull {
			if err == nil && slept {
				c.passOnRoom()
			}
			return err
		}
		if slept && h != seen {
			// Woken, and still no room for us: room was made, but not
			// enough for this push (a batch). Pass the wakeup on, once
			// per move of the head, so that a smaller push that fits is
			// not left asleep with it.
			c.wakeRoom(1)
		}
		seen = h
		p := c.park(&c.roomParked)
		preemptBeforePark()
		add64(&c.roomWaiters, 1)
		// The second look: a claim after our announcement wakes us, one
		// before it made the room this push sees.
		if err = push(); err != ErrFull {
			add64(&c.roomWaiters, ^uint64(0))
			if err == nil {
				c.passOnRoom()
			}
			return err
		}
		cancelled := sleep(p, ctx)
		add64(&c.roomWaiters, ^uint64(0))
		if cancelled {
			return ctx.Err()
		}
	}
}

// passOnRoom wakes one more producer if room is left for it (see passOn).
func (c *core[T]) passOnRoom() {
	if load64(&c.roomWaiters) == 0 {
		return
	}
	if n, _, _ := c.count(); c.limit == 0 || uint64(n) < c.limit {
		c.wakeRoom(1)
	}
}

// passOn wakes one more sleeper if items are left for it: a producer wakes
// at most wakeTokens consumers, and those hand the wakeup on.
func (c *core[T]) passOn() {
	if load64(&c.waiters) != 0 && load64(&c.ctl.Head) != load64(&c.ctl.Tail)&skel.PosMask {
		c.wakeUp(1)
	}
}
