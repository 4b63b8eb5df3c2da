package check

import "fmt"

// An Op is one call in a history: the goroutine that made it, when it
// started and ended (Now, read before its first and after its last atomic),
// and what it was given and returned.
type Op struct {
	Thread        int
	Start, End    int
	Input, Output any
}

func (o Op) String() string {
	return fmt.Sprintf("g%d [%d,%d] %v -> %v", o.Thread, o.Start, o.End, o.Input, o.Output)
}

// A Model is a sequential specification: Step applies op to a state and
// reports whether op's output is one that state allows, and the state after
// it. States are values (they key a memo).
type Model[S comparable] struct {
	Init S
	Step func(s S, op Op) (S, bool)
}

// Linearizable reports whether the operations of a history (at most 64)
// can be put in one order that respects their real-time order (an
// operation that ended before another started comes first) and that the
// model accepts: Wing and Gong's search, with the memo of Lowe's.
func Linearizable[S comparable](m Model[S], ops []Op) bool {
	if len(ops) > 64 {
		panic("check: a history of more than 64 operations")
	}
	full := uint64(1)<<len(ops) - 1
	if len(ops) == 64 {
		full = ^uint64(0)
	}
	type key struct {
		done uint64
		s    S
	}
	dead := map[key]bool{}
	var search func(done uint64, s S) bool
	search = func(done uint64, s S) bool {
		if done == full {
			return true
		}
		if dead[key{done, s}] {
			return false
		}
		for i, op := range ops {
			if done&(1<<i) != 0 || !minimal(ops, done, i) {
				continue
			}
			if next, ok := m.Step(s, op); ok && search(done|1<<i, next) {
				return true
			}
		}
		dead[key{done, s}] = true
		return false
	}
	return search(0, m.Init)
}

// minimal reports whether no operation left (outside done) ended before
// ops[i] started, so that ops[i] may come next.
func minimal(ops []Op, done uint64, i int) bool {
	for j, o := range ops {
		if j != i && done&(1<<j) == 0 && o.End <= ops[i].Start {
			return false
		}
	}
	return true
}
