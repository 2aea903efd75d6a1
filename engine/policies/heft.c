/* heft.c - HEFT (Heterogeneous Earliest Finish Time), planned before the run
 * from estimates only, executed with work stealing.
 *
 * Plan (init): visit the tasks by decreasing upward rank, ties by id. Type
 * estimates are > 0, so a task's rank exceeds each successor's and this order
 * is topological. Each task goes to the stream of its class with the earliest
 * finish time: start = max(stream's planned availability, latest planned
 * finish of its predecessors), finish = start + estimate; ties go to the
 * stream listed first in ctx->streams. No insertion into idle gaps: a stream's
 * availability only moves forward. Copy tasks thus land on their class's
 * single stream. Tasks of a class with no stream at init keep a plan with no
 * stream (start = latest predecessor finish) and are only reachable by
 * stealing. There are no communication costs (streams share one device
 * memory), so with identical kernel streams this is exactly the classic HEFT
 * list order: rank order, each task to the processor where it finishes first.
 *
 * Run: a stream picks, among the ready tasks planned for it, the one with the
 * earliest planned start (ties in ready order). If none of its own is ready
 * it steals: it takes the ready task of its class with the earliest planned
 * start among all streams' queues (the heads of the other streams' heaps,
 * ties in ready order). Stealing is what keeps heft work-conserving: a stream
 * of class c is never left idle while a task of class c is ready, even when
 * actual durations drift from the plan; and it only happens when the
 * stream's own planned work is not ready, so when the estimates are exact the
 * stream follows its plan. The score reported is -(planned start) in ns.
 *
 * Cost: init O(n log n + e + n * streams); on_ready O(log n); pick O(log n)
 * for its own queue, O(streams + log n) when stealing.
 */
#include <stdlib.h>

#include "common.h"
#include "pqueue.h"

#define NO_STREAM UINT32_MAX

typedef struct heft_state {
  const aatgs_graph *g;
  uint32_t n_tasks;
  uint32_t n_streams;
  uint32_t next_seq;
  uint32_t *stream_id; /* [n_streams] the backend's id of each local stream */
  aatgs_task_class *stream_cls;
  uint32_t *plan_stream; /* [n_tasks] local stream index or NO_STREAM */
  aatgs_ns *plan_start;  /* [n_tasks] */
  aatgs_ns *plan_finish; /* [n_tasks] */
  aatgs__pq *q; /* [n_streams + AATGS_CLASS_COUNT]: one per stream, then per-class orphans */
} heft_state;

typedef struct rank_item {
  aatgs_ns rank;
  uint32_t id;
} rank_item;

static int rank_cmp(const void *a, const void *b) {
  const rank_item *x = a, *y = b;
  if (x->rank != y->rank) return x->rank > y->rank ? -1 : 1; /* decreasing rank */
  return x->id < y->id ? -1 : (x->id > y->id);               /* then increasing id */
}

static void heft_destroy(aatgs_policy *p) {
  if (!p || !p->impl) return;
  heft_state *st = p->impl;
  if (st->q) {
    for (uint32_t i = 0; i < st->n_streams + AATGS_CLASS_COUNT; i++)
      aatgs__pq_free(&st->q[i]);
  }
  free(st->q);
  free(st->stream_id);
  free(st->stream_cls);
  free(st->plan_stream);
  free(st->plan_start);
  free(st->plan_finish);
  free(st);
  p->impl = NULL;
}

/* Fills plan_* for every task. AATGS_OK or AATGS_ENOMEM. */
static int heft_plan(heft_state *st) {
  const aatgs_graph *g = st->g;
  uint32_t n = st->n_tasks;
  int rc = AATGS_ENOMEM;
  rank_item *order = malloc((size_t)(n ? n : 1) * sizeof *order);
  aatgs_ns *avail = calloc(st->n_streams ? st->n_streams : 1, sizeof *avail);
  if (!order || !avail) goto fail;
  for (uint32_t t = 0; t < n; t++) {
    order[t].rank = aatgs_graph_upward_rank(g, t);
    order[t].id = t;
    st->plan_stream[t] = NO_STREAM;
    st->plan_start[t] = 0;
    st->plan_finish[t] = 0;
  }
  qsort(order, n, sizeof *order, rank_cmp);
  for (uint32_t k = 0; k < n; k++) {
    uint32_t t = order[k].id;
    aatgs_task_class c = aatgs_graph_task_class(g, t);
    aatgs_ns est = aatgs_graph_task_estimate(g, t);
    aatgs_ns ready = 0;
    uint32_t np = 0;
    const uint32_t *preds = aatgs_graph_predecessors(g, t, &np);
    for (uint32_t i = 0; i < np; i++) {
      if (st->plan_finish[preds[i]] > ready) ready = st->plan_finish[preds[i]];
    }
    uint32_t best = NO_STREAM;
    aatgs_ns best_start = ready, best_finish = 0;
    for (uint32_t s = 0; s < st->n_streams; s++) {
      if (st->stream_cls[s] != c) continue;
      aatgs_ns start = avail[s] > ready ? avail[s] : ready;
      aatgs_ns finish = start + est;
      if (best == NO_STREAM || finish < best_finish) {
        best = s;
        best_start = start;
        best_finish = finish;
      }
    }
    if (best == NO_STREAM) {
      best_finish = ready + est;
    } else {
      avail[best] = best_finish;
    }
    st->plan_stream[t] = best;
    st->plan_start[t] = best_start;
    st->plan_finish[t] = best_finish;
  }
  rc = AATGS_OK;
fail:
  free(order);
  free(avail);
  return rc;
}

