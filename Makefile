# injectq: `make test` runs every check CI runs; `make bench` is the
# benchmark report. Both work on a fresh machine with Go; the arm64 and
# cross-compiler parts run when their tools are installed (.ci/run installs
# them) and are skipped with a notice otherwise.

GO      ?= go
SHELL   := /bin/bash
HOSTARCH := $(shell $(GO) env GOARCH)
HAVECGO  := $(shell $(GO) env CGO_ENABLED)

# Backends that must be present on this machine: a build that silently lost
# its assembly or its C fails instead of testing only the fallback.
ifneq ($(filter amd64 arm64,$(HOSTARCH)),)
REQUIRE_NOCGO ?= asm
ifeq ($(HAVECGO),1)
REQUIRE ?= asm,native
else
REQUIRE ?= asm
endif
endif

QEMU     ?= qemu-aarch64
ARM64CC  ?= aarch64-linux-gnu-gcc
ARM64SYS ?= /usr/aarch64-linux-gnu
HAVEQEMU := $(shell command -v $(QEMU) >/dev/null 2>&1 && echo yes)
HAVEARMCC := $(shell command -v $(ARM64CC) >/dev/null 2>&1 && echo yes)

FUZZTIME ?= 3000x
TESTFLAGS ?= -count=1 -timeout=15m

.PHONY: test bench costmodel bench-quick vet unit race purego nocgo hooks check lincheck fuzz cross test-arm64 bench-smoke

test: vet unit race purego nocgo hooks check lincheck fuzz cross test-arm64 bench-smoke
	@echo "make test: all checks passed"

vet:
	@test -z "$$(gofmt -l . | tee /dev/stderr)" || (echo "gofmt: files above need formatting" && false)
	$(GO) vet ./...
	$(GO) vet -tags injectq_hooks ./...
	$(GO) vet -tags injectq_check ./...
	GOARCH=arm64 CGO_ENABLED=0 $(GO) vet ./...
	GOARCH=amd64 CGO_ENABLED=0 $(GO) vet ./...
	GOARCH=386 CGO_ENABLED=0 $(GO) vet ./...
ifeq ($(HAVEARMCC),yes)
	GOARCH=arm64 CGO_ENABLED=1 CC=$(ARM64CC) $(GO) vet ./...
endif
	cd lincheck && $(GO) vet ./...

# The whole suite, every backend (INJECTQ_REQUIRE turns a missing one into a failure).
unit:
	INJECTQ_REQUIRE=$(REQUIRE) $(GO) test $(TESTFLAGS) ./...

# Under -race the assembly and C backends are not built (the race detector
# cannot see their atomics), so this runs the fallback and all shared Go code.
race:
	$(GO) test $(TESTFLAGS) -race -short ./...

purego:
	$(GO) test $(TESTFLAGS) -short -tags purego ./...

nocgo:
	CGO_ENABLED=0 INJECTQ_REQUIRE=$(REQUIRE_NOCGO) $(GO) test $(TESTFLAGS) -short ./...

# Stress, close races and linearizability with a forced yield between each
# reservation and its publication, and a watchdog on consumer waits.
hooks:
	INJECTQ_REQUIRE=$(REQUIRE) $(GO) test $(TESTFLAGS) -tags injectq_hooks -run 'Stress|Close|Recycled|PopWait|Shrink|Limit|PushWait|TestAll|FairShare|Waiter' ./queue
	cd lincheck && INJECTQ_REQUIRE=$(REQUIRE) $(GO) test $(TESTFLAGS) -tags injectq_hooks ./...

# The interleaving checker (internal/check): every schedule of each
# scenario up to a preemption bound, then PCT samples, on the pure-Go core
# with 8-slot blocks; and each deliberate bug caught. Prints the schedules
# explored per scenario. A failure prints the schedule and the
# INJECTQ_CHECK_REPLAY setting that runs it again.
check:
	set -o pipefail; $(GO) test $(TESTFLAGS) -tags injectq_check -v -run 'TestCheck' ./queue | \
	  grep -E '^(ok|FAIL|PASS|panic)|schedules|caught|^\s*(---|check_test)'

lincheck:
	cd lincheck && INJECTQ_REQUIRE=$(REQUIRE) $(GO) test $(TESTFLAGS) ./...
	cd lincheck && $(GO) test $(TESTFLAGS) -race -short ./...

# A budget of executions, not seconds: Go 1.26's fuzz coordinator can miss
# its own -fuzztime deadline under load and fail with no input to show.
fuzz:
	$(GO) test -run '^$$' -fuzz FuzzOps -fuzztime $(FUZZTIME) ./queue

# Every benchmark once, and the harness's own tests (which include a -quick
# run of the report), so that none of it can rot.
bench-smoke:
	$(GO) test -run '^$$' -bench . -benchtime 1x ./... > /dev/null
	cd bench && $(GO) vet ./...
	cd bench && $(GO) test $(TESTFLAGS) ./...
	cd bench && $(GO) test -run '^$$' -bench . -benchtime 1x ./... > /dev/null

