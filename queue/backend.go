package queue

// Every decision between backends is in this file: which backends this
// build has and which one a queue runs on, and which implementation runs
// each step of a push and a pop. Push and Pop write their single-item
// steps out (fallback.Reserve's loop, the published claim, the one-slot
// publication and retirement), citing this table: called, those functions
// would not inline in the user's package (door.go). Their native halves
// and Pop's slow claim are below.
//
//	step                               fallback          asm                native
//	reserve one item (Push)            fallback.Reserve, written out¹       native.ReserveRun²
//	reserve a batch (PushBatch)        fallback.Reserve  asm.Reserve        native.ReserveRun²
//	claim one item (Pop): published    the published claim³                 -
//	claim one item (Pop): claimSlow    fallback.Claim    fallback.Claim¹    native.ClaimRun²
//	claim a batch (PopN)               fallback.Claim    asm.Claim          native.ClaimRun²
//	claim for Drain                    chain.ClaimBefore, every backend⁴
//	locate a run's blocks              chain.LocateRun   chain.LocateRun    in C, same call²
//	locate the rest, grow (Locate)     chain.Locate      chain.Locate       native.Locate
//	publish one slot (Push)            atomic OR, written out, every backend¹⁵
//	publish a run (PushBatch)          fallback.Publish  asm.Publish        fallback.Publish
//	wait for publication               chain.Wait, every backend
//	retire one slot (Pop)              fallback.Retire, written out, every backend
//	retire a run (PopN)                fallback.Retire   asm.Retire         fallback.Retire
//	advance, recycle, free stack       chain, every backend
//	close                              fallback.Close    asm.Close          native.Close
//	reserve with a bound (core.go)     chain.ReserveBounded, every backend⁴
//
// ¹ For one item the assembly would run the same locked instruction as the
// fallback's sync/atomic call, plus an ABI0 call. Its publication is a
// plain store, one locked instruction fewer: that takes 11% off Push+Pop in
// one goroutine, but consumers polling a queue that producers barely keep
// ahead of then took 24 ns per item instead of 14 (README, "Cost model").
// ² One cgo call does the reservation or claim and locates the run's
// blocks, up to skel.SpanRefs of them.
// ³ In Go (below Pop), on every backend but native, whose pops claim in C
// so that the backend measures its own claim.
// ⁴ Paths whose claim or reservation takes a bound that the backends' do
// not (Drain's end; Config.Limit, and the capacity near MaxLen): Go on
// every backend, over the same words.
// ⁵ With a bound a single push takes PushBatch's path (bounded
// reservation), and so the backend's run publication: a plain store on
// asm.

import (
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/klauspost/cpuid/v2"

	"github.com/injectq/injectq/asm"
	"github.com/injectq/injectq/fallback"
	"github.com/injectq/injectq/internal/atom"
	"github.com/injectq/injectq/internal/chain"
	"github.com/injectq/injectq/internal/skel"
	"github.com/injectq/injectq/native"
)

// backend names one implementation of the atomic core; dispatch is a plain
// switch on it, no interface call per item.
type backend uint8

const (
	fallbackBackend backend = iota
	asmBackend
	nativeBackend
)

// registration describes one backend.
type registration struct {
	name    string
	backend backend
	avail   bool   // built in and usable on this CPU
	why     string // when not available
	path    func() string
}

// registry lists every backend in order of preference: the first available
// one is the default. See README "Choosing a backend" for the measurements
// behind the order.
var registry = []registration{
	{name: "asm", backend: asmBackend, avail: asm.Available, why: "no assembly in this build (purego tag, -race or GOARCH)", path: func() string {
		return asm.Path() + " for runs; single items: the compiler's inlined atomics"
	}},
	{name: "fallback", backend: fallbackBackend, avail: true, path: func() string { return "pure Go, sync/atomic" }},
	{name: "native", backend: nativeBackend, avail: native.Available, why: "built without cgo, or with the purego tag or -race", path: native.Path},
}

// envBackend is the environment variable that overrides the start-up choice.
const envBackend = "INJECTQ_BACKEND"

var (
	defaultBackend = fallbackBackend
	envNote        string // why INJECTQ_BACKEND was ignored, for Describe
)

func init() {
	for _, r := range registry {
		if r.avail {
			defaultBackend = r.backend
			break
		}
	}
	if name := os.Getenv(envBackend); name != "" {
		b, err := lookup(name)
		if err != nil {
			envNote = fmt.Sprintf(" (%s=%s ignored: %v)", envBackend, name, err)
		} else {
			defaultBackend = b
		}
	}
}

func lookup(name string) (backend, error) {
	for _, r := range registry {
		if r.name == name {
			if !r.avail {
				return 0, fmt.Errorf("%w: %q: %s", ErrBackendUnavailable, name, r.why)
			}
			return r.backend, nil
		}
	}
	return 0, fmt.Errorf("%w: %q (have %s)", ErrUnknownBackend, name, strings.Join(names(false), ", "))
}

