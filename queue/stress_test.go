package queue_test

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/injectq/injectq/queue"
)

// An item names its producer and its place in that producer's sequence.
func item(producer, seq int) uint64 { return uint64(producer)<<32 | uint64(seq) }
func itemProducer(v uint64) int     { return int(v >> 32) }
func itemSeq(v uint64) int          { return int(uint32(v)) }

// batchSizes mixes single items, small batches, block-sized and multi-block
// batches (a block is 1024 slots), mostly small so that a run has many
// thousands of operations to interleave.
var batchSizes = []int{1, 1, 1, 1, 2, 3, 5, 7, 8, 13, 16, 31, 33, 64, 64, 100, 300, 1023, 1024, 2500}

// TestStressMPMC moves a million items per backend through producers and
// consumers of mixed batch sizes and checks that every item arrives exactly
// once and that each consumer sees each producer's items in order.
func TestStressMPMC(t *testing.T) {
	total := scale(1_000_000)
	eachBackend(t, func(t *testing.T, mk maker) {
		for _, shape := range []struct{ producers, consumers int }{{4, 4}, {1, 3}, {3, 1}, {8, 2}} {
			t.Run(fmt.Sprintf("%dx%d", shape.producers, shape.consumers), func(t *testing.T) {
				stressMPMC(t, newQ[uint64](t, mk, nil), shape.producers, shape.consumers, total)
			})
		}
	})
}

// stressMPMC runs the stress on q; during, if set, runs beside the
// producers and consumers until they are done, before the checks.
func stressMPMC(t *testing.T, q *queue.Queue[uint64], producers, consumers, total int, during ...func(stop <-chan struct{})) {
	per := total / producers
	seen := make([][]atomic.Uint32, producers)
	for p := range seen {
		seen[p] = make([]atomic.Uint32, per)
	}
	var got atomic.Int64
	var wg sync.WaitGroup
	var errs firstError
	fail, failed := errs.set, &errs.failed
	start := time.Now()
	stop := make(chan struct{})
	var side sync.WaitGroup
	for _, f := range during {
		side.Go(func() { f(stop) })
	}
	for p := range producers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(p), 1))
			buf := make([]uint64, 0, 2500)
			for s := 0; s < per && !failed.Load(); {
				n := min(batchSizes[rng.IntN(len(batchSizes))], per-s)
				var err error
				if n == 1 && rng.IntN(2) == 0 {
					err = q.Push(item(p, s))
				} else {
					buf = buf[:0]
					for i := range n {
						buf = append(buf, item(p, s+i))
					}
					err = q.PushBatch(buf)
				}
				if err != nil {
					fail(err)
					return
				}
				s += n
			}
		})
	}
	for c := range consumers {
		wg.Go(func() {
			rng := rand.New(rand.NewPCG(uint64(c), 2))
			last := make([]int, producers)
			for i := range last {
				last[i] = -1
			}
			dst := make([]uint64, 3000)
			for got.Load() < int64(producers*per) && !failed.Load() {
				if time.Since(start) > stuck {
					fail(fmt.Errorf("consumer %d: %d of %d items after %v", c, got.Load(), producers*per, stuck))
					return
				}
				var n int
				if rng.IntN(4) == 0 {
					if v, ok := q.Pop(); ok {
						dst[0], n = v, 1
					}
				} else {
					n = q.PopN(dst[:batchSizes[rng.IntN(len(batchSizes))]])
				}
				if n == 0 {
					runtime.Gosched()
					continue
				}
				for _, v := range dst[:n] {
					p, s := itemProducer(v), itemSeq(v)
					if p >= producers || s >= per {
						fail(fmt.Errorf("consumer %d: item %#x was never pushed", c, v))
						return
					}
					if s <= last[p] {
						fail(fmt.Errorf("consumer %d: producer %d's item %d after %d", c, p, s, last[p]))
						return
					}
					last[p] = s
					if seen[p][s].Add(1) != 1 {
						fail(fmt.Errorf("item %d of producer %d popped twice", s, p))
						return
					}
				}
				got.Add(int64(n))
			}
		})
	}
	wg.Wait()
	close(stop)
	side.Wait()
	errs.check(t)
	require.Equal(t, int64(producers*per), got.Load())
	require.True(t, q.IsEmpty(), "len %d after all items popped", q.Len())
	requireNoLeak(t, q)
	for p := range seen {
		for s := range seen[p] {
			if seen[p][s].Load() != 1 {
				t.Fatalf("item %d of producer %d popped %d times", s, p, seen[p][s].Load())
			}
		}
	}
}

// stuck is how long a stress loop may run before it reports a hang instead
// of waiting for the test binary's timeout.
const stuck = 2 * time.Minute

// firstError keeps the first error that concurrent workers report; failed
// tells the others to stop.
type firstError struct {
	failed atomic.Bool
	err    atomic.Pointer[error]
}

func (e *firstError) set(err error) {
	e.err.CompareAndSwap(nil, &err)
	e.failed.Store(true)
}

func (e *firstError) check(t *testing.T) {
	t.Helper()
	if err := e.err.Load(); err != nil {
		t.Fatal(*err)
	}
}

