package queue

import (
	"context"
	"iter"
	"time"

	"github.com/injectq/injectq/internal/atom"
	"github.com/injectq/injectq/internal/skel"
)

// waitState lets consumers sleep while the queue is empty, and producers of
// a bounded queue while it is full. It is off the lock-free path: a
// producer only loads waiters (one plain load on amd64 and arm64) and
// touches the channels when somebody sleeps.
//
// A producer reaches waiters through its core's pointer to the waitState:
// two dependent loads, both of words that nobody writes while nobody
// sleeps. The protocol is an eventcount. A consumer announces itself (waiters+1),
// then looks at the queue once more, then sleeps. A producer reserves (its
// CAS on the tail), publishes, then loads waiters. Both orders are
// sequentially consistent, so either the consumer's second look sees the
// reservation (and takes the item, waiting for its publication if need
// be), or the producer sees the consumer and wakes it. No wakeup is lost.
// Producers waiting for room do the same with roomWaiters, against
// consumers' claims.
//
// Close wakes sleepers through the same tokens, not through a channel of
// its own that every sleep would select on (see sleep): it sends up to
// closeWakeups of each kind, and whoever takes a token after the close
// (its next look, push or Stop then sees the close) hands one on while
// others are counted (handOnClose). That wakes them all: a sleeper parked
// after the close had announced itself before it (its second look would
// have seen the close otherwise), so each taker after the close sees it
// counted and sends another, and those takers are finitely many, for none
// of them parks again. Sleepers woken by ctx or a timer take no token,
// and those woken by a token sent before the close owe nothing.
//
// One waitState serves a queue for its whole life, every arena of it: a
// sleeper stays asleep across a retirement and is woken by a push into the
// successor. Its channels are made with the queue (New, NewWithConfig; a
// zero Queue at its first use), so that sleeping behaves as on a channel
// made beside the queue: a queue made outside testing/synctest bubbles can
// be shared by them and by code outside them, and one made in a bubble
// sleeps durably there. A zero Queue makes them at its first use of any
// kind, Len included: one shared by bubbles must be made with New, or
// first used, outside them.
type waitState struct {
	waiters     uint64        // consumers asleep or about to sleep
	roomWaiters uint64        // producers waiting for room, likewise
	wake        chan struct{} // one token per consumer to wake
	roomWake    chan struct{} // one token per producer to wake
	closed      chan struct{} // closed once the queue is closed (Done)
	// 128 bytes in all: the allocator's 128-byte class keeps them on a
	// line pair of their own, which every push reads.
	_ [skel.Line - 40]byte
}

// woke says what ended a sleep.
type woke uint8

const (
	byQueue woke = iota // a token: look at the queue again
	byCtx
	byTimer
)

// wakeTokens bounds the tokens in flight: a woken consumer that takes an
// item passes the wakeup on if more are waiting and items remain, so a few
// tokens wake any number of sleepers.
const wakeTokens = 64

func newWaitState() *waitState {
	return &waitState{wake: make(chan struct{}, wakeTokens), roomWake: make(chan struct{}, wakeTokens), closed: make(chan struct{})}
}

// wake wakes up to n of the sleepers counted by *waiters on tokens.
func wake(tokens chan struct{}, waiters *uint64, n int) {
	for n = min(maxWakeups(n), int(load64(waiters))); n > 0; n-- {
		select {
		case tokens <- struct{}{}:
			signal()
		default:
			return // enough tokens are in flight
		}
	}
}

// wakeUp wakes one sleeping consumer. Producers call it after they
// publish, when waiters is not zero: one per push, however long the batch,
// for the woken consumer wakes the next if items remain (passOn), as Go's
// scheduler wakes one idle P and Tokio one worker, each of which wakes the
// next if it finds more work. Waking one per item (up to the sleepers)
// woke all four sleepers of a pool for each batch of 32 quick tasks, and
// the first one woken took them all: in a throwaway run with the producer
// pausing 20 µs between batches, 4 wake-ups per batch found nothing, and
// 1 now, and a batch's round took 306 µs then and 171 µs now (the
// producer paid for each wake-up). Spreading a slow batch over the pool
// is unchanged: 32 one-millisecond tasks into four sleeping workers take
// 10.0 ms (10.1 before), and the saturated MPMC cells of asm-wait are
// within noise (benchstat of 6 runs).
func (c *core[T]) wakeUp() { wake(c.w.wake, &c.w.waiters, 1) }

