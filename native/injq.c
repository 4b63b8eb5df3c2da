//go:build cgo && !purego && !race && !injectq_check

// injq.c: the native backend's atomic core. The reservation and claim CAS,
// close, and the CAS-chain walk that finds (and installs) the blocks of a
// run, in C11 __atomic builtins. See fallback/fallback.go (reservation,
// claim, close) and internal/chain (the walk, the free stack) for the
// reference implementation: every function here mirrors the one named in
// its comment, word for word (native/differential_test.go holds it to that).
//
// Pointers: C never holds, reads-then-writes, or stores Go pointers. Ctl
// and Span are pointer-free Go memory passed as call arguments and not
// retained after the call; a block address is computed from Ctl.Chunks,
// which holds integers naming pinned, pointer-free chunks. Only integers
// are ever stored.
//
// Memory orders. The Go side (fallback, package queue) uses sync/atomic,
// which is sequentially consistent: every Go store is at least a release,
// every Go load at least an acquire, every Go CAS both (Go's memory model:
// "like C++ sequentially consistent atomics"), and on amd64 and arm64 they
// compile to the instructions C11 uses for seq_cst (MOV/XCHG/LOCK CMPXCHG;
// LDAR/STLR/CASAL or LDAXR..STLXR). So a C acquire that reads a Go store, or
// a Go load that reads a C release, synchronizes as in C11. Below:
//   - Tail and Head (the linearization points) use seq_cst, as Go does:
//     pushes, pops, Len and Close are ordered by one total order over these
//     words on both sides (a Pop that finds the queue empty, say, must not
//     miss a Push that completed before it began). It costs nothing: gcc
//     emits the same instructions for seq_cst and acquire loads (MOV; LDAR)
//     and for seq_cst and acq_rel RMWs (LOCK CMPXCHG; CASAL or
//     LDAXR/STLXR, or the same outline-atomics helper, __aarch64_*_acq_rel).
//   - The chain and the free stack are publication: a word that makes a
//     block reachable (a link, HeadBlk, a hint, the free-stack top) is
//     written with release (or a Go seq_cst op) after the block is
//     initialised, and read with acquire before the block is used. Each
//     such atomic says which write it pairs with.
//   - Words read only as a guess that a later CAS validates, and stores
//     that a later release CAS publishes, are relaxed (still atomic, so that
//     the races they are in are not data races).
// QEMU on x86 runs this with TSO-like ordering, so tests cannot catch a
// missing barrier on arm64: these comments are the argument.

#include "injq.h"

#if defined(__aarch64__) && !defined(__ARM_FEATURE_ATOMICS) && defined(__GNUC__) && !defined(__clang__)
// Outline atomics: every RMW below is a call to a libgcc helper
// (__aarch64_cas8_acq_rel, ...) that uses LSE (CASAL, LDSETAL) when the CPU
// has it and LDAXR/STLXR loops otherwise, chosen once at start-up by a
// libgcc constructor from AT_HWCAP. This is gcc's default on aarch64 Linux
// (-moutline-atomics); the pragma makes it so whatever CGO_CFLAGS say, so
// that injq_atomics can report the choice. Built for ARMv8.1+
// (__ARM_FEATURE_ATOMICS), gcc inlines LSE instead.
#pragma GCC target("outline-atomics")
#define INJQ_OUTLINE 1
extern _Bool __aarch64_have_lse_atomics; // libgcc's run-time choice
#endif

#define TAG(r) ((r) >> INJQ_IDXBITS)
#define HASIDX(r) (((r) & INJQ_IDXMASK) != 0)
#define IDX(r) (((r) & INJQ_IDXMASK) - 1)
#define MAKEREF(bn, idx) (((uint64_t)(bn) << INJQ_IDXBITS) | ((uint64_t)(idx) + 1))

// blk returns block idx: chunk k = floor(log2(idx+1)) holds blocks
// 2^k-1 .. 2^(k+1)-2. (skel.Arena.Block)
static inline injq_block *blk(const injq_ctl *c, uint64_t idx) {
	uint64_t i1 = idx + 1;
	int k = 63 - __builtin_clzll(i1);
	// Relaxed: Chunks[k] is stored once (Go, atomically) before any block
	// of chunk k is pushed on the free stack, and every index C follows
	// came from a word published after that (the free-stack top, a link,
	// HeadBlk, a hint) through acquire loads, or from the Go caller, which
	// got it the same way: the store happens before this load.
	uintptr_t base = (uintptr_t)__atomic_load_n(&c->chunks[k], __ATOMIC_RELAXED);
	return (injq_block *)(base + (i1 - (UINT64_C(1) << k)) * INJQ_BLOCKSIZE);
}

