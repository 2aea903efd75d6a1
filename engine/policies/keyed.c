/* keyed.c - the shared body of the static policies that order ready tasks by
 * a fixed key (sjf, critical_path): one min-heap per class keyed by
 * (key, ready sequence), so on_ready and pick are O(log n) and ties keep
 * ready order. The score reported is -key. */
#include <stdlib.h>

#include "common.h"
#include "pqueue.h"

typedef struct keyed_state {
  const aatgs_graph *g;
  aatgs__key_fn key;
  uint32_t n_tasks;
  uint32_t next_seq;
  aatgs__pq q[AATGS_CLASS_COUNT];
} keyed_state;

void aatgs__keyed_destroy(aatgs_policy *p) {
  if (!p || !p->impl) return;
  keyed_state *st = p->impl;
  for (int c = 0; c < AATGS_CLASS_COUNT; c++)
    aatgs__pq_free(&st->q[c]);
  free(st);
  p->impl = NULL;
}

int aatgs__keyed_init(aatgs_policy *p, const aatgs_policy_ctx *ctx, aatgs__key_fn key,
                      aatgs_err *err) {
  const char *name = p->ops ? p->ops->name : "policy";
  int rc = aatgs__policy_check_ctx(name, ctx, err);
  if (rc != AATGS_OK) return rc;
  keyed_state *st = calloc(1, sizeof *st);
  if (!st) return aatgs_err_set(err, AATGS_ENOMEM, "%s: out of memory", name);
  p->impl = st;
  st->g = ctx->graph;
  st->key = key;
  st->n_tasks = aatgs_graph_num_tasks(ctx->graph);
  uint32_t counts[AATGS_CLASS_COUNT];
  aatgs__class_counts(ctx->graph, counts);
  for (int c = 0; c < AATGS_CLASS_COUNT; c++)
    if (aatgs__pq_init(&st->q[c], counts[c]) != AATGS_OK) {
      aatgs__keyed_destroy(p);
      return aatgs_err_set(err, AATGS_ENOMEM, "%s: out of memory", name);
    }
  return AATGS_OK;
}

void aatgs__keyed_on_ready(aatgs_policy *p, uint32_t task, aatgs_ns now) {
  (void)now;
  keyed_state *st = p->impl;
  if (task >= st->n_tasks) return;
  aatgs_task_class c = aatgs_graph_task_class(st->g, task);
  if (!aatgs__class_ok(c)) return;
  /* Cannot fail: init reserved one slot per task of the class. */
  (void)aatgs__pq_push(&st->q[c], st->key(st->g, task), st->next_seq++, task);
}

uint32_t aatgs__keyed_candidates(aatgs_policy *p, const aatgs_stream_info *stream,
                                 aatgs_candidate *out, uint32_t k) {
  keyed_state *st = p->impl;
  aatgs__pq_item top[AATGS__PQ_TOPK_MAX];
  if (!aatgs__class_ok(stream->cls)) return 0;
  uint32_t n = aatgs__pq_topk(&st->q[stream->cls], top, k);
  for (uint32_t i = 0; i < n; i++) {
    out[i].task = top[i].task;
    out[i].score = -(double)top[i].key;
  }
  return n;
}

int aatgs__keyed_pick(aatgs_policy *p, const aatgs_stream_info *stream, aatgs_ns now,
                      aatgs_choice *out) {
  (void)now;
  keyed_state *st = p->impl;
  aatgs__pq_item it;
  if (!aatgs__class_ok(stream->cls) || !aatgs__pq_pop(&st->q[stream->cls], &it)) return 0;
  out->task = it.task;
  out->priority = -(double)it.key;
  return 1;
}
