//go:build !injectq_check

package queue

import "time"

// sleep blocks until a wake-up token, the close of the queue, the end of
// ctx (done) or a value on timer (either may be nil: never).
func sleep(wake, closed, done <-chan struct{}, timer <-chan time.Time) woke {
	select {
	case <-wake:
	case <-closed:
	case <-done:
		return byCtx
	case <-timer:
		return byTimer
	}
	return byQueue
}
