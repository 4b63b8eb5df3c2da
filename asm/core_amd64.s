//go:build !purego && !race && !injectq_check

// The atomic core for amd64. See fallback/fallback.go for the reference
// implementation of every function; these do the same to the same words.
//
// Ordering under x86-TSO: every LOCK-prefixed instruction is a full barrier
// (it is totally ordered with all other locked instructions and with the
// loads and stores around it), a plain MOV load is an acquire and a plain
// MOV store is a release. That is at least what Go's sync/atomic gives the
// fallback (its CompareAndSwap and Add are LOCK'd, its Load a plain MOV), so
// every ordering argument in fallback/fallback.go holds here unchanged. The
// one place where this file is weaker than the fallback is Publish: plain
// stores instead of XCHG and LOCK OR; see there why a release suffices.

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
#define CTL	DI	// c
#define K	CX	// k
#define T	AX	// t; CMPXCHGQ's expected value
#define HINT	BX	// hint
#define NEW	DX	// t+k
TEXT ·Reserve(SB), NOSPLIT, $0-33
	MOVQ	c+0(FP), CTL
	MOVQ	k+8(FP), K
loop:
	MOVQ	CTL_TAIL(CTL), T		// load (acquire under TSO)
	TESTQ	T, T				// Closed is bit 63, the sign bit
	JS	closed
	// The hint must be read before the CAS (TSO keeps loads in order and
	// the LOCK'd CAS after them): see fallback.Reserve for why a hint read
	// while the tail stayed t names a block numbered at most t/B.
	MOVQ	CTL_TAILHINT(CTL), HINT
	LEAQ	(T)(K*1), NEW
	// The reservation, the linearization point of the batch. LOCK: full
	// barrier, so the caller's later value stores and link walks cannot
	// move before it, as with sync/atomic's CompareAndSwap.
	LOCK
	CMPXCHGQ	NEW, CTL_TAIL(CTL)
	JNE	loop
	MOVQ	T, t+16(FP)
	MOVQ	HINT, hint+24(FP)
	MOVB	$1, ok+32(FP)
	RET
closed:
	MOVQ	$0, t+16(FP)
	MOVQ	$0, hint+24(FP)
	MOVB	$0, ok+32(FP)
	RET
#undef CTL
#undef K
#undef T
#undef HINT
#undef NEW

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
#define CTL	DI	// c
#define N	CX	// n
#define H	AX	// h; CMPXCHGQ's expected value
#define M	SI	// m
#define HINT	BX	// hint
#define TMP	DX	// t, then h+m
TEXT ·Claim(SB), NOSPLIT, $0-40
	MOVQ	c+0(FP), CTL
	MOVQ	n+8(FP), N
loop:
	// Head, then Tail, in this order (TSO keeps loads in order): the tail
	// only grows and Head <= Tail always, so t >= h.
	MOVQ	CTL_HEAD(CTL), H
	MOVQ	CTL_TAIL(CTL), TMP
	BTRQ	$CLOSED_BIT, TMP		// t &= PosMask
	BTRQ	$SEALED_BIT, TMP
	MOVQ	TMP, M
	SUBQ	H, M				// m = t - h
	JEQ	empty
	CMPQ	M, N
	CMOVQHI	N, M				// m = min(n, t-h), unsigned
	MOVQ	CTL_HEADHINT(CTL), HINT		// read while the head stays h: see fallback.Claim
	LEAQ	(H)(M*1), TMP
	// The claim. LOCK: full barrier, so the caller's state waits and
	// value reads cannot move before it.
	LOCK
	CMPXCHGQ	TMP, CTL_HEAD(CTL)
	JNE	loop
	MOVQ	H, h+16(FP)
	MOVQ	M, m+24(FP)
	MOVQ	HINT, hint+32(FP)
	RET
empty:
	MOVQ	H, h+16(FP)
	MOVQ	$0, m+24(FP)
	MOVQ	$0, hint+32(FP)
	RET
#undef CTL
#undef N
#undef H
#undef M
#undef HINT
#undef TMP

