// Package skel defines the queue's pointer-free skeleton: the control words,
// the blocks of slot states, and the packing of block references. Every
// backend (fallback, asm, native) reads, writes and CASes exactly this memory;
// values never live here (they stay in Go, see package queue).
//
// The skeleton holds no Go pointers, so assembly and C may store into it
// without bypassing the garbage collector's write barrier. It is Go memory
// (so the race detector sees the fallback's accesses); the chunks that hold
// blocks are pinned before C sees their addresses.
//
// Constants and offsets repeated in C and assembly are checked against these
// by TestLayoutMatches* in those packages; keep them in sync.
package skel

import "unsafe"

const (
	// B is the number of slots per block (LogB, in logb.go, is its log2).
	B = 1 << LogB

	// Closed is the bit of Ctl.Tail that closes the queue. A reservation CAS
	// expects it clear, so once set no batch can be reserved.
	Closed = uint64(1) << 63
	// Sealed is the bit of Ctl.Tail that retires an arena: it is set, with
	// Closed, by the CAS that seals an empty arena so that its queue can
	// move on to a fresh one (package queue, shrink.go). The backends'
	// reservations test only Closed, and their claims mask both bits off;
	// Sealed tells package queue that the queue lives on in a successor
	// arena.
	Sealed = uint64(1) << 62
	// PosMask extracts the position from Ctl.Tail (positions stay below
	// 2^62: 146 years at 10^9 items a second).
	PosMask = Sealed - 1

	// IdxBits is the width of a block index (+1) in a Ref; TagBits the
	// width of the block number that tags it.
	IdxBits = 24
	IdxMask = uint64(1)<<IdxBits - 1
	TagBits = 64 - IdxBits
	TagMask = uint64(1)<<TagBits - 1

	// MaxChunks is how many chunks the arena can hold; chunk k holds 2^k
	// blocks, so block indices fit IdxBits with room for the +1 bias.
	MaxChunks = IdxBits - 1
	// MaxBlocks is how many blocks the arena can hold.
	MaxBlocks = 1<<MaxChunks - 1

	// NoRef is the Ref of "no block yet". Its tag is all ones, a block
	// number that position arithmetic reaches only after 2^50 items, and
	// its index field is zero, which no real Ref has.
	NoRef = TagMask << IdxBits

	// Line is the spacing, in bytes, between words written by different
	// parties (128: two x86 lines, because of the adjacent-line prefetcher,
	// and the line size of some arm64 parts).
	Line = 128

	// Published is the state byte of a slot whose value has been written.
	// Slot s of a block is byte s%8 of State[s/8] in little-endian order;
	// the pure-Go code only ever touches whole words, so the mapping holds
	// on every byte order, and only little-endian arches store bytes.
	Published = 1
	// AllPublished is a State word with its eight slots published.
	AllPublished = uint64(0x0101010101010101)
)

// A Ref names one incarnation of a block: the block number (position/B,
// modulo 2^TagBits) in the high bits and the block index plus one in the low
// bits. A link word (Block.Next) has the same layout: its tag is the owning
// block's number and its index field names the successor (0: none yet).
//
// Tags make stale reads detectable: a block that was recycled and put back
// into the chain under a new number carries a new tag, so a walker holding
// an old Ref sees the mismatch and restarts (see chain.Locate). A tag
// repeats only after 2^TagBits blocks (about 10^15 items) pass while one
// goroutine is stalled in a walk.
type Ref = uint64

// MakeRef packs a block number and index.
func MakeRef(bn uint64, idx uint32) Ref { return bn<<IdxBits | (uint64(idx) + 1) }

// RefIdx returns the block index of r (r must name a block).
func RefIdx(r Ref) uint32 { return uint32(r&IdxMask) - 1 }

// RefTag returns the block number r carries, modulo 2^TagBits.
func RefTag(r Ref) uint64 { return r >> IdxBits }

// HasIdx reports whether r (or a link word) names a block.
func HasIdx(r Ref) bool { return r&IdxMask != 0 }

// TagOf returns the tag of block number bn.
func TagOf(bn uint64) uint64 { return bn & TagMask }

