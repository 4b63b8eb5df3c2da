//go:build cgo && !purego && !race && !injectq_check

package native

/*
#cgo CFLAGS: -O2 -std=gnu11 -Wall -Wextra

// None of these functions calls back into Go, and none keeps a pointer it
// was given after it returns: the Ctl and Span stay on the Go side (the
// Span usually on the caller's stack).
#cgo noescape injq_reserve_run
#cgo nocallback injq_reserve_run
#cgo noescape injq_claim_run
#cgo nocallback injq_claim_run
#cgo noescape injq_locate
#cgo nocallback injq_locate
#cgo noescape injq_close
#cgo nocallback injq_close
#cgo noescape injq_noop
#cgo nocallback injq_noop
#cgo nocallback injq_cc_version
#cgo nocallback injq_atomics

#include "injq.h"
*/
import "C"

import (
	"strings"
	"unsafe"

	"github.com/injectq/injectq/internal/skel"
)

// Available reports whether this build has the native (cgo) backend.
const Available = true

// Path describes the code path: the compiler, and the instructions of the
// read-modify-writes. On arm64, gcc's outline atomics call libgcc helpers
// that choose CASAL (LSE) or LDAXR/STLXR loops once at start-up from the
// CPU's HWCAP; Path reports that choice. (It says "CASAL" or "LDAXR/STLXR"
// rather than "LSE" or "LL/SC", which Describe reserves for the asm
// backend's own, separately made, choice.)
func Path() string {
	cc := C.GoString(C.injq_cc_version())
	if !strings.Contains(strings.ToLower(cc), "clang") {
		cc = "gcc " + cc
	}
	var rmw string
	switch C.injq_atomics() {
	case C.INJQ_RMW_X86:
		rmw = "LOCK CMPXCHG, MOV loads"
	case C.INJQ_RMW_ARM64_LSE:
		rmw = "inline CASAL/LDSETAL, built for ARMv8.1+"
	case C.INJQ_RMW_OUTLINE_LSE:
		rmw = "outline atomics, libgcc chose CASAL/LDSETAL at start-up"
	case C.INJQ_RMW_OUTLINE_LLSC:
		rmw = "outline atomics, libgcc chose LDAXR/STLXR loops at start-up"
	default:
		rmw = "the compiler's default atomics"
	}
	return "C11 __atomic via cgo (" + cc + "; " + rmw + "), one call per batch, publication in Go"
}

func ctl(c *skel.Ctl) *C.injq_ctl     { return (*C.injq_ctl)(unsafe.Pointer(c)) }
func span(sp *skel.Span) *C.injq_span { return (*C.injq_span)(unsafe.Pointer(sp)) }

// ReserveRun reserves k >= 1 positions [sp.Pos, sp.Pos+k) with one CAS and
// locates the blocks of the run, all in one cgo call. It sets sp.Pos,
// sp.Hint (Ctl.TailHint as read before the CAS), sp.Refs[:sp.N] (the run's
// first sp.N blocks, at most skel.SpanRefs). It returns Closed, having
// reserved nothing and written nothing, once the queue is closed; Grow
// when a block had to be installed and the free stack was empty (the
// reservation stands: grow the arena and locate the rest with Locate);
// else OK. See fallback.Reserve and chain.LocateRun for the reference
// implementation.
func ReserveRun(c *skel.Ctl, k uint64, sp *skel.Span) int {
	var st C.uint64_t // an out-parameter is cheaper than a C return value
	C.injq_reserve_run(ctl(c), C.uint64_t(k), span(sp), &st)
	return int(st)
}

// maxClaim bounds n so that m fits C's result word beside the status
// (m << 2 | status). A claim of fewer items than asked is always allowed,
// and no queue holds 2^62 items.
const maxClaim = 1<<(64-C.INJQ_ST_BITS) - 1

