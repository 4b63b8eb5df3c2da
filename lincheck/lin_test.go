package lincheck

import (
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/anishathalye/porcupine"
	"github.com/stretchr/testify/require"

	"github.com/injectq/injectq/internal/suite"
	"github.com/injectq/injectq/queue"
)

// op is the input of one recorded operation.
type op struct {
	kind string // "push" (Push or PushBatch), "pop", "popn"
	vals []int  // pushed values
	n    int    // popn: len(dst)
}

// result is the output of one recorded operation: the values popped, and
// for "pop" whether it found one.
type result struct {
	vals []int
	ok   bool
}

// fifo is the sequential specification: the queue's contents, oldest first.
// States are never mutated; Step returns new ones.
var fifo = porcupine.Model{
	Init: func() any { return []int(nil) },
	Step: func(state, input, output any) (bool, any) {
		s, in, out := state.([]int), input.(op), output.(result)
		switch in.kind {
		case "push":
			return true, append(slices.Clip(s), in.vals...)
		case "pop":
			if !out.ok || len(s) == 0 {
				return !out.ok && len(s) == 0, s
			}
			return s[0] == out.vals[0], s[1:]
		default: // popn: exactly min(n, len) of the oldest items
			k := min(in.n, len(s))
			return slices.Equal(s[:k], out.vals), s[k:]
		}
	},
	Equal: func(a, b any) bool { return slices.Equal(a.([]int), b.([]int)) },
	Hash: func(state any) uint64 {
		h := fnv.New64a()
		for _, v := range state.([]int) {
			fmt.Fprint(h, v, ",")
		}
		return h.Sum64()
	},
	DescribeOperation: func(input, output any) string {
		in, out := input.(op), output.(result)
		switch in.kind {
		case "push":
			return fmt.Sprintf("push%v", in.vals)
		case "pop":
			return fmt.Sprintf("pop -> %v %t", out.vals, out.ok)
		}
		return fmt.Sprintf("popn(%d) -> %v", in.n, out.vals)
	},
}

// TestLinearizable records histories of concurrent operations on every
// backend and checks each with porcupine. Before each history the queue is
// walked to a different offset within a block, so that many histories
// straddle a block boundary (a reservation or claim crossing into a block
// that may not be installed yet).
func TestLinearizable(t *testing.T) {
	histories := 250
	if testing.Short() {
		histories = 60
	}
	suite.EachBackend(t, func(t *testing.T, backend string) {
		// Count only histories in which operations of different clients
		// overlap in time; sequential ones are checked too but prove less.
		overlapping, h := 0, 0
		for ; overlapping < histories; h++ {
			// On a loaded machine few histories overlap (the goroutines
			// barely run at the same time); each is cheap, so record more.
			require.Less(t, h, 200*histories, "histories too sequential to test anything (%d of %d overlapped)", overlapping, h)
			q := suite.New[int](t, backend, nil)
			offset := (h * 97) % 1024
			if h%3 == 0 {
				offset = 1024 - 1 - h%5 // right at a boundary
			}
			warm(t, q, offset)
			history := record(q, rand.New(rand.NewPCG(uint64(h), 7)), 4, 7)
			if overlaps(history) {
				overlapping++
			}
			if res := porcupine.CheckOperationsTimeout(fifo, history, 10*time.Second); res != porcupine.Ok {
				t.Fatalf("history %d (offset %d) is %s:\n%s", h, offset, res, describe(history))
			}
		}
		t.Logf("checked %d histories, %d with overlapping operations", h, overlapping)
	})
}

// warm pushes and pops n items so that the next position is n.
func warm(t *testing.T, q *queue.Queue[int], n int) {
	if n == 0 {
		return
	}
	require.NoError(t, q.PushBatch(make([]int, n)))
	require.Equal(t, n, q.PopN(make([]int, n)))
}