cross:
	GOOS=linux   GOARCH=amd64 CGO_ENABLED=0 $(GO) build ./...
	GOOS=linux   GOARCH=arm64 CGO_ENABLED=0 $(GO) build ./...
	GOOS=darwin  GOARCH=arm64 CGO_ENABLED=0 $(GO) build ./...
	GOOS=windows GOARCH=amd64 CGO_ENABLED=0 $(GO) build ./...
	GOOS=linux   GOARCH=386   CGO_ENABLED=0 $(GO) build ./...
	GOOS=linux   GOARCH=amd64 CGO_ENABLED=1 $(GO) build ./...
ifeq ($(HAVEARMCC),yes)
	GOOS=linux   GOARCH=arm64 CGO_ENABLED=1 CC=$(ARM64CC) $(GO) build ./...
else
	@echo "cross: $(ARM64CC) not installed; skipped linux/arm64 with cgo (.ci/run installs it)"
endif

# The suite as linux/arm64 under qemu-user, twice: -cpu max has the ARMv8.1
# atomics and the asm backend must choose its LSE path; cortex-a53 (ARMv8.0)
# has not, and it must choose LL/SC (asm's TestPathMatchesCPU checks what
# INJECTQ_EXPECT_ARM64_PATH says). Every backend is required in both. QEMU on
# x86 orders memory roughly like x86: these runs prove the encodings and the
# dispatch, not arm64 memory ordering (the comments in the .s and .c files
# argue that).
ARM64BIN := $(CURDIR)/.arm64-test
ARM64ENV := QEMU_LD_PREFIX=$(ARM64SYS) INJECTQ_REQUIRE=asm,native
ARM64BUILD := GOARCH=arm64 CGO_ENABLED=1 CC=$(ARM64CC) $(GO) test -c
test-arm64:
ifeq ($(HAVEQEMU)$(HAVEARMCC),yesyes)
	rm -rf $(ARM64BIN) && mkdir -p $(ARM64BIN)
	$(ARM64BUILD) -o $(ARM64BIN)/asm.test ./asm
	$(ARM64BUILD) -o $(ARM64BIN)/native.test ./native
	$(ARM64BUILD) -o $(ARM64BIN)/queue.test ./queue
	cd lincheck && $(ARM64BUILD) -o $(ARM64BIN)/lincheck.test .
	set -e; for run in "max LSE" "cortex-a53 LL/SC"; do set -- $$run; \
	  echo "== qemu-aarch64 -cpu $$1: expecting $$2"; \
	  export $(ARM64ENV) INJECTQ_EXPECT_ARM64_PATH=$$2 INJECTQ_TEST_EXEC="$(QEMU) -cpu $$1"; \
	  (cd asm && $(QEMU) -cpu $$1 $(ARM64BIN)/asm.test -test.count=1); \
	  (cd native && $(QEMU) -cpu $$1 $(ARM64BIN)/native.test -test.count=1); \
	  (cd queue && $(QEMU) -cpu $$1 $(ARM64BIN)/queue.test -test.short -test.count=1); \
	  (cd lincheck && $(QEMU) -cpu $$1 $(ARM64BIN)/lincheck.test -test.short -test.count=1); \
	done
	cd asm && QEMU_LD_PREFIX=$(ARM64SYS) INJECTQ_ARM64_ATOMICS=llsc INJECTQ_EXPECT_ARM64_PATH=LL/SC \
	  $(QEMU) -cpu max $(ARM64BIN)/asm.test -test.count=1
	rm -rf $(ARM64BIN)
else
	@echo "test-arm64: $(QEMU) or $(ARM64CC) not installed; skipped (.ci/run installs them)"
endif

# The report: every backend against channels, mutex queues and published Go
# queues, on this machine, in one run (under 3 minutes on 2 cores). Writes
# bench/results/{results.md,results.csv,*.svg} and prints the main tables.
bench:
	cd bench && $(GO) run ./cmd/injectbench -out results
	$(MAKE) --no-print-directory costmodel

# The cost model's measured columns (bench/costmodel.sh): instructions and
# locked instructions per operation, counted by callgrind, so exact and the
# same on every run. Needs amd64, valgrind and objdump (binutils); run as
# root on Debian it installs valgrind, else it skips with a notice. It
# never fails the report: bench/results/costmodel.md is replaced only by a
# complete table.
costmodel:
ifeq ($(HOSTARCH),amd64)
	@command -v valgrind >/dev/null || [ "$$(id -u)" != 0 ] || ! command -v apt-get >/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind) || \
	  echo "costmodel: could not install valgrind"
	@if command -v valgrind >/dev/null && command -v objdump >/dev/null; then \
	  echo "costmodel: callgrind, every contender (about two minutes)"; \
	  if bench/costmodel.sh > bench/results/costmodel.md.new; then \
	    mv bench/results/costmodel.md.new bench/results/costmodel.md && cat bench/results/costmodel.md; \
	  else rm -f bench/results/costmodel.md.new; echo "costmodel: failed; bench/results/costmodel.md left as it was"; fi; \
	else echo "costmodel: valgrind or objdump not installed; skipped (apt-get install valgrind binutils)"; fi
else
	@echo "costmodel: counts x86 locked instructions; skipped on $(HOSTARCH)"
endif
