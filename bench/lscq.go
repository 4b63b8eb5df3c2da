//go:build (amd64 || arm64) && !race

package bench

import (
	"unsafe"

	"github.com/bytedance/gopkg/collection/lscq"
)

// lscq builds only where it has assembly (amd64, arm64), and not under
// the race detector, which cannot see its assembly atomics and so reports
// races on the items it hands over.
const lscqAvailable = true

type lscqQ struct{ q *lscq.PointerQueue }

func newLSCQ(int) Queue { return lscqQ{lscq.NewPointer()} }

func (a lscqQ) Push(v *Item) { a.q.Enqueue(unsafe.Pointer(v)) }

func (a lscqQ) PushBatch(vs []*Item) {
	for _, v := range vs {
		a.q.Enqueue(unsafe.Pointer(v))
	}
}

func (a lscqQ) Pop() (*Item, bool) {
	p, ok := a.q.Dequeue()
	return (*Item)(p), ok
}

func (a lscqQ) PopN(dst []*Item) int {
	for i := range dst {
		p, ok := a.q.Dequeue()
		if !ok {
			return i
		}
		dst[i] = (*Item)(p)
	}
	return len(dst)
}
