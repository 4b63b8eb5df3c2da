//go:build cgo && !purego && !race && !injectq_check

package native

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/injectq/injectq/fallback"
	"github.com/injectq/injectq/internal/chain"
	"github.com/injectq/injectq/internal/coretest"
	"github.com/injectq/injectq/internal/skel"
)

// These tests drive the same operations on two arenas, one through native
// (ReserveRun, ClaimRun, Locate, Close) and one through the reference
// (fallback.Reserve, Claim and Close; chain.LocateRun and Locate), and compare every
// result, the control words and every block's link words after each step.
// The parts that stay in Go (hint updates, Retire, Advance, growing) are
// done identically on both, as package queue does them.

// side is one of the two arenas.
type side struct {
	native bool
	a      *skel.Arena
	c      *skel.Ctl
	// hoard holds blocks taken off the free stack by starve, given back
	// by grow before any chunk is added: that makes the empty-free-stack
	// path frequent without allocating ever larger chunks.
	hoard []uint32
}

func newSide(native bool) *side {
	a := skel.NewArena(true) // chunks pinned: C follows Ctl.Chunks
	return &side{native: native, a: a, c: a.Ctl()}
}

// status is native's status code for the result of chain.LocateRun.
func status(located bool) int {
	if located {
		return OK
	}
	return Grow
}

func (s *side) splice(k uint64, sp *skel.Span) int {
	if s.native {
		return ReserveRun(s.c, k, sp)
	}
	t, hint, ok := fallback.Reserve(s.c, k)
	if !ok {
		return Closed
	}
	sp.Pos, sp.Hint = t, hint
	return status(chain.LocateRun(s.a, hint, t, k, sp))
}

func (s *side) claim(n uint64, sp *skel.Span) (uint64, int) {
	if s.native {
		return ClaimRun(s.c, n, sp)
	}
	h, m, hint := fallback.Claim(s.c, n)
	if m == 0 {
		sp.Pos, sp.Hint, sp.N = h, 0, 0
		return 0, OK
	}
	sp.Pos, sp.Hint = h, hint
	return m, status(chain.LocateRun(s.a, hint, h, m, sp))
}

func (s *side) locate(from skel.Ref, bn uint64) (skel.Ref, bool) {
	if s.native {
		return Locate(s.c, from, bn)
	}
	return chain.Locate(s.a, from, bn)
}

func (s *side) close() bool {
	if s.native {
		return Close(s.c)
	}
	return fallback.Close(s.c)
}

// grow gives back up to three hoarded blocks, or adds the next chunk.
func (s *side) grow() {
	if n := min(len(s.hoard), 3); n > 0 {
		for _, idx := range s.hoard[len(s.hoard)-n:] {
			chain.PushFree(s.a, idx, idx)
		}
		s.hoard = s.hoard[:len(s.hoard)-n]
		return
	}
	for k := range skel.MaxChunks {
		if !s.a.HasChunk(k) {
			first, last := s.a.AddChunk(k)
			chain.PushFree(s.a, first, last)
			return
		}
	}
	panic("arena full")
}

// starve takes every block off the free stack.
func (s *side) starve() {
	for {
		idx, ok := chain.PopFree(s.a)
		if !ok {
			return
		}
		s.hoard = append(s.hoard, idx)
	}
}

// blocks returns the number of allocated blocks.
func (s *side) blocks() uint32 {
	n, _, _ := coretest.Census(s.a)
	return uint32(n)
}

// run is a reservation or claim whose blocks are all located.
type run struct {
	pos, n uint64
	refs   []skel.Ref
}

// diff holds the two sides and the history the operations draw on.
type diff struct {
	t        *testing.T
	nat, ref *side
	step     int
	op       string
	closed   bool
	pending  []run      // reserved, not yet claimed (positions only)
	seen     []skel.Ref // every Ref located so far, for stale hints
	spans    int        // statistics, to check the scenarios cover what they claim
	longRuns int
	grows    int
	partial  int // Grow with some blocks already located
	stale    int // walks that met a recycled block
}

func newDiff(t *testing.T) *diff {
	return &diff{t: t, nat: newSide(true), ref: newSide(false)}
}

func (d *diff) fatalf(format string, args ...any) {
	d.t.Helper()
	d.t.Fatalf("step %d (%s): %s", d.step, d.op, fmt.Sprintf(format, args...))
}

