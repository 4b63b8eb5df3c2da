//go:build injectq_check

package atom

import "github.com/injectq/injectq/internal/check"

func point(write bool) { check.Point(write) }

// Spin makes the calling goroutine wait, in the checker, until another one
// changes shared memory; if none can, the checker reports a deadlock.
func Spin() { check.Spin() }

// Signal wakes the checker's spinning goroutines after a change made
// without this package (a channel send or close).
func Signal() { check.Signal() }

// Mutated reports whether the checker's current scenario runs with
// deliberate bug m.
func Mutated(m Mutation) bool { return check.Mutation() == int(m) }

// Checking reports whether this build runs under the checker: true.
const Checking = true
