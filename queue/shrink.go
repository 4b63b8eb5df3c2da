package queue

import (
	"runtime"
	"sync/atomic"
	"time"
	"weak"

	"github.com/injectq/injectq/internal/atom"
	"github.com/injectq/injectq/internal/skel"
)

// Memory after a burst: the queue retires whole arenas.
//
// An arena's blocks are recycled, never freed one by one: a goroutine in
// the middle of an operation may read a block it holds no position in (a
// stale hint, HeadBlk, the free stack's top), and C holds the chunks'
// addresses as integers. So the queue gives memory back a whole arena at a
// time. One CAS seals an empty arena: Closed|Sealed on its tail, expecting
// the tail to equal the head. The queue then moves on to a fresh arena, the
// old core's successor, which grows again on demand.
//
// The Go collector is the grace period. A goroutine in the middle of an
// operation holds the old core, and with it the arena, the value slabs and
// the pins that let C follow Ctl.Chunks. C reaches chunks only during a
// call that has the Ctl as an argument, which keeps them alive until the
// call returns (skel.NewArena). So memory is freed, and chunks unpinned,
// only once no goroutine and no C call can reach them, on every backend.
//
// Sealing only an empty arena keeps the items in one arena at every
// instant: the queue is empty at the instant it moves on, so FIFO order,
// Len, Drain and Limit need no logic across arenas. A goroutine that finds
// its arena sealed moves on: a reservation or claim that fails, a Len, a
// Close. It installs the successor itself if nobody has yet: the CAS on
// the queue's pointer (home) from the sealed core picks one, and home
// never returns to a core it left. A sealed core keeps no pointer to its
// successor, so a goroutine that holds an old core keeps only that one
// alive. Closed queues are not sealed: their memory goes with the queue.

// sealed reports whether c has been retired.
func (c *core[T]) sealed() bool { return load64(&c.ctl.Tail)&skel.Sealed != 0 }

// moveOn moves the queue on from the sealed core c, installing a successor
// unless somebody did already, and returns the queue's core.
func (c *core[T]) moveOn() *core[T] {
	// Sleepers need no wakeup: they sleep on the queue's waitState, which
	// the successor shares, so a push into it wakes them.
	//
	// Before any successor exists, so that a pop that finds c empty and
	// then movedOn clear knows that c was the queue's only core when it
	// found c empty (emptyPop).
	store64(&c.movedOn, 1)
	if n := loadPtr(c.home); n != c {
		return n
	}
	n := newCore(c.backend, c.release, c.limit, c.home, c.w)
	n.gen = c.gen + 1
	noteCore(n)
	if casPtr(c.home, c, n) {
		return n
	}
	return loadPtr(c.home)
}

// liveTail returns the queue's core and its head and tail words, read in
// that order at an instant when the core was not sealed.
func (q *Queue[T]) liveTail() (c *core[T], h, t uint64) {
	for c = q.core(); ; c = c.moveOn() {
		h = load64(&c.ctl.Head)
		if t = load64(&c.ctl.Tail); t&skel.Sealed == 0 {
			return c, h, t
		}
	}
}

// live returns the queue's core, past any sealed ones.
func (q *Queue[T]) live() *core[T] {
	c, _, _ := q.liveTail()
	return c
}

// shrink retires c if the queue is open and empty and c has blocks; it
// reports whether it did.
func (c *core[T]) shrink() bool {
	if load64(&c.nblocks) == 0 {
		return false // nothing to give back
	}
	// The head first: the head never passes the tail, so a tail equal to
	// it at the CAS means no position is unclaimed then.
	h := load64(&c.ctl.Head)
	t := load64(&c.ctl.Tail)
	if t != h && !(atom.Checking && mutated(atom.SealNotEmpty)) { // closed, sealed, or not empty
		return false
	}
	if !cas64(&c.ctl.Tail, t, t|skel.Closed|skel.Sealed) {
		return false
	}
	c.moveOn()
	return true
}

// Shrink gives the queue's memory back now, if the queue is empty and open:
// it moves the queue to a fresh arena, and the old one goes to the garbage
// collector once no goroutine is using it. It reports whether it did; it
// does nothing for a queue that holds items, is closed, or has never held
// one. A goroutine in the middle of an operation on the old arena when
// Shrink runs keeps that arena alive until it returns. Queues do this by themselves after a burst (see the
// package doc, "Memory"); Shrink is for callers who know better, such as a
// service that has just drained a backlog it does not expect again.
func (q *Queue[T]) Shrink() bool { return q.live().shrink() }

