//go:build injectq_hooks

package queue

// SetBeforePark makes f run in every consumer's window between its look at
// an empty queue and its announcement (nil: nothing), for a test that
// needs something to happen there.
func SetBeforePark(f func()) { beforePark = f }
