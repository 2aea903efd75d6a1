-- AATGS trace database, schema version 2.
--
-- One SQLite file holds many runs. Every time is an INTEGER number of
-- nanoseconds: run times (t_ns, ready_ns, start_ns, ...) are on the
-- backend's clock (simulated or device time); started_at_ns / ended_at_ns
-- are Unix wall-clock times. Names of kinds and classes are stored as TEXT.
--
-- Write-speed layout: the bulk tables (edges, decisions, task_events,
-- telemetry, snapshots, ring_samples) are plain rowid tables without any key
-- or index: every insert appends with an automatic rowid, the cheapest insert
-- SQLite has (a (run_id, seq) key costs about 1.5x the instructions per row,
-- an explicit rowid about 1.6x; bench/bench_record.c measures the rates). Rows
-- are in the order they were emitted. To read one run of a large file without
-- a full scan, bound the rowid with run_rows:
--   SELECT * FROM decisions
--   WHERE rowid BETWEEN (SELECT first_rowid FROM run_rows WHERE run_id = 7 AND tbl = 'decisions')
--                   AND (SELECT last_rowid FROM run_rows WHERE run_id = 7 AND tbl = 'decisions')
--     AND run_id = 7;
-- (the range may also hold rows of runs written at the same time by another
-- process, hence the run_id test). A reader that wants an index may add one
-- (CREATE INDEX IF NOT EXISTS ...); the writer never needs it.
--
-- This file and traces/schema.c hold the same text (tests/test_sqlite_sink.c
-- checks it). Every statement is idempotent, so applying the schema to a
-- database that already has it changes nothing.

-- Key/value facts about the file. schema_version is the version of this
-- schema; a program refuses a file whose version is newer than its own, and
-- upgrades an older one when it opens it for writing (version 1 -> 2 adds
-- the columns marked "since version 2", at the end of their tables).
CREATE TABLE IF NOT EXISTS meta (
  key TEXT PRIMARY KEY,  -- 'schema_version', 'created_by'
  value TEXT             -- the value, as text
) WITHOUT ROWID;
INSERT OR IGNORE INTO meta (key, value) VALUES ('schema_version', '2');
INSERT OR IGNORE INTO meta (key, value) VALUES ('created_by', 'aatgs');

-- A task graph, stored once per distinct structure. hash covers the task
-- types, every task's type, estimate, bytes and label, and every edge, so
-- repeated runs of the same graph share one copy of tasks and edges.
CREATE TABLE IF NOT EXISTS graphs (
  graph_id INTEGER PRIMARY KEY,  -- referenced by runs, tasks, task_types, edges
  hash TEXT NOT NULL,            -- structure hash, 16 hex digits
  n_tasks INTEGER NOT NULL,      -- number of tasks
  n_edges INTEGER NOT NULL,      -- number of distinct edges
  complete INTEGER NOT NULL DEFAULT 0, -- 1 once every task and edge row is written
  edges_first_rowid INTEGER,     -- rowid range of this graph's rows in edges
  edges_last_rowid INTEGER       -- (see run_rows for how to use it)
);
CREATE INDEX IF NOT EXISTS graphs_hash ON graphs (hash);

-- The task types of a graph (the 8 built-in ones, then custom ones).
CREATE TABLE IF NOT EXISTS task_types (
  graph_id INTEGER NOT NULL REFERENCES graphs (graph_id),
  type_id INTEGER NOT NULL,      -- the id tasks.type refers to
  name TEXT NOT NULL,            -- 'config_upload', 'whcr', ..., or a custom name
  class TEXT NOT NULL,           -- engine that runs it: 'kernel', 'upload' or 'download'
  default_est_ns INTEGER NOT NULL, -- estimate used when a task gives none
  PRIMARY KEY (graph_id, type_id)
) WITHOUT ROWID;

