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

/* Copies item into the ring. Returns false (and changes nothing) when full. */
bool aatgs_ring_push(aatgs_ring *r, const void *item);
/* Copies the oldest item into *item and removes it. False when empty. */
bool aatgs_ring_pop(aatgs_ring *r, void *item);
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

#endif