// wakeRoom wakes up to n producers waiting for room. Consumers call it
// after a claim of n, when bounded is set and roomWaiters is not zero.
func (c *core[T]) wakeRoom(n int) { wake(c.w.roomWake, &c.w.roomWaiters, n) }

// closeParkings closes Done's channel and wakes sleepers, consumers and
// producers, for the hand-on to wake the rest (waitState); called by the
// Close that closed the queue, after its CAS on the tail, so once per
// queue (a closed core is never sealed, and a sealed one never closes).
// Woken consumers find the queue closed and empty, or take what is left;
// woken producers find it closed.
func (c *core[T]) closeParkings() {
	close(c.w.closed)
	signal()
	wake(c.w.wake, &c.w.waiters, closeWakeups)
	wake(c.w.roomWake, &c.w.roomWaiters, closeWakeups)
}

// handOnClose passes a wake-up on from a sleeper woken on a closed queue
// to the next one, if any is counted (waitState).
func handOnClose(tokens chan struct{}, waiters *uint64) {
	if atom.Checking && mutated(atom.NoCloseHandOn) { // a deliberate bug, for the checker
		return
	}
	wake(tokens, waiters, 1)
}

// PopWait removes and returns the oldest item, sleeping while the queue is
// empty. It returns ErrClosed once the queue is closed and empty, and
// ctx.Err() if ctx ends first. Sleeping consumers cost producers nothing
// until an item arrives; then a push wakes one, which wakes the next while
// items remain.
//
// Precedence: an item wins over an ended ctx (with an item queued, PopWait
// returns it and a nil error whatever ctx's state), and a closed, empty
// queue wins over it too (ErrClosed, not ctx.Err()): ctx.Err() comes back
// only when PopWait would otherwise sleep.
func (q *Queue[T]) PopWait(ctx context.Context) (T, error) {
	var one [1]T
	_, err := q.popNWait(ctx, nil, one[:]) // PopN of one: Pop's path
	return one[0], err
}

// PopNWait is PopN that sleeps while the queue is empty: it returns n > 0
// items, or 0 and ErrClosed once the queue is closed and empty, or 0 and
// ctx.Err() if ctx ends first (with PopWait's precedence). A zero-length
// dst returns 0, nil at once.
//
// It takes a fair share while other consumers sleep: at most
// Len/(sleepers+1)+1 items, as Tokio's workers and Go's scheduler take from
// their global queues, so that a batch pushed into a pool of sleeping
// workers is spread over them (each woken worker takes its share and the
// rest stay for the others) instead of going whole to the first one woken.
func (q *Queue[T]) PopNWait(ctx context.Context, dst []T) (int, error) {
	if len(dst) == 0 {
		return 0, nil
	}
	return q.popNWait(ctx, nil, dst)
}

// PopNWaitTimer is PopNWait with a timer in place of a context: it returns
// 0 and ErrTimedOut once a value arrives on timer (a time.Timer's or a
// time.Ticker's C) while it sleeps. With a timer that the caller keeps and
// Resets, a wait allocates nothing, where context.WithTimeout allocates
// each time:
//
//	t := time.NewTimer(idle) // once per worker
//	for {
//		t.Reset(idle)
//		n, err := q.PopNWaitTimer(buf, t.C)
//		...
//	}
//
// Items win over the timer, as over a context (PopWait).
func (q *Queue[T]) PopNWaitTimer(dst []T, timer <-chan time.Time) (int, error) {
	if len(dst) == 0 {
		return 0, nil
	}
	return q.popNWait(context.Background(), timer, dst)
}

// PopWaitTimer is PopWait with a timer in place of a context (see
// PopNWaitTimer).
func (q *Queue[T]) PopWaitTimer(timer <-chan time.Time) (T, error) {
	var one [1]T
	_, err := q.popNWait(context.Background(), timer, one[:]) // as PopWait
	return one[0], err
}

