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
// Lock-freedom. No operation takes a lock or blocks on a channel (but the
// Wait forms, which sleep by design). Push,
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
// A bound. Config.Limit bounds a queue: a push that would take it past
// Limit items returns ErrFull at once, and PushWait and PushBatchWait wait
// for room instead (a batch is queued whole or not at all). The bound is
// exact: Len never exceeds Limit, however many producers push. ErrFull is
// linearizable: the push did not fit at an instant during the call. Close
// wakes the producers that wait, with ErrClosed. A bounded queue's pushes
// take the general path, in Go on every backend, which also loads the
// consumers' head; an unbounded queue pays one load of a read-mostly word
// per push and pop for the option, as it did for the capacity check.
//
// Memory. Items live in blocks of 1024 slots, allocated in chunks that
// double (chunk k holds 2^k blocks), so a queue holds up to twice the blocks
// its peak needed. A queue allocates its first block on first use (an
// unused queue costs about 1.8 KB, its sleeping channels included), grows
// with the peak number of queued items, and reuses blocks after: a steady
// state allocates nothing. A
// popped value is cleared from the queue's memory, so the queue keeps
// nothing alive that it has handed out. Blocks are recycled in queue order,
// so a consumer that is descheduled in the middle of a pop holds its block
// and the ones after it until it resumes; the queue then grows by what is
// pushed meanwhile.
//
// Memory after a burst. The queue gives its memory back by itself, paced
// by the garbage collector as sync.Pool is. An arena that has grown past 63
// blocks (64,512 slots) is looked at after every GC cycle; once it has not
// grown, and its backlog has stayed at most an eighth of it, for one second
// (and two looks), it is retired as soon as the queue is empty: at the look
// if it is empty then, else at the first Pop or PopN that finds it empty.
// The queue moves on to a fresh arena, and the old one goes to the
// collector when no goroutine uses it any more (the next cycle, or the one
// after). So a queue can grow and shrink at most once a second, and a
// queue whose backlog never falls to zero keeps its arena. An idle program
// still collects every two minutes (the runtime's forced GC), so memory
// comes back within minutes even then; with GOGC=off there are no cycles,
// and nothing comes back but through Shrink. Shrink does the same at once, for
// callers who know better. Closed queues are not retired: their memory goes
// with them. Moving on is invisible: the queue is empty at that instant,
// every guarantee above holds across it, and it is safe on every backend,
// for C only reaches an arena during a call that holds it.
//
// # Waiting
//
// Pop and PopN never block. Consumers that have nothing else to do can use
// PopWait and PopNWait, which sleep while the queue is empty and are woken
// by the next push (or by Close, or their context), or range over All (one
// item at a time) or Batches (into a buffer), which end by themselves once
// the queue is closed and drained. A queued item wins over an ended
// context, and so does a closed, empty queue (ErrClosed). While other
// consumers sleep, PopNWait and Batches take a fair share, at most
// Len/(sleepers+1)+1 items, so that a batch pushed into a sleeping pool is
// spread over it; PopNShare takes Len/workers+1 for a pool that polls.
// Sleepers says how many consumers sleep. PopWaitTimer and PopNWaitTimer
// wait with a timer's channel instead of a context, which allocates nothing
// when the caller reuses its timer. A Waiter waits inside a select beside
// other channels (a ticker, a quit channel): its PopN arms it on an empty
// queue, and its channel C receives once items may be queued or the queue
// is closed. Done is closed by Close. Producers of a bounded queue
// can use PushWait and PushBatchWait, which sleep while it is full and are
// woken by the next pop (or by Close, or their context). Sleeping is off
// the lock-free path: a producer pays two dependent loads (the core's
// pointer to the wait state, then its count) to see that nobody sleeps,
// and one channel send when somebody does: a push wakes one consumer, which
// wakes the next while items remain, as Go's scheduler and Tokio wake idle
// workers. Close wakes sleepers the same way.
//
// Sleeping behaves as on a channel made beside the queue, for the
// channels it sleeps on are made with it (New, NewWithConfig; a zero Queue
// makes them at its first use of any kind, so one shared by bubbles must
// be made with New, or first used, outside them): a queue made outside testing/synctest
// bubbles may be shared by them and by code outside them (a sleeper in a
// bubble then does not block durably, as on such a channel), and one made
// in a bubble sleeps durably there.
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
