//go:build !injectq_hooks

package chain

import "runtime"

// Waiter paces a spin-wait: a short busy spin, then yielding the processor
// so that the goroutine waited for can run (with GOMAXPROCS=1 it cannot run
// otherwise). The zero value is ready.
type Waiter struct{ spins int }

// Pause is one round of the wait.
func (w *Waiter) Pause() {
	if w.spins++; w.spins > spinRounds {
		runtime.Gosched()
	}
}
