// Package asm is injectq's assembly backend: the reservation, claim, close,
// slot publication and retirement of the atomic core, in Go assembly for
// amd64 (core_amd64.s) and arm64 (core_arm64.s, with an LSE and an LL/SC
// path chosen at start-up). Every function does exactly what its namesake
// in package fallback does, to the same words of the skel layout; the
// difference is the instructions: publication is a plain store (amd64) or a
// store-release (arm64) instead of Go's sequentially consistent store and
// atomic OR.
//
// In builds without the assembly (other GOARCH, the purego tag, or -race)
// Available is false and the functions forward to package fallback, so
// callers need no build tags.
//
// # Where the gain is
//
// Reserve, Claim and Retire are the same instructions that Go's compiler
// emits inline for the fallback (LOCK CMPXCHGQ and XADDQ on amd64; CASAL,
// LDADDAL or LL/SC loops, chosen at run time, on arm64), so here they only
// add an ABI0 call. The gain is Publish: no locked instruction, no
// read-modify-write. Measured on the development machine (queue
// benchmarks, per item; 200 interleaved pairs of runs in thread CPU time):
// single Push+Pop 1.01x the fallback's time (not significant);
// PushBatch+PopN of 64 items 0.92x, of 1024 items 0.72x.
//
// # CMPXCHG16B
//
// The layout packs everything that must change together into one 64-bit
// word (the Closed bit into the tail, a 40-bit tag and a 24-bit index into
// a Ref), so no operation here needs a 128-bit CAS. The one candidate would
// be to CAS Tail and TailHint (adjacent, 16-byte aligned) together, which
// would make the Go-side hint CAS unnecessary. Measured on the development
// machine (AMD EPYC, 2 vCPU, Go 1.26; a successful CAS in a tight loop;
// benchstat, 10 runs, /tmp microbenchmark, not kept):
//
//	                          LOCK CMPXCHGQ   LOCK CMPXCHG16B
//	one thread                3.3 ns ± 9%     7.0 ns ± 2%   (+111%)
//	two threads, one line    18.0 ns ± 6%    23.6 ns ± 50%  (+31%)
//
// CMPXCHG16B would add about 4 ns to every reservation to save a hint CAS
// that runs once per block crossing (every 1024 single pushes), so the
// amd64 code uses 8-byte LOCK CMPXCHGQ only and does not look at CX16.
// (arm64 has only the relaxed CASPD for 128 bits, which would need fences
// around it; not needed for the same reason.)
package asm

// EnvARM64Atomics names the environment variable that, set to "llsc",
// makes the arm64 assembly use its LL/SC path on a CPU that has LSE (for
// testing that path). It is read once, at start-up.
const EnvARM64Atomics = "INJECTQ_ARM64_ATOMICS"
