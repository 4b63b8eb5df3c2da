// Package ring is the baseline that injectq's benchmarks measure against: a
// growable ring buffer guarded by a sync.Mutex, with batch push and pop
// that copy whole runs under one lock acquisition. It is what a Go
// developer would write in an afternoon, done well.
package ring

import "sync"

// Ring is an unbounded FIFO guarded by a mutex. The zero value is empty.
type Ring[T any] struct {
	mu   sync.Mutex
	buf  []T // len(buf) is zero or a power of two
	head int // index of the oldest item
	n    int // items queued
}

// Push appends v.
func (r *Ring[T]) Push(v T) {
	r.mu.Lock()
	if r.n == len(r.buf) {
		r.grow(1)
	}
	r.buf[(r.head+r.n)&(len(r.buf)-1)] = v
	r.n++
	r.mu.Unlock()
}

// PushBatch appends vs as one run.
func (r *Ring[T]) PushBatch(vs []T) {
	r.mu.Lock()
	if r.n+len(vs) > len(r.buf) {
		r.grow(len(vs))
	}
	tail := (r.head + r.n) & (len(r.buf) - 1)
	c := copy(r.buf[tail:], vs)
	copy(r.buf, vs[c:])
	r.n += len(vs)
	r.mu.Unlock()
}

// Pop removes the oldest item.
func (r *Ring[T]) Pop() (T, bool) {
	var zero T
	r.mu.Lock()
	if r.n == 0 {
		r.mu.Unlock()
		return zero, false
	}
	v := r.buf[r.head]
	r.buf[r.head] = zero
	r.head = (r.head + 1) & (len(r.buf) - 1)
	r.n--
	r.mu.Unlock()
	return v, true
}

// PopN removes up to len(dst) of the oldest items into dst.
func (r *Ring[T]) PopN(dst []T) int {
	r.mu.Lock()
	m := min(len(dst), r.n)
	c := copy(dst[:m], r.buf[r.head:])
	copy(dst[c:m], r.buf)
	if end := r.head + m; end <= len(r.buf) {
		clear(r.buf[r.head:end])
	} else {
		clear(r.buf[r.head:])
		clear(r.buf[:end-len(r.buf)])
	}
	r.head = (r.head + m) & (len(r.buf) - 1)
	r.n -= m
	r.mu.Unlock()
	return m
}

// Len returns the number of queued items.
func (r *Ring[T]) Len() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.n
}

// grow makes room for extra more items, keeping their order.
func (r *Ring[T]) grow(extra int) {
	size := max(len(r.buf), 16)
	for size < r.n+extra {
		size *= 2
	}
	nb := make([]T, size)
	c := copy(nb, r.buf[r.head:min(r.head+r.n, len(r.buf))])
	copy(nb[c:r.n], r.buf)
	r.buf, r.head = nb, 0
}
