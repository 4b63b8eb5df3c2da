package queue

import (
	"context"

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
	wake   chan struct{} // one token per consumer to wake
	closed chan struct{} // closed by the Close that closes the queue
}

// wakeTokens bounds the tokens in flight: a woken consumer that takes an
// item passes the wakeup on if more are waiting and items remain, so a few
// tokens wake any number of sleepers.
const wakeTokens = 64

// park returns the queue's parking, creating it on first use.
func (c *core[T]) park() *parking {
	if p := loadPtr(&c.parked); p != nil {
		return p
	}
	p := &parking{wake: make(chan struct{}, wakeTokens), closed: make(chan struct{})}
	if !casPtr(&c.parked, nil, p) {
		return loadPtr(&c.parked)
	}
	if c.isClosed() { // a Close that ran before the CAS found no parking
		c.closeParking()
	}
	return p
}

// wakeUp wakes up to n sleeping consumers. Producers call it after they
// publish, when waiters is not zero.
func (c *core[T]) wakeUp(n int) {
	p := loadPtr(&c.parked)
	for n = min(maxWakeups(n), int(load64(&c.waiters))); n > 0; n-- {
		select {
		case p.wake <- struct{}{}:
			signal()
		default:
			return // enough tokens are in flight
		}
	}
}

// closeParking wakes every sleeper for good; called by the Close that
// closed the queue (and by park if it lost that race).
func (c *core[T]) closeParking() {
	if p := loadPtr(&c.parked); p != nil && cas64(&c.closedOnce, 0, 1) {
		close(p.closed)
		signal()
	}
}

// PopWait removes and returns the oldest item, sleeping while the queue is
// empty. It returns ErrClosed once the queue is closed and empty, and
// ctx.Err() if ctx ends first. Sleeping consumers cost producers nothing
// until an item arrives; then a producer wakes one per item it pushed.
func (q *Queue[T]) PopWait(ctx context.Context) (T, error) {
	var v T
	_, err := q.popNWait(ctx, func(*core[T]) int {
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
	return q.popNWait(ctx, func(*core[T]) int { return q.PopN(dst) }) // len 1: Pop's path
}

func (q *Queue[T]) popNWait(ctx context.Context, pop func(*core[T]) int) (int, error) {
	c := q.core()
	for slept := false; ; slept = true {
		// Closed first, then empty: no push can land after the close.
		closed := c.isClosed()
		if n := pop(c); n > 0 {
			if slept {
				c.passOn()
			}
			return n, nil
		}
		if closed {
			return 0, ErrClosed
		}
		p := c.park()
		preemptBeforePark()
		add64(&c.waiters, 1)
		// The second look, after announcing ourselves: see parking.
		if n := pop(c); n > 0 {
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

// passOn wakes one more sleeper if items are left for it: a producer wakes
// at most wakeTokens consumers, and those hand the wakeup on.
func (c *core[T]) passOn() {
	if load64(&c.waiters) != 0 && load64(&c.ctl.Head) != load64(&c.ctl.Tail)&skel.PosMask {
		c.wakeUp(1)
	}
}
