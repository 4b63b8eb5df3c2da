//go:build injectq_check

package queue

import (
	"time"

	"github.com/injectq/injectq/internal/atom"
)

// sleep is sleep.go's, for the checker, whose scheduler must never find a
// goroutine blocked where it cannot see: it looks at the channels without
// blocking and waits (atom.Spin) for another goroutine's write or a
// token's send (atom.Signal) between looks.
func sleep(tokens, done <-chan struct{}, timer <-chan time.Time) woke {
	for {
		select {
		case <-tokens:
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
