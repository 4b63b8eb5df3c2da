//go:build race

package atom

import "sync/atomic"

// Clear is clear.go's, word by word with atomic stores: under the race
// detector the stale reader's load would otherwise be reported, and -race
// builds are for finding the races that are not harmless.
func Clear(ws []uint64) {
	point(true)
	for i := range ws {
		atomic.StoreUint64(&ws[i], 0)
	}
}
