//go:build !cgo || purego || race || injectq_check

// Without cgo, with the purego tag, or under the race detector, there is no
// native backend. Under -race it is left out on purpose: the race detector
// cannot see C's atomics, so the Go code that hands values between
// goroutines through slots published or claimed by C would be reported as
// racing; -race builds run the fallback (and all shared Go code) instead.

package native

import "github.com/injectq/injectq/internal/skel"

// Available reports whether this build has the native (cgo) backend.
const Available = false

// Path describes the code path.
func Path() string { return "none (built without cgo, with -tags purego, or with -race)" }

// The functions below are never called when Available is false:
// queue.NewWithConfig refuses the backend.

const unavailable = "native: unavailable (built without cgo, with -tags purego, or with -race)"

func ReserveRun(c *skel.Ctl, k uint64, sp *skel.Span) int           { panic(unavailable) }
func ClaimRun(c *skel.Ctl, n uint64, sp *skel.Span) (uint64, int)   { panic(unavailable) }
func Locate(c *skel.Ctl, from skel.Ref, bn uint64) (skel.Ref, bool) { panic(unavailable) }
func Close(c *skel.Ctl) bool                                        { panic(unavailable) }
