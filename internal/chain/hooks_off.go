//go:build !injectq_hooks

package chain

import (
	"runtime"

	"github.com/injectq/injectq/internal/atom"
)

// Waiter paces a spin-wait: a short busy spin, then yielding the processor
// so that the goroutine waited for can run (with GOMAXPROCS=1 it cannot run
// otherwise). The zero value is ready.
type Waiter struct{ spins int }

// Pause is one round of the wait.
func (w *Waiter) Pause() {
	atom.Spin() // under the checker: wait for another goroutine's write
	if w.spins++; w.spins > spinRounds {
		runtime.Gosched()
	}
}