// PopNShare is PopN for one of workers consumers: it takes at most
// Len/workers+1 items (and at most len(dst)), the share Tokio's workers
// and Go's scheduler take from their global queues, so that a burst is
// spread over a pool instead of going to whoever polls first. workers < 1
// counts as 1.
func (q *Queue[T]) PopNShare(dst []T, workers int) int {
	n := min(len(dst), q.Len()/max(workers, 1)+1)
	return q.PopN(dst[:n])
}

// Done returns a channel that is closed once the queue is closed, for a
// select beside other channels (items may still be queued then).
func (q *Queue[T]) Done() <-chan struct{} { return q.core().w.closed }

// Sleepers returns how many consumers are asleep in PopWait, PopNWait, the
// timer forms or the iterators, or about to be, or woken and not yet back
// from their pop, and how many Waiters are armed: a pool that starts
// workers on demand can start one when it is zero and items are queued.
// It is a snapshot.
func (q *Queue[T]) Sleepers() int { return int(load64(&q.core().w.waiters)) }

// popNWait sleeps between looks (sleeper.look) until one returns items or
// an error; ctx or the timer ending a sleep leads to one last look.
func (q *Queue[T]) popNWait(ctx context.Context, timer <-chan time.Time, dst []T) (int, error) {
	s := sleeper[T]{q: q}
	var stop error // ctx or the timer ended a sleep: one last look, then this
	for {
		if n, err := s.look(dst, stop); n > 0 || err != nil {
			return n, err
		}
		// The select picks at random among ready cases: a token may be
		// ready along with ctx or the timer. The last look keeps the
		// precedence (an item, then ErrClosed, then the stop).
		switch sleep(s.q.core().w.wake, ctx.Done(), timer) {
		case byCtx:
			s.withdraw()
			stop = ctx.Err()
		case byTimer:
			s.withdraw()
			stop = ErrTimedOut
		}
	}
}

// sleeper is one consumer's side of the eventcount (waitState), for
// popNWait and for a Waiter.
type sleeper[T any] struct {
	q *Queue[T]
	// counted: announced in waiters and not withdrawn. A consumer woken
	// by a token stays counted until its next pop, so that consumers woken
	// together each count the others and take a share, not the whole
	// batch.
	counted bool
	// selects: a Waiter, whose user receives from the tokens itself, so
	// any look may follow a token taken, armed or not: each look passes a
	// wake-up on as a woken one does.
	selects bool
}

// look pops up to len(dst) items, a fair share while others sleep. It
// returns them, or ErrClosed once the queue is closed and empty, or stop
// if that is set and the queue is empty; else it announces the consumer,
// looks once more, and returns 0, nil counted: the caller then sleeps on
// the wake-up tokens, or withdraws.
func (s *sleeper[T]) look(dst []T, stop error) (int, error) {
	w := s.q.core().w
	// Closed first, then empty: no push can land after the close.
	c, _, t := s.q.liveTail()
	closed := t&skel.Closed != 0
	others := int(load64(&w.waiters))
	if s.counted {
		others--
	}
	woken := s.counted || s.selects // perhaps by a token, to pass on
	n := s.take(dst, others)
	s.withdraw()
	if woken && closed {
		handOnClose(w.wake, &w.waiters)
	}
	if n > 0 {
		if woken && !closed && !(atom.Checking && mutated(atom.WokenNoPassOn)) {
			c.passOn()
		}
		return n, nil
	}
	if closed {
		return 0, ErrClosed
	}
	if stop != nil {
		return 0, stop
	}
	preemptBeforePark()
	add64(&w.waiters, 1)
	s.counted = true
	// The second look, after announcing ourselves, at the items and at
	// the close (closed first, as above): see waitState. (Skipping it is a
	// deliberate bug, for the checker.)
	if atom.Checking && mutated(atom.NoSecondLook) {
		return 0, nil
	}
	c, _, t = s.q.liveTail()
	if atom.Checking && mutated(atom.NoSecondLookClose) { // a deliberate bug, for the checker
		t &^= skel.Closed
	}
	if n = s.take(dst, int(load64(&w.waiters))-1); n == 0 && t&skel.Closed == 0 { // less ourselves
		return 0, nil
	}
	s.withdraw()
	if n == 0 {
		return 0, ErrClosed
	}
	c.passOn()
	return n, nil
}

