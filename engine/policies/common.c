/* common.c - helpers shared by the built-in policies. */
#include "common.h"

#include <stddef.h>

int aatgs__policy_check_ctx(const char *policy, const aatgs_policy_ctx *ctx, aatgs_err *err) {
  if (!ctx) return aatgs_err_set(err, AATGS_EINVAL, "%s: no policy context", policy);
  if (!ctx->graph) return aatgs_err_set(err, AATGS_EINVAL, "%s: no graph", policy);
  if (!aatgs_graph_is_finalized(ctx->graph))
    return aatgs_err_set(err, AATGS_EINVAL, "%s: the graph is not finalized", policy);
  if (ctx->n_streams > 0 && !ctx->streams)
    return aatgs_err_set(err, AATGS_EINVAL, "%s: %u streams announced but none given", policy,
                         (unsigned)ctx->n_streams);
  for (uint32_t s = 0; s < ctx->n_streams; s++) {
    if (!aatgs__class_ok(ctx->streams[s].cls))
      return aatgs_err_set(err, AATGS_EINVAL, "%s: stream %u has an invalid class %d", policy,
                           (unsigned)ctx->streams[s].id, (int)ctx->streams[s].cls);
  }
  return AATGS_OK;
}

void aatgs__class_counts(const aatgs_graph *g, uint32_t counts[AATGS_CLASS_COUNT]) {
  for (int c = 0; c < AATGS_CLASS_COUNT; c++)
    counts[c] = 0;
  uint32_t n = aatgs_graph_num_tasks(g);
  for (uint32_t t = 0; t < n; t++) {
    aatgs_task_class c = aatgs_graph_task_class(g, t);
    if (aatgs__class_ok(c)) counts[c]++;
  }
}
