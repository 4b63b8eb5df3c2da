//go:build !injectq_check

package queue

import (
	"sync/atomic"

	"github.com/injectq/injectq/internal/atom"
)

// The door of this package's generic code to its shared words, and the
// skeleton's bit helpers it uses: package atom's and package skel's, as
// small functions of this package.
//
// Why not call atom and skel directly: the methods of Queue[T] are compiled
// in the package that uses Queue[T], and there Go 1.26 inlines no call into
// a package that package does not import itself (such as internal/atom or
// internal/skel): every atom.Load in Push became a real call. sync/atomic's
// operations are intrinsics everywhere, and this package's own small
// functions inline wherever its generic code is compiled. door_check.go is
// the checker's version (atom's scheduling points); the bit helpers are
// tested against skel's (TestDoorMatchesSkel).

func load64(p *uint64) uint64               { return atomic.LoadUint64(p) }
func store64(p *uint64, v uint64)           { atomic.StoreUint64(p, v) }
func cas64(p *uint64, old, new uint64) bool { return atomic.CompareAndSwapUint64(p, old, new) }
func add64(p *uint64, d uint64) uint64      { return atomic.AddUint64(p, d) }
func or64(p *uint64, m uint64) uint64       { return atomic.OrUint64(p, m) }

func loadPtr[P any](p *atomic.Pointer[P]) *P               { return p.Load() }
func casPtr[P any](p *atomic.Pointer[P], old, new *P) bool { return p.CompareAndSwap(old, new) }

// touch, signal and mutated are atom.Touch, atom.Signal and atom.Mutated:
// nothing outside the checker.
func touch()                     {}
func signal()                    {}
func mutated(atom.Mutation) bool { return false }

// noteCore records a core for the checker's census (door_check.go); nothing
// here.
func noteCore(any) {}

// closeWakeups is how many sleepers of each kind Close wakes itself; each
// woken one wakes the next (handOnClose).
const closeWakeups = wakeTokens