-- The tasks of a graph.
CREATE TABLE IF NOT EXISTS tasks (
  graph_id INTEGER NOT NULL REFERENCES graphs (graph_id),
  task_id INTEGER NOT NULL,      -- 0 .. n_tasks-1, in insertion order
  type INTEGER NOT NULL,         -- task_types.type_id
  est_ns INTEGER NOT NULL,       -- estimated duration
  bytes INTEGER NOT NULL,        -- bytes moved (copies) or touched (kernels); 0 if unknown
  label TEXT,                    -- optional human label, NULL if none
  PRIMARY KEY (graph_id, task_id)
) WITHOUT ROWID;

-- The dependencies of a graph: dst cannot start before src has ended. Rows
-- are in successor-list order (by src).
CREATE TABLE IF NOT EXISTS edges (
  graph_id INTEGER NOT NULL REFERENCES graphs (graph_id),
  src INTEGER NOT NULL,          -- tasks.task_id of the predecessor
  dst INTEGER NOT NULL,          -- tasks.task_id of the successor
  bytes INTEGER                  -- data the edge carries (0: none); since version 2
);

-- One row per run: provenance, status and result.
CREATE TABLE IF NOT EXISTS runs (
  run_id INTEGER PRIMARY KEY,
  graph_id INTEGER REFERENCES graphs (graph_id),
  scenario TEXT,                 -- scenario name
  scenario_path TEXT,            -- file it came from
  scenario_text TEXT,            -- the file's full text
  scenario_hash TEXT,            -- hex digest of scenario_text
  params_json TEXT,              -- resolved parameters, JSON
  seed INTEGER,                  -- RNG seed (as a signed 64-bit integer)
  rep INTEGER,                   -- repetition index
  policy TEXT,                   -- scheduling policy name
  backend TEXT,                  -- 'sim' or 'cuda'
  profile_name TEXT,             -- machine profile name
  profile_text TEXT,             -- machine profile, full text
  host TEXT,                     -- host that ran it, as the caller describes it
  pid INTEGER,                   -- id of the process that wrote the run
  writer_host TEXT,              -- gethostname() of that process; with pid, finds
                                 -- 'running' runs whose process is gone
  gpu TEXT,                      -- GPU model, NULL for the simulator
  driver TEXT,                   -- driver version
  code_version TEXT,             -- `git describe` of the code
  n_tasks INTEGER,               -- tasks in the graph
  n_edges INTEGER,               -- distinct edges in the graph
  n_streams INTEGER,             -- streams of the backend
  status TEXT NOT NULL,          -- 'running', 'completed', 'interrupted' or 'failed'
  started_at_ns INTEGER,         -- Unix wall clock at run_begin
  ended_at_ns INTEGER,           -- Unix wall clock at run_end, NULL while running
  makespan_ns INTEGER,           -- start of the run to end of its last task
  lower_bound_ns INTEGER,        -- max(critical path, total work / streams)
  critical_path_ns INTEGER,      -- longest estimated path
  total_work_ns INTEGER,         -- sum of estimates
  tasks_completed INTEGER,       -- tasks that ended successfully
  decisions INTEGER,             -- policy decisions made
  mean_decision_ns REAL,         -- mean wall time of one decision (not deterministic)
  max_decision_ns INTEGER,       -- slowest decision
  events INTEGER,                -- events emitted to the sink
  config_overflows INTEGER,      -- device config ring overflows
  telemetry_overflows INTEGER,   -- device telemetry ring overflows
  telemetry_evictions INTEGER,   -- host collector evictions
  event_hash TEXT,               -- FNV-1a of the deterministic event fields, 16 hex digits
  check_result TEXT,             -- a real workload's check of its result (e.g. the residual
                                 -- of a tiled Cholesky on the GPU), NULL when none
  error TEXT,                    -- why the run failed or was interrupted, NULL otherwise
  score_doc TEXT                 -- what the policy's scores mean (decisions.priority and
                                 -- decisions.candidates); since version 2
);

-- The streams of a run's backend.
CREATE TABLE IF NOT EXISTS streams (
  run_id INTEGER NOT NULL REFERENCES runs (run_id),
  stream INTEGER NOT NULL,       -- stream id (decisions.stream, task_events.stream)
  class TEXT NOT NULL,           -- 'kernel', 'upload' or 'download'
  name TEXT NOT NULL,            -- 'kernel-0', 'config-upload', ...
  PRIMARY KEY (run_id, stream)
) WITHOUT ROWID;

