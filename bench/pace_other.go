//go:build !linux

package bench

import (
	"runtime"
	"time"
)

// pacer spins with runtime.Gosched where there is no fine-grained sleep.
type pacer struct{}

func newPacer() *pacer { return &pacer{} }

func (p *pacer) sleep(d time.Duration) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		runtime.Gosched()
	}
}

func (p *pacer) close() {}

const pacerKind = "spin with runtime.Gosched"
