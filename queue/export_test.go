package queue

import "github.com/injectq/injectq/internal/skel"

// ArenaBlocks returns how many blocks q's arena has allocated.
func ArenaBlocks[T any](q *Queue[T]) int {
	c, n := q.core(), 0
	for k := range skel.MaxChunks {
		if c.arena.HasChunk(k) {
			n += 1 << k
		}
	}
	return n
}

// ChainAndFree counts the blocks in q's chain (from HeadBlk) and on its
// free stack. Only for a quiescent queue.
func ChainAndFree[T any](q *Queue[T]) (chain, free int) {
	c := q.core()
	for r := c.ctl.HeadBlk; skel.HasIdx(r); {
		chain++
		next := c.arena.Block(skel.RefIdx(r)).Next
		if !skel.HasIdx(next) {
			break
		}
		r = skel.MakeRef(skel.RefTag(r)+1, skel.RefIdx(next))
	}
	for top := c.ctl.Free & skel.IdxMask; top != 0; free++ {
		top = c.arena.Block(uint32(top-1)).FreeNext & skel.IdxMask
	}
	return chain, free
}

// Hints returns the block numbers that q's TailHint and HeadHint name.
func Hints[T any](q *Queue[T]) (tail, head uint64) {
	c := q.core()
	return skel.RefTag(c.ctl.TailHint), skel.RefTag(c.ctl.HeadHint)
}
