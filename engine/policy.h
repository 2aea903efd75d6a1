/* policy.h - scheduling policies: a table of callbacks and a registry by name.
 *
 * The dispatch loop (dispatch.h) owns a policy instance for one run. It calls:
 *   init        once, with the finalized graph and the streams;
 *   on_ready    for every task that becomes ready (roots first, in id order,
 *               then in the order their last dependency completed);
 *   pick        when a stream is free and at least one ready task can run on
 *               it (its class matches the stream's); the policy must then
 *               return one such task (a work-conserving policy never returns
 *               0 in that case) and forget it;
 *   on_start    after the task was submitted to the stream;
 *   on_complete with the measured duration (end - start on the device clock);
 *   on_snapshot every snapshot interval, with the pipeline's state; it returns
 *               the next interval it wants (0: keep the default, 100 ms);
 *   destroy     at the end (NULL-safe).
 * Optional callbacks may be NULL. Static policies (AATGS_POLICY_STATIC) decide
 * from estimates only; adaptive ones (AATGS_POLICY_ADAPTIVE) also use what they
 * observe. Policies are single-threaded; ties are broken by ready order or task
 * id so the same seed gives the same decisions.
 *
 * The ops struct is versioned: fields are only ever appended, and `version`
 * says how many are present (AATGS_POLICY_OPS_VERSION now).
 */
#ifndef AATGS_POLICY_H
#define AATGS_POLICY_H

#include <stdint.h>

#include "error.h"
#include "graph.h"

#define AATGS_POLICY_OPS_VERSION 2

#define AATGS_POLICY_STATIC 0x1u
#define AATGS_POLICY_ADAPTIVE 0x2u

typedef struct aatgs_stream_info {
  uint32_t id;          /* index in the backend's stream table */
  aatgs_task_class cls; /* which tasks it can run */
  char name[32];        /* "kernel-0", "config-upload", "telemetry-download" */
} aatgs_stream_info;

/* Live pipeline state the dispatch loop keeps current before each pick. */
typedef struct aatgs_pipeline_view {
  aatgs_ns now;
  double config_util;         /* device config ring len / capacity, [0, 1] */
  uint32_t telemetry_pending; /* telemetry events not yet consumed (device ring + collector) */
  double telemetry_util;      /* device telemetry ring len / capacity */
  double gpu_util;            /* kernel-stream busy fraction over the last snapshot interval */
  uint32_t ready[AATGS_CLASS_COUNT]; /* ready tasks per class, before this pick */
  uint32_t running, completed, total;
} aatgs_pipeline_view;

/* The report's PerformanceSnapshot, plus the counts the loop keeps. */
typedef struct aatgs_snapshot {
  aatgs_ns t_ns;
  aatgs_ns avg_task_ns; /* mean measured kernel duration over the interval (0 if none) */
  double gpu_util;      /* kernel-stream busy fraction over the interval */
  double config_util;
  double telemetry_util;
  uint32_t telemetry_pending;
  uint32_t pending, ready, running, completed;
  aatgs_ns est_completion_ns; /* aatgs_graph_estimate_completion */
  aatgs_ns interval_ns;       /* the interval that ended here */
} aatgs_snapshot;

typedef struct aatgs_policy_ctx {
  const aatgs_graph *graph; /* finalized; read-only for the policy */
  const aatgs_stream_info *streams;
  uint32_t n_streams;
  const aatgs_pipeline_view *view; /* owned by the loop, valid for the run */
  uint64_t seed;                   /* for randomized policies */
} aatgs_policy_ctx;

typedef struct aatgs_choice {
  uint32_t task;
  double priority; /* the score that won (policy-defined; higher is better) */
  aatgs_ns est_ns; /* the duration the policy assumed for the task; 0: the graph's estimate */
} aatgs_choice;

/* One of the best ready tasks a pick considered (decision provenance). */
typedef struct aatgs_candidate {
  uint32_t task;
  double score; /* same scale as aatgs_choice.priority: higher is better */
} aatgs_candidate;

/* Most candidates a decision records. */
#define AATGS_MAX_CANDIDATES 8u

typedef struct aatgs_policy aatgs_policy;

typedef struct aatgs_policy_ops {
  int version;
  const char *name;
  const char *summary; /* one line for `aatgs list policies` */
  unsigned flags;
  /* Allocates state into p->impl. Returns AATGS_OK or a negative code (err set). */
  int (*init)(aatgs_policy *p, const aatgs_policy_ctx *ctx, aatgs_err *err);
  void (*on_ready)(aatgs_policy *p, uint32_t task, aatgs_ns now);
  /* Returns 1 and fills *out, or 0 when nothing can run on `stream`. */
  int (*pick)(aatgs_policy *p, const aatgs_stream_info *stream, aatgs_ns now, aatgs_choice *out);
  void (*on_start)(aatgs_policy *p, uint32_t task, uint32_t stream, aatgs_ns now);
  void (*on_complete)(aatgs_policy *p, uint32_t task, uint32_t stream, aatgs_ns measured_ns,
                      aatgs_ns now);
  aatgs_ns (*on_snapshot)(aatgs_policy *p, const aatgs_snapshot *snap);
  void (*destroy)(aatgs_policy *p);
  /* Version 2. What the score means, one line ("upward rank (ns), higher
   * first"), recorded with each run so a reader can interpret the scores. */
  const char *score_doc;
  /* Version 2, optional. Decision provenance: writes up to k (<=
   * AATGS_MAX_CANDIDATES) of the ready tasks that can run on `stream`, best
   * first, as the pick that follows would rank them, and returns how many.
   * out[0] is the task that pick will return. Must not change the policy's
   * state (the loop calls it just before pick, only when recording
   * candidates). */
  uint32_t (*candidates)(aatgs_policy *p, const aatgs_stream_info *stream, aatgs_candidate *out,
                         uint32_t k);
} aatgs_policy_ops;

struct aatgs_policy {
  const aatgs_policy_ops *ops;
  void *impl;
};

/* Registry. aatgs_policy_find returns NULL for an unknown name. */
const aatgs_policy_ops *aatgs_policy_find(const char *name);
uint32_t aatgs_policy_count(void);
const aatgs_policy_ops *aatgs_policy_at(uint32_t i);
/* Writes "adaptive, fifo, sjf, ..." into buf (for error messages). */
void aatgs_policy_names(char *buf, size_t cap);

/* Convenience wrappers: init through the ops, destroy NULL-safe. */
int aatgs_policy_init(aatgs_policy *p, const aatgs_policy_ops *ops, const aatgs_policy_ctx *ctx,
                      aatgs_err *err);
void aatgs_policy_fini(aatgs_policy *p);

/* The built-in policies (engine/policies/). */
extern const aatgs_policy_ops aatgs_policy_adaptive;
extern const aatgs_policy_ops aatgs_policy_fifo;
extern const aatgs_policy_ops aatgs_policy_sjf;
extern const aatgs_policy_ops aatgs_policy_critical_path;
extern const aatgs_policy_ops aatgs_policy_heft;
extern const aatgs_policy_ops aatgs_policy_random;

#endif
