//go:build !injectq_check

// These tests size their runs for the default 1024-slot blocks; under the
// checker's tag (8-slot blocks) only the checker runs.

package fallback_test

import (
	"testing"

	"github.com/injectq/injectq/fallback"
	"github.com/injectq/injectq/internal/coretest"
)

// TestCore holds the reference to the word-level checks that asm's variant
// is also held to.
func TestCore(t *testing.T) {
	coretest.Run(t, coretest.Ops{
		Reserve: fallback.Reserve, Claim: fallback.Claim, Close: fallback.Close,
		Publish: fallback.Publish, Retire: fallback.Retire,
	})
}
