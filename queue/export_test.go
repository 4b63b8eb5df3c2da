package queue

import (
	"github.com/injectq/injectq/internal/coretest"
	"github.com/injectq/injectq/internal/skel"
)

// ArenaBlocks returns how many blocks q's live arena has allocated.
func ArenaBlocks[T any](q *Queue[T]) int {
	blocks, _, _ := Census(q)
	return blocks
}

// Hints returns the block numbers that q's TailHint and HeadHint name.
func Hints[T any](q *Queue[T]) (tail, head uint64) {
	c := q.core()
	return skel.RefTag(c.ctl.TailHint), skel.RefTag(c.ctl.HeadHint)
}

// Registered returns the name of every backend queue knows, available or not.
func Registered() []string { return names(false) }

// BlockSlots is the number of slots per block.
const BlockSlots = skel.B

// SetCapacity makes q refuse pushes once its chain would span more than
// blocks blocks, as a queue near MaxLen does; q must not be in use yet.
func SetCapacity[T any](q *Queue[T], blocks uint64) {
	c := q.core()
	c.maxBlocks, c.nearFullAt, c.bounded = blocks, 0, 1
}

// DrainChunk is how many items Drain removes per claim.
func DrainChunk() int { return int(drainChunkSize()) }

// SetShrinkAfter sets how long a queue must stay quiet before the GC tick
// retires its arena, and returns the old setting.
func SetShrinkAfter(ns int64) (old int64) { return shrinkAfter.Swap(ns) }

// GCTicks returns how many GC ticks have run.
func GCTicks() uint64 { return gcTicks.Load() }

// ArenaID identifies q's live arena: how many arenas q retired before it.
func ArenaID[T any](q *Queue[T]) uint64 { return q.live().gen }

// Census counts the blocks of q's live arena: allocated, in the chain (from
// HeadBlk), on the free stack. Only for a quiescent queue.
func Census[T any](q *Queue[T]) (blocks, chain, free int) { return coretest.Census(q.live().arena) }

// Sleepers returns how many consumers are asleep (or about to sleep) in
// q (woken ones count until their next pop).
func Sleepers[T any](q *Queue[T]) int { return q.Sleepers() }

// RoomWaiters returns how many producers wait for room in q.
func RoomWaiters[T any](q *Queue[T]) int { return int(load64(&q.core().w.roomWaiters)) }