// record runs clients goroutines of ops operations each and returns the
// history. Pushed values are unique and positive.
func record(q *queue.Queue[int], rng *rand.Rand, clients, ops int) []porcupine.Operation {
	plans := make([][]op, clients)
	next := 1
	for c := range plans {
		for range ops {
			switch rng.IntN(4) {
			case 0:
				plans[c] = append(plans[c], op{kind: "push", vals: []int{next}})
				next++
			case 1:
				n := 1 + rng.IntN(4)
				plans[c] = append(plans[c], op{kind: "push", vals: seqFrom(next, n)})
				next += n
			case 2:
				plans[c] = append(plans[c], op{kind: "pop"})
			default:
				plans[c] = append(plans[c], op{kind: "popn", n: 1 + rng.IntN(4)})
			}
		}
	}
	start := time.Now()
	now := func() int64 { return int64(time.Since(start)) }
	history := make([][]porcupine.Operation, clients)
	var wg sync.WaitGroup
	var ready atomic.Int32
	for c := range clients {
		wg.Go(func() {
			// Spin at a barrier rather than park: parked goroutines wake
			// one by one, microseconds apart, and would barely overlap.
			ready.Add(1)
			for ready.Load() < int32(clients) {
				runtime.Gosched()
			}
			for _, o := range plans[c] {
				call := now()
				var out result
				switch {
				case o.kind == "push" && len(o.vals) == 1:
					if err := q.Push(o.vals[0]); err != nil {
						panic(err)
					}
				case o.kind == "push":
					if err := q.PushBatch(o.vals); err != nil {
						panic(err)
					}
				case o.kind == "pop":
					v, ok := q.Pop()
					out = result{ok: ok}
					if ok {
						out.vals = []int{v}
					}
				default:
					dst := make([]int, o.n)
					out.vals = dst[:q.PopN(dst)]
				}
				history[c] = append(history[c], porcupine.Operation{
					ClientId: c, Input: o, Call: call, Output: out, Return: now(),
				})
			}
		})
	}
	wg.Wait()
	return slices.Concat(history...)
}

// overlaps reports whether two operations of different clients overlap.
func overlaps(h []porcupine.Operation) bool {
	for i, a := range h {
		for _, b := range h[i+1:] {
			if a.ClientId != b.ClientId && a.Call <= b.Return && b.Call <= a.Return {
				return true
			}
		}
	}
	return false
}

func seqFrom(from, n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = from + i
	}
	return out
}

func describe(history []porcupine.Operation) string {
	s := ""
	for _, o := range history {
		s += fmt.Sprintf("  client %d [%d,%d] %s\n", o.ClientId, o.Call, o.Return, fifo.DescribeOperation(o.Input, o.Output))
	}
	return s
}

// TestModelRejectsViolations shows that the check can fail: histories a
// FIFO queue cannot produce are reported as not linearizable.
func TestModelRejectsViolations(t *testing.T) {
	push := func(c int, call, ret int64, vals ...int) porcupine.Operation {
		return porcupine.Operation{ClientId: c, Input: op{kind: "push", vals: vals}, Output: result{}, Call: call, Return: ret}
	}
	popn := func(c int, call, ret int64, n int, vals ...int) porcupine.Operation {
		return porcupine.Operation{ClientId: c, Input: op{kind: "popn", n: n}, Output: result{vals: vals}, Call: call, Return: ret}
	}
	pop := func(c int, call, ret int64, ok bool, vals ...int) porcupine.Operation {
		return porcupine.Operation{ClientId: c, Input: op{kind: "pop"}, Output: result{vals: vals, ok: ok}, Call: call, Return: ret}
	}
	bad := map[string][]porcupine.Operation{
		"out of order":          {push(0, 0, 1, 1), push(0, 2, 3, 2), popn(1, 4, 5, 2, 2, 1)},
		"batch split":           {push(0, 0, 10, 1, 2), push(1, 0, 10, 3), popn(2, 11, 12, 3, 1, 3, 2)},
		"lost item":             {push(0, 0, 1, 1), pop(1, 2, 3, false)},
		"duplicate":             {push(0, 0, 1, 1), pop(1, 2, 3, true, 1), pop(1, 4, 5, true, 1)},
		"short popn":            {push(0, 0, 1, 1, 2, 3), popn(1, 2, 3, 3, 1, 2)},
		"completed push unseen": {push(0, 0, 1, 1), push(1, 2, 3, 2), pop(2, 4, 5, true, 2)},
	}
	for name, h := range bad {
		require.False(t, porcupine.CheckOperations(fifo, h), name)
	}
	good := []porcupine.Operation{push(0, 0, 10, 1, 2), push(1, 0, 10, 3), popn(2, 11, 12, 3, 3, 1, 2)}
	require.True(t, porcupine.CheckOperations(fifo, good), "concurrent pushes may take either order")
}