func names(availOnly bool) []string {
	var out []string
	for _, r := range registry {
		if r.avail || !availOnly {
			out = append(out, r.name)
		}
	}
	return out
}

func (b backend) String() string {
	for _, r := range registry {
		if r.backend == b {
			return r.name
		}
	}
	return "?"
}

// Backends returns the backends usable in this build on this CPU, preferred
// first. It always contains "fallback".
func Backends() []string { return names(true) }

// DefaultBackend returns the backend that New and the zero Queue use: the
// first of Backends(), unless the environment variable INJECTQ_BACKEND names
// another usable one.
func DefaultBackend() string { return defaultBackend.String() }

// Describe returns one line naming GOOS/GOARCH, the CPU and the features that
// decided the choice, the default backend, and the code path of each
// available backend. On arm64 it says "LSE" when the assembly uses the
// ARMv8.1 atomics and "LL/SC" when it uses exclusive-load/store loops.
func Describe() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s/%s cpu=%q features=[%s] default=%s%s;",
		runtime.GOOS, runtime.GOARCH, strings.TrimSpace(cpuid.CPU.BrandName), features(), DefaultBackend(), envNote)
	for _, r := range registry {
		if r.avail {
			fmt.Fprintf(&sb, " %s: %s;", r.name, r.path())
		}
	}
	return strings.TrimSuffix(sb.String(), ";")
}

// features lists the CPU features that a backend's choice of code depends
// on: on arm64, ATOMICS (LSE) picks the assembly's path; amd64's assembly
// uses only baseline instructions.
func features() string {
	if runtime.GOARCH == "arm64" {
		if cpuid.CPU.Supports(cpuid.ATOMICS) {
			return "ATOMICS"
		}
		return "no-ATOMICS"
	}
	return "none needed"
}

// reserveOneNative is Push's reservation of one position t on native; hint
// is TailHint as read before it, and r the block of t if C located it (0
// if it ran out of blocks, which Push's own check of r then catches). The
// other backends' single reservation, fallback.Reserve, is written out in
// Push, where the compiler inlines it (as a call here it would not be).
func (c *core[T]) reserveOneNative() (t uint64, hint, r skel.Ref, ok bool) {
	var sp skel.Span
	if native.ReserveRun(c.ctl, 1, &sp) == native.Closed {
		return 0, 0, 0, false
	}
	return sp.Pos, sp.Hint, sp.Refs[0], true
}

// claimSlow is Pop's claim where the published claim cannot make it, or on
// native: the full claim (the tail is read), the walk to the block and the
// hint, and the wait for a slot reserved but not yet published. It returns
// the claimed position and its block (Ref, skeleton and values), or false if
// the queue is empty.
func (c *core[T]) claimSlow() (h uint64, r skel.Ref, b *skel.Block, vb *valBlock[T], ok bool) {
	var hint skel.Ref
	if c.backend == nativeBackend {
		var sp skel.Span
		if m, _ := native.ClaimRun(c.ctl, 1, &sp); m == 0 {
			return 0, 0, nil, nil, false
		}
		h, hint, r = sp.Pos, sp.Hint, sp.Refs[0] // Refs[0] is 0 if sp.N is 0
	} else {
		var m uint64
		if h, m, hint = fallback.Claim(c.ctl, 1); m == 0 {
			return 0, 0, nil, nil, false
		}
		r = hint
	}
	if !hasIdx(r) || refTag(r) != tagOf(h>>skel.LogB) {
		r = c.Locate(hint, h>>skel.LogB)
	}
	moveHint(&c.ctl.HeadHint, hint, r)
	b, vb = c.block(refIdx(r))
	off := uint32(h) & (skel.B - 1)
	if load64(&b.State[off/8])&(slotBit(off)) == 0 {
		chain.Wait(b, off, 1)
	}
	return h, r, b, vb, true
}

// splice reserves k >= 1 positions and locates the run's first sp.N >= 1
// blocks (a chain.Run locates the rest). It returns ErrClosed once c is
// closed or sealed, and ErrFull when the push would pass the queue's Limit
// or its capacity; then it has reserved nothing.
func (c *core[T]) splice(k uint64, sp *skel.Span) error {
	if load64(&c.bounded) != 0 {
		return c.spliceBounded(k, sp)
	}
	var t uint64
	var hint skel.Ref
	var ok bool
	switch c.backend {
	case nativeBackend:
		if native.ReserveRun(c.ctl, k, sp) == native.Closed {
			return ErrClosed
		}
		c.locateFirst(sp) // if C ran out of blocks
		return nil
	case asmBackend:
		t, hint, ok = asm.Reserve(c.ctl, k)
	default:
		t, hint, ok = fallback.Reserve(c.ctl, k)
	}
	if !ok {
		return ErrClosed
	}
	c.locateSpan(sp, t, hint, k)
	return nil
}

