//go:build !injectq_hooks

package queue

// preemptAfterReserve is a no-op; see hooks_on.go.
func preemptAfterReserve() {}
