package asm_test

import (
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/klauspost/cpuid/v2"

	"github.com/injectq/injectq/asm"
	"github.com/injectq/injectq/queue"
)

// EnvExpectPath names the path a test run must find chosen: "LSE" or
// "LL/SC" (arm64 under QEMU with -cpu max or -cpu cortex-a53, say), or
// "amd64". Empty: no expectation beyond consistency with cpuid.
const EnvExpectPath = "INJECTQ_EXPECT_ARM64_PATH"

// TestPathNamesChoice checks that Path, and the asm part of
// queue.Describe, name the code path that the CPU features and the
// override select, and the path demanded by INJECTQ_EXPECT_ARM64_PATH.
func TestPathNamesChoice(t *testing.T) {
	p, d := asm.Path(), queue.Describe()
	t.Logf("Path: %s", p)
	t.Logf("Describe: %s", d)
	expect := os.Getenv(EnvExpectPath)
	if !asm.Available {
		if expect != "" {
			t.Fatalf("%s=%s, but this build has no assembly: %s", EnvExpectPath, expect, p)
		}
		if !strings.HasPrefix(p, "none") {
			t.Fatalf("Path() = %q without assembly", p)
		}
		return
	}
	if !strings.Contains(d, "asm: "+p) {
		t.Fatalf("Describe() = %q does not contain asm's path %q", d, p)
	}
	var want string
	switch runtime.GOARCH {
	case "amd64":
		want = "amd64"
	case "arm64":
		lse := cpuid.CPU.Supports(cpuid.ATOMICS) && os.Getenv(asm.EnvARM64Atomics) != "llsc"
		want, other := "LSE", "LL/SC"
		if !lse {
			want, other = other, want
		}
		if !strings.Contains(p, want) || strings.Contains(p, other) {
			t.Fatalf("cpuid ATOMICS=%t, %s=%q: Path() = %q, want it to name %s and not %s",
				cpuid.CPU.Supports(cpuid.ATOMICS), asm.EnvARM64Atomics, os.Getenv(asm.EnvARM64Atomics), p, want, other)
		}
	default:
		t.Fatalf("assembly available on GOARCH %s", runtime.GOARCH)
	}
	if !strings.Contains(p, want) {
		t.Fatalf("Path() = %q, want it to name %s", p, want)
	}
	if expect != "" && (!strings.Contains(p, expect) || !strings.Contains(d, expect)) {
		t.Fatalf("%s=%s: Path() = %q, Describe() = %q", EnvExpectPath, expect, p, d)
	}
}
