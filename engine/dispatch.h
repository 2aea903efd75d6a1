/* dispatch.h - the dispatch loop: one loop for every backend and policy.
 *
 * aatgs_run_graph resets the graph, hands roots to the policy, then repeats:
 * fill every idle stream whose class has ready tasks (asking the policy to
 * pick, timing each pick with the wall clock), wait on the backend for
 * completions or the next snapshot time, mark completions (making dependents
 * ready), drain telemetry into the collector and the sink, and take a
 * snapshot when due. Every decision, task, telemetry event, snapshot and ring
 * sample is emitted to the sink. The run is stopped cleanly when *interrupt
 * becomes non-zero (status INTERRUPTED, everything emitted so far kept).
 *
 * Makespan is the time from the start of the loop (backend clock) to the end
 * of the last task. The event hash covers every emitted field except the
 * decision costs, so the same seed gives the same hash.
 */
#ifndef AATGS_DISPATCH_H
#define AATGS_DISPATCH_H

#include <signal.h>
#include <stdint.h>

#include "backend.h"
#include "error.h"
#include "graph.h"
#include "policy.h"
#include "profile.h"
#include "sink.h"

#define AATGS_DEFAULT_SNAPSHOT_NS (100 * AATGS_NS_PER_MS)

#define AATGS_DEFAULT_CANDIDATES 4

typedef struct aatgs_run_params {
  aatgs_graph *graph; /* finalized; its state is reset and used */
  const aatgs_policy_ops *policy;
  const aatgs_backend_ops *backend;
  const aatgs_profile *profile;
  uint32_t kernel_streams; /* 0: the profile's */
  uint64_t seed;
  double noise_cv;         /* < 0: the profile's */
  size_t telemetry_buffer; /* collector capacity per buffer; 0: 1024 */
  const aatgs_sink *sink;  /* may be NULL: nothing recorded */
  int candidates; /* decision provenance: the top-k ready tasks each decision records with their
                     scores; 0: AATGS_DEFAULT_CANDIDATES, < 0: none, at most AATGS_MAX_CANDIDATES */
  const aatgs_run_info *info;       /* provenance passed to the sink; graph/streams filled in */
  volatile sig_atomic_t *interrupt; /* may be NULL */
  void (*progress)(void *ctx, uint32_t done, uint32_t total); /* may be NULL; called rarely */
  void *progress_ctx;
  /* NULL: no perturbation; passed to the backend (perturb.h) */
  const aatgs_perturb *perturb;
} aatgs_run_params;

/* Runs the graph to completion (or interruption). Returns AATGS_OK when the
 * run completed, AATGS_EINTR when interrupted, another negative code on
 * failure; *res is filled in every case and run_end is called whenever
 * run_begin succeeded. */
int aatgs_run_graph(const aatgs_run_params *p, aatgs_run_result *res, aatgs_err *err);

#endif
