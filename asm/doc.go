// Package asm is injectq's assembly backend: the reservation, claim, close,
// slot publication and retirement of the atomic core, in Go assembly for
// amd64 (core_amd64.s) and arm64 (core_arm64.s, with an LSE and an LL/SC
// path chosen at start-up). These are exactly the five functions of package
// fallback, the reference, with the same contract, on the same words of the
// skel layout; the difference is the instructions: publication is a plain
// store (amd64) or a store-release (arm64) instead of Go's sequentially
// consistent store and atomic OR.
//
// In builds without the assembly (other GOARCH, the purego tag, -race, or
// the checker's tag) Available is false and the functions forward to
// package fallback, so callers need no build tags.
//
// Each .s file states, over every TEXT, the pseudo-code of what it does, so
// that it reads alone: the two files repeat those comments, and the LL/SC
// loops within core_arm64.s repeat one shape, on purpose.
//
// Reserve, Claim and Retire are the same instructions that Go's compiler
// emits inline for the fallback (LOCK CMPXCHGQ and XADDQ on amd64; CASAL,
// LDADDAL or LL/SC loops, chosen at run time, on arm64), so here they only
// add an ABI0 call; the gain is Publish, with no locked instruction and no
// read-modify-write. Package queue therefore runs single items through the
// fallback's inlined atomics and batches through this package (see the
// table in queue/backend.go, and the README's "Choosing a backend" for
// the measurements).
//
// Every operation works on one 64-bit word: the layout packs what must
// change together into one (the Closed bit into the tail, a 40-bit tag and
// a 24-bit index into a Ref). So no operation needs a 128-bit CAS, and
// amd64's CMPXCHG16B (CX16) is neither used nor looked for; the README
// gives the measurement behind that.
package asm

// EnvARM64Atomics names the environment variable that, set to "llsc",
// makes the arm64 assembly use its LL/SC path on a CPU that has LSE (for
// testing that path). It is read once, at start-up.
const EnvARM64Atomics = "INJECTQ_ARM64_ATOMICS"
