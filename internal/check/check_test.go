package check

import (
	"fmt"
	"slices"
	"strings"
	"testing"
)

// The checker's own tests: scenarios written against Point and Spin
// directly (no queue), whose behaviours can be counted by hand.

// steps is a scenario of two goroutines making k points each and noting
// their order: its behaviours are the C(2k, k) interleavings.
func steps(k int, seen map[string]bool, dup *int) Scenario {
	return Scenario{Name: "steps", Run: func() Instance {
		var order []string
		g := func(id string) func() {
			return func() {
				for range k {
					Point(true)
					order = append(order, id)
				}
			}
		}
		return Instance{Goroutines: []func(){g("a"), g("b")}, Check: func() string {
			o := strings.Join(order, "")
			if seen[o] {
				*dup++
			}
			seen[o] = true
			return ""
		}}
	}}
}

func TestExploreEnumeratesEachInterleavingOnce(t *testing.T) {
	for _, tc := range []struct{ k, bound, want int }{
		{1, 0, 2}, {1, 1, 2}, {2, 0, 2}, {2, 1, 4}, {3, 10, 20}, {4, 10, 70},
	} {
		seen, dup := map[string]bool{}, 0
		runs, _, f := explore(steps(tc.k, seen, &dup), tc.bound, 0)
		if f != nil {
			t.Fatal(f)
		}
		if len(seen) != tc.want || dup != 0 || runs != tc.want {
			t.Fatalf("k=%d bound=%d: %d runs, %d distinct interleavings (want %d), %d repeated", tc.k, tc.bound, runs, len(seen), tc.want, dup)
		}
	}
}

// lostUpdate: two goroutines increment a shared word with a load and a
// store; a preemption between them loses an increment.
var lostUpdate = Scenario{Name: "lost-update", Run: func() Instance {
	var x int
	inc := func() {
		Point(false)
		v := x
		Point(true)
		x = v + 1
	}
	return Instance{Goroutines: []func(){inc, inc}, Check: func() string {
		if x != 2 {
			return fmt.Sprintf("x = %d", x)
		}
		return ""
	}}
}}

func TestExploreFindsAndReplays(t *testing.T) {
	runs, _, f := Explore(lostUpdate, 2)
	if f == nil {
		t.Fatalf("the lost update was not found (%v runs)", runs)
	}
	if !strings.Contains(f.How, "at most 1 preemptions") || f.Message != "x = 1" {
		t.Fatalf("found as %q: %q; want it at one preemption", f.How, f.Message)
	}
	again := Replay(lostUpdate, f.Schedule)
	if again == nil || again.Message != f.Message || !slices.Equal(again.Schedule, f.Schedule) {
		t.Fatalf("replay of %v: %v", f.Schedule, again)
	}
	s, err := ParseSchedule(FormatSchedule(f.Schedule))
	if err != nil || !slices.Equal(s, f.Schedule) {
		t.Fatalf("schedule %v written as %q read back as %v, %v", f.Schedule, FormatSchedule(f.Schedule), s, err)
	}
	if !strings.Contains(f.Replay(), EnvReplay+"='lost-update=") {
		t.Fatalf("replay setting %q", f.Replay())
	}
	if f := Sample(lostUpdate, 200, 2, 4, 1); f == nil {
		t.Fatal("PCT did not find the lost update in 200 runs")
	}
}

func TestDeadlockIsReported(t *testing.T) {
	// Each waits for a flag only the other would set after its own wait.
	sc := Scenario{Name: "deadlock", Run: func() Instance {
		var a, b bool
		return Instance{Goroutines: []func(){
			func() {
				for Point(false); !b; Point(false) {
					Spin()
				}
				a = true
			},
			func() {
				for Point(false); !a; Point(false) {
					Spin()
				}
				b = true
			},
		}, Check: func() string { return "" }}
	}}
	_, _, f := Explore(sc, 0)
	if f == nil || !strings.HasPrefix(f.Message, "deadlock") || !strings.Contains(f.Message, "TestDeadlockIsReported") {
		t.Fatalf("want a deadlock naming where each waits, got %v", f)
	}
}

func TestSpinWakesOnWrite(t *testing.T) {
	// A waiter that spins until a writer's flag: never a deadlock.
	sc := Scenario{Name: "spin", Run: func() Instance {
		var flag bool
		return Instance{Goroutines: []func(){
			func() {
				for Point(false); !flag; Point(false) {
					Spin()
				}
			},
			func() {
				Point(true)
				flag = true
			},
		}, Check: func() string { return "" }}
	}}
	if _, _, f := Explore(sc, 3); f != nil {
		t.Fatal(f)
	}
}

func TestPanicIsAFailure(t *testing.T) {
	sc := Scenario{Name: "panic", Run: func() Instance {
		return Instance{Goroutines: []func(){func() { Point(false); panic("boom") }, func() { Point(false) }},
			Check: func() string { return "" }}
	}}
	if _, _, f := Explore(sc, 1); f == nil || !strings.Contains(f.Message, "panicked: boom") {
		t.Fatalf("got %v", f)
	}
}

// register is a model of a read/write register for the linearizability
// checker's tests.
var register = Model[int]{Init: 0, Step: func(s int, op Op) (int, bool) {
	switch in := op.Input.(type) {
	case int: // write in
		return in, true
	default: // read
		return s, op.Output.(int) == s
	}
}}

func TestLinearizable(t *testing.T) {
	w := func(th, start, end, v int) Op { return Op{Thread: th, Start: start, End: end, Input: v} }
	r := func(th, start, end, v int) Op { return Op{Thread: th, Start: start, End: end, Input: "r", Output: v} }
	for _, tc := range []struct {
		ops  []Op
		want bool
	}{
		{[]Op{w(0, 0, 2, 1), r(1, 3, 4, 1)}, true},
		{[]Op{w(0, 0, 2, 1), r(1, 3, 4, 0)}, false},                // the read follows the write
		{[]Op{w(0, 0, 5, 1), r(1, 1, 2, 0), r(1, 3, 4, 1)}, true},  // overlapping: either
		{[]Op{w(0, 0, 5, 1), r(1, 1, 2, 1), r(1, 3, 4, 0)}, false}, // no going back
		{[]Op{w(0, 0, 1, 1), w(1, 0, 1, 2), r(2, 2, 3, 1), r(2, 4, 5, 1)}, true},
		{[]Op{w(0, 0, 1, 1), w(1, 0, 1, 2), r(2, 2, 3, 1), r(2, 4, 5, 2)}, false},
	} {
		if got := Linearizable(register, tc.ops); got != tc.want {
			t.Errorf("%v: linearizable %t, want %t", tc.ops, got, tc.want)
		}
	}
}
