//go:build !(amd64 || arm64) || race

package bench

// lscq has assembly for amd64 and arm64 only, and under -race its
// assembly atomics are invisible to the race detector, which then reports
// false races on the items it hands over: it is left out of such builds.
const lscqAvailable = false

func newLSCQ(int) Queue { panic("bench: lscq is not available in this build") }
