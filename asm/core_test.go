//go:build !injectq_check

// These tests size their runs for the default 1024-slot blocks; under the
// checker's tag (8-slot blocks) only the checker runs.

package asm

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/injectq/injectq/fallback"
	"github.com/injectq/injectq/internal/coretest"
	"github.com/injectq/injectq/internal/skel"
)

var ops = coretest.Ops{Reserve: Reserve, Claim: Claim, Close: Close, Publish: Publish, Retire: Retire}

// TestCore holds every path to the word-level checks of the reference.
func TestCore(t *testing.T) {
	eachPath(t, func(t *testing.T) { coretest.Run(t, ops) })
}

// TestMatchesFallback applies the same random sequence of operations to two
// skeletons, one through this package and one through the fallback, and
// requires the same results and the same words after each step.
func TestMatchesFallback(t *testing.T) {
	eachPath(t, func(t *testing.T) {
		rng := rand.New(rand.NewPCG(1, 2))
		for round := range 200 {
			aa, fa := coretest.NewArena(0), coretest.NewArena(0)
			ac, fc := aa.Ctl(), fa.Ctl()
			ab, fb := aa.Block(0), fa.Block(0)
			for step := range 100 {
				hint := skel.MakeRef(uint64(step), uint32(round))
				ac.TailHint, fc.TailHint = hint, hint
				ac.HeadHint, fc.HeadHint = ^hint, ^hint
				var got, want [3]uint64
				switch op := rng.IntN(20); {
				case op < 8:
					k := 1 + rng.Uint64N(uint64(1)<<rng.IntN(12))
					t1, h1, ok1 := Reserve(ac, k)
					t2, h2, ok2 := fallback.Reserve(fc, k)
					got, want = [3]uint64{t1, h1, b2u(ok1)}, [3]uint64{t2, h2, b2u(ok2)}
				case op < 16:
					n := 1 + rng.Uint64N(uint64(1)<<rng.IntN(12))
					got[0], got[1], got[2] = Claim(ac, n)
					want[0], want[1], want[2] = fallback.Claim(fc, n)
				case op < 17:
					got[0], want[0] = b2u(Close(ac)), b2u(fallback.Close(fc))
				case op < 19:
					off := rng.Uint32N(skel.B)
					n := 1 + rng.Uint32N(skel.B-off)
					Publish(ab, off, n)
					fallback.Publish(fb, off, n)
				default:
					if ab.Consumed < skel.B {
						n := 1 + rng.Uint64N(skel.B-ab.Consumed)
						got[0], want[0] = b2u(Retire(ab, n)), b2u(fallback.Retire(fb, n))
					}
				}
				if got != want {
					t.Fatalf("round %d step %d: asm returned %#x, fallback %#x", round, step, got, want)
				}
				if ac.Tail != fc.Tail || ac.Head != fc.Head || *ab != *fb {
					t.Fatalf("round %d step %d: skeletons differ:\nasm  tail=%#x head=%#x consumed=%d\nfall tail=%#x head=%#x consumed=%d",
						round, step, ac.Tail, ac.Head, ab.Consumed, fc.Tail, fc.Head, fb.Consumed)
				}
			}
		}
	})
}

func b2u(b bool) uint64 {
	if b {
		return 1
	}
	return 0
}

