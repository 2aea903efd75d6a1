#!/usr/bin/env bash
# test.sh - installs what is missing, builds, and runs the whole test suite:
#  1. the normal build: every Criterion test through ctest;
#  2. a ThreadSanitizer build: the lock-free ring, the SQLite writer thread and
#     the dispatch loop (TSan is what proves the SPSC ring correct);
#  3. a fuzz smoke test: every parser's libFuzzer target for 15 s
#     (scripts/fuzz.sh SECONDS runs them longer);
#  4. an AddressSanitizer + UndefinedBehaviorSanitizer build: every test.
# Between 1 and 2, the performance gate: the default suite on sim against
# bench/baseline.db (`aatgs gate`; scripts/update-baseline.sh regenerates it).
# AATGS_DATA_DIR points tests that use real graphs at ../shared/data.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
"$root/scripts/deps.sh"
export AATGS_DATA_DIR=${AATGS_DATA_DIR:-$root/../shared/data}

echo "== build and test (RelWithDebInfo)"
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build" -j"$jobs" >/dev/null
ctest --test-dir "$root/build" --output-on-failure -j"$jobs"

echo "== performance gate (default suite on sim against bench/baseline.db)"
gate_dir=$(mktemp -d)
gate_rc=0
"$root/build/aatgs" run --backend sim --db "$gate_dir/candidate.db" --quiet &&
  "$root/build/aatgs" gate --baseline "$root/bench/baseline.db" \
    --candidate "$gate_dir/candidate.db" || gate_rc=$?
rm -rf "$gate_dir"
if [[ $gate_rc -ne 0 ]]; then
  echo "performance gate failed (exit $gate_rc); if the change is meant to move the results," \
    "regenerate the baseline: scripts/update-baseline.sh" >&2
  exit "$gate_rc"
fi

echo "== ThreadSanitizer"
cmake -S "$root" -B "$root/build-tsan" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAATGS_SANITIZE=thread \
  -DAATGS_BENCH=OFF >/dev/null
cmake --build "$root/build-tsan" -j"$jobs" >/dev/null
export AATGS_STRESS_ITEMS=${AATGS_STRESS_ITEMS:-2000000}
TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1" \
  ctest --test-dir "$root/build-tsan" --output-on-failure -j"$jobs" -R 'test_(ring|sqlite_sink|dispatch|backend_host)'
unset AATGS_STRESS_ITEMS

echo "== fuzz smoke test (15 s per parser)"
"$root/scripts/fuzz.sh" 15

echo "== AddressSanitizer + UndefinedBehaviorSanitizer"
cmake -S "$root" -B "$root/build-asan" -DCMAKE_BUILD_TYPE=Debug -DAATGS_SANITIZE=address \
  -DAATGS_BENCH=OFF >/dev/null
cmake --build "$root/build-asan" -j"$jobs" >/dev/null
ASAN_OPTIONS="detect_leaks=1" LSAN_OPTIONS="suppressions=$root/tests/support/lsan.supp" \
  UBSAN_OPTIONS="print_stacktrace=1" \
  ctest --test-dir "$root/build-asan" --output-on-failure -j"$jobs"