// The policy, paced by the garbage collector's cycles, as sync.Pool's is.
// A core is watched from the moment its arena grows past reserveChunks
// chunks (shrinkReserve blocks). At the end of each GC cycle it is looked at
// (look): it is quiet if it did not grow since the last look and its
// backlog is at most an eighth of its arena. Once it has been quiet for
// shrinkAfter (two looks at least, none of them loud), it is retired at
// the first moment the queue is found empty: at the look if it is then,
// else by the first Pop or PopN that finds it empty (shrinkWanted, which
// a busy look or a growth clears). So an arena is retired no sooner than
// shrinkAfter after its last growth or its last busy look, and a queue
// cannot grow and shrink more often than that. Without GC cycles
// (GOGC=off and no memory limit reached) the policy never runs.
const reserveChunks = 6 // arenas of chunks 0..5 (63 blocks) are never retired by the policy

// shrinkAfter is how long a core must stay quiet (nanoseconds); tests set
// it to 0.
var shrinkAfter atomic.Int64

func init() { shrinkAfter.Store(int64(time.Second)) }

// look is the GC tick's look at c (see above); it reports whether c is
// still to be watched. Only the tick goroutine runs it, so the quiet
// fields are its own.
func (c *core[T]) look(now int64) bool {
	h := load64(&c.ctl.Head)
	t := load64(&c.ctl.Tail)
	if t&(skel.Closed|skel.Sealed) != 0 {
		return false
	}
	nb := load64(&c.nblocks)
	if nb != c.seenBlocks || (t-h)*8 > nb*skel.B {
		c.seenBlocks, c.quiet = nb, false
		store64(&c.shrinkWanted, 0) // busy again: not at the next empty pop
		return true
	}
	if !c.quiet {
		c.quiet, c.quietSince = true, now
		return true
	}
	if now-c.quietSince < shrinkAfter.Load() {
		return true
	}
	if c.shrink() {
		return false
	}
	store64(&c.shrinkWanted, 1)
	return true
}

// emptyPop is what a pop that found c empty does: move on if the queue
// has (reporting the successor), else retire c if the policy wants that.
// It reads movedOn rather than c's tail, a line that producers write: if
// movedOn is clear, no successor existed when c was found empty, so the
// queue was empty then. If it is set, c was sealed, empty from then on.
func (c *core[T]) emptyPop() (next *core[T]) {
	if load64(&c.movedOn) != 0 {
		return c.moveOn()
	}
	if load64(&c.shrinkWanted) != 0 && c.shrink() {
		return loadPtr(c.home)
	}
	return nil
}

// watch puts c on the GC tick's list; grow calls it once, when c's arena
// passes the reserve. The list holds c weakly: a queue that is dropped is
// collected, and its entry with it at the next tick.
func (c *core[T]) watch() {
	if atom.Checking {
		return // the checker's scenarios shrink explicitly
	}
	wp := weak.Make(c)
	w := &watched{look: func(now int64) bool {
		c := wp.Value()
		return c != nil && c.look(now)
	}}
	push(w)
	if tickArmed.CompareAndSwap(false, true) {
		armTick()
	}
}

// watched is one entry of the GC tick's list (a lock-free stack).
type watched struct {
	next *watched
	look func(now int64) bool // false: drop the entry
}

var (
	epoch     = time.Now()
	watchList atomic.Pointer[watched]
	tickArmed atomic.Bool   // a tick is due at the next GC cycle
	gcTicks   atomic.Uint64 // ticks run, for tests
)

func push(w *watched) {
	for {
		w.next = watchList.Load()
		if watchList.CompareAndSwap(w.next, w) {
			return
		}
	}
}

// armTick makes the next GC cycle run gcTick: it attaches the tick to an
// object that nothing references, so the next cycle finds it unreachable
// and queues the cleanup (which runs on the runtime's cleanup goroutine).
func armTick() {
	runtime.AddCleanup(new(tickSentinel), func(int) { gcTick() }, 0)
}

// tickSentinel holds a pointer, so that the runtime does not allocate it
// in a tiny block shared with other objects (whose cleanups it delays).
type tickSentinel struct{ _ *int }

// gcTick looks at every watched core, drops the ones that are gone, retired
// or closed, and arms the next tick while any remain.
func gcTick() {
	defer gcTicks.Add(1)            // after the next tick is armed (tests wait for this)
	now := int64(time.Since(epoch)) // monotonic
	for w := watchList.Swap(nil); w != nil; {
		next := w.next
		if w.look(now) {
			push(w)
		}
		w = next
	}
	if watchList.Load() == nil {
		tickArmed.Store(false)
		// An entry pushed before the store found the tick armed: arm it.
		if watchList.Load() == nil || !tickArmed.CompareAndSwap(false, true) {
			return
		}
	}
	armTick()
}
