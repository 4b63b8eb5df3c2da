//go:build !injectq_check

package atom

// point is a scheduling point of the checker before an operation (write:
// one that may store); here, nothing.
func point(write bool) {}

// Spin is called by a loop that waits for another goroutine to change
// shared memory (a consumer waiting for a slot's publication), once per
// round; here it does nothing, and the loop paces itself.
func Spin() {}

// Signal records that a goroutine made a change that spinning goroutines
// may be waiting for without an atomic of this package (a channel send or
// close); here, nothing.
func Signal() {}

// Mutated reports whether deliberate bug m is switched on: never, here.
func Mutated(Mutation) bool { return false }

// Checking reports whether this build runs under the checker: false.
const Checking = false
