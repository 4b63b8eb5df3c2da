package bench

import (
	"bytes"
	"encoding/csv"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/injectq/injectq/internal/ring"
	"github.com/injectq/injectq/queue"
)

func TestContendersPassCheck(t *testing.T) {
	for _, ct := range Contenders() {
		t.Run(ct.Name, func(t *testing.T) {
			if err := Check(ct); err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestContendersList(t *testing.T) {
	var names []string
	for _, ct := range Contenders() {
		names = append(names, ct.Name)
		if ct.New == nil || ct.Notes == "" || ct.Consumer == "" {
			t.Errorf("%s: incomplete description %+v", ct.Name, ct)
		}
	}
	want := append(queue.Backends(), queue.DefaultBackend()+"-wait", "chan", "mutexlist", "mutexring")
	if lscqAvailable {
		want = append(want, "lscq")
	}
	want = append(want, "xsync")
	if !slices.Equal(names, want) {
		t.Fatalf("contenders %v, want %v", names, want)
	}
	if _, err := SelectContenders([]string{"nosuch"}); err == nil {
		t.Fatal("SelectContenders accepted an unknown name")
	}
	got, err := SelectContenders([]string{"mutexring"})
	if err != nil || len(got) != 2 || got[0].Name != "chan" || got[1].Name != "mutexring" {
		t.Fatalf("SelectContenders(mutexring) = %v, %v; want chan and mutexring", got, err)
	}
}

// Broken adapters, which Check must reject: proof that it can fail.

type lifo struct{ s []*Item }

func (q *lifo) Push(v *Item)         { q.s = append(q.s, v) }
func (q *lifo) PushBatch(vs []*Item) { q.s = append(q.s, vs...) }
func (q *lifo) PopN(dst []*Item) int { return popN(q, dst) }
func (q *lifo) Pop() (*Item, bool) {
	if len(q.s) == 0 {
		return nil, false
	}
	v := q.s[len(q.s)-1]
	q.s = q.s[:len(q.s)-1]
	return v, true
}

func popN(q Queue, dst []*Item) int {
	for i := range dst {
		v, ok := q.Pop()
		if !ok {
			return i
		}
		dst[i] = v
	}
	return len(dst)
}

// lossy drops every 1000th push; dup pushes every 1000th item twice.
type lossy struct {
	Queue
	n    int
	drop bool
}

func (q *lossy) Push(v *Item) {
	q.n++
	switch {
	case q.n%1000 != 0:
		q.Queue.Push(v)
	case !q.drop:
		q.Queue.Push(v)
		q.Queue.Push(v)
	}
}

func (q *lossy) PushBatch(vs []*Item) {
	for _, v := range vs {
		q.Push(v)
	}
}

// lockedQ serialises a non-concurrent adapter so that Check's concurrent
// part exercises the bug, not a data race.
type lockedQ struct {
	mu sync.Mutex
	q  Queue
}

func (l *lockedQ) Push(v *Item)         { l.mu.Lock(); l.q.Push(v); l.mu.Unlock() }
func (l *lockedQ) PushBatch(vs []*Item) { l.mu.Lock(); l.q.PushBatch(vs); l.mu.Unlock() }
func (l *lockedQ) Pop() (*Item, bool)   { l.mu.Lock(); defer l.mu.Unlock(); return l.q.Pop() }
func (l *lockedQ) PopN(dst []*Item) int { l.mu.Lock(); defer l.mu.Unlock(); return l.q.PopN(dst) }

func TestCheckRejectsBrokenAdapters(t *testing.T) {
	mutexRing := func() Queue { return new(ring.Ring[*Item]) }
	for name, f := range map[string]func() Queue{
		"lifo":  func() Queue { return new(lifo) },
		"lossy": func() Queue { return &lossy{Queue: mutexRing(), drop: true} },
		"dup":   func() Queue { return &lossy{Queue: mutexRing()} },
	} {
		ct := Contender{Name: name, New: func(int) Queue { return &lockedQ{q: f()} }}
		if err := Check(ct); err == nil {
			t.Errorf("Check accepted the %s adapter", name)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
}

func TestStats(t *testing.T) {
	s := &Series{Vals: []float64{5, 1, 3, math.NaN(), 4}}
	base := &Series{Vals: []float64{10, 1, 6, 2, 4}}
	sm := summarize(s, base)
	if sm.N != 4 || sm.Med != 3.5 || sm.Min != 1 || sm.Max != 5 {
		t.Fatalf("summary %+v", sm)
	}
	// Ratios per repetition: 0.5, 1, 0.5, 1 → median 0.75.
	if !sm.HasRatio || sm.RMed != 0.75 || sm.RMin != 0.5 || sm.RMax != 1 {
		t.Fatalf("ratios %+v", sm)
	}
	lat := []int64{}
	for i := 1000; i >= 1; i-- {
		lat = append(lat, int64(i))
	}
	if ps := percentiles(lat, 50, 99, 99.9, 100); !slices.Equal(ps, []float64{500, 990, 999, 1000}) {
		t.Fatalf("percentiles %v", ps)
	}
	if got := compileMust(t, "batch,lat").MatchString("latency"); !got {
		t.Fatal("comma list not matched")
	}
}

func compileMust(t *testing.T, s string) interface{ MatchString(string) bool } {
	re, err := compileScenario(s)
	if err != nil {
		t.Fatal(err)
	}
	return re
}

func TestMainRejectsBadFlags(t *testing.T) {
	var out, errb bytes.Buffer
	for _, args := range [][]string{{"-quick", "-full"}, {"-scenario", "nosuch"}, {"-scenario", "("}, {"-impl", "nosuch"}, {"extra"}} {
		out.Reset()
		errb.Reset()
		if code := Main("injectbench", append(args, "-out", t.TempDir()), &out, &errb); code == 0 {
			t.Errorf("Main(%q) = 0, want an error", args)
		}
	}
}

// TestQuickEndToEnd runs `injectbench -quick` as CI does and checks what
// it writes.
func TestQuickEndToEnd(t *testing.T) {
	dir := t.TempDir()
	var out, errb bytes.Buffer
	if code := Main("injectbench", []string{"-quick", "-out", dir}, &out, &errb); code != 0 {
		t.Fatalf("injectbench -quick exited %d\nstderr:\n%s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "injectbench: ") {
		t.Errorf("no progress on stderr: %q", errb.String())
	}
	md := read(t, filepath.Join(dir, "results.md"))
	for _, want := range []string{"**Machine:**", queue.Describe(), "**Command:** `injectbench -quick -out", "## Targets", "## Headline",
		"## Batch", "## MPMC", "## Push→pop latency", "## Memory", "## Where injectq loses", "## cgo crossover"} {
		if !strings.Contains(md, want) {
			t.Errorf("results.md lacks %q", want)
		}
	}
	if !strings.HasPrefix(md, "# injectq benchmark results\n\n- **Machine:** ") {
		t.Errorf("results.md does not open with the machine line:\n%.200s", md)
	}
	if !strings.Contains(out.String(), "## Headline") || !strings.Contains(out.String(), "| impl |") {
		t.Errorf("stdout lacks the Markdown table:\n%s", out.String())
	}
	if strings.Contains(md, "Failed runs") || strings.Contains(md, "Excluded") {
		t.Errorf("quick run had failures:\n%s", md)
	}

	f, err := os.Open(filepath.Join(dir, "results.csv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	recs, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatalf("results.csv does not parse: %v", err)
	}
	if len(recs) < 2 || !slices.Equal(recs[0], CSVHeader) {
		t.Fatalf("results.csv: %d records, header %v", len(recs), recs[0])
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	scen := map[string]int{}
	for _, r := range recs[1:] {
		if len(r) != len(CSVHeader) {
			t.Fatalf("record of %d fields: %v", len(r), r)
		}
		scen[r[col["scenario"]]]++
		med, err := strconv.ParseFloat(r[col["median"]], 64)
		if err != nil || math.IsNaN(med) {
			t.Errorf("median %q in %v", r[col["median"]], r)
		}
		if n, _ := strconv.Atoi(r[col["reps"]]); n < 5 {
			t.Errorf("%d repetitions in %v, want ≥ 5", n, r)
		}
		if r[col["impl"]] == "chan" && r[col["ratio_to_chan"]] != "1" {
			t.Errorf("chan's ratio to itself is %q", r[col["ratio_to_chan"]])
		}
	}
	for _, s := range Scenarios {
		if scen[s] == 0 {
			t.Errorf("results.csv has no %s rows", s)
		}
	}

	svgs, _ := filepath.Glob(filepath.Join(dir, "*.svg"))
	kinds := map[string]bool{}
	for _, p := range svgs {
		b := read(t, p)
		if !strings.Contains(b, "<svg") || !strings.Contains(b, runtime.GOARCH) {
			t.Errorf("%s is not an SVG titled with the machine", p)
		}
		kinds[strings.SplitN(filepath.Base(p), "_", 2)[0]] = true
	}
	for _, k := range []string{"batch.svg", "mpmc", "latency"} {
		if !kinds[k] {
			t.Errorf("no %s plot among %v", k, svgs)
		}
	}
}

func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) == 0 {
		t.Fatalf("%s is empty", path)
	}
	return string(b)
}
