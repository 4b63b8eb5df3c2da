package queue

import (
	"runtime"
	"sync/atomic"

	"github.com/injectq/injectq/asm"
	"github.com/injectq/injectq/fallback"
	"github.com/injectq/injectq/internal/skel"
	"github.com/injectq/injectq/native"
)

// impl identifies a backend; dispatch is a plain switch on it.
type impl uint8

const (
	implFallback impl = iota
	implAsm
	implNative
)

// valBlock holds the values of one block's slots. Values live only here, on
// the Go side: written before their slot is published, read and zeroed
// after it is claimed.
type valBlock[T any] [skel.B]T

// core is one queue's state: the skeleton shared with the backend, and the
// value slab addressed by the same block indices.
type core[T any] struct {
	impl    impl
	arena   *skel.Arena
	ctl     *skel.Ctl
	release func(T)
	// table maps a block index to the block's skeleton and values: the hot
	// path's lookup is one load and an index. It is replaced, never
	// changed in place, when the arena grows, and covers every block that
	// can be on the free stack or in the chain.
	table atomic.Pointer[[]blockRef[T]]
	// vals[k] holds the values of chunk k; set by the goroutine that adds
	// the chunk (see grow).
	vals [skel.MaxChunks]atomic.Pointer[[]valBlock[T]]

	// For PopWait and PopNWait (wait.go): consumers asleep or about to
	// sleep, which producers check after each push.
	waiters    atomic.Int64
	parked     atomic.Pointer[parking]
	closedOnce atomic.Bool

	growing atomic.Int32 // goroutines in grow
}

// blockRef is one block as the hot path needs it.
type blockRef[T any] struct {
	b  *skel.Block
	vb *valBlock[T]
}

func newCore[T any](id impl, release func(T)) *core[T] {
	a := skel.NewArena(id == implNative)
	return &core[T]{impl: id, arena: a, ctl: a.Ctl(), release: release}
}

// block returns the skeleton and the values of block idx.
func (c *core[T]) block(idx uint32) (*skel.Block, *valBlock[T]) {
	e := (*c.table.Load())[idx]
	return e.b, e.vb
}

// pushBatch appends vs (non-empty) as one contiguous run.
func (c *core[T]) pushBatch(vs []T) error {
	k := len(vs)
	var sp skel.Span
	if !c.splice(uint64(len(vs)), &sp) {
		releaseAll(c.release, vs)
		return ErrClosed
	}
	preemptAfterReserve()
	pos, r := sp.Pos, sp.Refs[0]
	for i := 1; ; i++ {
		off := uint32(pos) & (skel.B - 1)
		n := min(int(skel.B-off), len(vs))
		var next skel.Ref
		if n < len(vs) {
			// Find the next block while this one still holds our unpublished
			// slots: then it cannot have been recycled under us.
			next = c.spanRef(&sp, i, r, (pos+uint64(n))>>skel.LogB)
		}
		b, vb := c.block(skel.RefIdx(r))
		copy(vb[off:], vs[:n])
		c.publish(b, off, uint32(n))
		if vs = vs[n:]; len(vs) == 0 {
			break
		}
		pos, r = pos+uint64(n), next
	}
	if r != sp.Hint {
		// Move the hint to the block of our last position, unless somebody
		// moved it since we read it (then theirs is at least as new).
		atomic.CompareAndSwapUint64(&c.ctl.TailHint, sp.Hint, r)
	}
	if c.waiters.Load() != 0 {
		c.wakeUp(k)
	}
	return nil
}

// popN claims up to len(dst) > 0 items and moves them into dst.
func (c *core[T]) popN(dst []T) int {
	var sp skel.Span
	m := c.claim(uint64(len(dst)), &sp)
	if m == 0 {
		return 0
	}
	pos, r, rest := sp.Pos, sp.Refs[0], dst[:m]
	for i := 1; ; i++ {
		off := uint32(pos) & (skel.B - 1)
		n := min(int(skel.B-off), len(rest))
		var next skel.Ref
		if n < len(rest) {
			next = c.spanRef(&sp, i, r, (pos+uint64(n))>>skel.LogB)
		}
		b, vb := c.block(skel.RefIdx(r))
		fallback.Wait(b, off, uint32(n))
		src := vb[off : int(off)+n]
		copy(rest, src)
		clear(src) // the queue keeps no reference to a popped value
		if c.retire(b, uint64(n)) {
			c.advance(r)
		}
		if rest = rest[n:]; len(rest) == 0 {
			break
		}
		pos, r = pos+uint64(n), next
	}
	if r != sp.Hint {
		atomic.CompareAndSwapUint64(&c.ctl.HeadHint, sp.Hint, r) // see pushBatch
	}
	return int(m)
}

// splice reserves k positions and locates the block of the first (more, for
// native). It returns false when the queue is closed.
func (c *core[T]) splice(k uint64, sp *skel.Span) bool {
	var t uint64
	var hint skel.Ref
	var ok bool
	switch c.impl {
	case implNative:
		return c.nativeSplice(k, sp)
	case implAsm:
		t, hint, ok = asm.Reserve(c.ctl, k)
	default:
		t, hint, ok = fallback.Reserve(c.ctl, k)
	}
	if !ok {
		return false
	}
	sp.Pos, sp.Hint, sp.N = t, hint, 1
	sp.Refs[0] = c.locate(hint, t>>skel.LogB)
	return true
}

// claim claims up to n positions and locates the block of the first (more,
// for native); it returns how many it claimed.
func (c *core[T]) claim(n uint64, sp *skel.Span) uint64 {
	var h, m uint64
	var hint skel.Ref
	switch c.impl {
	case implNative:
		return c.nativeClaim(n, sp)
	case implAsm:
		h, m, hint = asm.Claim(c.ctl, n)
	default:
		h, m, hint = fallback.Claim(c.ctl, n)
	}
	if m == 0 {
		return 0
	}
	sp.Pos, sp.Hint, sp.N = h, hint, 1
	sp.Refs[0] = c.locate(hint, h>>skel.LogB)
	return m
}

