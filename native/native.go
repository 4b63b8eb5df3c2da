// Package native is injectq's C backend: the reservation and claim CAS,
// close, and the CAS-chain walk that finds (and installs) the blocks of a
// run, in C11 __atomic builtins compiled by cgo (injq.c). See
// fallback/fallback.go for the reference implementation; native is tested
// against it word for word (differential_test.go).
//
// Each entry point is one cgo call per batch, never per item: Splice and
// Claim do the CAS and locate up to skel.SpanRefs blocks of the run in the
// same crossing. Publication, waiting, retiring and recycling stay in Go
// (package queue, fallback).
//
// What a crossing costs (linux/amd64, 2-vCPU AMD EPYC VM, Go 1.26, gcc 12;
// benchstat medians of 10 interleaved runs, ±15-35% noise): a bare cgo call
// with noescape/nocallback ~55 ns; Splice or Claim of one item 5-9 ns more
// (BenchmarkCrossing); the same work in Go ~8-10 ns in all. So a native
// batch costs about 2×50 ns more than a fallback one, and native is never
// faster than fallback: in queue's BenchmarkBatch it is slower up to 256
// items per batch and indistinguishable from 1024 on.
//
// Publishing in C would need a second crossing (the values are written in
// Go between the two). BenchmarkPublish: Go publishes 8 slots with one XCHG
// (~3 ns), C with a plain store (~0.8 ns), so the second crossing pays
// back from runs of about 256 slots (1024 slots: 160 ns against 400 ns) and
// costs more below; in the queue it gained 6-11% at 256-4096 items per
// batch, at the edge of this machine's noise. The queue does not use it;
// injq_publish and BenchmarkPublish keep the experiment.
//
// The backend is built with cgo, without the purego tag and without -race
// (native_cgo.go); otherwise Available is false and the functions panic
// (native_other.go): package queue never calls them then.
package native

// Status codes returned by Splice and Claim. The C code returns the same
// values (INJQ_ST_* in injq.h; keep in sync, TestLayoutMatchesSkel checks).
const (
	OK     = 0 // done
	Closed = 1 // Splice only: the queue is closed, nothing reserved
	Grow   = 2 // a block had to be installed and none was free
)
