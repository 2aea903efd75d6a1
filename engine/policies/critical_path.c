/* critical_path.c - the ready task with the highest upward rank first
 * (aatgs_graph_upward_rank: the longest estimated path from the task to an
 * exit, the task included), ties in ready order. O(log n) per decision
 * (keyed.c, key = -rank); the score reported is the upward rank in ns.
 */
#include "common.h"

static aatgs_ns cp_key(const aatgs_graph *g, uint32_t task) {
  return -aatgs_graph_upward_rank(g, task);
}

static int cp_init(aatgs_policy *p, const aatgs_policy_ctx *ctx, aatgs_err *err) {
  return aatgs__keyed_init(p, ctx, cp_key, err);
}

const aatgs_policy_ops aatgs_policy_critical_path = {
    .version = AATGS_POLICY_OPS_VERSION,
    .name = "critical_path",
    .summary = "highest upward rank (longest estimated path to an exit) first",
    .flags = AATGS_POLICY_STATIC,
    .init = cp_init,
    .on_ready = aatgs__keyed_on_ready,
    .pick = aatgs__keyed_pick,
    .on_start = NULL,
    .on_complete = NULL,
    .on_snapshot = NULL,
    .destroy = aatgs__keyed_destroy,
    .score_doc = "upward rank (ns): longest estimated path to an exit first",
    .candidates = aatgs__keyed_candidates,
};