// ClaimRun claims m = min(n, items reserved) positions [sp.Pos, sp.Pos+m)
// with one CAS and locates the run's blocks as ReserveRun does (sp.Hint is
// Ctl.HeadHint as read before the CAS). m = 0: nothing to claim (status OK,
// sp.N = 0). Grow is as for ReserveRun; the claim stands. See
// fallback.Claim and chain.LocateRun for the reference implementation.
func ClaimRun(c *skel.Ctl, n uint64, sp *skel.Span) (m uint64, status int) {
	var r C.uint64_t
	C.injq_claim_run(ctl(c), C.uint64_t(min(n, maxClaim)), span(sp), &r)
	return uint64(r >> C.INJQ_ST_BITS), int(r & (1<<C.INJQ_ST_BITS - 1))
}

// Locate returns the Ref of block number bn, walking the CAS-chain from
// `from` and installing missing blocks; ok=false: the free stack was empty,
// grow the arena and call again. See chain.Locate for the reference
// implementation.
func Locate(c *skel.Ctl, from skel.Ref, bn uint64) (r skel.Ref, ok bool) {
	var out C.uint64_t
	st := C.injq_locate(ctl(c), C.uint64_t(from), C.uint64_t(bn), &out)
	return skel.Ref(out), st == C.INJQ_ST_OK
}

// Close sets the Closed bit and reports whether this call set it. See
// fallback.Close for the reference implementation.
func Close(c *skel.Ctl) bool {
	return C.injq_close(ctl(c)) != 0
}

// noop is a bare cgo call with the same directives, for BenchmarkCrossing.
func noop(c *skel.Ctl) { C.injq_noop(ctl(c)) }

// cLayout returns the constants, sizes and offsets C uses, for
// TestLayoutMatchesSkel.
func cLayout() map[string]uint64 {
	return map[string]uint64{
		"LogB":        C.INJQ_LOGB,
		"B":           C.INJQ_B,
		"Closed":      C.INJQ_CLOSED,
		"Sealed":      C.INJQ_SEALED,
		"PosMask":     C.INJQ_POSMASK,
		"IdxBits":     C.INJQ_IDXBITS,
		"IdxMask":     C.INJQ_IDXMASK,
		"TagMask":     C.INJQ_TAGMASK,
		"MaxChunks":   C.INJQ_MAXCHUNKS,
		"NoRef":       C.INJQ_NOREF,
		"Line":        C.INJQ_LINE,
		"SpanRefs":    C.INJQ_SPANREFS,
		"CtlSize":     C.INJQ_CTLSIZE,
		"BlockSize":   C.INJQ_BLOCKSIZE,
		"OffTail":     C.INJQ_OFF_TAIL,
		"OffTailHint": C.INJQ_OFF_TAILHINT,
		"OffHead":     C.INJQ_OFF_HEAD,
		"OffHeadBlk":  C.INJQ_OFF_HEADBLK,
		"OffHeadHint": C.INJQ_OFF_HEADHINT,
		"OffFree":     C.INJQ_OFF_FREE,
		"OffChunks":   C.INJQ_OFF_CHUNKS,
		"OffNext":     C.INJQ_OFF_NEXT,
		"OffFreeNext": C.INJQ_OFF_FREENEXT,
		"OffConsumed": C.INJQ_OFF_CONSUMED,
		"OffState":    C.INJQ_OFF_STATE,
		"SpanPos":     C.INJQ_SPAN_OFF_POS,
		"SpanHint":    C.INJQ_SPAN_OFF_HINT,
		"SpanN":       C.INJQ_SPAN_OFF_N,
		"SpanRefsOff": C.INJQ_SPAN_OFF_REFS,
		"SpanSize":    C.INJQ_SPANSIZE,
		// sizeof and offsetof as the C compiler lays the structs out.
		"sizeof(injq_ctl)":          C.sizeof_injq_ctl,
		"sizeof(injq_block)":        C.sizeof_injq_block,
		"sizeof(injq_span)":         C.sizeof_injq_span,
		"offsetof(injq_ctl.chunks)": uint64(unsafe.Offsetof(C.injq_ctl{}.chunks)),
		"offsetof(injq_span.refs)":  uint64(unsafe.Offsetof(C.injq_span{}.refs)),
		"OK":                        C.INJQ_ST_OK,
		"Closed status":             C.INJQ_ST_CLOSED,
		"Grow":                      C.INJQ_ST_GROW,
	}
}
