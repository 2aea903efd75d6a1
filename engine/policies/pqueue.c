/* pqueue.c - storage of the policies' binary heap (operations are inline in pqueue.h). */
#include "pqueue.h"

#include <stdlib.h>

int aatgs__pq_init(aatgs__pq *q, uint32_t cap) {
  q->a = NULL;
  q->n = 0;
  q->cap = 0;
  return cap ? aatgs__pq_reserve(q, cap) : AATGS_OK;
}

void aatgs__pq_free(aatgs__pq *q) {
  if (!q) return;
  free(q->a);
  q->a = NULL;
  q->n = 0;
  q->cap = 0;
}

int aatgs__pq_reserve(aatgs__pq *q, uint32_t cap) {
  if (cap <= q->cap) return AATGS_OK;
  aatgs__pq_item *a = realloc(q->a, (size_t)cap * sizeof *a);
  if (!a) return AATGS_ENOMEM;
  q->a = a;
  q->cap = cap;
  return AATGS_OK;
}

uint32_t aatgs__pq_topk(const aatgs__pq *q, aatgs__pq_item *out, uint32_t k) {
  /* Frontier of heap positions whose parents were taken; its smallest item
   * is the next smallest of the heap. Each step takes one and adds its (at
   * most two) children, so the frontier holds at most k + 1 positions. */
  uint32_t front[AATGS__PQ_TOPK_MAX + 2], nf = 0, got = 0;
  if (k > AATGS__PQ_TOPK_MAX) k = AATGS__PQ_TOPK_MAX;
  if (q->n) front[nf++] = 0;
  while (got < k && nf) {
    uint32_t b = 0;
    for (uint32_t i = 1; i < nf; i++)
      if (aatgs__pq_less(&q->a[front[i]], &q->a[front[b]])) b = i;
    uint32_t pos = front[b];
    front[b] = front[--nf];
    out[got++] = q->a[pos];
    for (uint32_t c = 2 * pos + 1; c <= 2 * pos + 2 && c < q->n; c++)
      front[nf++] = c;
  }
  return got;
}
