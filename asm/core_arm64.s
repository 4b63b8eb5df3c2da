//go:build !purego && !race && !injectq_check

// The atomic core for arm64. See fallback/fallback.go for the reference
// implementation of every function; these do the same to the same words.
//
// Two paths, chosen once at init (core_asm.go) and read here from ·useLSE:
// the ARMv8.1 LSE instructions (CASALD, LDADDALD, LDORALD) when the CPU has
// them, LDAXR/STLXR loops otherwise. The LL/SC loops have no memory access
// between the exclusive load and store, which the architecture needs to
// guarantee their forward progress.
//
// Ordering: every read-modify-write here is acquire+release (the AL forms,
// or LDAXR+STLXR), every load of a control word is LDAR and every
// publication store is STLR/STLRB: the same instructions Go uses for
// sync/atomic on arm64 (internal/runtime/atomic/atomic_arm64.s), minus the
// read-modify-write in Publish. These are RCsc: a release store followed
// in program order by an acquire load is not reordered, so, together with
// Go's own atomics (LDAR/STLR/CASAL), all of them behave as the
// sequentially consistent operations that the fallback's arguments assume.
// Each use below says what it orders and why that is needed; QEMU on x86
// does not reorder, so tests cannot show a weaker choice to be wrong.
//
// Go's compiler makes the same LSE/LL-SC choice at run time for its inlined
// sync/atomic operations, so the instructions here differ from the
// fallback's only in Publish (STLRB instead of LDORALD or an LDAXR/STLXR
// loop for a partial word); the rest costs a call the fallback does not.

#include "textflag.h"
#include "skel.h"

// func Reserve(c *skel.Ctl, k uint64) (t uint64, hint skel.Ref, ok bool)
//
//	for {
//		t = c.Tail
//		if t&Closed != 0 { return 0, 0, false }
//		hint = c.TailHint
//		if CAS(&c.Tail, t, t+k) { return t, hint, true }
//	}
#define TAILP	R0	// &c.Tail
#define HINTP	R1	// &c.TailHint
#define K	R2	// k
#define T	R3	// t
#define HINT	R4	// hint
#define NEW	R5	// t+k
#define OLD	R6	// the tail the CAS found
#define LSE	R7	// useLSE
#define FAIL	R8	// STLXR status: 0 stored, 1 lost the reservation
TEXT ·Reserve(SB), NOSPLIT, $0-33
	MOVD	c+0(FP), TAILP
	ADD	$CTL_TAILHINT, TAILP, HINTP
	ADD	$CTL_TAIL, TAILP
	MOVD	k+8(FP), K
	MOVBU	·useLSE(SB), LSE
loop:
	// Acquire, as the fallback's atomic.Load; only the value matters (the
	// CAS confirms it), and it orders the hint load after it.
	LDAR	(TAILP), T
	TBNZ	$CLOSED_BIT, T, closed
	// Acquire: pairs with the release of the Go-side TailHint CAS. The
	// producer that wrote this hint had reserved a position in its block
	// before, so that reservation precedes ours in the tail's order and
	// hint's number is at most t/B (fallback.Reserve), and the block's
	// link word, initialised before the block was linked, is visible.
	LDAR	(HINTP), HINT
	ADD	K, T, NEW
	CBZ	LSE, llsc
	MOVD	T, OLD
	// The reservation. Release: the hint load above stays before it.
	// Acquire: the caller's value stores and link walks stay after it.
	CASALD	OLD, (TAILP), NEW
	CMP	T, OLD
	BNE	loop
	B	reserved
llsc:
	LDAXR	(TAILP), OLD		// acquire, as CASALD's
	CMP	T, OLD
	BNE	loop
	STLXR	NEW, (TAILP), FAIL	// release, as CASALD's
	CBNZ	FAIL, llsc
reserved:
	MOVD	T, t+16(FP)
	MOVD	HINT, hint+24(FP)
	MOVD	$1, T
	MOVB	T, ok+32(FP)
	RET
closed:
	MOVD	ZR, t+16(FP)
	MOVD	ZR, hint+24(FP)
	MOVB	ZR, ok+32(FP)
	RET
#undef TAILP
#undef HINTP
#undef K
#undef T
#undef HINT
#undef NEW
#undef OLD
#undef LSE
#undef FAIL

