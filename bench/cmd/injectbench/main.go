// Command injectbench runs injectq's side-by-side benchmark harness: every
// injectq backend against a buffered channel, a mutex-guarded intrusive
// list, a mutex ring, lscq and xsync's MPMCQueue. It prints a Markdown
// summary and writes DIR/results.md, DIR/results.csv and SVG plots.
//
//	go run ./cmd/injectbench [-quick | -full] [-scenario RE] [-out DIR]
package main

import (
	"os"

	"github.com/injectq/injectq/bench"
)

func main() {
	os.Exit(bench.Main(os.Args[0], os.Args[1:], os.Stdout, os.Stderr))
}
