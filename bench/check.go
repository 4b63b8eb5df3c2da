package bench

import (
	"fmt"
	"sync"
	"sync/atomic"
)

// Check runs a small correctness test on one contender's adapter: FIFO
// order through every mix of Push/PushBatch and Pop/PopN in one goroutine,
// then no loss, no duplicate and per-producer FIFO with concurrent
// producers and consumers, through the same MPMC runner the measurements
// use. The harness runs it before measuring, so a broken adapter cannot
// produce numbers.
func Check(c Contender) error {
	if err := checkSequential(c); err != nil {
		return fmt.Errorf("%s: sequential: %w", c.Name, err)
	}
	for _, shape := range []struct{ p, c, batch int }{{1, 1, 1}, {2, 2, 1}, {3, 2, 7}, {2, 3, 32}} {
		if err := checkConcurrent(c, shape.p, shape.c, shape.batch); err != nil {
			return fmt.Errorf("%s: %d producers × %d consumers, batch %d: %w", c.Name, shape.p, shape.c, shape.batch, err)
		}
	}
	return nil
}

func checkSequential(c Contender) error {
	const n = 5000
	items := newItems(n)
	q := c.New(n)
	if _, ok := q.Pop(); ok {
		return fmt.Errorf("pop from a new queue returned an item")
	}
	if got := q.PopN(make([]*Item, 4)); got != 0 {
		return fmt.Errorf("PopN from a new queue returned %d", got)
	}
	// Push in runs of 1, 2, 3, ... alternating Push and PushBatch, and pop
	// in runs of other sizes, so that batches straddle every boundary.
	pushed := 0
	for run := 1; pushed < n; run++ {
		k := min(run, n-pushed)
		if run%2 == 1 && k > 1 {
			q.PushBatch(items[pushed : pushed+k])
		} else {
			for _, v := range items[pushed : pushed+k] {
				q.Push(v)
			}
		}
		pushed += k
	}
	next := uint64(0)
	buf := make([]*Item, 97)
	for run := 0; next < n; run++ {
		var got []*Item
		if run%3 == 0 {
			v, ok := q.Pop()
			if !ok {
				return fmt.Errorf("Pop: empty after %d of %d items", next, n)
			}
			got = []*Item{v}
		} else {
			m := q.PopN(buf[:1+run%len(buf)])
			if m == 0 {
				return fmt.Errorf("PopN: empty after %d of %d items", next, n)
			}
			got = buf[:m]
		}
		for _, v := range got {
			if v == nil || v.Seq != next {
				return fmt.Errorf("item %d: got %v, not FIFO", next, describe(v))
			}
			next++
		}
	}
	if v, ok := q.Pop(); ok {
		return fmt.Errorf("pop after all %d items returned %v", n, describe(v))
	}
	// Reuse after empty, and batches larger than what was queued before.
	q.PushBatch(items[:n/2])
	m := 0
	for m < n/2 {
		k := q.PopN(items[n/2+m : n/2+min(n/2, m+300)]) // pop into the other half of the slice: any dst works
		if k == 0 {
			return fmt.Errorf("second round: empty after %d of %d", m, n/2)
		}
		m += k
	}
	for i := range n / 2 {
		if items[n/2+i].Seq != uint64(i) {
			return fmt.Errorf("second round: position %d holds seq %d", i, items[n/2+i].Seq)
		}
	}
	return nil
}

func describe(v *Item) string {
	if v == nil {
		return "nil"
	}
	return fmt.Sprintf("seq %d", v.Seq)
}

// checkConcurrent runs the measurement's MPMC runner with consumers that
// record what they get, and checks that every item arrived exactly once
// and that each consumer saw each producer's items in order.
func checkConcurrent(c Contender, producers, consumers, batch int) error {
	const n = 24000
	items := newItems(n)
	per := (n + producers - 1) / producers
	seen := make([]atomic.Int32, n)
	var mu sync.Mutex
	var errs []error
	// last[consumer][producer] is the last index of that producer's slice
	// that the consumer saw.
	last := make([][]int, consumers)
	for i := range last {
		last[i] = make([]int, producers)
		for j := range last[i] {
			last[i][j] = -1
		}
	}
	visit := func(consumer int, v *Item) {
		if v == nil {
			mu.Lock()
			errs = append(errs, fmt.Errorf("consumer %d got nil", consumer))
			mu.Unlock()
			return
		}
		i := int(v.Seq)
		seen[i].Add(1)
		p, k := i/per, i%per
		if k <= last[consumer][p] {
			mu.Lock()
			errs = append(errs, fmt.Errorf("consumer %d got producer %d's item %d after its item %d", consumer, p, k, last[consumer][p]))
			mu.Unlock()
		}
		last[consumer][p] = k
	}
	q := c.New(64) // small, so that bounded contenders fill up
	res := runMPMC(q, items, producers, consumers, batch, mpmcOptions{visit: visit})
	if len(errs) > 0 {
		return errs[0]
	}
	if res.consumed != n {
		return fmt.Errorf("consumers counted %d items, want %d", res.consumed, n)
	}
	for i := range seen {
		if k := seen[i].Load(); k != 1 {
			return fmt.Errorf("item %d popped %d times", i, k)
		}
	}
	if v, ok := q.Pop(); ok {
		return fmt.Errorf("queue not empty after the run: %v", describe(v))
	}
	return nil
}
