package skel

import "testing"

// TestStateMasks checks the state-word masks against a byte-by-byte model:
// slot s of a block is byte s%8 of State[s/8].
func TestStateMasks(t *testing.T) {
	byteMask := func(lo, hi uint32) (m uint64) {
		for i := lo; i < hi; i++ {
			m |= uint64(Published) << (8 * i)
		}
		return m
	}
	for lo := uint32(0); lo < 8; lo++ {
		for hi := lo + 1; hi <= 8; hi++ {
			if got, want := StateMask(lo, hi), byteMask(lo, hi); got != want {
				t.Errorf("StateMask(%d, %d) = %#x, want %#x", lo, hi, got, want)
			}
		}
	}
	for off := uint32(0); off < B; off++ {
		if got, want := SlotBit(off), byteMask(off%8, off%8+1); got != want {
			t.Fatalf("SlotBit(%d) = %#x, want %#x", off, got, want)
		}
	}
	if StateMask(0, 8) != AllPublished {
		t.Errorf("StateMask(0, 8) = %#x, want AllPublished", StateMask(0, 8))
	}
}

// TestRefs checks that a Ref keeps its block number (modulo 2^TagBits) and
// index apart, and that NoRef names no block.
func TestRefs(t *testing.T) {
	for _, bn := range []uint64{0, 1, 12345, TagMask, TagMask + 7} {
		for _, idx := range []uint32{0, 1, 1<<IdxBits - 2} {
			r := MakeRef(bn, idx)
			if !HasIdx(r) || RefIdx(r) != idx || RefTag(r) != TagOf(bn) {
				t.Errorf("MakeRef(%d, %d) = %#x: HasIdx %v, RefIdx %d, RefTag %d", bn, idx, r, HasIdx(r), RefIdx(r), RefTag(r))
			}
		}
	}
	if HasIdx(NoRef) {
		t.Errorf("NoRef %#x has an index", NoRef)
	}
}