// Ctl holds the queue's shared control words, each group on its own line.
// The zero value is not valid; see NewArena.
type Ctl struct {
	// Tail is the next position to reserve, with Closed in bit 63 and
	// Sealed in bit 62.
	Tail uint64
	// TailHint is a Ref to a block whose number is at most Tail/B, usually
	// the block of the last reservation. Producers read it before their
	// reservation CAS; see fallback.Reserve for why that makes it safe.
	TailHint Ref
	_        [Line - 16]byte

	// Head is the next position to claim; Head <= Tail&PosMask always.
	Head uint64
	// HeadBlk is the Ref of the first block in the chain (NoRef until the
	// first block is installed). It moves past a block only once every slot
	// of that block has been consumed, and whoever moves it recycles the
	// block, so blocks are recycled strictly in chain order.
	HeadBlk Ref
	// HeadHint is the consumers' TailHint: a Ref to a block whose number
	// is at most Head/B, usually the block of the last claim. HeadBlk would
	// do as a start (it is never past Head's block) but lags by every block
	// that a slow consumer has not finished yet.
	HeadHint Ref
	_        [Line - 24]byte

	// Free is the top of the free-block stack: a 40-bit tag, bumped by
	// every successful CAS against ABA, and the top block's index + 1.
	Free uint64
	_    [Line - 8]byte

	// Chunks[k] is the address of chunk k (2^k blocks of BlockSize bytes),
	// 0 until it is allocated; written once, before any of its blocks is
	// on the free list. Only C reads it: Go code uses Arena.base.
	Chunks [MaxChunks]uint64
	_      [Line - (MaxChunks*8)%Line]byte
}

// Block is one block of the chain: its link, its consumption count and the
// publication state of its B slots.
type Block struct {
	// Next is the link word: tag = this block's number, index = successor.
	// It goes from "empty" (index 0) to linked once per incarnation, by CAS;
	// the installer sets it to empty before linking the block in.
	Next uint64
	// FreeNext is the index+1 of the next block on the free stack.
	FreeNext uint64
	_        [Line - 16]byte

	// Consumed counts the slots of this incarnation whose values have been
	// taken. The consumer whose add makes it B may recycle the block.
	Consumed uint64
	_        [Line - 8]byte

	_ [statePad]byte // blocks tile whole lines (logb.go)

	// State holds one byte per slot: 0 empty, Published once written.
	State [B / 8]uint64
}

// Sizes and offsets of the layout, for the checks against C and assembly.
const (
	BlockSize   = unsafe.Sizeof(Block{})
	CtlSize     = unsafe.Sizeof(Ctl{})
	OffTail     = unsafe.Offsetof(Ctl{}.Tail)
	OffTailHint = unsafe.Offsetof(Ctl{}.TailHint)
	OffHead     = unsafe.Offsetof(Ctl{}.Head)
	OffHeadBlk  = unsafe.Offsetof(Ctl{}.HeadBlk)
	OffHeadHint = unsafe.Offsetof(Ctl{}.HeadHint)
	OffFree     = unsafe.Offsetof(Ctl{}.Free)
	OffChunks   = unsafe.Offsetof(Ctl{}.Chunks)
	OffNext     = unsafe.Offsetof(Block{}.Next)
	OffFreeNext = unsafe.Offsetof(Block{}.FreeNext)
	OffConsumed = unsafe.Offsetof(Block{}.Consumed)
	OffState    = unsafe.Offsetof(Block{}.State)
)

// Blocks and the control words tile whole lines (checked at compile time).
var (
	_ [0]struct{} = [BlockSize % Line]struct{}{}
	_ [0]struct{} = [CtlSize % Line]struct{}{}
)

// StateMask returns the mask of the Published bytes of slots [lo, hi) within
// one State word (0 <= lo < hi <= 8).
func StateMask(lo, hi uint32) uint64 {
	return AllPublished >> (8 * (8 - (hi - lo))) << (8 * lo)
}

// SlotBit returns the Published bit of slot off of a block within its State
// word, State[off/8].
func SlotBit(off uint32) uint64 { return uint64(Published) << (8 * (off % 8)) }

// SpanRefs is how many block Refs one Span carries.
const SpanRefs = 8

// Span describes one reservation or claim: its first position and the
// blocks that hold it, as far as they have been located. It is the record a
// backend fills in one call (one cgo crossing for native, however long the
// batch), and the package queue walks it to move the values.
type Span struct {
	// Pos is the first position of the run.
	Pos uint64
	// Hint is Ctl.TailHint (producers) or Ctl.HeadHint (consumers) as
	// read before the reservation or claim CAS, for the hint update once
	// the run's last block is known.
	Hint Ref
	// N is how many of Refs are filled: Refs[i] is the block of the run's
	// i-th block-aligned segment.
	N    uint64
	Refs [SpanRefs]Ref
}
