//go:build injectq_hooks

package chain

import (
	"runtime"
	"time"

	"github.com/injectq/injectq/internal/atom"
)

// stuckAfter is how long a wait may last before the test build declares
// the goroutine waited for lost: a correct producer publishes within a few
// scheduler rounds, so this is a hang, and a panic names it at once instead
// of the test binary's timeout.
const stuckAfter = 20 * time.Second

// Waiter is hooks_off.go's, plus a watchdog.
type Waiter struct {
	spins int
	since time.Time
}

func (w *Waiter) Pause() {
	atom.Spin() // under the checker: wait for another goroutine's write
	if w.spins++; w.spins > spinRounds {
		if w.since.IsZero() {
			w.since = time.Now()
		} else if w.spins%1024 == 0 && time.Since(w.since) > stuckAfter {
			panic("chain: waited " + stuckAfter.String() + " for a slot's publication (test build, -tags injectq_hooks)")
		}
		runtime.Gosched()
	}
}
