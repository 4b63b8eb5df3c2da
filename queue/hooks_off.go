//go:build !injectq_hooks

package queue

// preemptAfterReserve is a no-op; see hooks_on.go.
func preemptAfterReserve() {}

// preemptBeforeHeadCAS is a no-op; see hooks_on.go.
func preemptBeforeHeadCAS() {}

// preemptBeforePark is a no-op; see hooks_on.go.
func preemptBeforePark() {}

// maxWakeups bounds how many sleepers one push wakes; see hooks_on.go.
func maxWakeups(n int) int { return n }
