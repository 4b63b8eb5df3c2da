//go:build !injectq_check

// skel.h holds the default layout; under the checker's tag there is no
// assembly and skel has 8-slot blocks.

package asm

import (
	"bufio"
	"fmt"
	"math/bits"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/injectq/injectq/internal/skel"
)

// skelConsts are the values the assembly repeats from package skel, by the
// name of their #define in skel.h; the .s files define no numbers of their
// own.
var skelConsts = map[string]uint64{
	"CTL_TAIL":      uint64(skel.OffTail),
	"CTL_TAILHINT":  uint64(skel.OffTailHint),
	"CTL_HEAD":      uint64(skel.OffHead),
	"CTL_HEADHINT":  uint64(skel.OffHeadHint),
	"BLK_CONSUMED":  uint64(skel.OffConsumed),
	"BLK_STATE":     uint64(skel.OffState),
	"CLOSED_BIT":    uint64(bits.TrailingZeros64(skel.Closed)),
	"SEALED_BIT":    uint64(bits.TrailingZeros64(skel.Sealed)),
	"SLOTS_B":       skel.B,
	"PUBLISHED":     skel.Published,
	"ALL_PUBLISHED": skel.AllPublished,
}

var defineRE = regexp.MustCompile(`^#define\s+(\w+)\s+(\S+)`)

// checkDefines returns one message per numeric #define of src that is not
// in want or has another value, and per name of want that src lacks.
func checkDefines(src string, want map[string]uint64) []string {
	var errs []string
	seen := map[string]bool{}
	sc := bufio.NewScanner(strings.NewReader(src))
	for line := 1; sc.Scan(); line++ {
		m := defineRE.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		name, val := m[1], m[2]
		v, err := strconv.ParseUint(val, 0, 64)
		if err != nil {
			continue // a register name, e.g. #define T AX
		}
		w, ok := want[name]
		switch {
		case !ok:
			errs = append(errs, fmt.Sprintf("line %d: #define %s %s is not checked against package skel (add it to skelConsts)", line, name, val))
		case seen[name]:
			errs = append(errs, fmt.Sprintf("line %d: %s defined twice", line, name))
		case v != w:
			errs = append(errs, fmt.Sprintf("line %d: #define %s %s, but package skel says %#x", line, name, val, w))
		}
		seen[name] = true
	}
	for name := range want {
		if !seen[name] {
			errs = append(errs, fmt.Sprintf("%s is not defined", name))
		}
	}
	slices.Sort(errs)
	return errs
}

// TestLayoutMatchesSkel checks the constants in skel.h against package
// skel, and that every .s file takes them from there rather than defining
// its own, whatever GOARCH the test runs on.
func TestLayoutMatchesSkel(t *testing.T) {
	if skel.Closed != 1<<63 || skel.PosMask != 1<<62-1 || skel.AllPublished != skel.Published*0x0101010101010101 {
		t.Fatalf("skel.Closed = %#x, skel.AllPublished = %#x: the assembly assumes Closed in bit 63, two flag bits above the position and one byte per slot", skel.Closed, skel.AllPublished)
	}
	read := func(f string) string {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		return string(src)
	}
	for _, e := range checkDefines(read("skel.h"), skelConsts) {
		t.Errorf("skel.h: %s", e)
	}
	for _, f := range []string{"core_amd64.s", "core_arm64.s"} {
		src := read(f)
		if !strings.Contains(src, "#include \"skel.h\"") {
			t.Errorf("%s does not include skel.h", f)
		}
		for _, e := range checkDefines(src, nil) {
			t.Errorf("%s: %s", f, e)
		}
	}
}

// TestCheckDefinesFails makes sure the layout check can fail.
func TestCheckDefinesFails(t *testing.T) {
	want := map[string]uint64{"A": 8, "B": 0x10}
	src := "#define A\t8\t// ok\n#define R\tAX\n#define B 0x11\n#define C 3\n"
	got := checkDefines(src, want)
	if len(got) != 2 || !strings.Contains(got[0], "#define B 0x11") || !strings.Contains(got[1], "#define C 3") {
		t.Fatalf("checkDefines found %q", got)
	}
	if got := checkDefines("#define A 8\n", want); len(got) != 1 || !strings.Contains(got[0], "B is not defined") {
		t.Fatalf("checkDefines found %q", got)
	}
}
