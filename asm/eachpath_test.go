package asm

import "testing"

// A codePath is one way this build runs the assembly (on arm64: LSE or
// LL/SC); use makes it the current one. See codePaths.
type codePath struct {
	name string
	use  func()
}

// eachPath runs body once per code path, as subtests.
func eachPath(t *testing.T, body func(t *testing.T)) {
	for _, p := range codePaths(t) {
		t.Run(p.name, func(t *testing.T) {
			p.use()
			body(t)
		})
	}
}