// TestReserveClaimConcurrent has producers reserve runs of mixed sizes
// while consumers claim: the reservations must tile [0, tail) and so must
// the claims, and no claim may pass the tail.
func TestReserveClaimConcurrent(t *testing.T) {
	const producers, consumers, perProducer = 4, 4, 5000
	eachPath(t, func(t *testing.T) {
		c := coretest.NewArena(0).Ctl()
		var (
			wg       sync.WaitGroup
			mu       sync.Mutex
			reserved []coretest.Range
			claimed  []coretest.Range
			done     atomic.Bool
			bad      atomic.Value
		)
		for p := range producers {
			wg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(p), 7))
				mine := make([]coretest.Range, 0, perProducer)
				for range perProducer {
					k := []uint64{1, 1, 2, 3, 7, 64, 1000}[rng.IntN(7)]
					pos, _, ok := Reserve(c, k)
					if !ok {
						bad.Store("Reserve failed on an open queue")
						return
					}
					mine = append(mine, coretest.Range{Pos: pos, N: k})
					if rng.IntN(16) == 0 {
						runtime.Gosched()
					}
				}
				mu.Lock()
				reserved = append(reserved, mine...)
				mu.Unlock()
			})
		}
		var cg sync.WaitGroup
		for q := range consumers {
			cg.Go(func() {
				rng := rand.New(rand.NewPCG(uint64(q), 9))
				var mine []coretest.Range
				for {
					fin := done.Load() // read before the claim: then an empty claim means drained
					n := []uint64{1, 5, 100, 5000}[rng.IntN(4)]
					h, m, _ := Claim(c, n)
					if m > n {
						bad.Store("Claim returned more than asked")
					}
					if m == 0 {
						if fin {
							break
						}
						runtime.Gosched()
						continue
					}
					if h+m > atomic.LoadUint64(&c.Tail)&skel.PosMask {
						bad.Store("a claim passed the tail")
					}
					mine = append(mine, coretest.Range{Pos: h, N: m})
				}
				mu.Lock()
				claimed = append(claimed, mine...)
				mu.Unlock()
			})
		}
		wg.Wait()
		done.Store(true)
		cg.Wait()
		if msg := bad.Load(); msg != nil {
			t.Fatal(msg)
		}
		tail := c.Tail
		coretest.CheckTiling(t, "reservations", reserved, tail)
		coretest.CheckTiling(t, "claims", claimed, tail)
		if c.Head != tail {
			t.Fatalf("head %d, tail %d after draining", c.Head, tail)
		}
	})
}

// TestCloseConcurrent closes the queue while producers reserve: exactly
// one Close reports true, and the reservations made tile [0, tail) (none
// succeeded after the bit was set, none was lost).
func TestCloseConcurrent(t *testing.T) {
	eachPath(t, func(t *testing.T) {
		for round := range 50 {
			c := coretest.NewArena(0).Ctl()
			var (
				wg       sync.WaitGroup
				mu       sync.Mutex
				reserved []coretest.Range
				closers  atomic.Int32
				start    = make(chan struct{})
			)
			for p := range 3 {
				wg.Go(func() {
					<-start
					var mine []coretest.Range
					for i := 0; ; i++ {
						if i == 1<<20 {
							t.Errorf("round %d: reservations still succeed long after Close", round)
							break
						}
						k := uint64(1 + (p+i)%5)
						pos, _, ok := Reserve(c, k)
						if !ok {
							break
						}
						mine = append(mine, coretest.Range{Pos: pos, N: k})
					}
					mu.Lock()
					reserved = append(reserved, mine...)
					mu.Unlock()
				})
			}
			for range 3 {
				wg.Go(func() {
					<-start
					// Close once the producers are under way (later each round).
					for atomic.LoadUint64(&c.Tail)&skel.PosMask < uint64(round*20) {
						runtime.Gosched()
					}
					if Close(c) {
						closers.Add(1)
					}
				})
			}
			close(start)
			wg.Wait()
			if n := closers.Load(); n != 1 {
				t.Fatalf("round %d: %d Close calls reported true", round, n)
			}
			if c.Tail&skel.Closed == 0 {
				t.Fatalf("round %d: tail %#x has no Closed bit", round, c.Tail)
			}
			coretest.CheckTiling(t, "reservations", reserved, c.Tail&skel.PosMask)
		}
	})
}

