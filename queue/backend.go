package queue

import (
	"fmt"
	"os"
	"runtime"
	"strings"

	"github.com/klauspost/cpuid/v2"

	"github.com/injectq/injectq/asm"
	"github.com/injectq/injectq/native"
)

// backend describes one implementation of the atomic core.
type backend struct {
	name  string
	id    impl
	avail bool   // built in and usable on this CPU
	why   string // when not available
	path  func() string
}

// backends lists every backend in order of preference: the first available
// one is the default. See README "Choosing a backend" for the measurements
// behind the order.
var backends = []backend{
	{name: "asm", id: implAsm, avail: asm.Available, why: "no assembly in this build (purego tag, -race or GOARCH)", path: func() string {
		return asm.Path() + " for runs; single items: the compiler's inlined atomics"
	}},
	{name: "fallback", id: implFallback, avail: true, path: func() string { return "pure Go, sync/atomic" }},
	{name: "native", id: implNative, avail: native.Available, why: "built without cgo, or with the purego tag or -race", path: native.Path},
}

// envBackend is the environment variable that overrides the start-up choice.
const envBackend = "INJECTQ_BACKEND"

var (
	defaultImpl = implFallback
	envNote     string // why INJECTQ_BACKEND was ignored, for Describe
)

func init() {
	for _, b := range backends {
		if b.avail {
			defaultImpl = b.id
			break
		}
	}
	if name := os.Getenv(envBackend); name != "" {
		id, err := lookup(name)
		if err != nil {
			envNote = fmt.Sprintf(" (%s=%s ignored: %v)", envBackend, name, err)
		} else {
			defaultImpl = id
		}
	}
}

func lookup(name string) (impl, error) {
	for _, b := range backends {
		if b.name == name {
			if !b.avail {
				return 0, fmt.Errorf("%w: %q: %s", ErrBackendUnavailable, name, b.why)
			}
			return b.id, nil
		}
	}
	return 0, fmt.Errorf("%w: %q (have %s)", ErrUnknownBackend, name, strings.Join(names(false), ", "))
}

func names(availOnly bool) []string {
	var out []string
	for _, b := range backends {
		if b.avail || !availOnly {
			out = append(out, b.name)
		}
	}
	return out
}

func backendName(id impl) string {
	for _, b := range backends {
		if b.id == id {
			return b.name
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
func DefaultBackend() string { return backendName(defaultImpl) }

// Describe returns one line naming GOOS/GOARCH, the CPU and the features that
// decided the choice, the default backend, and the code path of each
// available backend. On arm64 it says "LSE" when the assembly uses the
// ARMv8.1 atomics and "LL/SC" when it uses exclusive-load/store loops.
func Describe() string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "%s/%s cpu=%q features=[%s] default=%s%s;",
		runtime.GOOS, runtime.GOARCH, strings.TrimSpace(cpuid.CPU.BrandName), features(), DefaultBackend(), envNote)
	for _, b := range backends {
		if b.avail {
			fmt.Fprintf(&sb, " %s: %s;", b.name, b.path())
		}
	}
	return strings.TrimSuffix(sb.String(), ";")
}

// features lists the CPU features the backends care about.
func features() string {
	var fs []string
	add := func(name string, ok bool) {
		if ok {
			fs = append(fs, name)
		} else {
			fs = append(fs, "no-"+name)
		}
	}
	switch runtime.GOARCH {
	case "amd64":
		add("CX16", cpuid.CPU.Supports(cpuid.CX16))
	case "arm64":
		add("ATOMICS", cpuid.CPU.Supports(cpuid.ATOMICS))
	}
	return strings.Join(fs, " ")
}