// pop_free takes a block off the free stack; 0 when it is empty.
// (chain.PopFree)
static int pop_free(injq_ctl *c, uint64_t *idx) {
	// Acquire: pairs with the release (Go: seq_cst) CAS of the push that
	// made top the top, so top's FreeNext is visible (and the CAS below
	// takes over the synchronization; see there).
	uint64_t top = __atomic_load_n(&c->free, __ATOMIC_ACQUIRE);
	for (;;) {
		if (!HASIDX(top)) {
			return 0;
		}
		uint64_t i = IDX(top);
		// Relaxed: ordered after the acquire that gave us top. If top was
		// popped (and its FreeNext rewritten) since, Free's tag has moved
		// and the CAS below fails, so a stale value is never installed.
		uint64_t next = __atomic_load_n(&blk(c, i)->free_next, __ATOMIC_RELAXED);
		uint64_t nt = ((TAG(top) + 1) << INJQ_IDXBITS) | (next & INJQ_IDXMASK);
		// Acquire on success: we own block i now. The CAS reads the value
		// of the push that put i on top (or of a later pop: every write to
		// Free is a CAS, an RMW, so it continues that push's release
		// sequence), so the pusher's writes are visible before we
		// initialise and link i: its FreeNext, and for a recycled block
		// the clearing of its State and Consumed (chain.recycle, before
		// its PushFree). Nothing to release: we wrote nothing the next
		// popper needs. Failure: acquire, as the first load (top is the
		// value read, retried).
		if (__atomic_compare_exchange_n(&c->free, &top, nt, 0, __ATOMIC_ACQUIRE, __ATOMIC_ACQUIRE)) {
			*idx = i;
			return 1;
		}
	}
}

// push_free pushes block i, which we popped and could not link, back on the
// free stack. (chain.PushFree for one block)
static void push_free(injq_ctl *c, uint64_t i) {
	injq_block *b = blk(c, i);
	// Relaxed: only a guess at the top; the CAS checks it.
	uint64_t top = __atomic_load_n(&c->free, __ATOMIC_RELAXED);
	for (;;) {
		// Relaxed: block i is ours (popped, never linked), and this store
		// is published by the release CAS below.
		__atomic_store_n(&b->free_next, top & INJQ_IDXMASK, __ATOMIC_RELAXED);
		// Release on success: the next popper's acquire sees FreeNext and,
		// by transitivity through our acquiring pop, the block's clearing,
		// which we did not undo (only its link word was written). Failure
		// relaxed: top is reread by the CAS and only a guess again.
		if (__atomic_compare_exchange_n(&c->free, &top, MAKEREF(TAG(top) + 1, i), 0, __ATOMIC_RELEASE,
						__ATOMIC_RELAXED)) {
			return;
		}
	}
}

// link_after installs a block after b, whose link word was seen as the empty
// link "empty"; 0: no free block. (chain.link)
static int link_after(injq_ctl *c, injq_block *b, uint64_t empty) {
	uint64_t y;
	if (!pop_free(c, &y)) {
		return 0;
	}
	// Relaxed: y's initialisation (its empty link, tagged with the number
	// it is about to get), published by the release CAS below. A stale
	// walker that reads it through an old Ref sees a tag that is not its
	// own and restarts; its acquire load of this word is what the tag
	// check is about, not this store's order.
	__atomic_store_n(&blk(c, y)->next, (TAG(empty) + 1) << INJQ_IDXBITS, __ATOMIC_RELAXED);
	uint64_t expect = empty;
	// Release on success: makes y reachable. Walkers load b's link with
	// acquire (locate below; chain.Locate's seq_cst load) and then see
	// y's link word and, transitively through our acquiring pop, y's
	// cleared State and Consumed: a producer publishes and a consumer
	// waits on those. Failure relaxed: somebody else linked b; the caller
	// rereads b's link with acquire.
	if (!__atomic_compare_exchange_n(&b->next, &expect, empty | (y + 1), 0, __ATOMIC_RELEASE, __ATOMIC_RELAXED)) {
		push_free(c, y);
	}
	return 1;
}

// install_first installs block number 0 as HeadBlk; 0: no free block.
// (chain.installFirst)
static int install_first(injq_ctl *c) {
	uint64_t y;
	if (!pop_free(c, &y)) {
		return 0;
	}
	// Relaxed: the empty link of block number 0, published by the CAS.
	__atomic_store_n(&blk(c, y)->next, 0, __ATOMIC_RELAXED);
	uint64_t expect = INJQ_NOREF;
	// Release on success: walkers load HeadBlk with acquire and then see
	// y's initialisation, as for link_after. Failure relaxed: the caller
	// rereads HeadBlk with acquire.
	if (!__atomic_compare_exchange_n(&c->head_blk, &expect, MAKEREF(0, y), 0, __ATOMIC_RELEASE,
					 __ATOMIC_RELAXED)) {
		push_free(c, y);
	}
	return 1;
}

