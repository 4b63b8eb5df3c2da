// Package chanq is the other baseline that injectq's benchmarks measure
// against: a buffered channel with the queue's method set. A channel has no
// batch operations, so a batch is a loop of sends, and PopN receives what is
// there without blocking.
package chanq

// Chan is a buffered channel seen as a queue. It is bounded: Push blocks
// while it is full.
type Chan[T any] chan T

// New returns a Chan that holds up to capacity items.
func New[T any](capacity int) Chan[T] { return make(Chan[T], capacity) }

// Push sends v.
func (c Chan[T]) Push(v T) { c <- v }

// PushBatch sends vs one by one.
func (c Chan[T]) PushBatch(vs []T) {
	for _, v := range vs {
		c <- v
	}
}

// Pop receives an item if one is there.
func (c Chan[T]) Pop() (T, bool) {
	select {
	case v := <-c:
		return v, true
	default:
		var zero T
		return zero, false
	}
}

// PopN receives up to len(dst) items that are there, without blocking.
func (c Chan[T]) PopN(dst []T) int {
	for i := range dst {
		select {
		case dst[i] = <-c:
		default:
			return i
		}
	}
	return len(dst)
}
