//go:build !race

package atom

// Clear zeroes words that no other goroutine may use meanwhile but that a
// stale reader may still load (a recycled block's slot states; see
// chain.recycle for why that reader discards what it reads): one step of
// the checker, a plain clear otherwise.
func Clear(ws []uint64) {
	point(true)
	clear(ws)
}
