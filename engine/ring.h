/* ring.h - lock-free single-producer single-consumer ring of fixed-size items.
 *
 * The report's ConfigCircularBuffer, in C11. One thread may push while one
 * other thread pops; no other concurrent use is allowed. Head and tail are
 * C11 atomics (release on publish, acquire on observe), each on its own cache
 * line, and each side caches the other's index so the common case touches no
 * shared line. Capacity is the number of items the ring can hold (all of
 * them usable, unlike the report's "(head + 1) % capacity == tail" which wastes
 * one slot). No allocation happens after aatgs_ring_create.
 *
 * Thread-safety: push/push_bulk from the producer thread only; pop/pop_bulk
 * from the consumer thread only; len/utilization/is_empty/is_full from either
 * (a snapshot that may be stale by the time it returns).
 */
#ifndef AATGS_RING_H
#define AATGS_RING_H

#include <stdbool.h>
#include <stddef.h>

typedef struct aatgs_ring aatgs_ring;

/* Creates a ring holding `capacity` items (>= 1) of item_size bytes (>= 1).
 * Returns AATGS_OK, AATGS_EINVAL or AATGS_ENOMEM. */
int aatgs_ring_create(aatgs_ring **out, size_t capacity, size_t item_size);
/* Frees the ring. NULL is a no-op. Neither side may use it afterwards. */
void aatgs_ring_destroy(aatgs_ring *r);

/* aatgs_ring_push: copies item into the ring. Returns false (and changes
 * nothing) when full. aatgs_ring_pop: copies the oldest item into *item and
 * removes it; false when empty. Both are defined at the end of this header
 * (C99 inline, with the one external definition in ring.c) so that a caller
 * pays no function call per item: see "Inline push and pop" below. */
#ifdef __cplusplus
extern "C" {
bool aatgs_ring_push(aatgs_ring *r, const void *item);
bool aatgs_ring_pop(aatgs_ring *r, void *item);
}
#endif
/* Pushes up to n items; returns how many were pushed (in order). */
size_t aatgs_ring_push_bulk(aatgs_ring *r, const void *items, size_t n);
/* Pops up to n items into items[]; returns how many were popped. */
size_t aatgs_ring_pop_bulk(aatgs_ring *r, void *items, size_t n);

bool aatgs_ring_is_empty(const aatgs_ring *r);
bool aatgs_ring_is_full(const aatgs_ring *r);
size_t aatgs_ring_len(const aatgs_ring *r);
size_t aatgs_ring_capacity(const aatgs_ring *r);
size_t aatgs_ring_item_size(const aatgs_ring *r);
/* len / capacity, in [0, 1]. */
double aatgs_ring_utilization(const aatgs_ring *r);

/* Inline push and pop. One item through a function in another translation
 * unit costs two calls and about 25 instructions each side, against ~10 in
 * line; bench_ring measured the difference against Concurrency Kit's
 * header-only ck_ring. So the layout is visible here, but it stays private:
 * use only the functions above. ring.c explains the layout and the memory
 * ordering. C++ callers (cuda/) get the external definitions in ring.c. */
#ifndef __cplusplus
#include <stdalign.h>
#include <stdatomic.h>
#include <string.h>

/* Fields that different threads write are kept this many bytes apart. */
#define AATGS_RING_SPACING 128

struct aatgs_ring {
  /* Read-only after create: shared by both sides without contention. */
  alignas(AATGS_RING_SPACING) unsigned char *buf;
  size_t mask;      /* slots - 1 */
  size_t capacity;  /* usable items */
  size_t item_size; /* bytes per item (the slot stride) */
  /* Written by the producer, read by the consumer. */
  alignas(AATGS_RING_SPACING) _Atomic size_t head;
  /* Written by the consumer, read by the producer. */
  alignas(AATGS_RING_SPACING) _Atomic size_t tail;
  /* Producer-private: last tail it saw. */
  alignas(AATGS_RING_SPACING) size_t tail_cache;
  /* Consumer-private: last head it saw. */
  alignas(AATGS_RING_SPACING) size_t head_cache;
  /* sizeof rounds up to a whole line, so nothing else shares this one. */
};

/* The 8-byte branch below copies 8 bytes; inlined into a caller whose ring
 * holds smaller items, GCC sees that dead branch read past the caller's
 * object and warns (-Warray-bounds, -Wstringop-overread). The branch only
 * runs when item_size is 8, so the warning is silenced here, for these two
 * functions only. */
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Warray-bounds"
#pragma GCC diagnostic ignored "-Wstringop-overread"
#pragma GCC diagnostic ignored "-Wstringop-overflow"
#endif
inline bool aatgs_ring_push(aatgs_ring *r, const void *item) {
  size_t head = atomic_load_explicit(&r->head, memory_order_relaxed);
  if (head - r->tail_cache >= r->capacity) {
    r->tail_cache = atomic_load_explicit(&r->tail, memory_order_acquire);
    if (head - r->tail_cache >= r->capacity) return false;
  }
  /* The 8-byte case (sequence numbers, pointers, handles) is the hot one
   * and compiles to a single load and store. */
  if (r->item_size == 8)
    memcpy(r->buf + (head & r->mask) * 8, item, 8);
  else
    memcpy(r->buf + (head & r->mask) * r->item_size, item, r->item_size);
  atomic_store_explicit(&r->head, head + 1, memory_order_release);
  return true;
}

inline bool aatgs_ring_pop(aatgs_ring *r, void *item) {
  size_t tail = atomic_load_explicit(&r->tail, memory_order_relaxed);
  if (tail == r->head_cache) {
    r->head_cache = atomic_load_explicit(&r->head, memory_order_acquire);
    if (tail == r->head_cache) return false;
  }
  if (r->item_size == 8)
    memcpy(item, r->buf + (tail & r->mask) * 8, 8);
  else
    memcpy(item, r->buf + (tail & r->mask) * r->item_size, r->item_size);
  atomic_store_explicit(&r->tail, tail + 1, memory_order_release);
  return true;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif

#endif
