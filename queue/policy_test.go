//go:build !injectq_check

package queue

import (
	"context"
	"testing"
	"time"
)

// TestLookClearsShrinkWanted: a look that finds the queue busy again
// withdraws a retirement that an earlier quiet look asked for, so the
// next empty pop of a new burst does not retire the arena.
func TestLookClearsShrinkWanted(t *testing.T) {
	defer SetShrinkAfter(SetShrinkAfter(0))
	q := New[int]()
	vs := make([]int, 100*1024)
	for i := 0; i < 100; i++ {
		_ = q.PushBatch(vs[:1024])
	}
	for q.PopN(vs) > 0 {
	}
	c := q.core()
	_ = q.Push(1) // small backlog: quiet, not empty
	now := int64(1)
	for i := 0; i < 4; i++ {
		c.look(now)
		now += int64(time.Second)
	}
	for i := 0; i < 60; i++ { // a new burst: backlog 60 of 127 blocks
		_ = q.PushBatch(vs[:1024])
	}
	c.look(now)          // loud
	for q.PopN(vs) > 0 { // consumers catch up once
	}
	if q.core() != c {
		t.Errorf("retired right after a loud look (quiet=%v)", c.quiet)
	}
}

// TestBatchWaiterPassesWakeup: a PushBatchWait woken by a pop that made
// too little room for it passes the wakeup on to a PushWait that fits.
// (The sleeps put the batch first among the channel's receivers; if they
// do not, the test passes without exercising the case.)
func TestBatchWaiterPassesWakeup(t *testing.T) {
	q, _ := NewWithConfig(Config[int]{Limit: 2})
	_ = q.PushBatch([]int{1, 2})
	go func() { _ = q.PushBatchWait(context.Background(), []int{3, 4}) }()
	for load64(&q.core().w.roomWaiters) < 1 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond) // B in its select first
	pdone := make(chan error, 1)
	go func() { pdone <- q.PushWait(context.Background(), 5) }()
	for load64(&q.core().w.roomWaiters) < 2 {
		time.Sleep(time.Millisecond)
	}
	time.Sleep(20 * time.Millisecond)
	q.Pop()
	select {
	case <-pdone:
	case <-time.After(10 * time.Second):
		t.Errorf("PushWait(5) still asleep with Len %d < Limit 2", q.Len())
	}
}
