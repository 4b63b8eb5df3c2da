#!/usr/bin/env bash
# The cost model's measured columns: instructions and locked instructions
# executed per operation, for each contender, counted by callgrind (an
# instruction-level simulator: the counts are exact and the same on every
# run, unlike time).
#
# Each cell runs the bench module's go-test benchmark under callgrind
# twice, with -benchtime N and 2N; the difference divided by N is the cost
# of one operation, with start-up, warm-up and the benchmark framework
# cancelled out. "Locked" counts the executed instructions that carry a
# LOCK prefix or are XCHG with memory (x86 makes XCHG locked implicitly;
# Go's atomic stores are XCHG), found by joining callgrind's per-address
# counts with objdump's disassembly. Both columns include the harness's
# adapter (one interface call per operation), the same for every
# contender. GOGC=off keeps the collector, whose work differs between
# the two runs, out of the difference; asyncpreemptoff keeps the
# preemption signals out (callgrind can fail an assertion on one).
#
# Usage: costmodel.sh [N] > table.md   (amd64 with valgrind and binutils)
set -euo pipefail
cd "$(dirname "$0")"
N=${1:-20000} # operations (push+pop pairs, or batch pairs) per difference
GO=${GO:-go}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

$GO test -c -o "$work/b.test" . >&2
# Addresses of the locked instructions anywhere in the binary (Go, the
# assembly backend and the C of native).
objdump -d --no-show-raw-insn "$work/b.test" |
  awk '/^ *[0-9a-f]+:/ && ($2 == "lock" || $2 ~ /^xchg/ && $0 ~ /\(/) { sub(":", "", $1); print $1 }' |
  sort -u > "$work/locked"

# run BENCH N: prints "Ir locked" executed by the whole process.
run() {
  local out="$work/cg.out"
  GOGC=off GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --dump-instr=yes --dump-line=no --compress-pos=no \
    --compress-strings=no --callgrind-out-file="$out" \
    "$work/b.test" -test.run '^$' -test.bench "$1" -test.benchtime "${2}x" -test.cpu 1 >"$work/log" 2>&1 ||
    { cat "$work/log" >&2; echo "costmodel: callgrind failed on $1" >&2; exit 1; }
  grep -q '^summary:' "$out" || { cat "$work/log" >&2; echo "costmodel: no profile for $1" >&2; exit 1; }
  grep -q '^Benchmark' "$work/log" || { echo "costmodel: no benchmark matched $1" >&2; exit 1; }
  # Cost lines are "0xADDR Ir"; a "calls=" line is followed by the call's
  # inclusive cost, which must not count. Locked instructions are looked
  # up only in the test binary's own code (ob=), where objdump found them.
  awk -v locked="$work/locked" -v bin="$work/b.test" '
    BEGIN { while ((getline a < locked) > 0) L[a] = 1 }
    /^ob=/ { inbin = (substr($0, 4) == bin); next }
    /^calls=/ { skip = 1; next }
    /^0x[0-9a-f]+ [0-9]+$/ {
      if (skip) { skip = 0; next }
      ir += $2
      a = substr($1, 3); sub(/^0+/, "", a); if (inbin && (a in L)) lk += $2; next }
    { skip = 0 }
    END { printf "%d %d\n", ir, lk }' "$out"
}

# cell NAME BENCH ITEMS_PER_OP: one table row's numbers per operation (N
# operations more in the second run than in the first). The runtime's
# background work (the scavenger, timers) differs between the two runs, by
# a few instructions per operation either way: each cell is measured twice
# and the smaller difference kept.
cell() {
  local items=$((N * $3)) best=""
  for rep in 1 2; do
    read -r a1 a2 < <(run "$2" "$items")
    read -r b1 b2 < <(run "$2" $((2 * items)))
    d=$(awk -v n="$N" -v ir1="$a1" -v lk1="$a2" -v ir2="$b1" -v lk2="$b2" \
      'BEGIN { printf "%.0f %.2f\n", (ir2-ir1)/n, (lk2-lk1)/n }')
    if [ -z "$best" ] || [ "${d%% *}" -lt "${best%% *}" ]; then best=$d; fi
  done
  echo "| $1 | ${best% *} | ${best#* } |"
}

impls=${IMPLS:-"asm fallback native mutexring mutexlist xsync chan"}
echo "| contender | instructions | locked |"
echo "|---|--:|--:|"
echo "| **push+pop, one goroutine** (per push+pop) | | |"
# Contenders this build has (native needs cgo): the others are left out.
have=$("$work/b.test" -test.run '^$' -test.bench 'PushPop' -test.benchtime 1x -test.cpu 1 2>/dev/null |
  sed -n 's/^BenchmarkPushPop\/impl=\([a-z-]*\)[[:space:]].*/\1/p')
avail=""
for impl in $impls; do
  if printf '%s\n' $have | grep -qx "$impl"; then avail="$avail $impl"; else echo "costmodel: $impl not in this build; left out" >&2; fi
done
for impl in $avail; do cell "$impl" "PushPop/impl=$impl\$" 1; done
echo "| **batch of 64, one goroutine** (per PushBatch(64)+PopN(64)) | | |"
for impl in $avail; do cell "$impl" "Batch/size=64\$/impl=$impl\$" 64; done
