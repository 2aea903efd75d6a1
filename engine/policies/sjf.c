/* sjf.c - shortest job first: the ready task with the smallest estimate
 * (aatgs_graph_task_estimate), ties in ready order. O(log n) per decision
 * (keyed.c); the score reported is -estimate in ns.
 */
#include "common.h"

static aatgs_ns sjf_key(const aatgs_graph *g, uint32_t task) {
  return aatgs_graph_task_estimate(g, task);
}

static int sjf_init(aatgs_policy *p, const aatgs_policy_ctx *ctx, aatgs_err *err) {
  return aatgs__keyed_init(p, ctx, sjf_key, err);
}

const aatgs_policy_ops aatgs_policy_sjf = {
    .version = AATGS_POLICY_OPS_VERSION,
    .name = "sjf",
    .summary = "shortest estimated task first (ties in ready order)",
    .flags = AATGS_POLICY_STATIC,
    .init = sjf_init,
    .on_ready = aatgs__keyed_on_ready,
    .pick = aatgs__keyed_pick,
    .on_start = NULL,
    .on_complete = NULL,
    .on_snapshot = NULL,
    .destroy = aatgs__keyed_destroy,
    .score_doc = "-(estimate, ns): shortest first",
    .candidates = aatgs__keyed_candidates,
};
