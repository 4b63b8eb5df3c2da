//go:build !injectq_check

package queue

import "context"

// sleep blocks until a wake-up token, the close of the queue, or the end of
// ctx; it reports whether ctx ended.
func sleep(p *parking, ctx context.Context) (cancelled bool) {
	select {
	case <-p.wake:
	case <-p.closed:
	case <-ctx.Done():
		return true
	}
	return false
}