// locate finds the Ref of block number bn, walking the chain of links from
// r and installing missing blocks. (chain.Locate: see there why block bn
// cannot leave the chain while the caller holds a position in it, and why a
// stale start is detected by its tag.)
static __attribute__((noinline)) int locate(injq_ctl *c, uint64_t r, uint64_t bn, uint64_t *out) {
	const uint64_t want = bn & INJQ_TAGMASK;
	for (;;) {
		if (!HASIDX(r)) {
			// Acquire: pairs with the release CAS that set HeadBlk
			// (install_first, chain.installFirst, or Go's Advance, a
			// seq_cst CAS made after it acquired the successor's link),
			// so the block it names is initialised.
			r = __atomic_load_n(&c->head_blk, __ATOMIC_ACQUIRE);
			if (!HASIDX(r)) {
				if (!install_first(c)) {
					return INJQ_ST_GROW;
				}
				continue;
			}
		}
		uint64_t tag = TAG(r);
		uint64_t d = (want - tag) & INJQ_TAGMASK;
		if (d == 0) {
			*out = r;
			return INJQ_ST_OK;
		}
		if (d > INJQ_TAGMASK / 2) { // r is past bn: not a valid start
			r = INJQ_NOREF;
			continue;
		}
		injq_block *b = blk(c, IDX(r));
		// Acquire: pairs with the release CAS that linked the successor
		// (link_after; chain.link's seq_cst CAS), so the successor's
		// link word and cleared slot states are visible before we walk on
		// or hand its Ref to Go; and with the store that initialised b's
		// own link under a new tag, which the tag check below detects.
		uint64_t next = __atomic_load_n(&b->next, __ATOMIC_ACQUIRE);
		if (TAG(next) != tag) { // b was recycled since r was read
			r = INJQ_NOREF;
			continue;
		}
		if (!HASIDX(next)) {
			if (!link_after(c, b, next)) {
				return INJQ_ST_GROW;
			}
			continue;
		}
		r = ((tag + 1) << INJQ_IDXBITS) | (next & INJQ_IDXMASK);
	}
}

// locate_run fills sp->refs with the blocks of positions [pos, pos+count),
// up to INJQ_SPANREFS of them, walking on from each to the next: every one
// holds a position of the caller's run, so none can leave the chain.
// (chain.LocateRun.) Kept out of line: the common case is locate_run_fast's.
static __attribute__((noinline)) int locate_run(injq_ctl *c, uint64_t from, uint64_t pos, uint64_t count,
						injq_span *sp) {
	uint64_t bn = pos >> INJQ_LOGB;
	uint64_t nb = ((pos + count - 1) >> INJQ_LOGB) - bn + 1;
	if (nb > INJQ_SPANREFS) {
		nb = INJQ_SPANREFS;
	}
	uint64_t r = from;
	for (uint64_t i = 0; i < nb; i++) {
		if (locate(c, r, bn + i, &r) != INJQ_ST_OK) {
			sp->n = i;
			return INJQ_ST_GROW;
		}
		sp->refs[i] = r;
	}
	sp->n = nb;
	return INJQ_ST_OK;
}

// locate_run_fast is locate_run for a run within the hint's block (what
// locate returns at once for it), inline, without the calls and register
// saves of the general walk: most batches are that case. (This and the
// out-parameters below removed most of what a native batch of one cost
// above a bare cgo call: BenchmarkCrossing, README "Choosing a backend".)
static inline int locate_run_fast(injq_ctl *c, uint64_t from, uint64_t pos, uint64_t count, injq_span *sp) {
	uint64_t bn = pos >> INJQ_LOGB;
	if (HASIDX(from) && ((TAG(from) ^ bn) & INJQ_TAGMASK) == 0 && (pos + count - 1) >> INJQ_LOGB == bn) {
		sp->refs[0] = from;
		sp->n = 1;
		return INJQ_ST_OK;
	}
	return locate_run(c, from, pos, count, sp);
}

