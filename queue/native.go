package queue

import (
	"github.com/injectq/injectq/internal/skel"
	"github.com/injectq/injectq/native"
)

// nativeSplice reserves k positions with one cgo call that also walks the
// CAS-chain to the run's blocks. If that walk needed a block and none was
// free, the reservation stands and the remaining blocks are located through
// locate, which grows the arena.
func (c *core[T]) nativeSplice(k uint64, sp *skel.Span) bool {
	switch native.Splice(c.ctl, k, sp) {
	case native.Closed:
		return false
	case native.Grow:
		c.firstRef(sp, sp.Hint)
	}
	return true
}

// nativeClaim is nativeSplice's counterpart for consumers.
func (c *core[T]) nativeClaim(n uint64, sp *skel.Span) uint64 {
	m, st := native.Claim(c.ctl, n, sp)
	if m != 0 && st == native.Grow {
		c.firstRef(sp, sp.Hint)
	}
	return m
}

// firstRef locates the run's first block if the backend could not.
func (c *core[T]) firstRef(sp *skel.Span, from skel.Ref) {
	if sp.N == 0 {
		sp.Refs[0] = c.locate(from, sp.Pos>>skel.LogB)
		sp.N = 1
	}
}

func (c *core[T]) nativeLocate(from skel.Ref, bn uint64) (skel.Ref, bool) {
	return native.Locate(c.ctl, from, bn)
}
