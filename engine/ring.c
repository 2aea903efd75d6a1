/* ring.c - lock-free single-producer single-consumer ring (see ring.h).
 *
 * Layout. head counts items ever pushed (written by the producer only), tail
 * counts items ever popped (written by the consumer only); both grow without
 * bound and wrap modulo 2^N as size_t, so head - tail is always the number of
 * items stored, in [0, capacity]. The slot of index i is i & mask, with
 * slots = the next power of two >= capacity: only `capacity` of them are ever
 * occupied at once, so every one of the `capacity` items the caller asked for
 * is usable, and no slot is sacrificed to tell full from empty.
 *
 * Each shared index lives alone on its cache line. Each side also keeps, on
 * a line of its own, a cached copy of the other side's index: the producer
 * only re-reads tail when its cached copy says the ring is full, the consumer
 * only re-reads head when its cached copy says the ring is empty. The
 * read-only fields (buffer, mask, sizes) sit on a further line that both
 * sides only read.
 *
 * Ordering. The producer writes the slot, then publishes head with a release
 * store; the consumer observes head with an acquire load before reading the
 * slot. Symmetrically the consumer releases tail after it has copied the item
 * out, and the producer acquires tail before overwriting that slot.
 */
#include "ring.h"

#include <stdalign.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* Fields that different threads write are kept AATGS_RING_SPACING (128)
 * bytes apart: each sits on its own 64-byte line, and the neighbouring line
 * is left unused too, since Intel's spatial prefetcher fetches lines in
 * aligned pairs (on this AMD test machine 64 and 128 measured the same). The
 * struct itself is in ring.h, for the inline push and pop. */
#define SPACING AATGS_RING_SPACING

/* The external definitions of the inline push and pop (C99 6.7.4): callers
 * that do not inline them, and C++ callers, link to these. */
extern inline bool aatgs_ring_push(aatgs_ring *r, const void *item);
extern inline bool aatgs_ring_pop(aatgs_ring *r, void *item);

static size_t round_up_pow2(size_t v) {
  size_t p = 1;
  while (p < v)
    p <<= 1;
  return p;
}

int aatgs_ring_create(aatgs_ring **out, size_t capacity, size_t item_size) {
  aatgs_ring *r = NULL;
  size_t slots, bytes;
  if (!out) return AATGS_EINVAL;
  *out = NULL;
  if (capacity == 0 || item_size == 0) return AATGS_EINVAL;
  /* Guard the power-of-two rounding and the byte count against overflow. */
  if (capacity > (SIZE_MAX >> 2)) return AATGS_EINVAL;
  slots = round_up_pow2(capacity);
  if (item_size > (SIZE_MAX - SPACING) / slots) return AATGS_EINVAL;
  bytes = slots * item_size;
  bytes = (bytes + SPACING - 1) / SPACING * SPACING; /* aligned_alloc wants a multiple */

  r = aligned_alloc(SPACING, sizeof *r);
  if (!r) goto fail;
  memset(r, 0, sizeof *r);
  r->buf = aligned_alloc(SPACING, bytes);
  if (!r->buf) goto fail;
  r->mask = slots - 1;
  r->capacity = capacity;
  r->item_size = item_size;
  atomic_init(&r->head, 0);
  atomic_init(&r->tail, 0);
  r->tail_cache = 0;
  r->head_cache = 0;
  *out = r;
  return AATGS_OK;

fail:
  free(r);
  return AATGS_ENOMEM;
}

void aatgs_ring_destroy(aatgs_ring *r) {
  if (!r) return;
  free(r->buf);
  free(r);
}

size_t aatgs_ring_push_bulk(aatgs_ring *r, const void *items, size_t n) {
  size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
  size_t free_slots = r->capacity - (head - r->tail_cache);
  size_t k, first, start, sz = r->item_size;
  const unsigned char *src = items;
  if (free_slots < n) {
    r->tail_cache = atomic_load_explicit(&r->tail, memory_order_acquire);
    free_slots = r->capacity - (head - r->tail_cache);
  }
  k = n < free_slots ? n : free_slots;
  if (k == 0) return 0;
  /* At most two contiguous runs: up to the end of the buffer, then from 0. */
  start = head & r->mask;
  first = r->mask + 1 - start;
  if (first > k) first = k;
  memcpy(r->buf + start * sz, src, first * sz);
  if (k > first) memcpy(r->buf, src + first * sz, (k - first) * sz);
  atomic_store_explicit(&r->head, head + k, memory_order_release);
  return k;
}

size_t aatgs_ring_pop_bulk(aatgs_ring *r, void *items, size_t n) {
  size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
  size_t avail = r->head_cache - tail;
  size_t k, first, start, sz = r->item_size;
  unsigned char *dst = items;
  if (avail < n) {
    r->head_cache = atomic_load_explicit(&r->head, memory_order_acquire);
    avail = r->head_cache - tail;
  }
  k = n < avail ? n : avail;
  if (k == 0) return 0;
  start = tail & r->mask;
  first = r->mask + 1 - start;
  if (first > k) first = k;
  memcpy(dst, r->buf + start * sz, first * sz);
  if (k > first) memcpy(dst + first * sz, r->buf, (k - first) * sz);
  atomic_store_explicit(&r->tail, tail + k, memory_order_release);
  return k;
}

size_t aatgs_ring_len(const aatgs_ring *r) {
  /* tail first: head only grows, so a later head is >= this tail and the
   * difference cannot wrap; it may overshoot capacity if the consumer popped
   * and the producer refilled between the two loads, hence the clamp. */
  size_t tail = atomic_load_explicit(&r->tail, memory_order_acquire);
  size_t head = atomic_load_explicit(&r->head, memory_order_acquire);
  size_t n = head - tail;
  return n > r->capacity ? r->capacity : n;
}

bool aatgs_ring_is_empty(const aatgs_ring *r) { return aatgs_ring_len(r) == 0; }

bool aatgs_ring_is_full(const aatgs_ring *r) { return aatgs_ring_len(r) == r->capacity; }

size_t aatgs_ring_capacity(const aatgs_ring *r) { return r->capacity; }

size_t aatgs_ring_item_size(const aatgs_ring *r) { return r->item_size; }

double aatgs_ring_utilization(const aatgs_ring *r) {
  return (double)aatgs_ring_len(r) / (double)r->capacity;
}
