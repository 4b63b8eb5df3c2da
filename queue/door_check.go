//go:build injectq_check

package queue

import (
	"sync/atomic"

	"github.com/injectq/injectq/internal/atom"
)

// door.go's functions for the checker: atom's scheduling points.

func load64(p *uint64) uint64               { return atom.Load(p) }
func store64(p *uint64, v uint64)           { atom.Store(p, v) }
func cas64(p *uint64, old, new uint64) bool { return atom.CAS(p, old, new) }
func add64(p *uint64, d uint64) uint64      { return atom.Add(p, d) }
func or64(p *uint64, m uint64) uint64       { return atom.Or(p, m) }

func loadPtr[P any](p *atomic.Pointer[P]) *P               { return atom.LoadPointer(p) }
func casPtr[P any](p *atomic.Pointer[P], old, new *P) bool { return atom.CASPointer(p, old, new) }

func touch()                       { atom.Touch() }
func signal()                      { atom.Signal() }
func mutated(m atom.Mutation) bool { return atom.Mutated(m) }

// checkCores lists the cores installed during a run after its first, for
// the census (check_test.go resets it).
var checkCores []any

func noteCore(c any) { checkCores = append(checkCores, c) }

// closeWakeups: under the checker Close wakes one sleeper of each kind, so
// that the hand-on (handOnClose) wakes every other one in every scenario.
const closeWakeups = 1
