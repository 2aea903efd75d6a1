/* common.h - helpers shared by the built-in policies (engine/policies/), and
 * the internal inspection calls the unit tests use.
 *
 * Not a public interface: names are aatgs__*, and callers outside
 * engine/policies/ and tests/test_policy_units.c should not rely on them.
 */
#ifndef AATGS_POLICIES_COMMON_H
#define AATGS_POLICIES_COMMON_H

#include <stdint.h>

#include "error.h"
#include "graph.h"
#include "policy.h"

/* Checks what every policy needs from its context: a non-NULL ctx with a
 * finalized graph, streams non-NULL when n_streams > 0. AATGS_OK or
 * AATGS_EINVAL with "<policy>: ..." in err. */
int aatgs__policy_check_ctx(const char *policy, const aatgs_policy_ctx *ctx, aatgs_err *err);

/* Number of tasks of each class in the graph. */
void aatgs__class_counts(const aatgs_graph *g, uint32_t counts[AATGS_CLASS_COUNT]);

/* 1 when cls names a real class (the pick of a stream with another value
 * returns 0). */
static inline int aatgs__class_ok(aatgs_task_class cls) {
  return (unsigned)cls < (unsigned)AATGS_CLASS_COUNT;
}

/* ---- Policies ordered by a fixed key (keyed.c): sjf, critical_path ----
 * A key function gives each task its key; smaller keys run first, ties in
 * ready order. init checks ctx and reserves one heap slot per task of each
 * class, so on_ready never allocates. p->ops must be set (for messages). */
typedef aatgs_ns (*aatgs__key_fn)(const aatgs_graph *g, uint32_t task);
int aatgs__keyed_init(aatgs_policy *p, const aatgs_policy_ctx *ctx, aatgs__key_fn key,
                      aatgs_err *err);
void aatgs__keyed_on_ready(aatgs_policy *p, uint32_t task, aatgs_ns now);
int aatgs__keyed_pick(aatgs_policy *p, const aatgs_stream_info *stream, aatgs_ns now,
                      aatgs_choice *out);
void aatgs__keyed_destroy(aatgs_policy *p);
uint32_t aatgs__keyed_candidates(aatgs_policy *p, const aatgs_stream_info *stream,
                                 aatgs_candidate *out, uint32_t k);

/* ---- Inspection (for tests/test_policy_units.c) ---- */

/* heft: the plan of one task: the id of its planned stream (AATGS_TASK_NONE
 * when no stream of its class existed at init), planned start and finish.
 * AATGS_EINVAL if p is not a heft instance or task is out of range. */
int aatgs__heft_plan(const aatgs_policy *p, uint32_t task, uint32_t *stream_id, aatgs_ns *start,
                     aatgs_ns *finish);

/* adaptive: snapshots kept (at most AATGS__ADAPTIVE_HISTORY), the GPU
 * utilization the long-task penalty uses now, and the learned mean duration
 * of a type (mean estimate x learned ratio). Return 0 / -1.0 / -1 when p is not an adaptive
 * instance. */
#define AATGS__ADAPTIVE_HISTORY 100u
#define AATGS__ADAPTIVE_TREND 5u
uint32_t aatgs__adaptive_history_len(const aatgs_policy *p);
double aatgs__adaptive_gpu_signal(const aatgs_policy *p);
aatgs_ns aatgs__adaptive_type_duration(const aatgs_policy *p, uint32_t type);

#endif
