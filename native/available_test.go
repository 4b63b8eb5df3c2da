package native_test

import (
	"strings"
	"testing"

	"github.com/injectq/injectq/internal/skel"
	"github.com/injectq/injectq/internal/suite"
	"github.com/injectq/injectq/native"
)

// TestAvailable fails when INJECTQ_REQUIRE names native and this build
// lacks it, and checks that the unavailable stubs say so rather than
// pretend to work.
func TestAvailable(t *testing.T) {
	suite.CheckRequired(t)
	t.Logf("native.Available=%t; %s", native.Available, native.Path())
	if native.Available {
		return
	}
	if !strings.HasPrefix(native.Path(), "none") {
		t.Errorf("Path() = %q without the backend", native.Path())
	}
	var c skel.Ctl
	var sp skel.Span
	for name, call := range map[string]func(){
		"ReserveRun": func() { native.ReserveRun(&c, 1, &sp) },
		"ClaimRun":   func() { native.ClaimRun(&c, 1, &sp) },
		"Locate":     func() { native.Locate(&c, skel.NoRef, 0) },
		"Close":      func() { native.Close(&c) },
	} {
		func() {
			defer func() {
				if r, _ := recover().(string); !strings.HasPrefix(r, "native: unavailable") {
					t.Errorf("%s did not panic with native: unavailable (got %q)", name, r)
				}
			}()
			call()
		}()
	}
}
