//go:build (amd64 || arm64) && !purego && !race && !injectq_check

package asm

import (
	"runtime"
	"testing"

	"github.com/klauspost/cpuid/v2"
)

// codePaths returns the code paths this machine can run. On arm64 with
// LSE that is both LSE and LL/SC: the test selects each in turn.
func codePaths(t *testing.T) []codePath {
	if runtime.GOARCH == "amd64" {
		return []codePath{{"amd64", func() {}}}
	}
	saved := useLSE
	t.Cleanup(func() { useLSE = saved })
	llsc := codePath{"LLSC", func() { useLSE = false }}
	if !cpuid.CPU.Supports(cpuid.ATOMICS) {
		return []codePath{llsc}
	}
	return []codePath{{"LSE", func() { useLSE = true }}, llsc}
}
