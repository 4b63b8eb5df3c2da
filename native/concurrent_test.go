//go:build cgo && !purego && !race && !injectq_check

package native

import (
	"fmt"
	"math/bits"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/injectq/injectq/fallback"
	"github.com/injectq/injectq/internal/chain"
	"github.com/injectq/injectq/internal/coretest"
	"github.com/injectq/injectq/internal/skel"
)

// mini is a bare queue of positions on the native core, without package
// queue: producers ReserveRun and write each position (+1) into its slot's value
// word before publishing it; consumers ClaimRun, wait, check that each slot
// holds its own position, and retire and recycle blocks. A block located
// differently by a producer and a consumer, a position reserved or claimed
// twice, or a slot reused too early shows as a wrong value or a bad range.
type mini struct {
	t    *testing.T
	a    *skel.Arena
	c    *skel.Ctl
	vals [skel.MaxChunks]atomic.Pointer[[]valBlock]
	mu   sync.Mutex // serialises grow (package queue uses a CAS; not under test)
}

type valBlock [skel.B]uint64

func newMini(t *testing.T) *mini {
	a := skel.NewArena(true)
	return &mini{t: t, a: a, c: a.Ctl()}
}

func (q *mini) grow() {
	q.mu.Lock()
	defer q.mu.Unlock()
	if atomic.LoadUint64(&q.c.Free)&skel.IdxMask != 0 {
		return // somebody else grew meanwhile
	}
	for k := range skel.MaxChunks {
		if !q.a.HasChunk(k) {
			vs := make([]valBlock, 1<<k)
			q.vals[k].Store(&vs)
			first, last := q.a.AddChunk(k)
			chain.PushFree(q.a, first, last) // publishes vals[k] too
			return
		}
	}
	panic("arena full")
}

func (q *mini) val(idx uint32) *valBlock {
	k := bits.Len32(idx+1) - 1
	return &(*q.vals[k].Load())[idx+1-1<<k]
}

// Locate is mini's chain.Locator: native's walk, growing as needed.
func (q *mini) Locate(from skel.Ref, bn uint64) skel.Ref {
	for {
		if r, ok := Locate(q.c, from, bn); ok {
			return r
		}
		q.grow()
	}
}

// locateFirst locates the span's first block if C ran out of blocks for it
// (as package queue does).
func (q *mini) locateFirst(sp *skel.Span) {
	if sp.N == 0 {
		sp.Refs[0], sp.N = q.Locate(sp.Hint, sp.Pos>>skel.LogB), 1
	}
}

func (q *mini) checkTag(r skel.Ref, bn uint64, who string) {
	if skel.RefTag(r) != skel.TagOf(bn) || !skel.HasIdx(r) {
		q.t.Errorf("%s: block %d located as %#x (tag %d)", who, bn, r, skel.RefTag(r))
		runtime.Goexit()
	}
}

// produce reserves and publishes k positions; ok=false: closed.
func (q *mini) produce(k uint64) (pos uint64, ok bool) {
	var sp skel.Span
	if ReserveRun(q.c, k, &sp) == Closed {
		return 0, false
	}
	q.locateFirst(&sp)
	p := sp.Pos
	for w := chain.Walk(&sp, k); ; {
		r, off, n, last := w.Share()
		q.checkTag(r, p>>skel.LogB, "producer")
		vb := q.val(skel.RefIdx(r))
		for j := range uint64(n) {
			vb[uint64(off)+j] = p + j + 1
		}
		if !last {
			w.Advance(q)
		}
		fallback.Publish(q.a.Block(skel.RefIdx(r)), off, n)
		if last {
			chain.MoveHint(&q.c.TailHint, sp.Hint, r)
			return sp.Pos, true
		}
		p += uint64(n)
	}
}

// consume claims up to n positions and checks and retires them.
func (q *mini) consume(n uint64) (pos, m uint64) {
	var sp skel.Span
	m, _ = ClaimRun(q.c, n, &sp)
	if m == 0 {
		if sp.N != 0 {
			q.t.Errorf("empty claim with %d refs", sp.N)
		}
		return 0, 0
	}
	q.locateFirst(&sp)
	p := sp.Pos
	for w := chain.Walk(&sp, m); ; {
		r, off, cnt, last := w.Share()
		q.checkTag(r, p>>skel.LogB, "consumer")
		b := q.a.Block(skel.RefIdx(r))
		chain.Wait(b, off, cnt)
		vb := q.val(skel.RefIdx(r))
		for j := range uint64(cnt) {
			if got := vb[uint64(off)+j]; got != p+j+1 {
				q.t.Errorf("position %d (block %d = %#x, slot %d) holds %d, want %d", p+j, p>>skel.LogB, r, uint64(off)+j, got-1, p+j)
				runtime.Goexit()
			}
			vb[uint64(off)+j] = 0
		}
		if !last {
			w.Advance(q)
		}
		if fallback.Retire(b, uint64(cnt)) {
			for !chain.Advance(q.a, r) {
				q.grow()
			}
		}
		if last {
			chain.MoveHint(&q.c.HeadHint, sp.Hint, r)
			return sp.Pos, m
		}
		p += uint64(cnt)
	}
}

