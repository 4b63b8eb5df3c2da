// Package bench is injectq's side-by-side benchmark harness: every injectq
// backend in queue.Backends() against the queues a Go user would otherwise
// pick (a buffered channel, a mutex-guarded intrusive list with batch
// splice, the internal mutex ring, bytedance/gopkg lscq and xsync's
// MPMCQueue), measured in one process on one machine, contenders
// interleaved within every repetition so that ratios to the channel come
// from the same conditions.
//
// It is its own module so that the library's go.mod stays small.
//
//	cd bench
//	go run ./cmd/injectbench            # default run, < ~3 min on 2 cores
//	go run ./cmd/injectbench -quick     # seconds; CI runs it
//	go run ./cmd/injectbench -full      # more repetitions, more items
//	go run ./cmd/injectbench -scenario 'batch|latency' -out /tmp/r
//
// The same adapters back the go test benchmarks in peers_test.go:
//
//	go test -run '^$' -bench . -count 10 -cpu 2 > new.txt
//	benchstat -col /impl new.txt
//	benchstat -col /impl -filter '/impl:(fallback OR native)' new.txt   # pure Go vs cgo
package bench