static int heft_init(aatgs_policy *p, const aatgs_policy_ctx *ctx, aatgs_err *err) {
  int rc = aatgs__policy_check_ctx("heft", ctx, err);
  if (rc != AATGS_OK) return rc;
  uint32_t *count = NULL;
  heft_state *st = calloc(1, sizeof *st);
  if (!st) return aatgs_err_set(err, AATGS_ENOMEM, "heft: out of memory");
  p->impl = st;
  st->g = ctx->graph;
  st->n_tasks = aatgs_graph_num_tasks(ctx->graph);
  st->n_streams = ctx->n_streams;
  uint32_t n_queues = st->n_streams + AATGS_CLASS_COUNT;
  size_t ns = st->n_streams ? st->n_streams : 1, nt = st->n_tasks ? st->n_tasks : 1;
  rc = AATGS_ENOMEM;
  st->stream_id = malloc(ns * sizeof *st->stream_id);
  st->stream_cls = malloc(ns * sizeof *st->stream_cls);
  st->plan_stream = malloc(nt * sizeof *st->plan_stream);
  st->plan_start = malloc(nt * sizeof *st->plan_start);
  st->plan_finish = malloc(nt * sizeof *st->plan_finish);
  st->q = calloc(n_queues, sizeof *st->q);
  count = calloc(n_queues, sizeof *count);
  if (!st->stream_id || !st->stream_cls || !st->plan_stream || !st->plan_start ||
      !st->plan_finish || !st->q || !count)
    goto fail;
  for (uint32_t s = 0; s < st->n_streams; s++) {
    st->stream_id[s] = ctx->streams[s].id;
    st->stream_cls[s] = ctx->streams[s].cls;
  }
  rc = heft_plan(st);
  if (rc != AATGS_OK) goto fail;
  /* Reserve each queue for every task planned into it, so on_ready never grows one. */
  for (uint32_t t = 0; t < st->n_tasks; t++) {
    uint32_t s = st->plan_stream[t];
    if (s == NO_STREAM) {
      aatgs_task_class c = aatgs_graph_task_class(st->g, t);
      if (!aatgs__class_ok(c)) continue;
      s = st->n_streams + (uint32_t)c;
    }
    count[s]++;
  }
  rc = AATGS_ENOMEM;
  for (uint32_t i = 0; i < n_queues; i++) {
    if (aatgs__pq_init(&st->q[i], count[i]) != AATGS_OK) goto fail;
  }
  free(count);
  return AATGS_OK;
fail:
  free(count);
  heft_destroy(p);
  if (rc == AATGS_ENOMEM) aatgs_err_set(err, rc, "heft: out of memory");
  return rc;
}

static void heft_on_ready(aatgs_policy *p, uint32_t task, aatgs_ns now) {
  (void)now;
  heft_state *st = p->impl;
  if (task >= st->n_tasks) return;
  uint32_t s = st->plan_stream[task];
  if (s == NO_STREAM) {
    aatgs_task_class c = aatgs_graph_task_class(st->g, task);
    if (!aatgs__class_ok(c)) return;
    s = st->n_streams + (uint32_t)c;
  }
  /* Cannot fail: init reserved one slot per task planned into the queue. */
  (void)aatgs__pq_push(&st->q[s], st->plan_start[task], st->next_seq++, task);
}

/* Local index of the stream the loop asks for, or NO_STREAM if unknown. */
static uint32_t heft_local(const heft_state *st, const aatgs_stream_info *stream) {
  uint32_t id = stream->id;
  if (id < st->n_streams && st->stream_id[id] == id) return id;
  for (uint32_t s = 0; s < st->n_streams; s++) {
    if (st->stream_id[s] == id) return s;
  }
  return NO_STREAM;
}

