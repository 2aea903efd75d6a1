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