var sizes = []uint64{1, 1, 1, 2, 5, 31, 200, 1000, skel.B, 3000, skel.B*skel.SpanRefs + 100}

// TestConcurrentReserveClaim runs producers and consumers on the native core
// (GOMAXPROCS as set, 2 here) across many blocks and recycling rounds.
func TestConcurrentReserveClaim(t *testing.T) {
	for _, closeMidway := range []bool{false, true} {
		name := "run"
		if closeMidway {
			name = "close"
		}
		t.Run(name, func(t *testing.T) { concurrent(t, closeMidway) })
	}
}

func concurrent(t *testing.T, closeMidway bool) {
	const producers, consumers = 4, 4
	perProducer := uint64(1_000_000)
	if testing.Short() {
		perProducer /= 10
	}
	q := newMini(t)
	// A block located differently by a producer and a consumer leaves the
	// consumer waiting for a publication that never comes: fail loudly
	// instead of at the test binary's timeout.
	watchdog := time.AfterFunc(3*time.Minute, func() {
		panic(fmt.Sprintf("concurrent test stuck for 3m at head %d, tail %#x: a consumer waits for a slot nobody publishes?",
			atomic.LoadUint64(&q.c.Head), atomic.LoadUint64(&q.c.Tail)))
	})
	defer watchdog.Stop()
	var wg sync.WaitGroup
	var done atomic.Int32   // producers finished
	var closing atomic.Bool // set just before the Close call
	var closes atomic.Int32 // successful Close calls
	prod := make([][]coretest.Range, producers)
	cons := make([][]coretest.Range, consumers)
	for p := range producers {
		wg.Go(func() {
			defer done.Add(1)
			r := rand.New(rand.NewPCG(uint64(p), 1))
			for sent := uint64(0); sent < perProducer; {
				k := min(sizes[r.IntN(len(sizes))], perProducer-sent)
				// Backpressure: keep the chain short, so that blocks
				// are recycled many times over.
				for atomic.LoadUint64(&q.c.Tail)&skel.PosMask-atomic.LoadUint64(&q.c.Head) > 32*skel.B {
					runtime.Gosched()
				}
				if closeMidway && p == 0 && sent >= perProducer/2 && !closing.Load() {
					closing.Store(true) // before Close: others may see it closed at once
					if Close(q.c) {
						closes.Add(1)
					}
					if Close(q.c) {
						t.Error("second Close returned true")
					}
				}
				pos, ok := q.produce(k)
				if !ok {
					if !closing.Load() {
						t.Error("ReserveRun returned Closed on an open queue")
					}
					return
				}
				prod[p] = append(prod[p], coretest.Range{Pos: pos, N: k})
				sent += k
			}
		})
	}
	for cn := range consumers {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(cn), 2))
			for {
				finished := done.Load() == producers
				pos, m := q.consume(sizes[r.IntN(len(sizes))])
				if m == 0 {
					if finished {
						return // every producer done before this empty claim
					}
					runtime.Gosched()
					continue
				}
				cons[cn] = append(cons[cn], coretest.Range{Pos: pos, N: m})
			}
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	total := q.c.Tail & skel.PosMask
	if q.c.Head != total {
		t.Fatalf("head %d, tail %d after draining", q.c.Head, total)
	}
	if closeMidway {
		if q.c.Tail&skel.Closed == 0 || closes.Load() != 1 {
			t.Fatalf("close: tail %#x, %d successful closes", q.c.Tail, closes.Load())
		}
	} else if total != producers*perProducer {
		t.Fatalf("tail %d, want %d", total, producers*perProducer)
	}
	coretest.CheckTiling(t, "producers", slices.Concat(prod...), total)
	coretest.CheckTiling(t, "consumers", slices.Concat(cons...), total)
	// Every block is in the chain or on the free stack: none was lost.
	blocks, chain, free := coretest.Census(q.a)
	if chain+free != blocks {
		t.Fatalf("%d blocks in the chain + %d free != %d allocated", chain, free, blocks)
	}
	t.Logf("%d positions through %d blocks (%.1f rounds each)", total, blocks, float64(total)/skel.B/float64(blocks))
}