static int heft_pick(aatgs_policy *p, const aatgs_stream_info *stream, aatgs_ns now,
                     aatgs_choice *out) {
  (void)now;
  heft_state *st = p->impl;
  aatgs_task_class c = stream->cls;
  if (!aatgs__class_ok(c)) return 0;
  aatgs__pq_item it;
  uint32_t own = heft_local(st, stream);
  if (own != NO_STREAM && st->stream_cls[own] == c && aatgs__pq_pop(&st->q[own], &it)) {
    out->task = it.task;
    out->priority = -(double)it.key;
    return 1;
  }
  /* Steal: the earliest planned start among every queue of the class. */
  aatgs__pq *best = NULL;
  for (uint32_t s = 0; s < st->n_streams; s++) {
    if (st->stream_cls[s] != c) continue;
    const aatgs__pq_item *top = aatgs__pq_peek(&st->q[s]);
    if (top && (!best || aatgs__pq_less(top, aatgs__pq_peek(best)))) best = &st->q[s];
  }
  aatgs__pq *orphans = &st->q[st->n_streams + (uint32_t)c];
  const aatgs__pq_item *otop = aatgs__pq_peek(orphans);
  if (otop && (!best || aatgs__pq_less(otop, aatgs__pq_peek(best)))) best = orphans;
  if (!best || !aatgs__pq_pop(best, &it)) return 0;
  out->task = it.task;
  out->priority = -(double)it.key;
  return 1;
}

/* Mirrors heft_pick: the stream's own queue when it has work, else the
 * earliest planned starts over every queue of the class (the steal). */
static uint32_t heft_candidates(aatgs_policy *p, const aatgs_stream_info *stream,
                                aatgs_candidate *out, uint32_t k) {
  heft_state *st = p->impl;
  aatgs_task_class c = stream->cls;
  aatgs__pq_item top[AATGS__PQ_TOPK_MAX], merged[AATGS__PQ_TOPK_MAX];
  uint32_t n = 0;
  if (!aatgs__class_ok(c)) return 0;
  if (k > AATGS__PQ_TOPK_MAX) k = AATGS__PQ_TOPK_MAX;
  uint32_t own = heft_local(st, stream);
  if (own != NO_STREAM && st->stream_cls[own] == c && st->q[own].n) {
    n = aatgs__pq_topk(&st->q[own], merged, k);
  } else {
    for (uint32_t s = 0; s <= st->n_streams; s++) {
      const aatgs__pq *q = s < st->n_streams ? &st->q[s] : &st->q[st->n_streams + (uint32_t)c];
      if (s < st->n_streams && st->stream_cls[s] != c) continue;
      uint32_t m = aatgs__pq_topk(q, top, k);
      for (uint32_t i = 0; i < m; i++) { /* insert into the sorted best-k list */
        uint32_t j = n < k ? n++ : k;
        while (j > 0 && aatgs__pq_less(&top[i], &merged[j - 1])) {
          if (j < k) merged[j] = merged[j - 1];
          j--;
        }
        if (j < k) merged[j] = top[i];
      }
    }
  }
  for (uint32_t i = 0; i < n; i++) {
    out[i].task = merged[i].task;
    out[i].score = -(double)merged[i].key;
  }
  return n;
}

int aatgs__heft_plan(const aatgs_policy *p, uint32_t task, uint32_t *stream_id, aatgs_ns *start,
                     aatgs_ns *finish) {
  if (!p || p->ops != &aatgs_policy_heft || !p->impl) return AATGS_EINVAL;
  const heft_state *st = p->impl;
  if (task >= st->n_tasks) return AATGS_EINVAL;
  uint32_t s = st->plan_stream[task];
  if (stream_id) *stream_id = s == NO_STREAM ? AATGS_TASK_NONE : st->stream_id[s];
  if (start) *start = st->plan_start[task];
  if (finish) *finish = st->plan_finish[task];
  return AATGS_OK;
}

const aatgs_policy_ops aatgs_policy_heft = {
    .version = AATGS_POLICY_OPS_VERSION,
    .name = "heft",
    .summary = "HEFT plan from estimates (rank order, earliest-finish stream), with work stealing",
    .flags = AATGS_POLICY_STATIC,
    .init = heft_init,
    .on_ready = heft_on_ready,
    .pick = heft_pick,
    .on_start = NULL,
    .on_complete = NULL,
    .on_snapshot = NULL,
    .destroy = heft_destroy,
    .score_doc = "-(planned start, ns): the HEFT plan's order",
    .candidates = heft_candidates,
};
