// Formatting helpers: numbers and ratios as the report prints them, and
// the Markdown blocks (tables, lists) that every section is written with.

package bench

import (
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// fmtNum prints a measurement with about three significant digits.
func fmtNum(v float64) string {
	switch a := math.Abs(v); {
	case math.IsNaN(v):
		return "–"
	case a == 0:
		return "0"
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	default:
		return strconv.FormatFloat(v, 'f', 3, 64)
	}
}

func fmtRatio(r float64) string {
	if math.IsNaN(r) {
		return "–"
	}
	if r >= 10 {
		return strconv.FormatFloat(r, 'f', 1, 64) + "×"
	}
	return strconv.FormatFloat(r, 'f', 2, 64) + "×"
}

// fmtCell is "median ±spread% (ratio×chan)".
func fmtCell(sm summary) string {
	if sm.N == 0 {
		return "–"
	}
	s := fmtNum(sm.Med)
	if sp := sm.spreadPct(); !math.IsNaN(sp) && sm.N > 1 {
		s += fmt.Sprintf(" ±%.0f%%", sp)
	}
	if sm.HasRatio {
		s += " (" + fmtRatio(sm.RMed) + ")"
	}
	return s
}

// mdTable writes a Markdown table and the blank line that ends it;
// columns whose cells all start with a number are right-aligned.
func mdTable(w io.Writer, header []string, rows [][]string) {
	fmt.Fprintf(w, "| %s |\n", strings.Join(header, " | "))
	seps := make([]string, len(header))
	for i := range seps {
		seps[i] = "---"
		numeric := len(rows) > 0
		for _, row := range rows {
			if i >= len(row) || !strings.ContainsRune("0123456789–-+", firstRune(row[i])) {
				numeric = false
				break
			}
		}
		if numeric {
			seps[i] = "--:"
		}
	}
	fmt.Fprintf(w, "|%s|\n", strings.Join(seps, "|"))
	for _, row := range rows {
		fmt.Fprintf(w, "| %s |\n", strings.Join(row, " | "))
	}
	fmt.Fprintln(w)
}

// mdList writes a Markdown bullet list and the blank line that ends it.
func mdList(w io.Writer, items []string) {
	for _, it := range items {
		fmt.Fprintf(w, "- %s\n", it)
	}
	fmt.Fprintln(w)
}

func firstRune(s string) rune {
	r, _ := utf8.DecodeRuneInString(s)
	return r
}

// mapSlice returns f of every element of xs.
func mapSlice[T, U any](xs []T, f func(T) U) []U {
	out := make([]U, len(xs))
	for i, x := range xs {
		out[i] = f(x)
	}
	return out
}
