//go:build !injectq_check

package queue

import "time"

// sleep blocks until a wake-up token (which Close sends too), the end of
// ctx (done) or a value on timer (either may be nil: never). Without
// either it is one channel receive, not a select: a select locks each of
// its channels when it parks and again when it wakes, which made a
// ping-pong handoff (BenchmarkWakeup) 1.3x slower.
func sleep(tokens, done <-chan struct{}, timer <-chan time.Time) woke {
	switch {
	case done == nil && timer == nil:
		<-tokens
	case timer == nil:
		select {
		case <-tokens:
		case <-done:
			return byCtx
		}
	default:
		select {
		case <-tokens:
		case <-done:
			return byCtx
		case <-timer:
			return byTimer
		}
	}
	return byQueue
}
