package queue

import (
	"runtime"
	"sync/atomic"

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

func newCore[T any](b backend, release func(T)) *core[T] {
	a := skel.NewArena(b == nativeBackend) // C follows Ctl.Chunks: pin them
	return &core[T]{backend: b, arena: a, ctl: a.Ctl(), release: release}
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
	for w := chain.Walk(&sp, uint64(len(vs)), c); ; {
		r, off, n, last := w.Next(c)
		b, vb := c.block(skel.RefIdx(r))
		copy(vb[off:], vs[:n])
		c.publish(b, off, n)
		if last {
			chain.MoveHint(&c.ctl.TailHint, sp.Hint, r)
			break
		}
		vs = vs[n:]
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
	rest := dst[:m]
	for w := chain.Walk(&sp, m, c); ; {
		r, off, n, last := w.Next(c)
		b, vb := c.block(skel.RefIdx(r))
		chain.Wait(b, off, n)
		src := vb[off : off+n]
		copy(rest, src)
		clear(src) // the queue keeps no reference to a popped value
		if c.retire(b, uint64(n)) {
			c.advance(r)
		}
		if last {
			chain.MoveHint(&c.ctl.HeadHint, sp.Hint, r)
			break
		}
		rest = rest[n:]
	}
	return int(m)
}

// advance recycles the block r whose last slot we consumed (and any complete
// successors), growing the arena if installing a successor needs it.
func (c *core[T]) advance(r skel.Ref) {
	for !chain.Advance(c.arena, r) {
		c.grow()
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
		chain.PushFree(c.arena, first, last)
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
