package queue

import "runtime"

// Waiter lets one consumer wait for items inside a select, beside other
// channels: a ticker, a quit channel, another queue's Waiter. Its PopN
// pops as PopNWait does and, when it finds the queue empty, arms the
// Waiter instead of sleeping: C then receives once items may be queued,
// or the queue is closed. The loop:
//
//	w := q.NewWaiter()
//	defer w.Stop()
//	for {
//		n, err := w.PopN(buf)
//		if err != nil {
//			return // closed and drained
//		}
//		if n > 0 {
//			handle(buf[:n])
//			continue
//		}
//		select {
//		case <-w.C: // look again
//		case <-tick.C:
//			flush()
//		case <-quit:
//			return // the deferred Stop disarms
//		}
//	}
//
// C carries the wake-up tokens that sleeping consumers share, so a value
// received from it may have been meant for another one: after a receive,
// call PopN (with a non-empty dst) or Stop, which pass the wake-up on when
// items remain or the queue is closed. Receive from C only while the
// Waiter is armed, and leave it out of the select once PopN has returned
// ErrClosed. C may also receive when nothing is queued (a wake-up meant for
// a consumer that found its item taken): PopN then returns 0 and arms again.
//
// An armed Waiter counts as a sleeper (Sleepers, and the fair share of
// other consumers) and costs producers what a sleeping consumer does, one
// wake-up attempt per push, until its next PopN or Stop; producers pay
// nothing for a Waiter that is not armed. Stop an armed Waiter before
// dropping it: one dropped armed is withdrawn only once the garbage
// collector finds it unreachable.
//
// A Waiter is for one goroutine; it allocates nothing after NewWaiter,
// which is the only way to make one (the zero Waiter is not usable).
type Waiter[T any] struct {
	_ noCopy
	// C receives a value once items may be queued or the queue is closed,
	// while the Waiter is armed (its last PopN returned 0, nil).
	C <-chan struct{}
	s *sleeper[T] // apart, for the cleanup of a Waiter dropped armed
}

// NewWaiter returns a Waiter on q, not armed.
func (q *Queue[T]) NewWaiter() *Waiter[T] {
	s := &sleeper[T]{q: q, selects: true}
	w := &Waiter[T]{C: q.core().w.wake, s: s}
	runtime.AddCleanup(w, (*sleeper[T]).dropped, s)
	return w
}

// PopN pops up to len(dst) items, with PopNWait's fair share, and returns
// how many. On an empty queue it arms the Waiter and returns 0, nil: select
// on C then. Once the queue is closed and empty it returns 0, ErrClosed. A
// zero-length dst pops nothing and returns 0, nil, and leaves the Waiter
// stopped (Stop): it is not armed after it.
func (w *Waiter[T]) PopN(dst []T) (int, error) {
	if len(dst) == 0 {
		w.s.stop()
		runtime.KeepAlive(w) // no cleanup while we use w.s
		return 0, nil
	}
	n, err := w.s.look(dst, nil)
	runtime.KeepAlive(w) // no cleanup while we use w.s
	return n, err
}

// Stop disarms the Waiter, and passes on a wake-up that C may have
// received if items are queued or the queue is closed. The Waiter can be
// used again.
func (w *Waiter[T]) Stop() {
	w.s.stop()
	runtime.KeepAlive(w) // no cleanup while we use w.s
}
