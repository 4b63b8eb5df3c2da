// Progress output: the status line a run keeps on stderr.

package bench

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"
)

// progress keeps one status line on stderr: rewritten in place on a
// terminal, a line every few seconds elsewhere.
type progress struct {
	w          io.Writer
	tty        bool
	total, n   int
	start      time.Time
	last       time.Time
	lastLength int
}

func newProgress(w io.Writer, total int) *progress {
	tty := false
	if f, ok := w.(*os.File); ok {
		if fi, err := f.Stat(); err == nil && fi.Mode()&os.ModeCharDevice != 0 {
			tty = true
		}
	}
	return &progress{w: w, tty: tty, total: total, start: time.Now()}
}

// step counts one run and shows it; show only shows.
func (p *progress) step(label string) {
	p.n++
	p.show(label)
}

func (p *progress) show(label string) {
	now := time.Now()
	if !p.tty && now.Sub(p.last) < 3*time.Second && !p.last.IsZero() {
		return
	}
	if p.tty && now.Sub(p.last) < 50*time.Millisecond {
		return
	}
	p.last = now
	el := now.Sub(p.start)
	eta := ""
	if p.n > 1 && p.n <= p.total {
		eta = fmt.Sprintf(", ~%s left", (el * time.Duration(p.total-p.n+1) / time.Duration(p.n-1)).Round(time.Second))
	}
	line := fmt.Sprintf("injectbench: %d/%d runs, %s%s: %s", p.n, p.total, el.Round(time.Second), eta, label)
	if p.tty {
		pad := max(0, p.lastLength-len(line))
		fmt.Fprintf(p.w, "\r%s%s", line, strings.Repeat(" ", pad))
		p.lastLength = len(line)
	} else {
		fmt.Fprintln(p.w, line)
	}
}

func (p *progress) finish(d time.Duration) {
	if p.tty {
		fmt.Fprint(p.w, "\r"+strings.Repeat(" ", p.lastLength)+"\r")
	}
	fmt.Fprintf(p.w, "injectbench: %d runs in %s\n", p.n, d.Round(100*time.Millisecond))
}
