//go:build !injectq_check

package queue

import "context"

// sleep blocks until a wake-up token, the close of the queue, or the end of
// ctx; it reports whether ctx ended.
func sleep(wake, closed <-chan struct{}, ctx context.Context) (cancelled bool) {
	select {
	case <-wake:
	case <-closed:
	case <-ctx.Done():
		return true
	}
	return false
}
