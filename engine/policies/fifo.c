/* fifo.c - first ready, first picked.
 *
 * One ring buffer of task ids per class, sized at init to the number of tasks
 * of that class (a task is ready at most once at a time, so it never fills).
 * on_ready and pick are O(1). The score reported is -(ready sequence): the
 * earlier a task became ready, the higher.
 */
#include <assert.h>
#include <stdlib.h>

#include "common.h"

typedef struct fifo_ring {
  uint32_t *task;
  uint32_t *seq;
  uint32_t cap, head, count;
} fifo_ring;

typedef struct fifo_state {
  const aatgs_graph *g;
  uint32_t n_tasks;
  uint32_t next_seq;
  fifo_ring q[AATGS_CLASS_COUNT];
} fifo_state;

static void fifo_destroy(aatgs_policy *p) {
  if (!p || !p->impl) return;
  fifo_state *st = p->impl;
  for (int c = 0; c < AATGS_CLASS_COUNT; c++) {
    free(st->q[c].task);
    free(st->q[c].seq);
  }
  free(st);
  p->impl = NULL;
}

static int fifo_init(aatgs_policy *p, const aatgs_policy_ctx *ctx, aatgs_err *err) {
  int rc = aatgs__policy_check_ctx("fifo", ctx, err);
  if (rc != AATGS_OK) return rc;
  fifo_state *st = calloc(1, sizeof *st);
  if (!st) return aatgs_err_set(err, AATGS_ENOMEM, "fifo: out of memory");
  p->impl = st;
  st->g = ctx->graph;
  st->n_tasks = aatgs_graph_num_tasks(ctx->graph);
  uint32_t counts[AATGS_CLASS_COUNT];
  aatgs__class_counts(ctx->graph, counts);
  for (int c = 0; c < AATGS_CLASS_COUNT; c++) {
    uint32_t cap = counts[c] ? counts[c] : 1;
    st->q[c].task = malloc((size_t)cap * sizeof(uint32_t));
    st->q[c].seq = malloc((size_t)cap * sizeof(uint32_t));
    if (!st->q[c].task || !st->q[c].seq) goto fail;
    st->q[c].cap = cap;
  }
  return AATGS_OK;
fail:
  fifo_destroy(p);
  return aatgs_err_set(err, AATGS_ENOMEM, "fifo: out of memory");
}

static void fifo_on_ready(aatgs_policy *p, uint32_t task, aatgs_ns now) {
  (void)now;
  fifo_state *st = p->impl;
  if (task >= st->n_tasks) return;
  aatgs_task_class c = aatgs_graph_task_class(st->g, task);
  if (!aatgs__class_ok(c)) return;
  fifo_ring *r = &st->q[c];
  assert(r->count < r->cap && "fifo: a task was made ready twice");
  if (r->count == r->cap) return;
  uint32_t i = r->head + r->count;
  if (i >= r->cap) i -= r->cap;
  r->task[i] = task;
  r->seq[i] = st->next_seq++;
  r->count++;
}

static int fifo_pick(aatgs_policy *p, const aatgs_stream_info *stream, aatgs_ns now,
                     aatgs_choice *out) {
  (void)now;
  fifo_state *st = p->impl;
  if (!aatgs__class_ok(stream->cls)) return 0;
  fifo_ring *r = &st->q[stream->cls];
  if (r->count == 0) return 0;
  out->task = r->task[r->head];
  out->priority = -(double)r->seq[r->head];
  if (++r->head == r->cap) r->head = 0;
  r->count--;
  return 1;
}

static uint32_t fifo_candidates(aatgs_policy *p, const aatgs_stream_info *stream,
                                aatgs_candidate *out, uint32_t k) {
  fifo_state *st = p->impl;
  if (!aatgs__class_ok(stream->cls)) return 0;
  const fifo_ring *r = &st->q[stream->cls];
  uint32_t n = r->count < k ? r->count : k;
  for (uint32_t j = 0, i = r->head; j < n; j++) {
    out[j].task = r->task[i];
    out[j].score = -(double)r->seq[i];
    if (++i == r->cap) i = 0;
  }
  return n;
}

const aatgs_policy_ops aatgs_policy_fifo = {
    .version = AATGS_POLICY_OPS_VERSION,
    .name = "fifo",
    .summary = "first ready, first picked (ready order per class)",
    .flags = AATGS_POLICY_STATIC,
    .init = fifo_init,
    .on_ready = fifo_on_ready,
    .pick = fifo_pick,
    .on_start = NULL,
    .on_complete = NULL,
    .on_snapshot = NULL,
    .destroy = fifo_destroy,
    .score_doc = "-(ready sequence): earlier ready first",
    .candidates = fifo_candidates,
};
