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