// func Close(c *skel.Ctl) bool
//
//	old := c.Tail; c.Tail |= Closed		(atomically)
//	return old&Closed == 0
TEXT ·Close(SB), NOSPLIT, $0-9
	MOVQ	c+0(FP), DI
	// An RMW on the tail word, so the bit and every reservation CAS are
	// totally ordered: a CAS that comes after fails, one before counts.
	// LOCK: full barrier, as sync/atomic's Or in the fallback. CF = old bit.
	LOCK
	BTSQ	$CLOSED_BIT, CTL_TAIL(DI)
	SETCC	ret+8(FP)
	RET

// func Publish(b *skel.Block, off, n uint32)
//
//	for s := off; s < off+n; s++ { stateByte(b, s) = Published }
//
// with one 8-byte store for each State word wholly inside the run.
//
// Plain stores, no LOCK. Each state byte belongs to exactly one producer
// (the one that reserved its position), so no read-modify-write is needed
// to leave the neighbours' bytes alone: a byte store touches only its byte,
// and the whole-word stores cover only our own slots. Under TSO a store is
// a release: it becomes visible after every earlier load and store of this
// thread, in particular after the caller's value stores (and the GC write
// barrier's read of the slot's old value), so a consumer whose load (an
// acquire) sees Published sees the value. The Go compiler does not move the
// caller's stores past this call.
#define STATE	DI	// &b.State as a byte array
#define S	SI	// next slot to publish
#define END	DX	// off+n
#define LEFT	CX	// END-S
#define ONES	AX	// ALL_PUBLISHED
TEXT ·Publish(SB), NOSPLIT, $0-16
	MOVQ	b+0(FP), STATE
	ADDQ	$BLK_STATE, STATE
	MOVLQZX	off+8(FP), S
	MOVLQZX	n+12(FP), END
	CMPQ	END, $1
	JNE	run
	MOVB	$PUBLISHED, (STATE)(S*1)	// one slot: a single push
	RET
run:
	ADDQ	S, END
head:	// bytes up to the first word boundary
	CMPQ	S, END
	JAE	done
	TESTQ	$7, S
	JZ	words
	MOVB	$PUBLISHED, (STATE)(S*1)
	INCQ	S
	JMP	head
words:	// whole words, four per round while four are left
	MOVQ	$ALL_PUBLISHED, ONES
word4loop:
	MOVQ	END, LEFT
	SUBQ	S, LEFT
	CMPQ	LEFT, $32
	JB	wordloop
	MOVQ	ONES, 0(STATE)(S*1)
	MOVQ	ONES, 8(STATE)(S*1)
	MOVQ	ONES, 16(STATE)(S*1)
	MOVQ	ONES, 24(STATE)(S*1)
	ADDQ	$32, S
	JMP	word4loop
wordloop:
	MOVQ	END, LEFT
	SUBQ	S, LEFT
	CMPQ	LEFT, $8
	JB	tail
	MOVQ	ONES, (STATE)(S*1)
	ADDQ	$8, S
	JMP	wordloop
tail:	// bytes after the last whole word
	CMPQ	S, END
	JAE	done
	MOVB	$PUBLISHED, (STATE)(S*1)
	INCQ	S
	JMP	tail
done:
	RET
#undef STATE
#undef S
#undef END
#undef LEFT
#undef ONES

// func Retire(b *skel.Block, n uint64) bool
//
//	b.Consumed += n		(atomically)
//	return b.Consumed == B
TEXT ·Retire(SB), NOSPLIT, $0-17
	MOVQ	b+0(FP), DI
	MOVQ	n+8(FP), CX
	MOVQ	CX, AX
	// LOCK: full barrier. Release: the caller's value reads and zeroing
	// stores precede the add, so the consumer that completes the block
	// and recycles it cannot let a producer overwrite a slot still being
	// read. Full, not just release: chain.Advance relies on the add
	// and the completer's following load of HeadBlk not being reordered
	// (store-buffering against the advancer's HeadBlk CAS and Consumed
	// load), which TSO allows for a plain store but not for a LOCK'd one.
	LOCK
	XADDQ	AX, BLK_CONSUMED(DI)	// AX = old count
	ADDQ	CX, AX
	CMPQ	AX, $SLOTS_B
	SETEQ	ret+16(FP)
	RET
