//go:build injectq_check

package queue

import (
	"context"

	"github.com/injectq/injectq/internal/atom"
)

// sleep is sleep.go's, for the checker, whose scheduler must never find a
// goroutine blocked where it cannot see: it looks at the channels without
// blocking and waits (atom.Spin) for another goroutine's write, a token's
// send or the close (atom.Signal) between looks.
func sleep(wake, closed <-chan struct{}, ctx context.Context) (cancelled bool) {
	for {
		select {
		case <-wake:
			return false
		case <-closed:
			return false
		case <-ctx.Done():
			return true
		default:
		}
		atom.Spin()
	}
}
