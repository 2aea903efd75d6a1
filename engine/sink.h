/* sink.h - the event-sink interface: where a run's record goes.
 *
 * engine/ never includes SQLite; it emits events to a sink, and traces/
 * implements one that writes SQLite (traces/sqlite_sink.h). A run is framed by
 * run_begin and run_end. Between them, emit is called from the dispatch
 * thread for every decision, task lifecycle, telemetry event, snapshot and
 * ring sample. emit must be cheap (it is on the hot path) and must not drop
 * events: a sink that cannot keep up blocks. A sink that failed returns a
 * negative code from emit; the loop then stops the run and run_end reports it.
 */
#ifndef AATGS_SINK_H
#define AATGS_SINK_H

#include <stdint.h>

#include "error.h"
#include "graph.h"
#include "policy.h"
#include "telemetry.h"

typedef enum aatgs_event_kind {
  AATGS_EV_DECISION = 1,
  AATGS_EV_TASK = 2, /* one per task when it ends: ready, submit, start, end */
  AATGS_EV_TELEMETRY = 3,
  AATGS_EV_SNAPSHOT = 4,
  AATGS_EV_RING = 5
} aatgs_event_kind;

typedef struct aatgs_decision_rec {
  uint64_t seq;  /* 0, 1, 2, ... within the run */
  aatgs_ns t_ns; /* clock when the decision was made */
  uint32_t task;
  uint32_t stream;
  uint32_t ready_size; /* ready tasks of the stream's class before the pick */
  double priority;
  aatgs_ns est_ns;  /* the duration the policy assumed (its estimate, or a learned one) */
  aatgs_ns cost_ns; /* wall time the policy's pick took (not deterministic) */
  uint32_t n_cand;  /* candidates recorded (0 when off or the policy has none) */
  aatgs_candidate cand[AATGS_MAX_CANDIDATES]; /* best first; cand[0] is the task picked */
} aatgs_decision_rec;

typedef struct aatgs_task_rec {
  uint32_t task;
  uint32_t stream;
  int32_t status; /* AATGS_OK or a negative code */
  aatgs_ns ready_ns, submit_ns, start_ns, end_ns;
} aatgs_task_rec;

typedef struct aatgs_ring_rec {
  aatgs_ns t_ns;
  uint32_t ring; /* 0 config (device), 1 telemetry (device), 2 host telemetry collector */
  uint32_t len, cap;
  uint64_t overflows; /* cumulative */
} aatgs_ring_rec;

typedef struct aatgs_event {
  aatgs_event_kind kind;
  union {
    aatgs_decision_rec decision;
    aatgs_task_rec task;
    aatgs_tel_event tel;
    aatgs_snapshot snap;
    aatgs_ring_rec ring;
  } u;
} aatgs_event;

/* Provenance of one run (the runs table). Strings may be NULL. */
typedef struct aatgs_run_info {
  const char *scenario; /* name */
  const char *scenario_path;
  const char *scenario_text; /* the file's full text */
  const char *scenario_hash; /* hex digest of the text */
  const char *params_json;   /* resolved parameters */
  uint64_t seed;
  uint32_t rep; /* repetition index */
  const char *policy;
  const char *score_doc; /* what the policy's scores mean (its ops' score_doc) */
  const char *backend;
  const char *profile_name;
  const char *profile_text;
  const char *host;
  const char *gpu;
  const char *driver;
  const char *code_version;
  const aatgs_graph *graph; /* finalized; alive until run_end returns */
  const aatgs_stream_info *streams;
  uint32_t n_streams;
} aatgs_run_info;

typedef enum aatgs_run_status {
  AATGS_RUN_RUNNING = 0,
  AATGS_RUN_COMPLETED = 1,
  AATGS_RUN_INTERRUPTED = 2,
  AATGS_RUN_FAILED = 3
} aatgs_run_status;

const char *aatgs_run_status_name(aatgs_run_status s);

typedef struct aatgs_run_result {
  aatgs_run_status status;
  aatgs_ns makespan_ns; /* last end - first start... see dispatch.h */
  aatgs_ns lower_bound_ns;
  aatgs_ns critical_path_ns;
  aatgs_ns total_work_ns;
  uint32_t tasks_completed;
  uint64_t decisions;
  double mean_decision_ns;
  aatgs_ns max_decision_ns;
  uint64_t events; /* events emitted */
  uint64_t config_overflows, telemetry_overflows, telemetry_evictions;
  uint64_t event_hash;           /* word-wise FNV-1a of every event's deterministic fields */
  char error[AATGS_ERR_MSG_MAX]; /* "" unless FAILED */
  char check[160];               /* the workload's check of its own result, e.g. the residual
                                    of a real Cholesky factorization; "" when none */
} aatgs_run_result;

typedef struct aatgs_sink {
  void *ctx;
  int (*run_begin)(void *ctx, const aatgs_run_info *info, aatgs_err *err);
  int (*emit)(void *ctx, const aatgs_event *ev);
  int (*run_end)(void *ctx, const aatgs_run_result *res, aatgs_err *err);
} aatgs_sink;

#endif
