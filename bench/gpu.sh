#!/usr/bin/env bash
# gpu.sh - every GPU figure of issue [5] in one device call (item 7, and the
# GPU half of item 4). Run on the GPU machine from the repository root:
#   bash bench/gpu.sh BINDIR
# BINDIR holds `aatgs` and `bench_gpu` built for sm_90 (see docs/DESIGN.md,
# "GPU benchmarks"); `aatgs run` reads the default suite from the source path
# compiled into it (/work/main/scenarios: link the checkout there).
# Writes up to seven files under $OUT (else out/gpu), since a device call
# brings back at most eight:
#   gpu.jsonl           every figure, one abh_emit JSON line each (bench "gpu":
#                       us per task, pipeline / back-to-back / CUDA Graph;
#                       "gpu_record": recording on and off; "gpu_fidelity":
#                       sim against real makespan error)
#   gpu.log             all the text: nvidia-smi, each step's command, exit
#                       status and seconds, `aatgs calibrate`, bench_gpu's
#                       tables, the fidelity gates' tables and the reports
#   calibrated.yaml     the profile `aatgs calibrate` measured on this GPU
#   fidelity-h100.json, fidelity-calibrated.json
#                       `aatgs gate --fidelity` over the default suite (1 seed,
#                       real graphs skipped: $AATGS_DATA_DIR is not there) run
#                       on cuda and on sim, with the h100 profile and with the
#                       calibrated one
#   fid-cuda.db.gz      the cuda runs of the suite (when under 15 MiB)
#   host.jsonl          bench_host_starpu at 4 and 8 workers, when BINDIR has it
# Environment: BENCH_GPU_ARGS (extra bench_gpu options, e.g. "--quick"),
# FIDELITY_POLICIES (comma list for the suite runs; default all six),
# AATGS_BENCH_MACHINE (default "<GPU name> host").
# A failed step is logged and the next one runs; the exit status is that of
# the first failed step, 0 when all passed (a fidelity gate that fails its
# 10% threshold is a figure, logged, not a failed step).
set -uo pipefail
bin=$(cd "${1:?usage: bash bench/gpu.sh BINDIR}" && pwd)
root=$(cd "$(dirname "$0")/.." && pwd)
out=${OUT:-$root/out/gpu}
mkdir -p "$out"
log=$out/gpu.log
work=$(mktemp -d)
export AATGS_BENCH_JSON=$out/gpu.jsonl
gpu_name=$(nvidia-smi --query-gpu=name --format=csv,noheader 2>/dev/null | head -1)
export AATGS_BENCH_MACHINE=${AATGS_BENCH_MACHINE:-${gpu_name:-GPU} host}
export TMPDIR=$work
policies=()
[ -n "${FIDELITY_POLICIES:-}" ] && policies=(--policy "$FIDELITY_POLICIES")
status=0

# step NAME OK_CODES COMMAND...: runs it into the log, with its exit status and
# seconds; an exit status outside OK_CODES (e.g. "0" or "0 1") fails the script.
step() {
  local name=$1 ok=$2 t0 rc
  shift 2
  t0=$(date +%s%N)
  echo "== $name: $*" >>"$log"
  "$@" >>"$log" 2>&1
  rc=$?
  printf '== %s: exit %d, %d.%03d s\n' "$name" "$rc" $((($(date +%s%N) - t0) / 1000000000)) \
    $(((($(date +%s%N) - t0) / 1000000) % 1000)) | tee -a "$log"
  case " $ok " in *" $rc "*) ;; *) [ "$status" -eq 0 ] && status=$rc ;; esac
  return 0
}

{
  echo "machine: $AATGS_BENCH_MACHINE"
  echo "== nvidia-smi"
  nvidia-smi 2>&1
} >"$log"

step calibrate 0 "$bin/aatgs" calibrate -o "$out/calibrated.yaml"
# shellcheck disable=SC2086 # BENCH_GPU_ARGS is a list of options
step bench_gpu 0 "$bin/bench_gpu" ${BENCH_GPU_ARGS:-}

# Sim against real: the default suite, one seed, on cuda; then on sim with the
# h100 profile and with the profile just calibrated; each sim database merged
# with the cuda runs and gated.
step suite-cuda 0 "$bin/aatgs" run --backend cuda --seeds 1 --quiet "${policies[@]}" \
  --db "$work/fid-cuda.db"
for prof in h100 calibrated; do
  pf=$root/scenarios/profiles/h100.yaml
  [ "$prof" = calibrated ] && pf=$out/calibrated.yaml
  if [ ! -s "$pf" ]; then
    echo "== no profile $pf: $prof skipped" | tee -a "$log"
    continue
  fi
  step "suite-sim-$prof" 0 "$bin/aatgs" run --backend sim --seeds 1 --quiet "${policies[@]}" \
    --profile "$pf" --db "$work/fid-sim-$prof.db"
  step "merge-$prof" 0 "$bin/aatgs" merge "$work/fid-$prof.db" "$work/fid-cuda.db" \
    "$work/fid-sim-$prof.db"
  step "gate-fidelity-$prof" "0 1" "$bin/aatgs" gate --candidate "$work/fid-$prof.db" --fidelity \
    --json "$out/fidelity-$prof.json"
  step "fidelity-figures-$prof" 0 "$bin/bench_gpu" --fidelity "$work/fid-$prof.db" \
    "default suite, 1 seed, $prof profile"
  step "report-$prof" 0 "$bin/aatgs" report --db "$work/fid-$prof.db"
done
# The host backend against StarPU on this machine's CPU cores (bench_host_starpu
# and starpu_dag in BINDIR, when built): 4 workers (the most Debian's StarPU
# build starts) and 8 (ours only), into host.jsonl.
if [ -x "$bin/bench_host_starpu" ]; then
  peer=(--no-starpu)
  [ -x "$bin/starpu_dag" ] && peer=(--starpu "$bin/starpu_dag")
  for p in 4 8; do
    step "host-starpu-P$p" 0 env AATGS_BENCH_JSON="$out/host.jsonl" \
      AATGS_BENCH_MACHINE="${gpu_name:-GPU} host CPU" "$bin/bench_host_starpu" --workers "$p" \
      --reps 5 "${peer[@]}"
  done
fi
if [ -f "$work/fid-cuda.db" ]; then
  gzip -c "$work/fid-cuda.db" >"$out/fid-cuda.db.gz"
  [ "$(stat -c %s "$out/fid-cuda.db.gz")" -lt $((15 << 20)) ] || rm -f "$out/fid-cuda.db.gz"
fi
rm -rf "$work"

echo "== done: exit $status; $(wc -l 2>/dev/null <"$AATGS_BENCH_JSON" || echo 0) figures in $AATGS_BENCH_JSON" |
  tee -a "$log"
# The tables, for the reply's output tail.
sed -n '/^bench_gpu: /,/^== bench_gpu: exit/p' "$log"
grep -E '^median \|sim/real' "$log"
exit "$status"
