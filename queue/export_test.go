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
