package bench

import (
	"flag"
	"fmt"
	"io"
	"path/filepath"
	"strings"
)

// Main is the injectbench command: it parses args (without the program
// name), runs, and returns the exit code.
func Main(prog string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("injectbench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	quick := fs.Bool("quick", false, "a run of seconds (smoke test; CI runs it so the harness cannot rot)")
	full := fs.Bool("full", false, "more repetitions and items, more shapes (tens of minutes)")
	scenario := fs.String("scenario", "", "regexp or comma list over scenarios: "+strings.Join(Scenarios, ", ")+" (alloc and crossover select what they need)")
	out := fs.String("out", "results", "directory for results.md, results.csv and the SVG plots")
	reps := fs.Int("reps", 0, "repetitions per cell (default: 5, -full 10)")
	impl := fs.String("impl", "", "comma list of contenders to run (chan always runs); default all")
	seed := fs.Uint64("seed", 1, "seed for the contender order within repetitions")
	list := fs.Bool("list", false, "list the contenders and what each cannot do, then exit")
	fs.Usage = func() {
		fmt.Fprintf(stderr, "usage: injectbench [flags]\n\nRuns injectq's side-by-side benchmarks and writes DIR/results.md, DIR/results.csv and SVG plots.\n\n")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "injectbench: unexpected arguments %q\n", fs.Args())
		return 2
	}
	if *list {
		for _, c := range Contenders() {
			fmt.Fprintf(stdout, "%-10s %-8s %s\n", c.Name, c.Kind, c.Notes)
		}
		return 0
	}
	mode := "default"
	switch {
	case *quick && *full:
		fmt.Fprintln(stderr, "injectbench: -quick and -full exclude each other")
		return 2
	case *quick:
		mode = "quick"
	case *full:
		mode = "full"
	}
	var impls []string
	if *impl != "" {
		impls = strings.Split(*impl, ",")
	}
	_, err := Run(Config{
		Mode: mode, Scenario: *scenario, Out: *out, Reps: *reps, Impls: impls, Seed: *seed,
		Command: strings.TrimSpace(progName(prog) + " " + shellQuote(args)),
		Stdout:  stdout, Stderr: stderr,
	})
	if err != nil {
		fmt.Fprintf(stderr, "injectbench: %v\n", err)
		return 1
	}
	return 0
}

// progName shows "go run ./cmd/injectbench" for a binary that go run built.
func progName(p string) string {
	if strings.Contains(p, "go-build") {
		return "go run ./cmd/injectbench"
	}
	if p == "" {
		return "injectbench"
	}
	return filepath.Base(p)
}
