#!/usr/bin/env bash
# run.sh - runs every benchmark of bench/ on this machine and regenerates
# bench/RESULTS.md (issue [5]). One command:
#   bench/run.sh [--quick]
# It installs what is missing (scripts/deps.sh: the peers Concurrency Kit,
# SimGrid and StarPU, and valgrind), builds build-bench/ (RelWithDebInfo, no
# CUDA: the CPU benchmarks), writes every figure as harness JSON lines
# (bench/harness.h) to bench/results/cpu.jsonl, and renders bench/RESULTS.md
# from it and from bench/results/gpu.jsonl.
#
# The GPU figures cannot be taken here: bench/gpu.sh takes them on the GPU
# machine in one call (see docs/DESIGN.md, "GPU benchmarks"), and its
# gpu.jsonl (and the host-vs-StarPU figures taken there on 16 cores,
# host.jsonl) are committed in bench/results/. RESULTS.md states the machine
# of every table.
#
# --quick: smaller sizes and fewer repetitions (a smoke test, ~3 minutes);
# the figures are then not the ones to quote.
# These machines are shared and noisy: run it on a quiet machine, and read
# medians, MADs and same-run ratios, never a single time.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
quick=0
[[ ${1:-} == --quick ]] && quick=1
"$root/scripts/deps.sh"
build=$root/build-bench
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAATGS_CUDA=OFF \
  -DAATGS_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" >/dev/null

mkdir -p "$root/bench/results"
json=$root/bench/results/cpu.jsonl
[[ $quick == 1 ]] && json=$root/bench/results/cpu-quick.jsonl
rm -f "$json"
export AATGS_BENCH_JSON=$json
export AATGS_BENCH_MACHINE=${AATGS_BENCH_MACHINE:-$(hostname -s)}
echo "# $(date -u +%FT%TZ), figures to $json"

step() {
  local name=$1
  shift
  echo "## $name: $*"
  local t0=$SECONDS
  "$@"
  echo "   ($((SECONDS - t0)) s)"
}

if [[ $quick == 1 ]]; then
  step ring "$build/bench_ring" 0.1
  step decision "$build/bench_decision" --quick
  step callgrind "$root/bench/callgrind.sh" "$build" 1000
  step record "$build/bench_record" --rows 200000 --tasks 50000 --reps 3
  step sim_record "$build/bench_sim_record" 100 100
  step simgrid "$build/bench_simgrid" --sizes 1000,10000 --reps 3
  step host_starpu "$build/bench_host_starpu" --quick
  step import "$build/bench_import" 1 300
else
  step ring "$build/bench_ring"
  step decision "$build/bench_decision"
  step callgrind "$root/bench/callgrind.sh" "$build"
  step record "$build/bench_record"
  step sim_record "$build/bench_sim_record" 1000 1000
  step simgrid "$build/bench_simgrid"
  step host_starpu "$build/bench_host_starpu"
  step import "$build/bench_import"
fi

"$root/bench/render.sh" "$build/aatgs" "$json" >"$root/bench/RESULTS.md"
echo "# wrote bench/RESULTS.md"