// goid returns the current goroutine's id (test bookkeeping only: it tells
// which goroutine ran Release).
func goid() uint64 {
	var buf [64]byte
	b := buf[:runtime.Stack(buf[:], false)]
	b = bytes.TrimPrefix(b, []byte("goroutine "))
	id, _ := strconv.ParseUint(string(b[:bytes.IndexByte(b, ' ')]), 10, 64)
	return id
}

// TestCloseRaces races pushes, Close, pops and Drains, round after round,
// and checks that each item is popped once or released once, never both and
// never neither; that the items of a push that returned nil are never
// released by that push, and those of a rejected push always are, before it
// returns; and that a push that starts after Close has returned fails.
func TestCloseRaces(t *testing.T) {
	rounds := 200
	if testing.Short() {
		rounds = 50
	}
	eachBackend(t, func(t *testing.T, mk maker) {
		mixed := 0 // rounds in which Close split the pushes
		for round := range rounds {
			if accepted, rejected := closeRace(t, mk, round); accepted > 0 && rejected > 0 {
				mixed++
			}
		}
		t.Logf("%d of %d rounds closed the queue between pushes", mixed, rounds)
		require.Greater(t, mixed, rounds/4, "too few rounds raced Close against pushes to test anything")
	})
}

// outcome of one item in closeRace.
type outcome struct {
	popped   atomic.Int32
	released atomic.Int32
	byPusher atomic.Bool // released in its producer's goroutine
}

func closeRace(t *testing.T, mk maker, round int) (accepted, rejected int) {
	const producers, consumers, perProducer = 3, 2, 600
	rng := rand.New(rand.NewPCG(uint64(round), 3))
	outcomes := make([]outcome, producers*perProducer)
	pusherID := make([]atomic.Uint64, producers)
	idx := func(v uint64) int { return itemProducer(v)*perProducer + itemSeq(v) }

	q := newQ(t, mk, func(v uint64) {
		o := &outcomes[idx(v)]
		o.released.Add(1)
		if goid() == pusherID[itemProducer(v)].Load() {
			o.byPusher.Store(true)
		}
	})
	var clock, closedAt atomic.Int64 // closedAt: clock value once Close returned
	closedAt.Store(1 << 62)
	var wg sync.WaitGroup
	var errs firstError
	var producing atomic.Int32
	producing.Store(producers)
	for p := range producers {
		sizes := []int{1, 1, 5, 40, 200, 1100}
		wg.Go(func() {
			defer producing.Add(-1)
			pusherID[p].Store(goid())
			buf := make([]uint64, 0, 1100)
			for s := 0; s < perProducer; {
				n := min(sizes[(s+p+round)%len(sizes)], perProducer-s)
				buf = buf[:0]
				for i := range n {
					buf = append(buf, item(p, s+i))
				}
				start := clock.Add(1)
				var err error
				if n == 1 {
					err = q.Push(buf[0])
				} else {
					err = q.PushBatch(buf)
				}
				for _, v := range buf {
					o := &outcomes[idx(v)]
					switch {
					case err == nil && o.byPusher.Load():
						errs.set(fmt.Errorf("round %d: item %#x released by a push that returned nil", round, v))
					case err != nil && (o.released.Load() != 1 || !o.byPusher.Load()):
						errs.set(fmt.Errorf("round %d: item %#x of a rejected push not released by it before it returned", round, v))
					}
				}
				if err == nil && start > closedAt.Load() {
					errs.set(fmt.Errorf("round %d: push started after Close returned and succeeded", round))
				}
				if err != nil && err != queue.ErrClosed {
					errs.set(err)
				}
				s += n
				runtime.Gosched() // let the closer and the consumers in
			}
		})
	}
	wg.Go(func() {
		// Close once a random number of pushes has started.
		for target := 1 + rng.Int64N(20); clock.Load() < target && producing.Load() > 0; {
			runtime.Gosched()
		}
		q.Close()
		closedAt.Store(clock.Add(1))
	})
	for c := range consumers {
		wg.Go(func() {
			dst := make([]uint64, 50)
			for start := time.Now(); producing.Load() > 0 || !q.IsEmpty(); {
				if time.Since(start) > stuck {
					errs.set(fmt.Errorf("round %d: consumer stuck, len %d", round, q.Len()))
					return
				}
				var n int
				switch c {
				case 0:
					n = q.PopN(dst[:1+round%50])
				default:
					if v, ok := q.Pop(); ok {
						dst[0], n = v, 1
					} else if round%3 == 0 {
						q.Drain()
					}
				}
				for _, v := range dst[:n] {
					outcomes[idx(v)].popped.Add(1)
				}
				if n == 0 {
					runtime.Gosched()
				}
			}
		})
	}
	wg.Wait()
	q.Drain()
	errs.check(t)
	require.True(t, q.IsClosed())
	requireNoLeak(t, q)
	for i := range outcomes {
		o := &outcomes[i]
		if p, r := o.popped.Load(), o.released.Load(); p+r != 1 {
			t.Fatalf("round %d: item %d popped %d times and released %d times", round, i, p, r)
		}
		if o.byPusher.Load() {
			rejected++
		} else {
			accepted++
		}
	}
	return accepted, rejected
}
