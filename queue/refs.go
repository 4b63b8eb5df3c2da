package queue

import "github.com/injectq/injectq/internal/skel"

// skel's bit helpers, as this package's generic code uses them (door.go
// says why they are copies; TestDoorMatchesSkel holds them to skel's).

func hasIdx(r skel.Ref) bool    { return r&skel.IdxMask != 0 }
func refIdx(r skel.Ref) uint32  { return uint32(r&skel.IdxMask) - 1 }
func refTag(r skel.Ref) uint64  { return r >> skel.IdxBits }
func tagOf(bn uint64) uint64    { return bn & skel.TagMask }
func slotBit(off uint32) uint64 { return uint64(skel.Published) << (8 * (off % 8)) }

// holdsRun is chain.Names: whether r names the one block that holds the
// whole run [pos, pos+count).
func holdsRun(r skel.Ref, pos, count uint64) bool {
	bn := pos >> skel.LogB
	return hasIdx(r) && refTag(r) == tagOf(bn) && (pos+count-1)>>skel.LogB == bn
}

// moveHint is chain.MoveHint: the hint word h moves from seen to r unless
// somebody moved it meanwhile.
func moveHint(h *skel.Ref, seen, r skel.Ref) {
	if r != seen {
		cas64(h, seen, r)
	}
}
