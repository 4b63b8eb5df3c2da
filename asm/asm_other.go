package asm

import (
	"github.com/injectq/injectq/fallback"
	"github.com/injectq/injectq/internal/skel"
)

// Available reports whether this build has the assembly backend. Here it
// does not (purego, or an architecture without assembly): the functions
// forward to package fallback so that callers need no build tags.
const Available = false

// Path describes the code path.
func Path() string { return "none (purego or no assembly for this GOARCH)" }

func Reserve(c *skel.Ctl, k uint64) (t uint64, hint skel.Ref, ok bool) {
	return fallback.Reserve(c, k)
}
func Claim(c *skel.Ctl, n uint64) (h, m uint64, headBlk skel.Ref) { return fallback.Claim(c, n) }
func Close(c *skel.Ctl) bool                                      { return fallback.Close(c) }
func Publish(b *skel.Block, off, n uint32)                        { fallback.Publish(b, off, n) }
func Retire(b *skel.Block, n uint64) bool                         { return fallback.Retire(b, n) }