// locateSpan records in sp the run [pos, pos+count) and the hint read
// before its reservation or claim, and locates the run's first blocks: the
// hint's block without a walk when it holds the whole run (the common
// case, without locateRun's call), else locateRun.
func (c *core[T]) locateSpan(sp *skel.Span, pos uint64, hint skel.Ref, count uint64) {
	sp.Pos, sp.Hint = pos, hint
	if holdsRun(hint, pos, count) {
		sp.Refs[0], sp.N = hint, 1
		return
	}
	c.locateRun(sp, count)
}

// locateRun locates the first blocks of the run of count positions that
// sp describes (chain.LocateRun), at least the first even if that needs
// the arena to grow: the Run locates the others as it reaches them.
func (c *core[T]) locateRun(sp *skel.Span, count uint64) {
	if !chain.LocateRun(c.arena, sp.Hint, sp.Pos, count, sp) {
		c.locateFirst(sp)
	}
}

// locateFirst locates the span's first block if nothing located it.
func (c *core[T]) locateFirst(sp *skel.Span) {
	if sp.N == 0 {
		sp.Refs[0], sp.N = c.Locate(sp.Hint, sp.Pos>>skel.LogB), 1
	}
}

// spliceBounded is splice for a queue with a Limit or near its capacity,
// on every backend: the reservation checks the count and the length of the
// chain (chain.ReserveBounded), in Go, over the same words as the
// backends'.
func (c *core[T]) spliceBounded(k uint64, sp *skel.Span) error {
	t, hint, o := chain.ReserveBounded(c.ctl, k, c.maxBlocks, c.limit)
	switch o {
	case chain.Closed:
		return ErrClosed
	case chain.Full:
		return ErrFull
	}
	c.locateSpan(sp, t, hint, k)
	return nil
}

// claim claims up to n positions and locates the run's first sp.N >= 1
// blocks, as splice does; it returns how many it claimed. It mirrors
// splice step for step, as the backends' Claim mirrors their Reserve.
func (c *core[T]) claim(n uint64, sp *skel.Span) uint64 {
	var h, m uint64
	var hint skel.Ref
	switch c.backend {
	case nativeBackend:
		if m, _ = native.ClaimRun(c.ctl, n, sp); m != 0 {
			c.locateFirst(sp) // if C ran out of blocks
		}
		return m
	case asmBackend:
		h, m, hint = asm.Claim(c.ctl, n)
	default:
		h, m, hint = fallback.Claim(c.ctl, n)
	}
	if m == 0 {
		return 0
	}
	c.locateSpan(sp, h, hint, m)
	return m
}

// claimBefore is claim for Drain: it claims up to n positions, none at or
// past end, in Go on every backend (chain.ClaimBefore).
func (c *core[T]) claimBefore(n, end uint64, sp *skel.Span) uint64 {
	if atom.Checking && mutated(atom.DrainPastEnd) { // a deliberate bug, for the checker
		if h := load64(&c.ctl.Head); h < end {
			return c.claim(min(end-h, n), sp)
		}
		return 0
	}
	h, m, hint := chain.ClaimBefore(c.ctl, n, end)
	if m == 0 {
		return 0
	}
	c.locateSpan(sp, h, hint, m)
	return m
}

// Locate returns the Ref of block number bn, walking from `from` (in C for
// native), and grows the arena whenever the walk needs a block and none is
// free: the chain.Locator of every Run.
func (c *core[T]) Locate(from skel.Ref, bn uint64) skel.Ref {
	for {
		var r skel.Ref
		var ok bool
		if c.backend == nativeBackend {
			r, ok = native.Locate(c.ctl, from, bn)
		} else {
			r, ok = chain.Locate(c.arena, from, bn)
		}
		if ok {
			return r
		}
		c.grow()
	}
}

func (c *core[T]) publish(b *skel.Block, off, n uint32) {
	if c.backend == asmBackend {
		asm.Publish(b, off, n)
		return
	}
	fallback.Publish(b, off, n)
}

func (c *core[T]) retire(b *skel.Block, n uint64) bool {
	if c.backend == asmBackend {
		return asm.Retire(b, n)
	}
	return fallback.Retire(b, n)
}

func (c *core[T]) close() bool {
	var closed bool
	switch c.backend {
	case nativeBackend:
		closed = native.Close(c.ctl)
	case asmBackend:
		closed = asm.Close(c.ctl)
	default:
		closed = fallback.Close(c.ctl)
	}
	if closed {
		c.closeParkings()
	}
	return closed
}