// check compares the control words and every block's words.
func (d *diff) check(what string) {
	d.t.Helper()
	n, r := d.nat.c, d.ref.c
	words := []struct {
		name string
		n, r uint64
	}{
		{"Tail", n.Tail, r.Tail}, {"TailHint", n.TailHint, r.TailHint},
		{"Head", n.Head, r.Head}, {"HeadBlk", n.HeadBlk, r.HeadBlk},
		{"HeadHint", n.HeadHint, r.HeadHint}, {"Free", n.Free, r.Free},
	}
	for _, w := range words {
		if w.n != w.r {
			d.fatalf("%s: Ctl.%s native %#x, reference %#x", what, w.name, w.n, w.r)
		}
	}
	if d.nat.blocks() != d.ref.blocks() {
		d.fatalf("%s: %d blocks native, %d reference", what, d.nat.blocks(), d.ref.blocks())
	}
	for idx := range d.nat.blocks() {
		bn, br := d.nat.a.Block(idx), d.ref.a.Block(idx)
		if bn.Next != br.Next || bn.FreeNext != br.FreeNext || bn.Consumed != br.Consumed || bn.State != br.State {
			d.fatalf("%s: block %d native {Next %#x FreeNext %d Consumed %d}, reference {Next %#x FreeNext %d Consumed %d} (or State differs)",
				what, idx, bn.Next, bn.FreeNext, bn.Consumed, br.Next, br.FreeNext, br.Consumed)
		}
	}
}

func (d *diff) grow() {
	d.grows++
	d.nat.grow()
	d.ref.grow()
	d.check("grow")
}

// locate runs Locate on both sides, growing both until it succeeds.
func (d *diff) locate(from skel.Ref, bn uint64) skel.Ref {
	d.t.Helper()
	for {
		rn, okn := d.nat.locate(from, bn)
		rr, okr := d.ref.locate(from, bn)
		if okn != okr || (okn && rn != rr) {
			d.fatalf("Locate(%#x, %d): native %#x %t, reference %#x %t", from, bn, rn, okn, rr, okr)
		}
		d.check(fmt.Sprintf("Locate(%#x, %d)", from, bn))
		if okn {
			if skel.RefTag(rn) != skel.TagOf(bn) {
				d.fatalf("Locate(%#x, %d) = %#x: wrong tag", from, bn, rn)
			}
			d.seen = append(d.seen, rn)
			return rn
		}
		d.grow()
	}
}

// Locate makes d the chain.Locator of the runs it completes.
func (d *diff) Locate(from skel.Ref, bn uint64) skel.Ref { return d.locate(from, bn) }

// complete walks a span after the backend's call as package queue does
// (its first block located at once, then chain.Walk, locating on both
// sides what the span lacks) and returns every block of the run.
func (d *diff) complete(sp *skel.Span, count uint64, st int) run {
	d.t.Helper()
	d.spans++
	if st == Grow && sp.N > 0 {
		d.partial++
	}
	first := sp.Pos >> skel.LogB
	if (sp.Pos+count-1)>>skel.LogB-first+1 > skel.SpanRefs {
		d.longRuns++
	}
	for i := range sp.N {
		if r := sp.Refs[i]; skel.RefTag(r) != skel.TagOf(first+i) {
			d.fatalf("span block %d: Ref %#x, want tag %d", i, r, first+i)
		}
		d.seen = append(d.seen, sp.Refs[i])
	}
	if sp.N == 0 { // as package queue does
		sp.Refs[0], sp.N = d.locate(sp.Hint, first), 1
	}
	rn := run{pos: sp.Pos, n: count}
	for w := chain.Walk(sp, count); ; {
		r, _, _, last := w.Share()
		rn.refs = append(rn.refs, r)
		if last {
			return rn
		}
		w.Advance(d)
	}
}

// splice reserves k positions on both sides.
func (d *diff) splice(k uint64) {
	d.t.Helper()
	var sn, sr skel.Span
	stn := d.nat.splice(k, &sn)
	str := d.ref.splice(k, &sr)
	if stn != str || sn != sr {
		d.fatalf("ReserveRun(%d): native %d %+v, reference %d %+v", k, stn, sn, str, sr)
	}
	d.check(fmt.Sprintf("ReserveRun(%d) = %d", k, stn))
	if stn == Closed {
		if !d.closed {
			d.fatalf("ReserveRun(%d) = Closed on an open queue", k)
		}
		return
	}
	if d.closed {
		d.fatalf("ReserveRun(%d) = %d on a closed queue", k, stn)
	}
	rn := d.complete(&sn, k, stn)
	// The hint update of package queue's pushBatch, on both sides.
	if last := rn.refs[len(rn.refs)-1]; last != sn.Hint {
		for _, s := range []*side{d.nat, d.ref} {
			if s.c.TailHint == sn.Hint {
				s.c.TailHint = last
			}
		}
	}
	d.pending = append(d.pending, rn)
	d.check("tail hint")
}

