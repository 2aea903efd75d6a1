#!/usr/bin/env bash
# quickstart.sh - installs what is missing, builds, and runs the main job:
# the default suite under every policy on the best backend present, recorded
# to aatgs.db, ending with the comparison table. Extra arguments go to
# `aatgs run`. The default suite's real graphs are read from $AATGS_DATA_DIR,
# ../shared/data when that folder exists; without it they are skipped.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
"$root/scripts/deps.sh"
if [ -z "${AATGS_DATA_DIR:-}" ] && [ -d "$root/../shared/data" ]; then
  export AATGS_DATA_DIR="$root/../shared/data"
fi
cmake -S "$root" -B "$root/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$root/build" -j"$(nproc)" >/dev/null
exec "$root/build/aatgs" run "$@"