// spanRef returns the i-th block of the run in sp, locating it from prev
// (the (i-1)-th) when the backend did not.
func (c *core[T]) spanRef(sp *skel.Span, i int, prev skel.Ref, bn uint64) skel.Ref {
	if uint64(i) < sp.N {
		return sp.Refs[i]
	}
	return c.locate(prev, bn)
}

// locate returns the Ref of block number bn, starting from `from`, growing
// the arena whenever the walk needs a block and none is free.
func (c *core[T]) locate(from skel.Ref, bn uint64) skel.Ref {
	if skel.HasIdx(from) && skel.RefTag(from) == skel.TagOf(bn) {
		return from // the common case: the hint names the block
	}
	for {
		var r skel.Ref
		var ok bool
		if c.impl == implNative {
			r, ok = c.nativeLocate(from, bn)
		} else {
			r, ok = fallback.Locate(c.arena, from, bn)
		}
		if ok {
			return r
		}
		c.grow()
	}
}

func (c *core[T]) publish(b *skel.Block, off, n uint32) {
	if c.impl == implAsm {
		asm.Publish(b, off, n)
		return
	}
	fallback.Publish(b, off, n)
}

func (c *core[T]) retire(b *skel.Block, n uint64) bool {
	if c.impl == implAsm {
		return asm.Retire(b, n)
	}
	return fallback.Retire(b, n)
}

// advance recycles the block r whose last slot we consumed (and any complete
// successors), growing the arena if installing a successor needs it.
func (c *core[T]) advance(r skel.Ref) {
	for !fallback.Advance(c.arena, r) {
		c.grow()
	}
}

func (c *core[T]) close() bool {
	var closed bool
	switch c.impl {
	case implNative:
		closed = native.Close(c.ctl)
	case implAsm:
		closed = asm.Close(c.ctl)
	default:
		closed = fallback.Close(c.ctl)
	}
	if closed {
		c.closeParking()
	}
	return closed
}

// grow adds the first chunk not yet allocated and pushes its blocks on the
// free stack. Goroutines that find the free stack empty at the same moment
// would each add a chunk, and chunks double in size, so a grower announces
// itself and the others give it a few scheduler rounds to push its blocks
// before they grow too. They do not wait longer than that (a grower that
// is descheduled must not stall the queue), so growth stays lock-free, and
// whoever wins the CAS on a chunk's slot allocates it.
func (c *core[T]) grow() {
	free := func() bool { return skel.HasIdx(atomic.LoadUint64(&c.ctl.Free)) }
	for i := 0; i < growPatience && c.growing.Load() != 0; i++ {
		runtime.Gosched()
		if free() {
			return
		}
	}
	c.growing.Add(1)
	defer c.growing.Add(-1)
	for k := range skel.MaxChunks {
		if free() {
			return // somebody else's chunk, or recycled blocks, arrived
		}
		if c.vals[k].Load() != nil {
			continue
		}
		vals := make([]valBlock[T], 1<<k)
		if !c.vals[k].CompareAndSwap(nil, &vals) {
			continue
		}
		first, last := c.arena.AddChunk(k)
		c.extendTable(first, last, vals)
		// Only now may anybody take one of the new blocks.
		fallback.PushFree(c.arena, first, last)
		return
	}
	// 2^23-1 blocks hold about 2^33 items: a reservation already made
	// cannot be abandoned, so there is no error to return here.
	panic("queue: more than 2^33 items queued; block index space exhausted")
}

// extendTable adds blocks first..last, whose values are vals, to the table.
// Goroutines adding other chunks at the same time each copy the table; the
// CAS makes sure that no copy loses another's blocks.
func (c *core[T]) extendTable(first, last uint32, vals []valBlock[T]) {
	for {
		old := c.table.Load()
		var prev []blockRef[T]
		if old != nil {
			prev = *old
		}
		t := make([]blockRef[T], max(len(prev), int(last)+1))
		copy(t, prev)
		for i := first; i <= last; i++ {
			t[i] = blockRef[T]{c.arena.Block(i), &vals[i-first]}
		}
		if c.table.CompareAndSwap(old, &t) {
			return
		}
	}
}

// growPatience is how many scheduler rounds a goroutine that needs a block
// gives another goroutine's growth before growing itself.
const growPatience = 64

// drain pops every item queued at the call and hands each to Release. Items
// pushed meanwhile (for example by Release itself) are left for later.
func (c *core[T]) drain() int {
	end := atomic.LoadUint64(&c.ctl.Tail) & skel.PosMask
	var buf []T
	total := 0
	for {
		h := atomic.LoadUint64(&c.ctl.Head)
		if h >= end {
			return total
		}
		if buf == nil {
			buf = make([]T, min(end-h, drainChunk))
		}
		n := c.popN(buf[:min(end-h, uint64(len(buf)))])
		if n == 0 {
			return total
		}
		total += n
		releaseAll(c.release, buf[:n])
		clear(buf[:n])
	}
}

const drainChunk = 256

// releaseAll hands every item of vs to release, in order, exactly once. If
// release panics, the remaining items are still handed over (by the deferred
// call) and then the panic continues to the caller; if several panic, the
// caller sees the last.
func releaseAll[T any](release func(T), vs []T) {
	if release == nil {
		return
	}
	i := 0
	defer func() {
		if i < len(vs) {
			releaseAll(release, vs[i:])
		}
	}()
	for i < len(vs) {
		i++
		release(vs[i-1])
	}
}
