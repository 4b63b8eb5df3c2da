package skel

import (
	"math/bits"
	"runtime"
	"sync/atomic"
	"unsafe"

	"github.com/injectq/injectq/internal/atom"
)

// Arena is the Go-side handle of one queue's skeleton: the control words and
// the chunks of blocks, which only ever grow (blocks are recycled, never
// freed) and are released to the garbage collector with the Arena.
type Arena struct {
	ctl *Ctl
	// base[k] is the first block of chunk k. Go code reaches blocks through
	// these real pointers (which also keep the chunks alive); Ctl.Chunks
	// holds the same addresses as integers for C.
	base [MaxChunks]atomic.Pointer[Block]
	// pins, when C may follow Ctl.Chunks, pins each chunk (pins[k] is used
	// only by the one goroutine that allocates chunk k).
	pins *pinSet
}

type pinSet [MaxChunks]runtime.Pinner

// NewArena returns an empty arena: head = tail = 0, no blocks. With pin set,
// chunks are pinned so that C may follow Ctl.Chunks (the Ctl itself needs no
// pin: it is passed to C as a call argument, and holds no Go pointers).
//
// The pins are released by a cleanup attached to the Ctl: C reaches chunks
// only during a call that has the Ctl as an argument, which keeps the Ctl,
// and so the pins and the chunks they hold, alive until the call returns.
// (A Pinner that is collected while it still pins something panics.)
func NewArena(pin bool) *Arena {
	ctl := (*Ctl)(alloc(CtlSize))
	ctl.TailHint = NoRef
	ctl.HeadBlk = NoRef
	ctl.HeadHint = NoRef
	a := &Arena{ctl: ctl}
	if pin {
		a.pins = new(pinSet)
		runtime.AddCleanup(ctl, func(p *pinSet) {
			for i := range p {
				p[i].Unpin()
			}
		}, a.pins)
	}
	return a
}

// Ctl returns the control words.
func (a *Arena) Ctl() *Ctl { return a.ctl }

// Block returns block idx, which must be in an allocated chunk.
func (a *Arena) Block(idx uint32) *Block {
	k := bits.Len32(idx+1) - 1
	off := uintptr(idx+1-1<<k) * BlockSize
	return (*Block)(unsafe.Add(unsafe.Pointer(atom.LoadPointer(&a.base[k])), off))
}

// HasChunk reports whether chunk k has been allocated.
func (a *Arena) HasChunk(k int) bool { return atom.LoadPointer(&a.base[k]) != nil }

// AddChunk allocates chunk k, which the caller alone has the right to
// create (package queue decides that with a CAS on its value chunk), and
// links its blocks privately through FreeNext. It returns the indices of the
// first and last block: the caller pushes that chain onto the free stack,
// which is what makes the blocks visible to anybody else.
func (a *Arena) AddChunk(k int) (first, last uint32) {
	n := uint32(1) << k
	p := alloc(uintptr(n) * BlockSize)
	if a.pins != nil {
		a.pins[k].Pin(p)
	}
	first = n - 1 // index of chunk k's first block: 2^k - 1
	last = first + n - 1
	for i := uint32(0); i < n-1; i++ {
		b := (*Block)(unsafe.Add(p, uintptr(i)*BlockSize))
		b.FreeNext = uint64(first+i+1) + 1
	}
	atom.StorePointer(&a.base[k], (*Block)(p))
	atom.Store(&a.ctl.Chunks[k], uint64(uintptr(p)))
	return first, last
}

// alloc returns n zeroed bytes of pointer-free Go memory aligned to Line.
func alloc(n uintptr) unsafe.Pointer {
	mem := make([]uint64, (n+Line)/8)
	p := unsafe.Pointer(unsafe.SliceData(mem))
	return unsafe.Add(p, (Line-uintptr(p)%Line)%Line)
}