// func Claim(c *skel.Ctl, n uint64) (h, m uint64, hint skel.Ref)
//
//	for {
//		h = c.Head
//		t := c.Tail & PosMask
//		if t == h { return h, 0, 0 }
//		m = min(n, t-h)
//		hint = c.HeadHint
//		if CAS(&c.Head, h, h+m) { return h, m, hint }
//	}
#define TAILP	R0	// &c.Tail
#define HEADP	R1	// &c.Head
#define HINTP	R2	// &c.HeadHint
#define N	R3	// n
#define H	R4	// h
#define M	R5	// t, then m
#define HINT	R6	// hint
#define NEW	R7	// h+m
#define OLD	R8	// the head the CAS found
#define LSE	R9	// useLSE
#define FAIL	R10	// STLXR status
TEXT ·Claim(SB), NOSPLIT, $0-40
	MOVD	c+0(FP), TAILP
	ADD	$CTL_HEAD, TAILP, HEADP
	ADD	$CTL_HEADHINT, TAILP, HINTP
	ADD	$CTL_TAIL, TAILP
	MOVD	n+8(FP), N
	MOVBU	·useLSE(SB), LSE
loop:
	// Acquire: the tail load below is ordered after it. The tail only
	// grows and Head <= Tail always, so the t read after h is >= h.
	LDAR	(HEADP), H
	LDAR	(TAILP), M		// acquire, as the fallback's atomic.Load
	AND	$~(1<<CLOSED_BIT|1<<SEALED_BIT), M	// t &= PosMask
	SUBS	H, M			// m = t - h
	BEQ	empty
	CMP	N, M
	CSEL	HI, N, M, M		// m = min(n, t-h), unsigned
	// Acquire: pairs with the release of the Go-side HeadHint CAS; as in
	// Reserve, the hint then names a block numbered at most h/B.
	LDAR	(HINTP), HINT
	ADD	H, M, NEW
	CBZ	LSE, llsc
	MOVD	H, OLD
	// The claim. Release: the hint load stays before it. Acquire: the
	// caller's state waits and value reads stay after it.
	CASALD	OLD, (HEADP), NEW
	CMP	H, OLD
	BNE	loop
	B	claimed
llsc:
	LDAXR	(HEADP), OLD		// acquire, as CASALD's
	CMP	H, OLD
	BNE	loop
	STLXR	NEW, (HEADP), FAIL	// release, as CASALD's
	CBNZ	FAIL, llsc
claimed:
	MOVD	H, h+16(FP)
	MOVD	M, m+24(FP)
	MOVD	HINT, hint+32(FP)
	RET
empty:
	MOVD	H, h+16(FP)
	MOVD	ZR, m+24(FP)
	MOVD	ZR, hint+32(FP)
	RET
#undef TAILP
#undef HEADP
#undef HINTP
#undef N
#undef H
#undef M
#undef HINT
#undef NEW
#undef OLD
#undef LSE
#undef FAIL

// func Close(c *skel.Ctl) bool
//
//	old := c.Tail; c.Tail |= Closed		(atomically)
//	return old&Closed == 0
#define TAILP	R0	// &c.Tail
#define BIT	R1	// Closed
#define OLD	R2	// the tail before
#define NEW	R3	// OLD|Closed (LL/SC)
#define FAIL	R4	// STLXR status
TEXT ·Close(SB), NOSPLIT, $0-9
	MOVD	c+0(FP), TAILP
	ADD	$CTL_TAIL, TAILP
	MOVD	$(1<<CLOSED_BIT), BIT
	MOVBU	·useLSE(SB), R5
	// An RMW on the tail word, so the bit and every reservation are in
	// one modification order: a reservation after it fails, one before
	// counts. Acquire+release, as the fallback's atomic.Or: the caller's
	// drain loads that follow see at least the tail it closed.
	CBZ	R5, llsc
	LDORALD	BIT, (TAILP), OLD
	B	done
llsc:
	LDAXR	(TAILP), OLD
	ORR	BIT, OLD, NEW
	STLXR	NEW, (TAILP), FAIL
	CBNZ	FAIL, llsc
done:
	TST	BIT, OLD
	CSET	EQ, OLD
	MOVB	OLD, ret+8(FP)
	RET
#undef TAILP
#undef BIT
#undef OLD
#undef NEW
#undef FAIL

