package native

import "github.com/injectq/injectq/internal/skel"

// Available reports whether this build has the native (cgo) backend.
const Available = false

// Status codes returned by Splice and Claim.
const (
	OK     = 0 // done
	Closed = 1 // Splice only: the queue is closed, nothing reserved
	Grow   = 2 // a block had to be installed and none was free
)

// Path describes the code path.
func Path() string { return "none (built without cgo)" }

func Splice(c *skel.Ctl, k uint64, sp *skel.Span) int               { panic("native: unavailable") }
func Claim(c *skel.Ctl, n uint64, sp *skel.Span) (uint64, int)      { panic("native: unavailable") }
func Locate(c *skel.Ctl, from skel.Ref, bn uint64) (skel.Ref, bool) { panic("native: unavailable") }
func Close(c *skel.Ctl) bool                                        { panic("native: unavailable") }
