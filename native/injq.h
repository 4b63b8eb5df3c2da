// injq.h: the C view of injectq's pointer-free skeleton (package
// internal/skel) and the entry points of the native backend.
//
// Every constant, offset and size here repeats one of internal/skel: keep in
// sync with internal/skel. TestLayoutMatchesSkel (native/layout_test.go)
// compares each of them with the Go value, and the _Static_asserts below
// tie the C structs to the #defines.
//
// C never holds, reads-then-writes, or stores Go pointers. The skeleton
// holds only integers: Ctl and Span are pointer-free Go memory, passed as
// call arguments (allowed by the cgo pointer rules) and not retained after
// the call returns; Ctl.Chunks holds the addresses of chunks of blocks as
// integers, and those chunks are pointer-free Go memory pinned with
// runtime.Pinner (skel.NewArena(true)) before their address is stored.
#ifndef INJQ_H
#define INJQ_H

#include <stddef.h>
#include <stdint.h>

// Keep in sync with internal/skel.
#define INJQ_LOGB 10                        // skel.LogB
#define INJQ_B (1u << INJQ_LOGB)            // skel.B
#define INJQ_CLOSED (UINT64_C(1) << 63)     // skel.Closed
#define INJQ_SEALED (UINT64_C(1) << 62)     // skel.Sealed
#define INJQ_POSMASK (INJQ_SEALED - 1)      // skel.PosMask
#define INJQ_IDXBITS 24                     // skel.IdxBits
#define INJQ_IDXMASK ((UINT64_C(1) << INJQ_IDXBITS) - 1)        // skel.IdxMask
#define INJQ_TAGMASK ((UINT64_C(1) << (64 - INJQ_IDXBITS)) - 1) // skel.TagMask
#define INJQ_MAXCHUNKS (INJQ_IDXBITS - 1)                        // skel.MaxChunks
#define INJQ_NOREF (INJQ_TAGMASK << INJQ_IDXBITS)                // skel.NoRef
#define INJQ_LINE 128                       // skel.Line
#define INJQ_SPANREFS 8                     // skel.SpanRefs

// Keep in sync with internal/skel: sizes and offsets (skel.CtlSize,
// skel.BlockSize, skel.Off*; the Span's by unsafe.Offsetof in the test).
#define INJQ_CTLSIZE 640
#define INJQ_BLOCKSIZE 1280
#define INJQ_OFF_TAIL 0
#define INJQ_OFF_TAILHINT 8
#define INJQ_OFF_HEAD 128
#define INJQ_OFF_HEADBLK 136
#define INJQ_OFF_HEADHINT 144
#define INJQ_OFF_FREE 256
#define INJQ_OFF_CHUNKS 384
#define INJQ_OFF_NEXT 0
#define INJQ_OFF_FREENEXT 8
#define INJQ_OFF_CONSUMED 128
#define INJQ_OFF_STATE 256
#define INJQ_SPAN_OFF_POS 0
#define INJQ_SPAN_OFF_HINT 8
#define INJQ_SPAN_OFF_N 16
#define INJQ_SPAN_OFF_REFS 24
#define INJQ_SPANSIZE (24 + 8 * INJQ_SPANREFS)

// Status codes; keep in sync with native.OK, native.Closed, native.Grow.
#define INJQ_ST_OK 0     // done
#define INJQ_ST_CLOSED 1 // reserve_run only: the queue is closed, nothing reserved
#define INJQ_ST_GROW 2   // a block had to be installed and none was free
// injq_claim_run sets *res = m << INJQ_ST_BITS | status.
#define INJQ_ST_BITS 2

// skel.Ctl. The padding keeps each group of words on its own line.
typedef struct injq_ctl {
	uint64_t tail;      // next position to reserve; INJQ_CLOSED in bit 63, INJQ_SEALED in 62
	uint64_t tail_hint; // Ref to a block numbered at most tail/B
	uint8_t _pad0[INJQ_LINE - 16];
	uint64_t head;      // next position to claim
	uint64_t head_blk;  // Ref of the first block of the chain, or NoRef
	uint64_t head_hint; // Ref to a block numbered at most head/B
	uint8_t _pad1[INJQ_LINE - 24];
	uint64_t free;      // free-stack top: 40-bit ABA tag | index+1
	uint8_t _pad2[INJQ_LINE - 8];
	uint64_t chunks[INJQ_MAXCHUNKS]; // chunk k: 2^k blocks, or 0 (an address; uint64 as in Go, on every arch)
	uint8_t _pad3[INJQ_CTLSIZE - INJQ_OFF_CHUNKS - 8 * INJQ_MAXCHUNKS];
} injq_ctl;

