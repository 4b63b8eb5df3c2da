//go:build !(amd64 || arm64) || purego || race || injectq_check

package asm

import "testing"

// codePaths: without assembly the functions forward to the fallback; the
// tests then check that forwarding.
func codePaths(t *testing.T) []codePath {
	return []codePath{{"forwarded", func() {}}}
}
