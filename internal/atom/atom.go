// Package atom is the one door through which injectq's pure-Go core (the
// fallback backend, the shared Go half in package chain, and package
// queue's own shared words) touches shared memory atomically.
//
// In normal builds every function is the sync/atomic call it names, and
// the compiler inlines it: the door costs nothing. Built with -tags
// injectq_check, every call is first a scheduling point of the
// deterministic scheduler in package check, which runs one goroutine of a
// scenario at a time and so can enumerate the interleavings of these
// operations (Go's atomics are sequentially consistent, so for the pure-Go
// core the interleavings are all there is to explore).
//
// The assembly and C backends do not go through here: their atomics are
// outside the checker, and their orderings are argued in their comments.
package atom

import "sync/atomic"

// A Mutation names a deliberate bug that the checker's tests switch on, one
// at a time, to show that the checker catches it. In normal builds Mutated
// is a constant false and the code behind it is compiled away.
type Mutation uint8

const (
	NoMutation Mutation = iota
	// DrainPastEnd: Drain claims up to the tail it read first, bounded
	// by a head read before the claim (a concurrent pop makes it take
	// items pushed after Drain began).
	DrainPastEnd
	// LocateNoTag: the chain walk does not check the tag of a link word,
	// so a stale Ref to a recycled block is followed.
	LocateNoTag
	// RetireEarly: a single pop retires its slot before it reads the value,
	// so the block can be recycled and the slot rewritten first.
	RetireEarly
	// PublishEarly: a single push publishes its slot before it writes the
	// value.
	PublishEarly
	// ClaimUnpublished: the single pop's fast claim skips its check that
	// the head slot is published.
	ClaimUnpublished
	// LenHeadFirst: Len loads the head and then the tail, and counts every
	// push and pop between the two loads (review finding 3).
	LenHeadFirst
	// BoundTailFirst: the bounded reservation near capacity reads the tail
	// before HeadBlk, so pushes and pops in between make the chain look
	// longer than it can be, and an empty queue reports ErrFull.
	BoundTailFirst
	// SealNotEmpty: Shrink seals an arena without checking that the queue
	// is empty, so items left in it are lost when the queue moves on.
	SealNotEmpty
	// LimitNoRecheck: a reservation under Config.Limit reports ErrFull
	// without reading the head again, so that a pop and a push between
	// its loads of the head and the tail make a queue with room refuse.
	LimitNoRecheck
	// NoSecondLook: a consumer goes to sleep without looking at the queue
	// again after it announced itself, so a push in between wakes nobody.
	NoSecondLook
	// NoCloseHandOn: a sleeper woken on a closed queue does not wake the
	// next one, so sleepers beyond those Close woke itself sleep on.
	NoCloseHandOn
	// StopNoPassOn: a Waiter's Stop does not pass on a wake-up token that
	// its C may have taken, so the sleeper it was meant for sleeps on.
	StopNoPassOn
	// NoSecondLookClose: a consumer's second look sees the items but not
	// the close, so one that announced itself after Close counted the
	// sleepers sleeps on.
	NoSecondLookClose
	// WokenNoPassOn: a woken consumer that leaves items does not wake the
	// next sleeper, so the rest of a batch waits for the next push.
	WokenNoPassOn
)

// CAS is atomic.CompareAndSwapUint64.
func CAS(p *uint64, old, new uint64) bool {
	point(true)
	return atomic.CompareAndSwapUint64(p, old, new)
}

// Load is atomic.LoadUint64.
func Load(p *uint64) uint64 {
	point(false)
	return atomic.LoadUint64(p)
}

// Store is atomic.StoreUint64.
func Store(p *uint64, v uint64) {
	point(true)
	atomic.StoreUint64(p, v)
}

// Add is atomic.AddUint64.
func Add(p *uint64, d uint64) uint64 {
	point(true)
	return atomic.AddUint64(p, d)
}

// Or is atomic.OrUint64: it returns the old value.
func Or(p *uint64, m uint64) uint64 {
	point(true)
	return atomic.OrUint64(p, m)
}

// LoadPointer is p.Load().
func LoadPointer[T any](p *atomic.Pointer[T]) *T {
	point(false)
	return p.Load()
}

// StorePointer is p.Store(v).
func StorePointer[T any](p *atomic.Pointer[T], v *T) {
	point(true)
	p.Store(v)
}

// CASPointer is p.CompareAndSwap(old, new).
func CASPointer[T any](p *atomic.Pointer[T], old, new *T) bool {
	point(true)
	return p.CompareAndSwap(old, new)
}

// Touch marks a plain access to shared memory that an atomic publishes or
// hands over (a slot's value, written before its publication and read
// after its claim): for the checker a scheduling point, so that it
// explores the order of the access against the atomics around it; nothing
// otherwise.
func Touch() { point(false) }
