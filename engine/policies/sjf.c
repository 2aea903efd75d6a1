/* sjf.c - shortest job first: the ready task with the smallest estimate
 * (aatgs_graph_task_estimate), ties in ready order.
 *
 * One min-heap per class keyed by (estimate, ready sequence): on_ready and
 * pick are O(log n). The score reported is -estimate in ns.
 */
#include <stdlib.h>

#include "common.h"
#include "pqueue.h"

typedef struct sjf_state {
  const aatgs_graph *g;
  uint32_t n_tasks;
  uint32_t next_seq;
  aatgs__pq q[AATGS_CLASS_COUNT];
} sjf_state;

static void sjf_destroy(aatgs_policy *p) {
  if (!p || !p->impl) return;
  sjf_state *st = p->impl;
  for (int c = 0; c < AATGS_CLASS_COUNT; c++)
    aatgs__pq_free(&st->q[c]);
  free(st);
  p->impl = NULL;
}

static int sjf_init(aatgs_policy *p, const aatgs_policy_ctx *ctx, aatgs_err *err) {
  int rc = aatgs__policy_check_ctx("sjf", ctx, err);
  if (rc != AATGS_OK) return rc;
  sjf_state *st = calloc(1, sizeof *st);
  if (!st) return aatgs_err_set(err, AATGS_ENOMEM, "sjf: out of memory");
  p->impl = st;
  st->g = ctx->graph;
  st->n_tasks = aatgs_graph_num_tasks(ctx->graph);
  uint32_t counts[AATGS_CLASS_COUNT];
  aatgs__class_counts(ctx->graph, counts);
  for (int c = 0; c < AATGS_CLASS_COUNT; c++) {
    if (aatgs__pq_init(&st->q[c], counts[c]) != AATGS_OK) goto fail;
  }
  return AATGS_OK;
fail:
  sjf_destroy(p);
  return aatgs_err_set(err, AATGS_ENOMEM, "sjf: out of memory");
}

static void sjf_on_ready(aatgs_policy *p, uint32_t task, aatgs_ns now) {
  (void)now;
  sjf_state *st = p->impl;
  if (task >= st->n_tasks) return;
  aatgs_task_class c = aatgs_graph_task_class(st->g, task);
  if (!aatgs__class_ok(c)) return;
  /* Cannot fail: init reserved one slot per task of the class. */
  (void)aatgs__pq_push(&st->q[c], aatgs_graph_task_estimate(st->g, task), st->next_seq++, task);
}

static int sjf_pick(aatgs_policy *p, const aatgs_stream_info *stream, aatgs_ns now,
                    aatgs_choice *out) {
  (void)now;
  sjf_state *st = p->impl;
  if (!aatgs__class_ok(stream->cls)) return 0;
  aatgs__pq_item it;
  if (!aatgs__pq_pop(&st->q[stream->cls], &it)) return 0;
  out->task = it.task;
  out->priority = -(double)it.key;
  return 1;
}

const aatgs_policy_ops aatgs_policy_sjf = {
    .version = AATGS_POLICY_OPS_VERSION,
    .name = "sjf",
    .summary = "shortest estimated task first (ties in ready order)",
    .flags = AATGS_POLICY_STATIC,
    .init = sjf_init,
    .on_ready = sjf_on_ready,
    .pick = sjf_pick,
    .on_start = NULL,
    .on_complete = NULL,
    .on_snapshot = NULL,
    .destroy = sjf_destroy,
};