// take is PopN with the fair share while others sleep (PopNWait).
func (s *sleeper[T]) take(dst []T, others int) int {
	n := len(dst)
	if others > 0 && n > 1 {
		n = min(n, s.q.Len()/(others+1)+1)
	}
	return s.q.PopN(dst[:n])
}

// withdraw undoes the announcement, if any.
func (s *sleeper[T]) withdraw() {
	if s.counted {
		add64(&s.q.core().w.waiters, ^uint64(0))
		s.counted = false
	}
}

// dropped stops a Waiter's sleeper that its user dropped armed.
func (s *sleeper[T]) dropped() {
	if s.counted {
		s.stop()
	}
}

// stop withdraws and passes on a wake-up that a token taken may have
// owed another sleeper: the items left, or the close (Waiter.Stop).
func (s *sleeper[T]) stop() {
	w := s.q.core().w
	c, _, t := s.q.liveTail()
	s.withdraw()
	if atom.Checking && mutated(atom.StopNoPassOn) { // a deliberate bug, for the checker
		return
	}
	if t&skel.Closed != 0 {
		handOnClose(w.wake, &w.waiters)
		return
	}
	c.passOn()
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
	w := q.core().w
	var seen uint64 // the head at our last look
	for slept := false; ; slept = true {
		c := q.core()
		h := load64(&c.ctl.Head)
		err := push()
		if err != ErrFull {
			if slept && err == ErrClosed {
				handOnClose(w.roomWake, &w.roomWaiters)
			}
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
		preemptBeforePark()
		add64(&w.roomWaiters, 1)
		// The second look: a claim after our announcement wakes us, one
		// before it made the room this push sees.
		if err = push(); err != ErrFull {
			add64(&w.roomWaiters, ^uint64(0))
			if err == nil {
				c.passOnRoom()
			}
			return err
		}
		why := sleep(w.roomWake, ctx.Done(), nil)
		add64(&w.roomWaiters, ^uint64(0))
		if why == byCtx {
			// A last try, for the select may have picked ctx over a
			// wakeup that was ready too: room wins over an ended ctx.
			if err = push(); err != ErrFull {
				return err
			}
			return ctx.Err()
		}
	}
}

// passOnRoom wakes one more producer if room is left for it (see passOn).
func (c *core[T]) passOnRoom() {
	if load64(&c.w.roomWaiters) == 0 {
		return
	}
	if n, _, _ := c.count(); c.limit == 0 || uint64(n) < c.limit {
		c.wakeRoom(1)
	}
}

// passOn wakes one more sleeper if items are left for it: a push wakes
// one consumer, and those hand the wake-up on (wakeUp).
func (c *core[T]) passOn() {
	if load64(&c.w.waiters) != 0 && load64(&c.ctl.Head) != load64(&c.ctl.Tail)&skel.PosMask {
		c.wakeUp()
	}
}

// All returns an iterator over the queue's items for one consumer: each
// item is removed as the loop reaches it (PopWait), the loop sleeps while
// the queue is empty, and it ends when the queue is closed and empty. If
// ctx ends first, the last pair the loop sees carries ctx.Err(), with a
// zero item; a loop that breaks early leaves the rest queued. Several
// goroutines may each range over All at once: each item goes to one.
//
//	for task, err := range q.All(ctx) {
//		if err != nil {
//			return err // ctx ended
//		}
//		task()
//	}
//	// closed and drained
func (q *Queue[T]) All(ctx context.Context) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		for {
			v, err := q.PopWait(ctx)
			if err == ErrClosed {
				return
			}
			if !yield(v, err) || err != nil {
				return
			}
		}
	}
}

// Batches is All in batches: each step removes up to len(buf) items into
// buf (PopNWait, with its fair share) and yields them as buf[:n], which is
// the caller's until the next step. It ends as All does; a zero-length buf
// yields nothing.
func (q *Queue[T]) Batches(ctx context.Context, buf []T) iter.Seq2[[]T, error] {
	return func(yield func([]T, error) bool) {
		if len(buf) == 0 {
			return
		}
		for {
			n, err := q.PopNWait(ctx, buf)
			if err == ErrClosed {
				return
			}
			if !yield(buf[:n], err) || err != nil {
				return
			}
		}
	}
}
