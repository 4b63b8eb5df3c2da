package queue

import (
	"runtime"
	"sync/atomic"

	"github.com/injectq/injectq/internal/atom"
	"github.com/injectq/injectq/internal/chain"
	"github.com/injectq/injectq/internal/skel"
)

// valBlock holds the values of one block's slots. Values live only here, on
// the Go side: written before their slot is published, read and zeroed
// after it is claimed.
type valBlock[T any] [skel.B]T

// core is one queue's state: the skeleton shared with the backend, and the
// value slab addressed by the same block indices.
type core[T any] struct {
	backend backend
	arena   *skel.Arena
	ctl     *skel.Ctl
	release func(T)
	limit   uint64 // Config.Limit; 0: none
	// bounded is set when every reservation must check a bound: at once
	// for a queue with a Limit, and by grow when the arena has grown to
	// nearFullAt blocks (the capacity, MaxLen). Then reservations go
	// through spliceBounded (chain.ReserveBounded), and consumers wake
	// producers that wait for room. Until then a push pays one load of it.
	bounded uint64
	// movedOn is set (once) before c's successor is installed, and
	// shrinkWanted by the GC tick to have the next empty pop retire c
	// (shrink.go). Here, beside bounded, because an empty pop loads both:
	// words that hot paths only read, not the tail's line.
	movedOn      uint64
	shrinkWanted uint64
	nearFullAt   uint64
	maxBlocks    uint64
	lenTries     int // Len's attempts at an exact count (lenTries; the checker lowers it)
	// table maps a block index to the block's skeleton and values: the hot
	// path's lookup is one load and an index. It is replaced, never
	// changed in place, when the arena grows, and covers every block that
	// can be on the free stack or in the chain.
	table atomic.Pointer[[]blockRef[T]]
	// vals[k] holds the values of chunk k; set by the goroutine that adds
	// the chunk (see grow).
	vals [skel.MaxChunks]atomic.Pointer[[]valBlock[T]]

	// w is the queue's sleeping consumers and producers waiting for room
	// (wait.go), shared by all its cores.
	w *waitState

	growing uint64 // goroutines in grow
	nblocks uint64 // blocks in the arena

	// Retirement (shrink.go). home is the Queue's pointer to its live
	// core; gen counts the cores before this one.
	home *atomic.Pointer[core[T]]
	gen  uint64
	// The GC tick's own state (only its goroutine touches these).
	seenBlocks uint64
	quiet      bool
	quietSince int64
}

// blockRef is one block as the hot path needs it.
type blockRef[T any] struct {
	b  *skel.Block
	vb *valBlock[T]
}

// newCore returns an empty core for the queue whose live-core pointer is
// home and whose sleepers are w; limit is Config.Limit (0: none).
func newCore[T any](b backend, release func(T), limit uint64, home *atomic.Pointer[core[T]], w *waitState) *core[T] {
	a := skel.NewArena(b == nativeBackend) // C follows Ctl.Chunks: pin them
	c := &core[T]{backend: b, arena: a, ctl: a.Ctl(), release: release, limit: limit,
		nearFullAt: nearFullAt, maxBlocks: maxBlocks, lenTries: lenTries, home: home, w: w}
	if limit != 0 {
		c.bounded = 1
	}
	return c
}

// The capacity policy. Block indices run out at skel.MaxBlocks, and a
// reservation, once made, must be published: so a queue refuses, with
// ErrFull, a push that would make its chain longer than maxBlocks, half
// the index space (MaxLen items). The check reads HeadBlk, the consumers'
// line, so it starts only once the arena has grown to nearFullAt blocks.
// Reservations by goroutines that loaded bounded before grow set it are
// not checked: the other half of the index space is for them. It holds
// 2^(MaxChunks-1) blocks, 256 reservations of MaxBatch items (or far more
// smaller ones) in flight at the instant the check starts; more than that
// at one instant would exhaust the index space (and grow panics), which
// takes about 2^32 items' worth of batches held by pushing goroutines.
const (
	maxBlocks  = 1 << (skel.MaxChunks - 1)
	nearFullAt = 1<<(skel.MaxChunks-1) - 1 // chunks 0 .. MaxChunks-2
)

// block returns the skeleton and the values of block idx.
func (c *core[T]) block(idx uint32) (*skel.Block, *valBlock[T]) {
	e := (*loadPtr(&c.table))[idx]
	return e.b, e.vb
}

