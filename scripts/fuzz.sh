#!/usr/bin/env bash
# fuzz.sh [SECONDS [TARGET...]] - builds the libFuzzer targets (clang, ASan+UBSan) and
# runs each parser's target for SECONDS (default 600), seeded with the real
# files of $AATGS_DATA_DIR (../shared/data by default) and the scenarios.
# Exits non-zero on the first crash, leak or sanitizer report; the input that
# caused it is left in build-fuzz/crashes/. TARGETs: scenario stg dax wfcommons
# dot (default: all five).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
secs=${1:-600}
shift || true
targets=${*:-scenario stg dax wfcommons dot}
data=${AATGS_DATA_DIR:-$root/../shared/data}
command -v clang >/dev/null || { echo "fuzz.sh: clang is needed (apt-get install clang)" >&2; exit 2; }
CC=clang cmake -S "$root" -B "$root/build-fuzz" -DAATGS_FUZZ=ON -DAATGS_TESTS=OFF -DAATGS_BENCH=OFF \
  -DAATGS_CUDA=OFF -DAATGS_NVTX=OFF >/dev/null
cmake --build "$root/build-fuzz" -j"$(nproc)" --target fuzz_scenario fuzz_stg fuzz_dax fuzz_wfcommons \
  fuzz_dot >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p "$root/build-fuzz/crashes"
seed() { # seed NAME FILES...: copies the files that exist into a seed folder
  local d="$work/seed-$1"; shift
  mkdir -p "$d"
  for f in "$@"; do [ -f "$f" ] && cp "$f" "$d/" || true; done
}
seed scenario "$root"/scenarios/default/*.yaml "$root"/scenarios/*.yaml
seed stg "$data"/stg/50/rand000*.stg "$data"/stg/apps/*.stg
seed dax "$data"/pegasus-dax/*.xml
seed wfcommons "$data"/wfcommons/helloworld/*.json "$data"/wfcommons/pegasus/srasearch*.json \
  "$data"/wfcommons/legacy-schema-1.4/*.json
seed dot "$data"/daggen/*.dot
for t in $targets; do
  mkdir -p "$work/corpus-$t"
  echo "== fuzz_$t for ${secs}s"
  "$root/build-fuzz/fuzz_$t" -max_total_time="$secs" -max_len=65536 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$root/build-fuzz/crashes/$t-" \
    "$work/corpus-$t" "$work/seed-$t" 2>&1 | grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)" || true
  # libFuzzer's exit status is lost in the pipe: a crash leaves an artifact.
  if ls "$root/build-fuzz/crashes/$t-"* >/dev/null 2>&1; then
    echo "fuzz.sh: fuzz_$t found a failing input: $(ls "$root/build-fuzz/crashes/$t-"*)" >&2
    exit 1
  fi
done
echo "fuzz.sh: no crash in ${secs}s per target ($targets)"
