//go:build injectq_check

package queue

import (
	"time"

	"github.com/injectq/injectq/internal/atom"
)

// sleep is sleep.go's, for the checker, whose scheduler must never find a
// goroutine blocked where it cannot see: it looks at the channels without
// blocking and waits (atom.Spin) for another goroutine's write, a token's
// send or the close (atom.Signal) between looks.
func sleep(wake, closed, done <-chan struct{}, timer <-chan time.Time) woke {
	for {
		select {
		case <-wake:
			return byQueue
		case <-closed:
			return byQueue
		case <-done:
			return byCtx
		case <-timer:
			return byTimer
		default:
		}
		atom.Spin()
	}
}
