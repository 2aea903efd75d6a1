/* random.c - uniform choice among the ready tasks of the stream's class.
 *
 * One array of ready task ids per class; pick draws an index with
 * aatgs_rng_below from a generator seeded with ctx->seed and swap-removes it
 * (O(1)). The same seed and the same sequence of calls give the same picks.
 * The score reported is the probability the winner had, 1 / (ready tasks of
 * the class).
 */
#include <assert.h>
#include <stdlib.h>

#include "common.h"
#include "rng.h"

typedef struct random_bag {
  uint32_t *task;
  uint32_t cap, count;
} random_bag;

typedef struct random_state {
  const aatgs_graph *g;
  uint32_t n_tasks;
  aatgs_rng rng;
  random_bag bag[AATGS_CLASS_COUNT];
} random_state;

static void random_destroy(aatgs_policy *p) {
  if (!p || !p->impl) return;
  random_state *st = p->impl;
  for (int c = 0; c < AATGS_CLASS_COUNT; c++)
    free(st->bag[c].task);
  free(st);
  p->impl = NULL;
}

static int random_init(aatgs_policy *p, const aatgs_policy_ctx *ctx, aatgs_err *err) {
  int rc = aatgs__policy_check_ctx("random", ctx, err);
  if (rc != AATGS_OK) return rc;
  random_state *st = calloc(1, sizeof *st);
  if (!st) return aatgs_err_set(err, AATGS_ENOMEM, "random: out of memory");
  p->impl = st;
  st->g = ctx->graph;
  st->n_tasks = aatgs_graph_num_tasks(ctx->graph);
  aatgs_rng_seed(&st->rng, ctx->seed);
  uint32_t counts[AATGS_CLASS_COUNT];
  aatgs__class_counts(ctx->graph, counts);
  for (int c = 0; c < AATGS_CLASS_COUNT; c++) {
    uint32_t cap = counts[c] ? counts[c] : 1;
    st->bag[c].task = malloc((size_t)cap * sizeof(uint32_t));
    if (!st->bag[c].task) goto fail;
    st->bag[c].cap = cap;
  }
  return AATGS_OK;
fail:
  random_destroy(p);
  return aatgs_err_set(err, AATGS_ENOMEM, "random: out of memory");
}

static void random_on_ready(aatgs_policy *p, uint32_t task, aatgs_ns now) {
  (void)now;
  random_state *st = p->impl;
  if (task >= st->n_tasks) return;
  aatgs_task_class c = aatgs_graph_task_class(st->g, task);
  if (!aatgs__class_ok(c)) return;
  random_bag *b = &st->bag[c];
  assert(b->count < b->cap && "random: a task was made ready twice");
  if (b->count == b->cap) return;
  b->task[b->count++] = task;
}

static int random_pick(aatgs_policy *p, const aatgs_stream_info *stream, aatgs_ns now,
                       aatgs_choice *out) {
  (void)now;
  random_state *st = p->impl;
  if (!aatgs__class_ok(stream->cls)) return 0;
  random_bag *b = &st->bag[stream->cls];
  if (b->count == 0) return 0;
  uint32_t i = (uint32_t)aatgs_rng_below(&st->rng, b->count);
  out->task = b->task[i];
  out->priority = 1.0 / (double)b->count;
  b->task[i] = b->task[--b->count];
  return 1;
}

/* The one task the next pick will draw (a copy of the generator predicts
 * it); the other ready tasks were equally likely, so none is listed. */
static uint32_t random_candidates(aatgs_policy *p, const aatgs_stream_info *stream,
                                  aatgs_candidate *out, uint32_t k) {
  random_state *st = p->impl;
  if (k == 0 || !aatgs__class_ok(stream->cls)) return 0;
  const random_bag *b = &st->bag[stream->cls];
  if (b->count == 0) return 0;
  aatgs_rng r = st->rng;
  out[0].task = b->task[aatgs_rng_below(&r, b->count)];
  out[0].score = 1.0 / (double)b->count;
  return 1;
}

const aatgs_policy_ops aatgs_policy_random = {
    .version = AATGS_POLICY_OPS_VERSION,
    .name = "random",
    .summary = "uniform choice among ready tasks (seeded, reproducible)",
    .flags = AATGS_POLICY_STATIC,
    .init = random_init,
    .on_ready = random_on_ready,
    .pick = random_pick,
    .on_start = NULL,
    .on_complete = NULL,
    .on_snapshot = NULL,
    .destroy = random_destroy,
    .score_doc = "1 / (ready tasks of the class): a uniform draw",
    .candidates = random_candidates,
};
