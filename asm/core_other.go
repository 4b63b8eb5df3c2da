//go:build !(amd64 || arm64) || purego || race || injectq_check

package asm

import (
	"github.com/injectq/injectq/fallback"
	"github.com/injectq/injectq/internal/skel"
)

// Available reports whether this build has the assembly backend. Here it
// does not: the GOARCH has no assembly, or the purego tag asks for none, or
// this is a -race build. The race detector does not see atomics done in
// assembly, so with them the queue's own Go code (a value written before
// its slot's Publish, read after its Claim) would be reported as racing;
// -race builds therefore test the fallback and the shared Go code only.
//
// The functions forward to package fallback so that callers need no build
// tags.
const Available = false

// Path describes the code path.
func Path() string { return "none (no assembly for this GOARCH, purego tag, or -race build)" }

// Reserve is fallback.Reserve.
func Reserve(c *skel.Ctl, k uint64) (t uint64, hint skel.Ref, ok bool) {
	return fallback.Reserve(c, k)
}

// Claim is fallback.Claim.
func Claim(c *skel.Ctl, n uint64) (h, m uint64, hint skel.Ref) { return fallback.Claim(c, n) }

// Close is fallback.Close.
func Close(c *skel.Ctl) bool { return fallback.Close(c) }

// Publish is fallback.Publish.
func Publish(b *skel.Block, off, n uint32) { fallback.Publish(b, off, n) }

// Retire is fallback.Retire.
func Retire(b *skel.Block, n uint64) bool { return fallback.Retire(b, n) }