-- Where each run's rows lie in the bulk tables: rowids first_rowid ..
-- last_rowid of table tbl hold the run's rows (and possibly rows of runs
-- written concurrently by another process). Updated at every commit.
CREATE TABLE IF NOT EXISTS run_rows (
  run_id INTEGER NOT NULL REFERENCES runs (run_id),
  tbl TEXT NOT NULL,             -- 'decisions', 'task_events', 'telemetry', 'snapshots', 'ring_samples'
  first_rowid INTEGER NOT NULL,  -- rowid of the run's first row in tbl
  last_rowid INTEGER NOT NULL,   -- rowid of its last row so far
  rows INTEGER NOT NULL,         -- rows of the run in tbl
  PRIMARY KEY (run_id, tbl)
) WITHOUT ROWID;

-- One row per scheduling decision, in the order they were made.
CREATE TABLE IF NOT EXISTS decisions (
  run_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,          -- 0, 1, 2, ... within the run
  t_ns INTEGER NOT NULL,         -- clock when the decision was made
  task_id INTEGER NOT NULL,      -- task picked
  stream INTEGER NOT NULL,       -- stream it was submitted to
  priority REAL,                 -- the winning score (policy-defined, higher is better)
  ready_size INTEGER,            -- ready tasks of the stream's class before the pick
  est_ns INTEGER,                -- duration the policy assumed: the estimate, or a learned one
  cost_ns INTEGER,               -- wall time the pick took (not deterministic)
  candidates TEXT                -- provenance: the top-k ready tasks the pick ranked, best
                                 -- first, as JSON [[task_id, score], ...]; the first is the
                                 -- task picked, the scores mean what runs.score_doc says;
                                 -- NULL when not recorded (k = 0); since version 2
);

-- One row per task lifecycle, written when the task ends (in end order).
-- Actual duration = end_ns - start_ns; queueing delay = start_ns - ready_ns.
CREATE TABLE IF NOT EXISTS task_events (
  run_id INTEGER NOT NULL,
  task_id INTEGER NOT NULL,
  stream INTEGER,                -- stream that ran it
  status INTEGER NOT NULL,       -- 0 success, else a negative AATGS error code
  ready_ns INTEGER,              -- became ready
  submit_ns INTEGER,             -- submitted to the stream
  start_ns INTEGER,              -- started on the device
  end_ns INTEGER                 -- ended
);

-- Telemetry events as the host consumed them. Columns a kind has no value
-- for are NULL: phase uses phase_id, temperature, compaction_ratio, reward,
-- conflicts, duration_ns; gpu uses utilization, memory_*, kernel_duration_ns,
-- transfer_duration_ns; task_completed uses task_id, sm, gpu_start_ns,
-- gpu_end_ns, duration_ns; error uses message.
CREATE TABLE IF NOT EXISTS telemetry (
  run_id INTEGER NOT NULL,
  seq INTEGER NOT NULL,          -- 0, 1, 2, ... within the run
  t_ns INTEGER NOT NULL,         -- when the host received it
  kind TEXT NOT NULL,            -- 'phase', 'gpu', 'task_completed' or 'error'
  task_id INTEGER,               -- task_completed: the task
  sm INTEGER,                    -- task_completed: SM that ran it, NULL if unknown
  gpu_start_ns INTEGER,          -- task_completed: device start time
  gpu_end_ns INTEGER,            -- task_completed: device end time
  duration_ns INTEGER,           -- task_completed: gpu_end - gpu_start; phase: phase duration
  phase_id INTEGER,              -- phase: phase number
  temperature REAL,              -- phase: annealing temperature
  compaction_ratio REAL,         -- phase
  reward REAL,                   -- phase
  conflicts INTEGER,             -- phase
  utilization REAL,              -- gpu: busy fraction of the kernel streams, [0, 1]
  memory_used_mb INTEGER,        -- gpu
  memory_total_mb INTEGER,       -- gpu
  kernel_duration_ns INTEGER,    -- gpu
  transfer_duration_ns INTEGER,  -- gpu
  message TEXT                   -- error: the message (truncated to 39 bytes)
);

