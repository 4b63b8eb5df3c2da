//go:build linux

package bench

import (
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// pacer sleeps the paced producer between items without burning a CPU, so
// that on a small machine the producer does not compete with the consumers
// it measures.
//
// time.Sleep wakes about a millisecond late (the netpoller's resolution),
// so the pacer calls nanosleep itself, with the thread's timer slack set to
// 1 ns (the default 50 µs slack makes it late too). It makes the call as a
// raw system call: the scheduler sees a running goroutine, as it would see
// a producer doing work between items. Through the ordinary syscall path
// the P would sit in a system call, and a consumer queued on it (after a
// Gosched) would wait for sysmon to retake the P, up to milliseconds. A
// signal (the GC's preemption) interrupts the sleep early; the producer's
// due times are absolute, so that costs nothing.
type pacer struct{}

func newPacer() *pacer { return &pacer{} }

func (p *pacer) sleep(d time.Duration) {
	unix.RawSyscall6(unix.SYS_PRCTL, unix.PR_SET_TIMERSLACK, 1, 0, 0, 0, 0)
	ts := unix.NsecToTimespec(int64(d))
	unix.RawSyscall(unix.SYS_NANOSLEEP, uintptr(unsafe.Pointer(&ts)), 0, 0)
}

func (p *pacer) close() {}

const pacerKind = "raw nanosleep with 1 ns timer slack"