// together calls step(w) in a loop on two goroutines at once (w = 0, 1)
// until each has made at least minSteps steps and has seen the other make
// progress between two of its own steps at least 200 times: so the two
// really ran in parallel (or were at least interleaved finely), whatever
// else the machine is doing. step returns false to stop both. It returns
// the number of steps of each, and fails t if no such overlap happened
// within a minute.
func together(t *testing.T, minSteps int64, step func(w int) bool) (steps [2]int64) {
	const overlaps = 200
	var (
		progress [2]struct {
			n atomic.Int64
			_ [120]byte // own cache lines: the counters must not be the contention
		}
		satisfied atomic.Int32
		stop      atomic.Bool
		wg        sync.WaitGroup
	)
	deadline := time.Now().Add(time.Minute)
	for w := range 2 {
		wg.Go(func() {
			seen, last, done := 0, progress[1-w].n.Load(), false
			for i := int64(1); !stop.Load(); i++ {
				if !step(w) {
					stop.Store(true)
					break
				}
				progress[w].n.Store(i)
				if p := progress[1-w].n.Load(); p != last {
					seen, last = seen+1, p
				}
				if !done && seen >= overlaps && i >= minSteps {
					done = true
					satisfied.Add(1)
				}
				if satisfied.Load() == 2 || i%1024 == 0 && time.Now().After(deadline) {
					break
				}
			}
			stop.Store(true)
		})
	}
	wg.Wait()
	steps = [2]int64{progress[0].n.Load(), progress[1].n.Load()}
	if satisfied.Load() != 2 && !t.Failed() {
		t.Fatalf("the two goroutines did not overlap enough within a minute (steps %v)", steps)
	}
	return steps
}

// TestRetireConcurrent adds 1 to one count from two goroutines at once: no
// add may be lost, and exactly one call sees the count reach B.
func TestRetireConcurrent(t *testing.T) {
	eachPath(t, func(t *testing.T) {
		b := coretest.NewArena(0).Block(0)
		var completers atomic.Int32
		steps := together(t, skel.B, func(int) bool {
			if Retire(b, 1) {
				completers.Add(1)
			}
			return true
		})
		if n, want := completers.Load(), uint64(steps[0]+steps[1]); n != 1 || b.Consumed != want {
			t.Fatalf("%d completers, consumed %d; want 1, %d", n, b.Consumed, want)
		}
	})
}

// TestPublishConcurrent has two producers publish, at once and over and
// over, interleaved runs that share State words (each then clears its own
// slots with an atomic AND): a producer must always find its own slots
// published, never lost to a neighbour's store.
func TestPublishConcurrent(t *testing.T) {
	eachPath(t, func(t *testing.T) {
		b := coretest.NewArena(0).Block(0)
		var lost atomic.Value
		// Slots [3, 40) cut into runs of 1..5 slots, dealt alternately to
		// the two producers: runs share words and cross word boundaries.
		var runs [2][]coretest.Range
		var mine [2][5]uint64 // each producer's slots, as State masks
		for off, i := uint64(3), 0; off < 40; i++ {
			n := min(uint64(1+i%5), 40-off)
			runs[i%2] = append(runs[i%2], coretest.Range{Pos: off, N: n})
			for s := off; s < off+n; s++ {
				mine[i%2][s/8] |= uint64(skel.Published) << (8 * (s % 8))
			}
			off += n
		}
		var iter [2]int
		together(t, 1000, func(w int) bool {
			for _, r := range runs[w] {
				Publish(b, uint32(r.Pos), uint32(r.N))
			}
			for i, m := range mine[w] {
				if got := atomic.LoadUint64(&b.State[i]); got&m != m {
					lost.Store(fmt.Sprintf("producer %d, round %d: State[%d] = %#x, lost some of %#x", w, iter[w], i, got, m))
					return false
				}
				atomic.AndUint64(&b.State[i], ^m)
			}
			iter[w]++
			return true
		})
		if msg := lost.Load(); msg != nil {
			t.Fatal(msg)
		}
		for i, v := range b.State {
			if v != 0 {
				t.Fatalf("State[%d] = %#x: a slot outside the runs was published", i, v)
			}
		}
	})
}
