package queue_test

import (
	"runtime"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

type payload struct {
	id   int
	data [8]int // a recognisable pattern, checked after the GCs
}

func newPayload(id int, collected *atomic.Int64) *payload {
	p := &payload{id: id}
	for i := range p.data {
		p.data[i] = id*31 + i
	}
	runtime.AddCleanup(p, func(*atomic.Int64) { collected.Add(1) }, collected)
	return p
}

func (p *payload) intact() bool {
	for i := range p.data {
		if p.data[i] != p.id*31+i {
			return false
		}
	}
	return true
}

// TestGCSafety queues pointers whose only reference is the queue, forces
// collections while they are queued, and checks that none was collected
// and all are intact; then pops them, drops them, and checks that the queue
// kept no reference (all become collectable).
func TestGCSafety(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		const n = 3000 // several blocks, so values sit in more than one chunk
		var collected atomic.Int64
		q := newQ[*payload](t, mk, nil)
		for i := range n {
			if i%2 == 0 {
				require.NoError(t, q.Push(newPayload(i, &collected)))
			} else {
				require.NoError(t, q.PushBatch([]*payload{newPayload(i, &collected)}))
			}
		}
		for range 3 {
			runtime.GC()
			time.Sleep(time.Millisecond) // let cleanups run, if any were due
		}
		require.Zero(t, collected.Load(), "values were collected while queued")

		got := make([]*payload, n)
		require.Equal(t, n/2, q.PopN(got[:n/2]))
		for i := n / 2; i < n; i++ {
			v, ok := q.Pop()
			require.True(t, ok)
			got[i] = v
		}
		for i, p := range got {
			require.Equal(t, i, p.id)
			require.True(t, p.intact(), "value %d corrupted", i)
		}
		got = nil
		runtime.KeepAlive(q)

		deadline := time.Now().Add(10 * time.Second)
		for collected.Load() < n && time.Now().Before(deadline) {
			runtime.GC()
			time.Sleep(5 * time.Millisecond)
		}
		require.Equal(t, int64(n), collected.Load(), "popped values still referenced (queue alive: %v)", q.Len())
	})
}

// TestZeroAllocs checks that the steady state (blocks recycled, arena
// grown) allocates nothing per operation, including block crossings.
func TestZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own")
	}
	eachBackend(t, func(t *testing.T, mk maker) {
		q := newQ[*int](t, mk, nil)
		v := new(int)
		batch := make([]*int, 64)
		for i := range batch {
			batch[i] = v
		}
		dst := make([]*int, 64)
		// Warm up: grow the arena to its steady size.
		for range 4 * 1024 {
			_ = q.Push(v)
			_, _ = q.Pop()
		}
		for range 100 {
			_ = q.PushBatch(batch)
			_ = q.PopN(dst)
		}

		allocs := testing.AllocsPerRun(3000, func() { // 3000 > two blocks
			_ = q.Push(v)
			_, _ = q.Pop()
		})
		require.Zero(t, allocs, "Push+Pop")
		allocs = testing.AllocsPerRun(200, func() {
			_ = q.PushBatch(batch)
			_ = q.PopN(dst)
		})
		require.Zero(t, allocs, "PushBatch+PopN")
		// A queue that holds a backlog also recycles without allocating.
		_ = q.PushBatch(make([]*int, 5000))
		allocs = testing.AllocsPerRun(500, func() {
			_ = q.PushBatch(batch)
			_ = q.PopN(dst)
		})
		require.Zero(t, allocs, "PushBatch+PopN with a backlog")
	})
}

// TestNewQueueIsSmall checks the doc's claim that an unused queue costs
// about 1.8 KB (at most 2 KB here): blocks are allocated on first use.
func TestNewQueueIsSmall(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector's own allocations would be counted")
	}
	eachBackend(t, func(t *testing.T, mk maker) {
		const n = 100
		qs := make([]any, n)
		var before, after runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&before)
		for i := range qs {
			qs[i] = newQ[*int](t, mk, nil)
		}
		runtime.ReadMemStats(&after)
		per := (after.TotalAlloc - before.TotalAlloc) / n
		t.Logf("%d bytes per new queue", per)
		require.LessOrEqual(t, per, uint64(2048), "a new queue allocates %d bytes", per)
		runtime.KeepAlive(qs)
	})
}

// TestDroppedQueuesAreCollected drops used queues and collects them: their
// memory (for native: pinned, for C to follow) must be released without
// complaint, while queues still in use keep working.
func TestDroppedQueuesAreCollected(t *testing.T) {
	eachBackend(t, func(t *testing.T, mk maker) {
		var collected atomic.Int64
		keep := newQ[int](t, mk, nil)
		for i := range 20 {
			q := newQ[int](t, mk, nil)
			runtime.AddCleanup(q, func(*atomic.Int64) { collected.Add(1) }, &collected)
			require.NoError(t, q.PushBatch(seq(0, 3000))) // several chunks
			require.Equal(t, 1000, q.PopN(make([]int, 1000)))
			require.NoError(t, keep.Push(i))
		}
		deadline := time.Now().Add(10 * time.Second)
		for collected.Load() < 20 && time.Now().Before(deadline) {
			runtime.GC()
			time.Sleep(time.Millisecond)
		}
		require.Equal(t, int64(20), collected.Load(), "dropped queues were not collected")
		for range 3 {
			runtime.GC() // the arenas' own cleanups run after the queues'
			time.Sleep(time.Millisecond)
		}
		require.Equal(t, seq(0, 20), popAll(keep))
	})
}
