/* backend.h - where tasks run: a table of callbacks, chosen by name.
 *
 * The dispatch loop is the same for every backend; only the clock and the
 * source of completions differ. A backend exposes a fixed table of streams
 * (kernel streams, one config-upload stream, one telemetry-download stream),
 * accepts one task at a time per stream (submit), and reports completions
 * (wait). It also models or runs the two device rings: kernels consume config
 * slots and produce telemetry records; the telemetry-download stream drains the
 * device telemetry ring into the collector given at open.
 *
 * `sim` (backend_sim.c) is a deterministic discrete-event model on a virtual
 * clock. `cuda` (cuda/, issue [2]) runs the real pipeline on the wall clock.
 * `host` (backend_host.c) runs it on CPU threads, one per stream, tasks
 * busy-waiting their duration on the wall clock (no GPU needed).
 * The ops struct is versioned like the policy ops.
 */
#ifndef AATGS_BACKEND_H
#define AATGS_BACKEND_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "graph.h"
#include "perturb.h"
#include "policy.h"
#include "profile.h"
#include "telemetry.h"

#define AATGS_BACKEND_OPS_VERSION 2

typedef struct aatgs_backend_config {
  const aatgs_graph *graph; /* finalized */
  const aatgs_profile *profile;
  uint32_t kernel_streams;    /* >= 1 */
  uint64_t seed;              /* noise seed: actual durations depend on (seed, task) only */
  double noise_cv;            /* multiplicative lognormal noise on estimates */
  aatgs_telemetry *telemetry; /* where telemetry that reaches the host goes */
  /* Perturbations (perturb.h); NULL: none. Borrowed for the backend's life. A
   * backend rejects at open (AATGS_EINVAL, saying which) what it cannot apply. */
  const aatgs_perturb *perturb;
} aatgs_backend_config;

typedef struct aatgs_completion {
  uint32_t task;
  uint32_t stream;
  aatgs_ns submit_ns; /* host clock when submitted */
  aatgs_ns start_ns;  /* device clock, same time base as now() */
  aatgs_ns end_ns;
  int status; /* AATGS_OK, or a negative code if the task failed */
} aatgs_completion;

typedef struct aatgs_backend_stats {
  uint32_t config_len, config_cap;       /* device config ring */
  uint64_t config_overflows;             /* uploads that found the ring full */
  uint32_t telemetry_len, telemetry_cap; /* device telemetry ring */
  uint64_t telemetry_overflows;          /* records lost because the ring was full */
  uint64_t telemetry_drains;             /* background drains performed */
  aatgs_ns kernel_busy_ns;               /* sum over kernel streams of busy time so far */
} aatgs_backend_stats;

typedef struct aatgs_backend aatgs_backend;

typedef struct aatgs_backend_ops {
  int version;
  const char *name;
  const char *summary;
  /* Returns 1 if the backend can run here (a device is present), else 0. */
  int (*available)(void);
  int (*open)(aatgs_backend **out, const aatgs_backend_config *cfg, aatgs_err *err);
  /* Stream table, valid until close. */
  const aatgs_stream_info *(*streams)(aatgs_backend *b, uint32_t *n);
  /* Starts `task` on `stream` (which must be idle and of the task's class). */
  int (*submit)(aatgs_backend *b, uint32_t task, uint32_t stream, aatgs_err *err);
  /* Waits until at least one completion or until `deadline` (device clock),
   * whichever is first; writes up to cap completions, sets *n. A backend with
   * nothing in flight returns at once with *n = 0 and now() = deadline. */
  int (*wait)(aatgs_backend *b, aatgs_ns deadline, aatgs_completion *out, uint32_t cap, uint32_t *n,
              aatgs_err *err);
  aatgs_ns (*now)(aatgs_backend *b);
  void (*stats)(aatgs_backend *b, aatgs_backend_stats *out);
  void (*close)(aatgs_backend *b); /* NULL-safe */
  /* Version 2. Optional (may be NULL): called once after every task
   * completed. A backend that ran a real workload checks its result here,
   * writes a one-line summary into check (cap bytes, e.g. "cholesky n=2048:
   * ||LL^T - A||/||A|| = 3.2e-16") and returns AATGS_OK, or a negative code
   * (err set) when the result is wrong; the run then fails. */
  int (*finish)(aatgs_backend *b, char *check, size_t cap, aatgs_err *err);
} aatgs_backend_ops;

/* Helpers every backend uses, so that all of them agree. */

/* Fills info[0 .. nk+1]: nk kernel streams "kernel-0".., then "config-upload"
 * (upload class) and "telemetry-download" (download class). */
void aatgs_backend_fill_streams(aatgs_stream_info *info, uint32_t nk);
/* The work a task really does: its fixed actual duration when set, else its
 * estimate times a lognormal factor (mean 1, cv) drawn from (seed, task) only,
 * so every policy and every backend sees the same durations. >= 1 ns. */
aatgs_ns aatgs_backend_task_work(const aatgs_graph *g, uint32_t task, uint64_t seed, double cv);
/* The work of a task in this run: aatgs_backend_task_work x its misestimate
 * factor under cfg->perturb (perturb.h). The estimate the policies see is
 * unchanged. >= 1 ns. */
aatgs_ns aatgs_backend_task_actual(const aatgs_backend_config *cfg, uint32_t task);
/* For a backend that fixes a kernel's time when it is submitted (cuda): its
 * actual work x its stream's slow_stream factor x the interference slowdown
 * at t (ns since the run start; bursts must have been initialized with
 * aatgs_bursts_init(bursts, cfg->perturb, cfg->seed)). >= 1 ns. */
aatgs_ns aatgs_backend_kernel_time(const aatgs_backend_config *cfg, aatgs_bursts *bursts,
                                   uint32_t task, uint32_t stream, aatgs_ns t);
/* Time to move an edge's bytes between kernel streams: profile
 * edge_latency_ns + bytes / edge_gbps (the bandwidth term is 0 when
 * edge_gbps is 0). 0 when both are 0. */
aatgs_ns aatgs_backend_edge_time(const aatgs_profile *p, uint64_t bytes);

/* Registry: "sim" and "host" always; "cuda" when built with CUDA. NULL if unknown. */
const aatgs_backend_ops *aatgs_backend_find(const char *name);
uint32_t aatgs_backend_count(void);
const aatgs_backend_ops *aatgs_backend_at(uint32_t i);
/* "auto": the first available backend of cuda, sim (never host). */
const aatgs_backend_ops *aatgs_backend_auto(void);

extern const aatgs_backend_ops aatgs_backend_sim;
extern const aatgs_backend_ops aatgs_backend_host;

#endif
