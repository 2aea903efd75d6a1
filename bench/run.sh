#!/usr/bin/env bash
# run.sh - builds and runs the benchmarks of issue [1], printing their figures:
#   bench_decision    ns per scheduling decision at 10..10^5 ready tasks, every
#                     policy against the report's sort-on-every-pick method;
#   bench_ring        SPSC ring throughput across two threads (8 B and 256 B);
#   bench_record      our SQLite sink against the plain SQLite insert ceiling;
#   bench_sim_record  a 10^6-task layered DAG simulated and recorded end to end;
#   bench_import      10^6-task graphs generated, and imported from STG, DOT, WfFormat.
# These machines are shared and noisy: every figure is a median over
# repetitions (with its MAD) or a ratio measured in the same process.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build" -j"$(nproc)" >/dev/null
echo "# machine: $(uname -srm), $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
for b in bench_decision bench_ring bench_record bench_sim_record bench_import; do
  echo "## $b"
  "$root/build/$b"
done
