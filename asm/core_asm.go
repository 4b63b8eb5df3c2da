//go:build (amd64 || arm64) && !purego && !race && !injectq_check

package asm

import (
	"os"
	"runtime"

	"github.com/klauspost/cpuid/v2"

	"github.com/injectq/injectq/internal/skel"
)

// Available reports whether this build has the assembly backend.
const Available = true

// useLSE selects the arm64 LSE path (CASALD, LDADDALD, LDORALD); false
// selects the LDAXR/STLXR loops. Set once at init, before any queue exists,
// and read by the arm64 assembly on every call (one byte load and a
// predictable branch). Unused on amd64.
var useLSE bool

// llscWhy says why the LL/SC path was chosen, for Path.
var llscWhy string

func init() {
	if runtime.GOARCH != "arm64" {
		return
	}
	switch {
	case os.Getenv(EnvARM64Atomics) == "llsc":
		llscWhy = EnvARM64Atomics + "=llsc"
	case !cpuid.CPU.Supports(cpuid.ATOMICS):
		llscWhy = "CPU without ATOMICS"
	default:
		useLSE = true
	}
}

// Path describes the code path: the instructions of the atomic operations
// and of the publication. On arm64 it contains "LSE" or "LL/SC", never both.
func Path() string {
	switch {
	case runtime.GOARCH == "amd64":
		return "amd64: LOCK CMPXCHGQ/XADDQ/BTSQ, plain MOV publication"
	case useLSE:
		return "arm64 LSE (CASALD, LDADDALD, LDORALD), STLR publication"
	default:
		return "arm64 LL/SC (LDAXR/STLXR loops; " + llscWhy + "), STLR publication"
	}
}

// Reserve reserves the k >= 1 positions [t, t+k) at the tail with one CAS;
// ok=false once the queue is closed. See fallback.Reserve for the reference
// implementation.
//
//go:noescape
func Reserve(c *skel.Ctl, k uint64) (t uint64, hint skel.Ref, ok bool)

// Claim claims m = min(n, items reserved) positions [h, h+m) at the head
// with one CAS (m = 0: nothing to claim). See fallback.Claim for the
// reference implementation.
//
//go:noescape
func Claim(c *skel.Ctl, n uint64) (h, m uint64, hint skel.Ref)

// Close sets the Closed bit and reports whether this call set it. See
// fallback.Close for the reference implementation.
//
//go:noescape
func Close(c *skel.Ctl) bool

// Publish marks slots [off, off+n) of b published, with plain stores on
// amd64 and store-releases on arm64 (no read-modify-write). The caller
// guarantees off+n <= skel.B: unlike the fallback's, this has no bounds
// check. See fallback.Publish for the reference implementation.
//
//go:noescape
func Publish(b *skel.Block, off, n uint32)

// Retire adds n to b's consumed count and reports whether that completed
// the block. See fallback.Retire for the reference implementation.
//
//go:noescape
func Retire(b *skel.Block, n uint64) bool
