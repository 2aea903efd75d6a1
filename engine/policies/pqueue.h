/* pqueue.h - a binary min-heap of (key, ready sequence, task) for the policies.
 *
 * Order: smaller key first; equal keys by smaller ready sequence. Sequences
 * are unique within a policy instance (one counter bumped by every on_ready),
 * so the order is total and never depends on pointer values or on the heap's
 * internal layout: the same pushes give the same pops on every platform.
 * Policies that want "higher is better" push the negated score.
 *
 * Sequences are 32-bit: a run readies each task at most once and task ids are
 * 32-bit, so a policy instance never sees 2^32 on_ready calls.
 *
 * push is O(log n) (O(1) on average for random keys), pop O(log n), peek O(1).
 * aatgs__pq_init reserves `cap` items; push grows the array when needed and
 * returns AATGS_ENOMEM if that fails (the policies reserve enough at init so
 * that it never has to grow during a run). Not thread-safe.
 */
#ifndef AATGS_POLICIES_PQUEUE_H
#define AATGS_POLICIES_PQUEUE_H

#include <stdint.h>

#include "error.h"

typedef struct aatgs__pq_item {
  int64_t key;
  uint32_t seq;
  uint32_t task;
} aatgs__pq_item;

typedef struct aatgs__pq {
  aatgs__pq_item *a;
  uint32_t n;
  uint32_t cap;
} aatgs__pq;

/* Empty heap with room for cap items (cap 0 allocates nothing). AATGS_OK or
 * AATGS_ENOMEM (q is then empty and safe to free). */
int aatgs__pq_init(aatgs__pq *q, uint32_t cap);
/* Frees the storage; q becomes empty. NULL-safe. */
void aatgs__pq_free(aatgs__pq *q);
/* Makes room for at least cap items. AATGS_OK or AATGS_ENOMEM. */
int aatgs__pq_reserve(aatgs__pq *q, uint32_t cap);

static inline int aatgs__pq_less(const aatgs__pq_item *x, const aatgs__pq_item *y) {
  return x->key < y->key || (x->key == y->key && x->seq < y->seq);
}

/* Adds an item. AATGS_OK, or AATGS_ENOMEM when growing failed (nothing added). */
static inline int aatgs__pq_push(aatgs__pq *q, int64_t key, uint32_t seq, uint32_t task) {
  if (q->n == q->cap) {
    int rc = aatgs__pq_reserve(q, q->cap ? q->cap * 2u : 16u);
    if (rc != AATGS_OK) return rc;
  }
  aatgs__pq_item it = {key, seq, task};
  uint32_t i = q->n++;
  while (i > 0) { /* sift up: move parents down into the hole */
    uint32_t parent = (i - 1) / 2;
    if (!aatgs__pq_less(&it, &q->a[parent])) break;
    q->a[i] = q->a[parent];
    i = parent;
  }
  q->a[i] = it;
  return AATGS_OK;
}

/* The smallest item, or NULL when empty. */
static inline const aatgs__pq_item *aatgs__pq_peek(const aatgs__pq *q) {
  return q->n ? &q->a[0] : 0;
}

/* Removes the smallest item into *out. Returns 1, or 0 when empty. */
static inline int aatgs__pq_pop(aatgs__pq *q, aatgs__pq_item *out) {
  if (q->n == 0) return 0;
  *out = q->a[0];
  aatgs__pq_item last = q->a[--q->n];
  uint32_t n = q->n, i = 0;
  for (;;) { /* sift the hole down, then drop `last` into it */
    uint32_t c = 2 * i + 1;
    if (c >= n) break;
    if (c + 1 < n && aatgs__pq_less(&q->a[c + 1], &q->a[c])) c++;
    if (!aatgs__pq_less(&q->a[c], &last)) break;
    q->a[i] = q->a[c];
    i = c;
  }
  if (n) q->a[i] = last;
  return 1;
}

/* Copies the k smallest items, smallest first, into out (k <=
 * AATGS__PQ_TOPK_MAX) without changing the heap; returns how many (min(k,
 * n)). A best-first walk of the heap from the root: O(k^2), for small k. */
#define AATGS__PQ_TOPK_MAX 16u
uint32_t aatgs__pq_topk(const aatgs__pq *q, aatgs__pq_item *out, uint32_t k);

#endif
