#!/usr/bin/env bash
# callgrind.sh - deterministic instruction counts per scheduling decision.
#
# Timings on a shared machine move by tens of percent; instruction counts do
# not (SQLite's speed tests use them for that reason). For every candidate of
# bench_decision (each registered policy and the report_sort baseline) and
# every ready-set size N, this runs `bench_decision --count N NAME` once
# under valgrind's callgrind tool with collection switched on only inside
# count_picks() (--collect-atstart=no --toggle-collect=count_picks): the
# graph, the policy's init and the filling of the ready set are not counted,
# only the decisions (pick + one on_ready each). The figure is the collected
# instruction count (Ir) divided by the number of picks.
#
# Usage: bench/callgrind.sh [BUILD_DIR [N ...]]
#   BUILD_DIR  the CMake build directory holding bench_decision (default: build)
#   N          ready-set sizes (default: 1000 10000)
# Output: a table on stdout, and one JSON line per figure in the harness
# format (bench "decision", case "N=...", metric "instructions_per_decision",
# unit "instr", n 1) appended to $AATGS_BENCH_JSON when set, else on stdout.
# Needs valgrind (apt-get install valgrind). Takes about 20 s.
set -euo pipefail

build=${1:-build}
if [ $# -gt 0 ]; then shift; fi
sizes=("$@")
if [ ${#sizes[@]} -eq 0 ]; then sizes=(1000 10000); fi

if ! command -v valgrind >/dev/null 2>&1; then
  echo "callgrind.sh: valgrind is not installed (apt-get install valgrind)" >&2
  exit 1
fi
bin=$build/bench_decision
if [ ! -x "$bin" ]; then
  echo "callgrind.sh: $bin not found; build it first:" \
    "cmake --build $build --target bench_decision" >&2
  exit 1
fi
for n in "${sizes[@]}"; do
  if ! [[ $n =~ ^[1-9][0-9]*$ ]]; then
    echo "callgrind.sh: ready-set size must be a positive integer, not '$n'" >&2
    exit 2
  fi
done

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mapfile -t names < <("$bin" --list)
if [ ${#names[@]} -eq 0 ]; then
  echo "callgrind.sh: $bin --list named no candidates" >&2
  exit 1
fi

printf '%8s  %-14s %8s %14s %12s\n' N candidate picks instructions instr/pick
for n in "${sizes[@]}"; do
  for name in "${names[@]}"; do
    out=$tmp/callgrind.$name.$n
    if ! valgrind --tool=callgrind --collect-atstart=no --toggle-collect=count_picks \
      --callgrind-out-file="$out" "$bin" --count "$n" "$name" >"$tmp/stdout" 2>"$tmp/log"; then
      echo "callgrind.sh: bench_decision --count $n $name failed under valgrind:" >&2
      tail -n 20 "$tmp/log" >&2
      exit 1
    fi
    picks=$(sed -n 's/^count: .* picks \([0-9][0-9]*\) .*/\1/p' "$tmp/stdout")
    instr=$(awk '$1 == "totals:" { print $2 }' "$out")
    if [ -z "$picks" ] || [ -z "$instr" ] || [ "$instr" -eq 0 ]; then
      echo "callgrind.sh: no instruction count for $name at N=$n" \
        "(picks '${picks}', instructions '${instr}'): was count_picks inlined?" >&2
      exit 1
    fi
    printf '%8s  %-14s %8s %14s %12.1f\n' "$n" "$name" "$picks" "$instr" \
      "$(awk -v i="$instr" -v p="$picks" 'BEGIN { print i / p }')"
    "$bin" --emit-count "$n" "$name" "$picks" "$instr"
  done
done
