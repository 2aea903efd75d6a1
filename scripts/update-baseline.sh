#!/usr/bin/env bash
# update-baseline.sh - regenerates bench/baseline.db, the baseline of the
# performance gate that scripts/test.sh runs (`aatgs gate`): the default suite
# on the simulator, every policy and seed.
#
# The committed file keeps the full schema and every row of `runs` (what the
# gate compares: makespan, bounds, scenario hash, event hash, ...) but empties
# the bulk tables (decisions, task_events, telemetry, snapshots, ring_samples,
# run_rows) and the graph rows (tasks, edges, task_types; graphs stays, marked
# incomplete), and keeps each distinct scenario and profile text once, so that
# it stays small. Regenerate it, and commit it with the change, when a change
# is meant to move the simulator's results: a new or edited scenario of the
# default suite, a better policy, a new machine profile.
#
# usage: scripts/update-baseline.sh [BUILD_DIR]    (default: build; needs BUILD_DIR/aatgs)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${1:-$root/build}
aatgs=$build/aatgs
out=$root/bench/baseline.db
export AATGS_DATA_DIR=${AATGS_DATA_DIR:-$root/../shared/data}

if [[ ! -x $aatgs ]]; then
  echo "update-baseline.sh: no $aatgs; build first (cmake --build $build)" >&2
  exit 2
fi
if ! command -v sqlite3 >/dev/null; then
  echo "update-baseline.sh: needs the sqlite3 command (scripts/deps.sh installs it)" >&2
  exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$aatgs" run --backend sim --db "$tmp/suite.db" --quiet
sqlite3 "$tmp/suite.db" >/dev/null <<'SQL'
PRAGMA journal_mode = DELETE;
BEGIN;
DELETE FROM decisions;
DELETE FROM task_events;
DELETE FROM telemetry;
DELETE FROM snapshots;
DELETE FROM ring_samples;
DELETE FROM run_rows;
DELETE FROM edges;
DELETE FROM tasks;
DELETE FROM task_types;
UPDATE graphs SET complete = 0, edges_first_rowid = NULL, edges_last_rowid = NULL;
UPDATE runs SET scenario_text = NULL
  WHERE run_id NOT IN (SELECT MIN(run_id) FROM runs GROUP BY scenario_hash);
UPDATE runs SET profile_text = NULL
  WHERE run_id NOT IN (SELECT MIN(run_id) FROM runs GROUP BY profile_text);
INSERT OR REPLACE INTO meta (key, value) VALUES ('stripped',
  'scripts/update-baseline.sh: runs only; bulk tables, graph rows and repeated texts removed');
COMMIT;
PRAGMA page_size = 1024;
VACUUM;
SQL
runs=$(sqlite3 "$tmp/suite.db" "SELECT count(*) FROM runs WHERE status = 'completed'")
mkdir -p "$(dirname "$out")"
cp "$tmp/suite.db" "$out"
echo "bench/baseline.db: $runs completed runs, $(wc -c <"$out") bytes"
sqlite3 "$out" "SELECT '  ' || scenario || ': ' || count(*) || ' runs, ' ||
                       count(DISTINCT policy) || ' policies'
                FROM runs GROUP BY scenario ORDER BY scenario"