// pushBatch appends vs (non-empty, at most MaxBatch) as one contiguous run.
func (c *core[T]) pushBatch(vs []T) error {
	k := len(vs)
	var sp skel.Span
	if err := c.splice(uint64(len(vs)), &sp); err != nil {
		return c.pushRefused(vs, err)
	}
	preemptAfterReserve()
	if off := uint32(sp.Pos) & (skel.B - 1); int(off)+k <= skel.B {
		// The common case, a run in one block: the Run's one share,
		// without the Run (whose methods, in package chain, would be
		// calls in the user's package).
		r := sp.Refs[0]
		b, vb := c.block(refIdx(r))
		touch()
		copy(vb[off:], vs)
		c.publish(b, off, uint32(k))
		moveHint(&c.ctl.TailHint, sp.Hint, r)
	} else {
		c.pushRun(&sp, vs)
	}
	if load64(&c.w.waiters) != 0 {
		c.wakeUp()
	}
	return nil
}

// pushRefused is pushBatch's answer when its reservation failed with err:
// push again if c was only sealed (the queue moved on), else hand vs to
// Release if c is closed.
func (c *core[T]) pushRefused(vs []T, err error) error {
	if err == ErrClosed {
		if c.sealed() {
			return c.moveOn().pushBatch(vs)
		}
		releaseAll(c.release, vs)
	}
	return err
}

// pushRun moves vs into the run that sp reserved, across blocks, and
// publishes it share by share.
func (c *core[T]) pushRun(sp *skel.Span, vs []T) {
	for w := chain.Walk(sp, uint64(len(vs))); ; {
		r, off, n, last := w.Share()
		b, vb := c.block(refIdx(r))
		touch()
		copy(vb[off:], vs[:n])
		if !last {
			w.Advance(c) // while r still holds slots we have not published
		}
		c.publish(b, off, n)
		if last {
			moveHint(&c.ctl.TailHint, sp.Hint, r)
			return
		}
		vs = vs[n:]
	}
}

// popN claims up to len(dst) > 0 items, none at or past position end
// (Drain's bound; noEnd for none), and moves them into dst: for each
// block's share of the run it waits for the publication, copies and clears
// the values, and retires the slots.
func (c *core[T]) popN(dst []T, end uint64) int {
	var sp skel.Span
	var m uint64
	if end == noEnd {
		m = c.claim(uint64(len(dst)), &sp)
	} else {
		m = c.claimBefore(uint64(len(dst)), end, &sp)
	}
	if m == 0 {
		if load64(&c.movedOn)|load64(&c.shrinkWanted) != 0 { // as in Pop
			return c.popNEmpty(dst, end)
		}
		return 0
	}
	if load64(&c.bounded) != 0 && load64(&c.w.roomWaiters) != 0 {
		c.wakeRoom(int(m)) // the claim made room (wait.go)
	}
	if off := uint32(sp.Pos) & (skel.B - 1); uint64(off)+m <= skel.B {
		// One block, as in pushBatch.
		r := sp.Refs[0]
		b, vb := c.block(refIdx(r))
		chain.Wait(b, off, uint32(m))
		src := vb[off : uint64(off)+m]
		touch()
		copy(dst, src)
		clear(src) // the queue keeps no reference to a popped value
		if c.retire(b, m) {
			c.advance(r)
		}
		moveHint(&c.ctl.HeadHint, sp.Hint, r)
		return int(m)
	}
	c.popRun(&sp, dst[:m])
	return int(m)
}

// popNEmpty is popN's answer when it found c empty and the queue had moved
// on or wants to (emptyPop): pop from the successor (not for Drain, whose
// bound is c's), or nothing.
func (c *core[T]) popNEmpty(dst []T, end uint64) int {
	if end == noEnd {
		if n := c.emptyPop(); n != nil {
			return n.popN(dst, end)
		}
	}
	return 0
}

// popRun moves the run that sp claimed, across blocks, into dst (as long
// as the run), share by share.
func (c *core[T]) popRun(sp *skel.Span, dst []T) {
	for w := chain.Walk(sp, uint64(len(dst))); ; {
		r, off, n, last := w.Share()
		b, vb := c.block(refIdx(r))
		chain.Wait(b, off, n)
		src := vb[off : off+n]
		touch()
		copy(dst, src)
		clear(src)
		if !last {
			w.Advance(c) // while r still holds slots we have not retired
		}
		if c.retire(b, uint64(n)) {
			c.advance(r)
		}
		if last {
			moveHint(&c.ctl.HeadHint, sp.Hint, r)
			return
		}
		dst = dst[n:]
	}
}

// noEnd is popN's end for a pop that takes whatever is queued.
const noEnd = ^uint64(0)

// advance recycles the block r whose last slot we consumed (and any complete
// successors), growing the arena if installing a successor needs it.
func (c *core[T]) advance(r skel.Ref) {
	for !chain.Advance(c.arena, r) {
		c.grow()
	}
	if load64(&c.bounded) != 0 && load64(&c.w.roomWaiters) != 0 {
		c.wakeRoom(1) // near MaxLen, recycling a block is what makes room
	}
}

