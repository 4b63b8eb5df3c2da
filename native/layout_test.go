//go:build cgo && !purego && !race && !injectq_check

package native

import (
	"runtime"
	"strings"
	"testing"
	"unsafe"

	"github.com/klauspost/cpuid/v2"

	"github.com/injectq/injectq/internal/skel"
)

// TestLayoutMatchesSkel compares every constant, size and offset that
// injq.h repeats with internal/skel's (and the Span's with unsafe.Offsetof),
// and the C status codes with the Go ones.
func TestLayoutMatchesSkel(t *testing.T) {
	var sp skel.Span
	want := map[string]uint64{
		"LogB":        skel.LogB,
		"B":           skel.B,
		"Closed":      skel.Closed,
		"Sealed":      skel.Sealed,
		"PosMask":     skel.PosMask,
		"IdxBits":     skel.IdxBits,
		"IdxMask":     skel.IdxMask,
		"TagMask":     skel.TagMask,
		"MaxChunks":   skel.MaxChunks,
		"NoRef":       skel.NoRef,
		"Line":        skel.Line,
		"SpanRefs":    skel.SpanRefs,
		"CtlSize":     uint64(skel.CtlSize),
		"BlockSize":   uint64(skel.BlockSize),
		"OffTail":     uint64(skel.OffTail),
		"OffTailHint": uint64(skel.OffTailHint),
		"OffHead":     uint64(skel.OffHead),
		"OffHeadBlk":  uint64(skel.OffHeadBlk),
		"OffHeadHint": uint64(skel.OffHeadHint),
		"OffFree":     uint64(skel.OffFree),
		"OffChunks":   uint64(skel.OffChunks),
		"OffNext":     uint64(skel.OffNext),
		"OffFreeNext": uint64(skel.OffFreeNext),
		"OffConsumed": uint64(skel.OffConsumed),
		"OffState":    uint64(skel.OffState),
		"SpanPos":     uint64(unsafe.Offsetof(sp.Pos)),
		"SpanHint":    uint64(unsafe.Offsetof(sp.Hint)),
		"SpanN":       uint64(unsafe.Offsetof(sp.N)),
		"SpanRefsOff": uint64(unsafe.Offsetof(sp.Refs)),
		"SpanSize":    uint64(unsafe.Sizeof(sp)),
		// The C structs as laid out by the C compiler (the _Static_asserts
		// in injq.h tie them to the #defines; this ties them to Go).
		"sizeof(injq_ctl)":          uint64(skel.CtlSize),
		"sizeof(injq_block)":        uint64(skel.BlockSize),
		"sizeof(injq_span)":         uint64(unsafe.Sizeof(sp)),
		"offsetof(injq_ctl.chunks)": uint64(skel.OffChunks),
		"offsetof(injq_span.refs)":  uint64(unsafe.Offsetof(sp.Refs)),
		"OK":                        OK,
		"Closed status":             Closed,
		"Grow":                      Grow,
	}
	got := cLayout()
	for name, w := range want {
		g, ok := got[name]
		if !ok {
			t.Errorf("C layout lacks %s", name)
			continue
		}
		if g != w {
			t.Errorf("%s: C has %d (%#x), Go has %d (%#x); keep injq.h in sync with internal/skel", name, g, g, w, w)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("C layout entry %s is not checked", name)
		}
	}
	if unsafe.Sizeof(uintptr(0)) != 8 {
		t.Fatal("native assumes 64-bit pointers")
	}
}

// TestPath checks that Path names the instructions the C atomics run as:
// on arm64 (qemu -cpu max / cortex-a53 in the Makefile) the outline-atomics
// helpers must have chosen CASAL exactly when the CPU has LSE.
func TestPath(t *testing.T) {
	p := Path()
	t.Log(p)
	if strings.Contains(p, "LSE") || strings.Contains(p, "LL/SC") {
		t.Errorf("Path %q uses the words Describe keeps for the asm backend's choice", p)
	}
	var want string
	switch lse := cpuid.CPU.Supports(cpuid.ATOMICS); {
	case runtime.GOARCH == "amd64":
		want = "LOCK CMPXCHG"
	case runtime.GOARCH != "arm64":
		return
	case strings.Contains(p, "inline CASAL"): // built for ARMv8.1+: no choice made
		return
	case lse:
		want = "chose CASAL"
	default:
		want = "chose LDAXR/STLXR"
	}
	if !strings.Contains(p, want) {
		t.Errorf("Path %q lacks %q (cpuid ATOMICS %t)", p, want, cpuid.CPU.Supports(cpuid.ATOMICS))
	}
}
