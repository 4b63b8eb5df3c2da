// Package queue is injectq's inject queue: an unbounded, lock-free,
// multi-producer multi-consumer FIFO through which any goroutine hands work
// to a pool of workers, with a batch push that costs O(1) shared atomic
// operations however long the batch is.
//
//	q := queue.New[*Task]()
//	q.PushBatch(tasks)          // one reservation CAS for the whole batch
//	n := q.PopN(buf)            // one claim CAS for up to len(buf) items
//
// # Guarantees
//
// Lock-freedom. No operation takes a lock or blocks on a channel. Push,
// PushBatch and Close always complete in a bounded number of their own
// steps plus retries of a CAS that fails only because another operation
// succeeded. There is one wait: a pop that claims a slot whose producer has
// reserved it but not yet written it (the producer is a few instructions
// past its reservation) spins, then yields, until the producer publishes.
// If that producer is descheduled in between, the consumer waits for it, as
// in crossbeam's Injector. Nothing waits on a consumer.
//
// Order. Every operation but Drain and, under a stream of pushes, Len is
// linearizable (see each). A batch is contiguous: no other
// item lands between its items, and consumers receive them in order. Items
// pushed by one goroutine are popped in the order it pushed them, by any
// single consumer; two consumers popping concurrently each see a
// subsequence of that order. A pop returns empty only if the queue was
// empty at some instant during the call.
//
// Close. Close sets a flag that every later reservation sees, so a push
// either lands entirely before the close or is rejected entirely: it
// returns ErrClosed, and each of its items has been passed to
// Config.Release exactly once, in order, in the pushing goroutine, before
// Push returns. Items queued before Close stay poppable; Drain hands them to
// Release. No item is ever both popped and released, and none is neither:
// an item whose push returned nil is popped or drained, never released by
// the push. Release runs outside every critical section (there are none)
// and may call the queue; a Release that pushes back into the queue must
// check IsClosed first (Config.Release says why). If Release panics, the
// remaining items of that batch are still released, and then the panic
// reaches the caller; the queue stays consistent.
//
// Len and IsEmpty. Len counts batches from the moment they are reserved
// (before their Push returns) and stops counting items from the moment
// they are claimed. It is the count at one instant during the call unless
// pushes kept landing through all its attempts, and never more than the
// queue held at any instant. IsEmpty is linearizable.
//
// Bad input and capacity. PushBatch refuses a batch of more than MaxBatch
// items with ErrTooLarge, and a queue refuses a push that would take it
// past MaxLen items with ErrFull; neither reserves anything, and the items
// stay the caller's.
//
// Memory. Items live in blocks of 1024 slots, allocated in chunks that
// double (chunk k holds 2^k blocks), so a queue holds up to twice the blocks
// its peak needed. A queue allocates its first block on first use (an
// unused queue costs about 1.3 KB), grows with the peak number of queued
// items, and reuses blocks after: a steady state allocates nothing. Memory is never returned to the runtime while the
// queue is in use; it is freed with the queue. A popped value is cleared
// from the queue's memory, so the queue keeps nothing alive that it has
// handed out. Blocks are recycled in queue order, so a consumer that is
// descheduled in the middle of a pop holds its block and the ones after it
// until it resumes; the queue then grows by what is pushed meanwhile.
//
// # Waiting
//
// Pop and PopN never block. Consumers that have nothing else to do can use
// PopWait and PopNWait, which sleep while the queue is empty and are woken
// by the next push (or by Close, or their context). Sleeping is off the
// lock-free path: a producer pays one load to see that nobody sleeps, and a
// channel send per consumer it wakes when somebody does.
//
// # Backends
//
// The atomic core exists three times over one pointer-free memory layout:
// "fallback" (pure Go, sync/atomic), "asm" (Go assembly for amd64 and arm64;
// on arm64 with LSE atomics or LL/SC loops, chosen at start-up) and
// "native" (C through cgo, one cgo call per batch). Backends lists those
// usable in this build on this CPU, preferred first; the first is the
// default unless the environment variable INJECTQ_BACKEND names another.
// Config.Backend picks one per queue. Builds with -tags purego have only
// fallback; builds without cgo lack native; -race builds use fallback only,
// because the race detector cannot see the other backends' atomics.
package queue
