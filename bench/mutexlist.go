package bench

import "sync"

// mutexList is the design of Tokio's Inject and Go's sched.runq: an
// intrusive singly linked list (the link lives in the item) guarded by a
// mutex. PushBatch links the batch privately, outside the lock, and splices
// it in O(1) under it; PopN walks up to len(dst) links under the lock. Like
// sched.runq, a pop does not clear the popped item's link: the next push of
// that item overwrites it.
type mutexList struct {
	mu   sync.Mutex
	head *Item
	tail *Item
}

func (l *mutexList) Push(v *Item) {
	v.next = nil
	l.mu.Lock()
	if l.tail == nil {
		l.head = v
	} else {
		l.tail.next = v
	}
	l.tail = v
	l.mu.Unlock()
}

func (l *mutexList) PushBatch(vs []*Item) {
	if len(vs) == 0 {
		return
	}
	first, last := vs[0], vs[len(vs)-1]
	for i, v := range vs[:len(vs)-1] {
		v.next = vs[i+1]
	}
	last.next = nil
	// The splice repeats Push's rather than sharing a helper with it: the
	// helper is too big to inline, and its call would enter Push's
	// measured path.
	l.mu.Lock()
	if l.tail == nil {
		l.head = first
	} else {
		l.tail.next = first
	}
	l.tail = last
	l.mu.Unlock()
}

func (l *mutexList) Pop() (*Item, bool) {
	l.mu.Lock()
	v := l.head
	if v == nil {
		l.mu.Unlock()
		return nil, false
	}
	l.head = v.next
	if l.head == nil {
		l.tail = nil
	}
	l.mu.Unlock()
	return v, true
}

func (l *mutexList) PopN(dst []*Item) int {
	l.mu.Lock()
	v := l.head
	n := 0
	for n < len(dst) && v != nil {
		dst[n] = v
		v = v.next
		n++
	}
	l.head = v
	if v == nil {
		l.tail = nil
	}
	l.mu.Unlock()
	return n
}