// injq_reserve_run reserves k >= 1 positions with one CAS (fallback.Reserve),
// then locates the run's blocks; *st is the status. The span and *st are
// the caller's, written with plain stores: the caller reads them after the
// call, on the same thread. (An out-parameter rather than a return value:
// cgo's wrapper for a C function that returns a value re-reads the Go
// stack bounds twice per call, measurably more than a store; see
// BenchmarkCrossing.)
void injq_reserve_run(injq_ctl *c, uint64_t k, injq_span *sp, uint64_t *st) {
	// Seq_cst, as Go's: the tail is a linearization point (see the top).
	uint64_t t = __atomic_load_n(&c->tail, __ATOMIC_SEQ_CST);
	uint64_t hint;
	for (;;) {
		if (t & INJQ_CLOSED) {
			*st = INJQ_ST_CLOSED;
			return;
		}
		// Acquire: pairs with the (seq_cst) CAS in Go that set the hint,
		// which its setter made after its own reservation CAS of a
		// position in the hint's block and after locating that block.
		// So that reservation happens before our CAS below, which must
		// then follow it in Tail's order: our t is past the setter's
		// position, the hint's number is at most t/B (fallback.Reserve's
		// argument), and the block it names is initialised.
		hint = __atomic_load_n(&c->tail_hint, __ATOMIC_ACQUIRE);
		// Seq_cst: the batch's linearization point. On failure t is
		// reloaded (seq_cst, as Go's loop reloads it) and rechecked.
		if (__atomic_compare_exchange_n(&c->tail, &t, t + k, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
			break;
		}
	}
	sp->pos = t;
	sp->hint = hint;
	*st = (uint64_t)locate_run_fast(c, hint, t, k, sp);
}

// injq_claim_run claims m = min(n, reserved) positions with one CAS
// (fallback.Claim), then locates the run's blocks. It sets
// *res = m << INJQ_ST_BITS | status; m = 0: nothing to claim.
void injq_claim_run(injq_ctl *c, uint64_t n, injq_span *sp, uint64_t *res) {
	uint64_t h, m, hint;
	for (;;) {
		// Seq_cst, as Go's (see the top). Head is read first: a Head of h
		// was written after its writer saw a Tail of at least h, so the
		// Tail read next is at least h (read-read coherence).
		h = __atomic_load_n(&c->head, __ATOMIC_SEQ_CST);
		uint64_t t = __atomic_load_n(&c->tail, __ATOMIC_SEQ_CST) & INJQ_POSMASK;
		if (t == h) {
			sp->pos = h;
			sp->hint = 0;
			sp->n = 0;
			*res = INJQ_ST_OK;
			return;
		}
		m = t - h < n ? t - h : n;
		// Acquire: as the tail hint in injq_reserve_run: HeadHint's setter
		// claimed a position in the hint's block and located that block
		// before setting it, so the hint's number is at most h/B and its
		// block is initialised.
		hint = __atomic_load_n(&c->head_hint, __ATOMIC_ACQUIRE);
		// Seq_cst: the claim's linearization point. Failure: loop.
		uint64_t expect = h;
		if (__atomic_compare_exchange_n(&c->head, &expect, h + m, 0, __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
			break;
		}
	}
	sp->pos = h;
	sp->hint = hint;
	*res = m << INJQ_ST_BITS | (uint64_t)locate_run_fast(c, hint, h, m, sp);
}

// injq_locate is chain.Locate: one cgo call for the rest of a walk that
// needed a grown arena.
int injq_locate(injq_ctl *c, uint64_t from, uint64_t bn, uint64_t *out) {
	return locate(c, from, bn, out);
}

// injq_close sets the Closed bit; 1 if this call set it. (fallback.Close)
int injq_close(injq_ctl *c) {
	// Seq_cst, as Go's atomic.OrUint64: close is linearized in Tail's order
	// against every reservation CAS (which expects the bit clear), and it
	// is rare, so nothing is gained by weakening it.
	return (__atomic_fetch_or(&c->tail, INJQ_CLOSED, __ATOMIC_SEQ_CST) & INJQ_CLOSED) == 0;
}

const char *injq_cc_version(void) {
	return __VERSION__;
}

int injq_atomics(void) {
#if defined(__x86_64__)
	return INJQ_RMW_X86;
#elif defined(__aarch64__) && defined(__ARM_FEATURE_ATOMICS)
	return INJQ_RMW_ARM64_LSE;
#elif defined(INJQ_OUTLINE)
	// Written by libgcc's constructor before main; read-only after.
	return __aarch64_have_lse_atomics ? INJQ_RMW_OUTLINE_LSE : INJQ_RMW_OUTLINE_LLSC;
#else
	return INJQ_RMW_OTHER;
#endif
}

// injq_noop does nothing: the benchmark of a bare cgo crossing.
void injq_noop(injq_ctl *c) {
	(void)c;
}