// skel.Block.
typedef struct injq_block {
	uint64_t next;      // link word: tag = own block number, index+1 of successor
	uint64_t free_next; // index+1 of the next block on the free stack
	uint8_t _pad0[INJQ_LINE - 16];
	uint64_t consumed;  // not touched by C
	uint8_t _pad1[INJQ_LINE - 8];
	uint64_t state[INJQ_B / 8]; // not touched by C (publication stays in Go)
} injq_block;

// skel.Span: one reservation or claim and the blocks that hold it.
typedef struct injq_span {
	uint64_t pos;  // first position of the run
	uint64_t hint; // TailHint (reserve_run) or HeadHint (claim_run) read before the CAS
	uint64_t n;    // how many of refs are filled
	uint64_t refs[INJQ_SPANREFS];
} injq_span;

_Static_assert(offsetof(injq_ctl, tail) == INJQ_OFF_TAIL, "Ctl.Tail");
_Static_assert(offsetof(injq_ctl, tail_hint) == INJQ_OFF_TAILHINT, "Ctl.TailHint");
_Static_assert(offsetof(injq_ctl, head) == INJQ_OFF_HEAD, "Ctl.Head");
_Static_assert(offsetof(injq_ctl, head_blk) == INJQ_OFF_HEADBLK, "Ctl.HeadBlk");
_Static_assert(offsetof(injq_ctl, head_hint) == INJQ_OFF_HEADHINT, "Ctl.HeadHint");
_Static_assert(offsetof(injq_ctl, free) == INJQ_OFF_FREE, "Ctl.Free");
_Static_assert(offsetof(injq_ctl, chunks) == INJQ_OFF_CHUNKS, "Ctl.Chunks");
_Static_assert(sizeof(injq_ctl) == INJQ_CTLSIZE, "Ctl size");
_Static_assert(offsetof(injq_block, next) == INJQ_OFF_NEXT, "Block.Next");
_Static_assert(offsetof(injq_block, free_next) == INJQ_OFF_FREENEXT, "Block.FreeNext");
_Static_assert(offsetof(injq_block, consumed) == INJQ_OFF_CONSUMED, "Block.Consumed");
_Static_assert(offsetof(injq_block, state) == INJQ_OFF_STATE, "Block.State");
_Static_assert(sizeof(injq_block) == INJQ_BLOCKSIZE, "Block size");
_Static_assert(offsetof(injq_span, pos) == INJQ_SPAN_OFF_POS, "Span.Pos");
_Static_assert(offsetof(injq_span, hint) == INJQ_SPAN_OFF_HINT, "Span.Hint");
_Static_assert(offsetof(injq_span, n) == INJQ_SPAN_OFF_N, "Span.N");
_Static_assert(offsetof(injq_span, refs) == INJQ_SPAN_OFF_REFS, "Span.Refs");
_Static_assert(sizeof(injq_span) == INJQ_SPANSIZE, "Span size");
_Static_assert(sizeof(uintptr_t) == 8, "64-bit targets only");

// Entry points: one cgo call per batch. See injq.c. injq_reserve_run sets
// *st to a status; injq_claim_run sets *res = m << INJQ_ST_BITS | status.
void injq_reserve_run(injq_ctl *c, uint64_t k, injq_span *sp, uint64_t *st);
void injq_claim_run(injq_ctl *c, uint64_t n, injq_span *sp, uint64_t *res);
int injq_locate(injq_ctl *c, uint64_t from, uint64_t bn, uint64_t *out);
int injq_close(injq_ctl *c);

// Description of the code path, for native.Path: the compiler's
// __VERSION__, and how the read-modify-writes are compiled (INJQ_RMW_*).
const char *injq_cc_version(void);
int injq_atomics(void);
#define INJQ_RMW_OTHER 0        // not amd64/arm64 with gcc: the compiler's default
#define INJQ_RMW_X86 1          // amd64: LOCK CMPXCHG (loads and stores plain MOV)
#define INJQ_RMW_ARM64_LSE 2    // arm64 built for ARMv8.1+: inline CASAL/LDSETAL
#define INJQ_RMW_OUTLINE_LSE 3  // arm64 outline atomics, libgcc chose CASAL/LDSETAL
#define INJQ_RMW_OUTLINE_LLSC 4 // arm64 outline atomics, libgcc chose LDAXR/STLXR

// A bare crossing, for BenchmarkCrossing (not used by the queue).
void injq_noop(injq_ctl *c);

#endif