// func Publish(b *skel.Block, off, n uint32)
//
//	for s := off; s < off+n; s++ { stateByte(b, s) = Published }
//
// with one 8-byte store for each State word wholly inside the run.
//
// Store-release (STLRB, STLR), no read-modify-write. Each state byte
// belongs to exactly one producer (the one that reserved its position), so
// a byte store leaves the neighbours' bytes alone and the whole-word stores
// cover only our own slots. Release, per store: the caller's value store,
// and the GC write barrier's read of the slot's old value, are ordered
// before the state store, so a consumer whose acquire load (chain.Wait's
// LDAR) sees Published reads the value, and its later zeroing store cannot
// be seen by our earlier read. DMB ISHST + plain stores would order only
// the stores; DMB ISH + plain stores is also correct, but it is a full
// barrier (it waits for earlier stores before later loads too), while a run
// of releases only orders each store after what precedes it. A single-slot
// push, the common case, is one STLRB either way. Consumers load whole
// words: each byte of a word is coherent on its own, so the acquire load
// that sees a slot's byte Published synchronizes with that byte's STLRB
// (or the STLR that covered it).
#define STATE	R0	// &b.State as a byte array
#define S	R1	// next slot to publish
#define END	R2	// off+n
#define ONE	R3	// PUBLISHED
#define ONES	R4	// ALL_PUBLISHED
#define ADDR	R5	// STATE+S
#define LEFT	R6	// END-S
TEXT ·Publish(SB), NOSPLIT, $0-16
	MOVD	b+0(FP), STATE
	ADD	$BLK_STATE, STATE
	MOVWU	off+8(FP), S
	MOVWU	n+12(FP), END
	MOVD	$PUBLISHED, ONE
	CMP	$1, END
	BNE	run
	ADD	S, STATE, ADDR
	STLRB	ONE, (ADDR)		// one slot: a single push
	RET
run:
	ADD	S, END
head:	// bytes up to the first word boundary
	CMP	END, S
	BHS	done
	TST	$7, S
	BEQ	words
	ADD	S, STATE, ADDR
	STLRB	ONE, (ADDR)
	ADD	$1, S
	B	head
words:	// whole words
	MOVD	$ALL_PUBLISHED, ONES
wordloop:
	SUB	S, END, LEFT
	CMP	$8, LEFT
	BLO	tail
	ADD	S, STATE, ADDR
	STLR	ONES, (ADDR)
	ADD	$8, S
	B	wordloop
tail:	// bytes after the last whole word
	CMP	END, S
	BHS	done
	ADD	S, STATE, ADDR
	STLRB	ONE, (ADDR)
	ADD	$1, S
	B	tail
done:
	RET
#undef STATE
#undef S
#undef END
#undef ONE
#undef ONES
#undef ADDR
#undef LEFT

// func Retire(b *skel.Block, n uint64) bool
//
//	b.Consumed += n		(atomically)
//	return b.Consumed == B
#define CNTP	R0	// &b.Consumed
#define NUM	R1	// n
#define CNT	R2	// the count before, then after
#define TMP	R3	// new count (LL/SC), then the result
#define FAIL	R4	// STLXR status
TEXT ·Retire(SB), NOSPLIT, $0-17
	MOVD	b+0(FP), CNTP
	ADD	$BLK_CONSUMED, CNTP
	MOVD	n+8(FP), NUM
	MOVBU	·useLSE(SB), R5
	// Release: the caller's value reads and zeroing stores precede the
	// add, so the consumer that completes the block (and recycles it)
	// cannot let a producer overwrite a slot still being read. Acquire:
	// that completer sees the other consumers' reads done. And RCsc:
	// chain.Advance needs this add and the completer's following LDAR
	// of HeadBlk to stay in order (store-buffering against the advancer's
	// HeadBlk CAS and its LDAR of Consumed): a release write followed by
	// an acquire read is not reordered on arm64. An LDAPR-style acquire
	// (RCpc) would not give that.
	CBZ	R5, llsc
	LDADDALD	NUM, (CNTP), CNT
	ADD	NUM, CNT
	B	done
llsc:
	LDAXR	(CNTP), CNT
	ADD	NUM, CNT
	STLXR	CNT, (CNTP), FAIL
	CBNZ	FAIL, llsc
done:
	CMP	$SLOTS_B, CNT
	CSET	EQ, TMP
	MOVB	TMP, ret+16(FP)
	RET
#undef CNTP
#undef NUM
#undef CNT
#undef TMP
#undef FAIL