// claim claims up to n positions on both sides and consumes them: Retire
// each block's share and Advance past completed blocks, recycling them.
func (d *diff) claim(n uint64) uint64 {
	d.t.Helper()
	var sn, sr skel.Span
	mn, stn := d.nat.claim(n, &sn)
	mr, str := d.ref.claim(n, &sr)
	if mn != mr || stn != str || sn != sr {
		d.fatalf("ClaimRun(%d): native %d %d %+v, reference %d %d %+v", n, mn, stn, sn, mr, str, sr)
	}
	d.check(fmt.Sprintf("ClaimRun(%d) = %d, %d", n, mn, stn))
	if mn == 0 {
		return 0
	}
	rn := d.complete(&sn, mn, stn)
	// Every claimed block must be the one the producers located.
	for i, r := range rn.refs {
		bn := sn.Pos>>skel.LogB + uint64(i)
		if want := d.producerRef(bn); want != r {
			d.fatalf("Claim located block %d as %#x; producers used %#x", bn, r, want)
		}
	}
	pos, left := sn.Pos, mn
	for _, r := range rn.refs {
		cnt := min(left, skel.B-pos%skel.B)
		for _, s := range []*side{d.nat, d.ref} {
			if fallback.Retire(s.a.Block(skel.RefIdx(r)), cnt) {
				for !chain.Advance(s.a, r) {
					s.grow() // the other side grows below, identically
					if s == d.nat {
						d.grows++
					}
				}
			}
		}
		d.check("retire/advance")
		pos, left = pos+cnt, left-cnt
	}
	if last := rn.refs[len(rn.refs)-1]; last != sn.Hint {
		for _, s := range []*side{d.nat, d.ref} {
			if s.c.HeadHint == sn.Hint {
				s.c.HeadHint = last
			}
		}
	}
	d.dropClaimed(sn.Pos + mn)
	return mn
}

// producerRef returns the Ref a producer located for block bn.
func (d *diff) producerRef(bn uint64) skel.Ref {
	for _, rn := range d.pending {
		first := rn.pos >> skel.LogB
		if bn >= first && bn-first < uint64(len(rn.refs)) {
			return rn.refs[bn-first]
		}
	}
	d.fatalf("no producer holds block %d", bn)
	return 0
}

func (d *diff) dropClaimed(head uint64) {
	for len(d.pending) > 0 && d.pending[0].pos+d.pending[0].n <= head {
		d.pending = d.pending[1:]
	}
}

func (d *diff) close() {
	cn, cr := d.nat.close(), d.ref.close()
	if cn != cr || cn == d.closed {
		d.fatalf("Close: native %t, reference %t, already closed %t", cn, cr, d.closed)
	}
	d.closed = true
	d.check("Close")
}

// staleHint points TailHint or HeadHint (both sides) at a Ref seen earlier
// whose block has since been recycled, if one qualifies: its number must be
// at most the tail's (head's) block, as the hints' contract says.
func (d *diff) staleHint(rng *rand.Rand, tail bool) {
	word, pos := &d.nat.c.HeadHint, d.nat.c.Head
	other := &d.ref.c.HeadHint
	if tail {
		word, pos, other = &d.nat.c.TailHint, d.nat.c.Tail&skel.PosMask, &d.ref.c.TailHint
	}
	for range 8 {
		if len(d.seen) == 0 {
			return
		}
		r := d.seen[rng.IntN(len(d.seen))]
		if skel.RefTag(r) > pos>>skel.LogB || skel.RefTag(d.nat.a.Block(skel.RefIdx(r)).Next) == skel.RefTag(r) {
			continue
		}
		*word, *other = r, r
		d.stale++
		d.check("stale hint")
		return
	}
}

