package queue_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/injectq/injectq/queue"
)

// A script is a sequence of queue operations decoded from bytes, so that
// the fuzzer can mutate it. Sizes are scaled so that a few bytes reach
// across block boundaries (a block is 1024 slots).
type step struct {
	kind byte // see the switch in decode
	n    int
}

func decode(data []byte) []step {
	var steps []step
	for i := 0; i < len(data); i++ {
		kind := data[i] % 8
		n := 0
		if i+1 < len(data) {
			i++
			n = int(data[i])
			if n >= 200 { // the top of the byte range means big runs
				n = (n - 199) * 97
			}
		}
		steps = append(steps, step{kind, n})
	}
	return steps
}

// model is the specification: a slice, a closed flag, and what Release saw.
type model struct {
	items    []int
	closed   bool
	released []int
}

// run applies the script to q (whose Release appends to *released) and to a
// model, and returns a description of the first divergence, or "".
func run(q *queue.Queue[int], released *[]int, steps []step) string {
	var m model
	next := 0
	vals := func(n int) []int {
		out := make([]int, n)
		for i := range out {
			out[i] = next
			next++
		}
		return out
	}
	for i, s := range steps {
		switch s.kind {
		case 0, 1: // Push
			v := vals(1)[0]
			err := q.Push(v)
			if m.closed {
				m.released = append(m.released, v)
			} else {
				m.items = append(m.items, v)
			}
			if (err != nil) != m.closed {
				return fmt.Sprintf("step %d: Push: err %v, closed %t", i, err, m.closed)
			}
		case 2, 3: // PushBatch, possibly empty
			vs := vals(s.n)
			err := q.PushBatch(vs)
			if m.closed {
				m.released = append(m.released, vs...)
			} else {
				m.items = append(m.items, vs...)
			}
			if (err != nil) != m.closed {
				return fmt.Sprintf("step %d: PushBatch(%d): err %v, closed %t", i, s.n, err, m.closed)
			}
		case 4: // Pop
			v, ok := q.Pop()
			if ok != (len(m.items) > 0) || ok && v != m.items[0] {
				return fmt.Sprintf("step %d: Pop = %d, %t; model has %d items", i, v, ok, len(m.items))
			}
			if ok {
				m.items = m.items[1:]
			}
		case 5: // PopN, possibly into an empty dst
			dst := make([]int, s.n)
			got := dst[:q.PopN(dst)]
			k := min(s.n, len(m.items))
			if !slices.Equal(got, m.items[:k]) {
				return fmt.Sprintf("step %d: PopN(%d) = %v, want %v", i, s.n, got, m.items[:k])
			}
			m.items = m.items[k:]
		case 6: // Close (every fourth time: the script ends open more often)
			if s.n%4 != 0 {
				continue
			}
			if got := q.Close(); got == m.closed {
				return fmt.Sprintf("step %d: Close = %t, closed before %t", i, got, m.closed)
			}
			m.closed = true
		case 7: // Drain
			if got := q.Drain(); got != len(m.items) {
				return fmt.Sprintf("step %d: Drain = %d, want %d", i, got, len(m.items))
			}
			m.released = append(m.released, m.items...)
			m.items = nil
		}
		if q.Len() != len(m.items) || q.IsClosed() != m.closed {
			return fmt.Sprintf("step %d (%d): Len %d closed %t, model %d %t", i, s.kind, q.Len(), q.IsClosed(), len(m.items), m.closed)
		}
		if !slices.Equal(*released, m.released) {
			return fmt.Sprintf("step %d: released %d items, model %d", i, len(*released), len(m.released))
		}
	}
	return ""
}

// runOn runs the script on a new queue of the given backend.
func runOn(t testing.TB, backend string, steps []step) string {
	var released []int
	q := newQ(t, maker{backend}, func(v int) { released = append(released, v) })
	return run(q, &released, steps)
}

// FuzzOps runs fuzzed operation sequences on every backend against the
// slice model; a backend that differs from the model (and so from the
// others) fails.
func FuzzOps(f *testing.F) {
	f.Add([]byte{0, 1, 4, 4})
	f.Add([]byte{2, 255, 5, 254, 2, 3, 5, 10, 7, 0})
	f.Add([]byte{2, 210, 6, 4, 0, 1, 2, 5, 7, 0, 5, 50})
	f.Add([]byte{3, 209, 5, 0, 4, 9, 2, 230, 5, 240, 5, 240})
	f.Fuzz(func(t *testing.T, data []byte) {
		steps := decode(data)
		for _, backend := range queue.Backends() {
			if d := runOn(t, backend, steps); d != "" {
				t.Fatalf("%s: %s", backend, d)
			}
		}
	})
}

// TestRandomScriptsMatchModel runs the same random operation sequences on
// every backend and on the model; each backend must agree with the model
// (and therefore with fallback) at every step.
func TestRandomScriptsMatchModel(t *testing.T) {
	scripts := scale(400)
	eachBackend(t, func(t *testing.T, mk maker) {
		for s := range scripts {
			rng := rand.New(rand.NewPCG(uint64(s), 11))
			data := make([]byte, 20+rng.IntN(200))
			for i := range data {
				data[i] = byte(rng.UintN(256))
			}
			if d := runOn(t, mk.backend, decode(data)); d != "" {
				t.Fatalf("script %d (%x): %s", s, data, d)
			}
		}
	})
}
