// Package native is injectq's C backend: the reservation and claim CAS,
// close, and the CAS-chain walk that finds (and installs) the blocks of a
// run, in C11 __atomic builtins compiled by cgo (injq.c). Package fallback
// (Reserve, Claim, Close) and package chain (Locate, LocateRun) hold the
// reference implementation; native is tested against them word for word
// (differential_test.go).
//
// Each entry point is one cgo call per batch, never per item: ReserveRun
// and ClaimRun do the CAS and locate up to skel.SpanRefs blocks of the run
// in the same crossing. Publication, waiting, retirement and recycling
// stay in Go (packages fallback and chain): publishing in C would need a
// second crossing, because the values are written in Go between the
// reservation and the publication. What a crossing costs, and where
// native stands against the other backends, is measured in the README
// ("Choosing a backend").
//
// The backend is built with cgo, without the purego tag and without -race
// (native_cgo.go); otherwise Available is false and the functions panic
// (native_other.go): package queue never calls them then.
package native

// Status codes returned by ReserveRun and ClaimRun. The C code returns the
// same values (INJQ_ST_* in injq.h; keep in sync, TestLayoutMatchesSkel
// checks).
const (
	OK     = 0 // done
	Closed = 1 // ReserveRun only: the queue is closed, nothing reserved
	Grow   = 2 // a block had to be installed and none was free
)