// staleLocate calls Locate directly with a random earlier Ref (often stale)
// or NoRef for a block still in the chain.
func (d *diff) staleLocate(rng *rand.Rand) {
	lo := skel.RefTag(d.nat.c.HeadBlk)
	if !skel.HasIdx(d.nat.c.HeadBlk) {
		return
	}
	hi := (d.nat.c.Tail & skel.PosMask) >> skel.LogB
	if hi < lo {
		return
	}
	bn := lo + rng.Uint64N(hi-lo+1)
	from := skel.NoRef
	if len(d.seen) > 0 && rng.IntN(4) != 0 {
		if r := d.seen[rng.IntN(len(d.seen))]; skel.RefTag(r) <= bn {
			from = r
		}
	}
	d.locate(from, bn)
}

func (d *diff) starve() {
	d.nat.starve()
	d.ref.starve()
	d.check("starve")
}

func TestMatchesReferenceScripted(t *testing.T) {
	d := newDiff(t)
	d.op = "claim on a new queue"
	if d.claim(5) != 0 {
		t.Fatal("claimed from an empty queue")
	}
	d.op = "first splice: no blocks at all, Grow with N=0"
	d.splice(1)
	if d.grows != 1 || d.partial != 0 {
		t.Fatalf("first splice grew %d times", d.grows)
	}
	d.op = "runs within and across blocks"
	for _, k := range []uint64{3, 1020, 1, 1, 2048, 5} {
		d.splice(k)
	}
	d.op = "a run over more than SpanRefs blocks, starting mid-block"
	d.splice(skel.B*(skel.SpanRefs+3) + 7)
	d.op = "empty free stack in the middle of a run: Grow with N>0"
	d.starve()
	d.grow() // three blocks back
	d.splice(skel.B * 6)
	if d.partial == 0 {
		t.Fatal("no partial Grow")
	}
	d.op = "claims across many blocks, recycling them"
	for _, n := range []uint64{1, 2, 1500, skel.B * 10, 3} {
		d.claim(n)
	}
	d.op = "stale hints after recycling"
	rng := rand.New(rand.NewPCG(1, 2))
	for range 20 {
		d.staleHint(rng, true)
		d.staleHint(rng, false)
		d.splice(uint64(1 + rng.IntN(3000)))
		d.claim(uint64(1 + rng.IntN(3000)))
		d.staleLocate(rng)
	}
	if d.stale == 0 {
		t.Fatal("no stale hint was set")
	}
	d.op = "close, then drain"
	d.close()
	d.splice(1)
	d.splice(skel.B * 3)
	for d.claim(777) != 0 {
	}
	if d.nat.c.Head != d.nat.c.Tail&skel.PosMask {
		t.Fatal("not drained")
	}
	d.op = "second close"
	if d.nat.close() || d.ref.close() {
		t.Fatal("second Close returned true")
	}
	d.check("second close")
	t.Logf("%d spans, %d runs over SpanRefs blocks, %d grows (%d partial), %d stale hints", d.spans, d.longRuns, d.grows, d.partial, d.stale)
}

func TestMatchesReferenceRandom(t *testing.T) {
	steps := 3000
	if testing.Short() {
		steps = 600
	}
	for seed := range uint64(4) {
		t.Run(fmt.Sprint("seed=", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 0x1badc0de))
			d := newDiff(t)
			sizes := []uint64{1, 1, 2, 7, 64, 1000, skel.B - 1, skel.B, skel.B + 1, 3 * skel.B, skel.B*skel.SpanRefs + 1, 12345}
			for d.step = range steps {
				k := sizes[rng.IntN(len(sizes))]
				switch op := rng.IntN(100); {
				case op < 40:
					d.op = fmt.Sprint("splice ", k)
					if !d.closed && d.nat.c.Tail-d.nat.c.Head > 64*skel.B {
						d.claim(k)
						continue
					}
					d.splice(k)
				case op < 80:
					d.op = fmt.Sprint("claim ", k)
					d.claim(k)
				case op < 85:
					d.op = "stale tail hint"
					d.staleHint(rng, true)
				case op < 90:
					d.op = "stale head hint"
					d.staleHint(rng, false)
				case op < 95:
					d.op = "locate"
					d.staleLocate(rng)
				case op < 99:
					d.op = "starve"
					d.starve()
				default:
					if d.step > steps/2 && !d.closed {
						d.op = "close"
						d.close()
					}
				}
			}
			t.Logf("%d spans, %d runs over SpanRefs blocks, %d grows (%d partial), %d stale hints", d.spans, d.longRuns, d.grows, d.partial, d.stale)
			if d.longRuns == 0 || d.partial == 0 || d.stale == 0 {
				t.Fatal("the random scenario missed a case")
			}
		})
	}
}