-- The pipeline's state at each snapshot (the report's PerformanceSnapshot).
CREATE TABLE IF NOT EXISTS snapshots (
  run_id INTEGER NOT NULL,
  t_ns INTEGER NOT NULL,         -- clock at the snapshot
  avg_task_ns INTEGER,           -- mean measured kernel duration over the interval (0 if none)
  gpu_util REAL,                 -- kernel-stream busy fraction over the interval
  config_util REAL,              -- config ring len / capacity
  telemetry_util REAL,           -- telemetry ring len / capacity
  telemetry_pending INTEGER,     -- telemetry events not yet consumed
  pending INTEGER,               -- tasks waiting for dependencies
  ready INTEGER,                 -- tasks ready
  running INTEGER,               -- tasks running
  completed INTEGER,             -- tasks completed
  est_completion_ns INTEGER,     -- estimated time to finish the remaining work
  interval_ns INTEGER            -- the interval that ended here
);

-- Ring occupancy samples.
CREATE TABLE IF NOT EXISTS ring_samples (
  run_id INTEGER NOT NULL,
  t_ns INTEGER NOT NULL,         -- clock at the sample
  ring TEXT NOT NULL,            -- 'config' (device), 'telemetry' (device) or 'collector' (host)
  len INTEGER NOT NULL,          -- items held
  capacity INTEGER NOT NULL,     -- items it can hold
  utilization REAL,              -- len / capacity
  overflows INTEGER              -- cumulative overflow count
);

-- One row per run: the headline numbers. efficiency = lower_bound / makespan
-- (1.0 would be a perfect schedule); NULL when either is missing or zero.
CREATE VIEW IF NOT EXISTS run_summary AS
SELECT run_id, scenario, backend, policy, seed, rep, status, n_tasks, n_edges,
       makespan_ns, lower_bound_ns,
       CAST(lower_bound_ns AS REAL) / NULLIF(makespan_ns, 0) AS efficiency,
       decisions, mean_decision_ns, max_decision_ns, started_at_ns, ended_at_ns, error
FROM runs;

-- Per scenario x backend x policy, over completed runs only: number of runs,
-- mean and sample standard deviation (NULL for a single run) of the
-- makespan, its range, mean efficiency and mean decision cost.
CREATE VIEW IF NOT EXISTS policy_summary AS
WITH c AS (
  SELECT scenario, backend, policy, makespan_ns,
         CAST(lower_bound_ns AS REAL) / NULLIF(makespan_ns, 0) AS efficiency,
         mean_decision_ns,
         AVG(makespan_ns) OVER (PARTITION BY scenario, backend, policy) AS m
  FROM runs
  WHERE status = 'completed')
SELECT scenario, backend, policy,
       COUNT(*) AS runs,
       AVG(makespan_ns) AS mean_makespan_ns,
       CASE WHEN COUNT(*) > 1
            THEN sqrt(SUM((makespan_ns - m) * (makespan_ns - m)) / (COUNT(*) - 1)) END
         AS stddev_makespan_ns,
       MIN(makespan_ns) AS min_makespan_ns,
       MAX(makespan_ns) AS max_makespan_ns,
       AVG(efficiency) AS mean_efficiency,
       AVG(mean_decision_ns) AS mean_decision_ns
FROM c
GROUP BY scenario, backend, policy;

-- Each task lifecycle of a run with its graph data (type name, estimate):
-- the input of Gantt charts and trace exports.
CREATE VIEW IF NOT EXISTS task_timeline AS
SELECT e.run_id, e.task_id, e.stream, e.status, t.type, tt.name AS type_name,
       tt.class AS class, t.est_ns, e.ready_ns, e.submit_ns, e.start_ns, e.end_ns,
       e.end_ns - e.start_ns AS duration_ns, t.label
FROM task_events e
JOIN runs r ON r.run_id = e.run_id
LEFT JOIN tasks t ON t.graph_id = r.graph_id AND t.task_id = e.task_id
LEFT JOIN task_types tt ON tt.graph_id = r.graph_id AND tt.type_id = t.type;