// grow adds the first chunk not yet allocated and pushes its blocks on the
// free stack. Goroutines that find the free stack empty at the same moment
// would each add a chunk, and chunks double in size, so a grower announces
// itself and the others give it a few scheduler rounds to push its blocks
// before they grow too. They do not wait longer than that (a grower that
// is descheduled must not stall the queue), so growth stays lock-free, and
// whoever wins the CAS on a chunk's slot allocates it.
func (c *core[T]) grow() {
	free := func() bool { return hasIdx(load64(&c.ctl.Free)) }
	patience := growPatience
	if atom.Checking {
		patience = 2 // the same logic, in fewer of the checker's steps
	}
	for i := 0; i < patience && load64(&c.growing) != 0; i++ {
		runtime.Gosched()
		if free() {
			return
		}
	}
	add64(&c.growing, 1)
	defer add64(&c.growing, ^uint64(0))
	for k := range skel.MaxChunks {
		if free() {
			return // somebody else's chunk, or recycled blocks, arrived
		}
		if loadPtr(&c.vals[k]) != nil {
			continue
		}
		vals := make([]valBlock[T], 1<<k)
		if !casPtr(&c.vals[k], nil, &vals) {
			continue
		}
		first, last := c.arena.AddChunk(k)
		c.extendTable(first, last, vals)
		if uint64(last)+1 >= c.nearFullAt {
			store64(&c.bounded, 1) // before the blocks are usable
		}
		add64(&c.nblocks, 1<<k)
		store64(&c.shrinkWanted, 0) // growing: not at the next empty pop
		if k == reserveChunks {
			c.watch() // past the reserve: the GC tick looks at it from now on
		}
		// Only now may anybody take one of the new blocks.
		chain.PushFree(c.arena, first, last)
		return
	}
	// The capacity policy (maxBlocks, above) keeps the chain within half
	// the index space; only reservations that raced with its start can
	// pass that, and it takes more of them in flight at once than the
	// other half holds to get here. A reservation cannot be abandoned, so
	// there is no error to return.
	panic("queue: block index space exhausted")
}

// extendTable adds blocks first..last, whose values are vals, to the table.
// Goroutines adding other chunks at the same time each copy the table; the
// CAS makes sure that no copy loses another's blocks.
func (c *core[T]) extendTable(first, last uint32, vals []valBlock[T]) {
	for {
		old := loadPtr(&c.table)
		var prev []blockRef[T]
		if old != nil {
			prev = *old
		}
		t := make([]blockRef[T], max(len(prev), int(last)+1))
		copy(t, prev)
		for i := first; i <= last; i++ {
			t[i] = blockRef[T]{c.arena.Block(i), &vals[i-first]}
		}
		if casPtr(&c.table, old, &t) {
			return
		}
	}
}

// growPatience is how many scheduler rounds a goroutine that needs a block
// gives another goroutine's growth before growing itself.
const growPatience = 64

// drain pops every item queued at the call and hands each to release. Items
// pushed meanwhile (for example by Release itself) are left for later: its
// claims stop at the tail it read first (claimBefore), however the head
// moves meanwhile.
func (c *core[T]) drain(release func(T)) int {
	end := load64(&c.ctl.Tail) & skel.PosMask
	var buf []T
	total := 0
	for {
		if buf == nil {
			h := load64(&c.ctl.Head)
			if h >= end {
				return 0
			}
			buf = make([]T, min(end-h, drainChunkSize()))
		}
		n := c.popN(buf, end)
		if n == 0 {
			return total
		}
		total += n
		releaseAll(release, buf[:n])
		clear(buf[:n])
	}
}

const drainChunk = 256

// drainChunkSize is drainChunk, but 2 under the checker, so that its
// drains take several claims.
func drainChunkSize() uint64 {
	if atom.Checking {
		return 2
	}
	return drainChunk
}

// releaseAll hands every item of vs to release, in order, exactly once. If
// release panics, the remaining items are still handed over, and then the
// panic continues to the caller; if several panic, the caller sees the
// last. The stack stays flat however many panic: each panic is recovered
// and the loop goes on from the next item (recovering in a deferred call
// that released the rest would nest one panic in another per item).
func releaseAll[T any](release func(T), vs []T) {
	if release == nil {
		return
	}
	var last any
	panicked := false
	for i := 0; i < len(vs); {
		i = releaseFrom(release, vs, i, &last, &panicked)
	}
	if panicked {
		panic(last)
	}
}

// releaseFrom releases vs[i:] until one release panics; it records the
// panic and returns the index after that item, or len(vs).
func releaseFrom[T any](release func(T), vs []T, i int, last *any, panicked *bool) (next int) {
	next = i
	done := false
	defer func() {
		if r := recover(); r != nil {
			*last, *panicked = r, true
		} else if !done {
			// release called runtime.Goexit: the goroutine ends, but
			// the rest of the items are still released on the way.
			releaseAll(release, vs[next:])
		}
	}()
	for next < len(vs) {
		next++ // before the call: a panic resumes after this item
		release(vs[next-1])
	}
	done = true
	return next
}
