/* test_ring.c - the lock-free SPSC ring (engine/ring.h).
 *
 * Single-threaded tests check the contract against a simple reference queue;
 * the stress tests run a real producer thread against a consumer (the test's
 * own thread) and check that every item arrives exactly once and in order.
 *
 * AATGS_STRESS_ITEMS (environment) sets the item count of the 8-byte stress
 * tests; unset, it is 10^7. ThreadSanitizer builds slow every atomic access
 * down a lot, so `AATGS_STRESS_ITEMS=1000000 ./test_ring` keeps a TSan run
 * short; the 256-byte stress test moves a tenth of that count (at least
 * 10^4 items). Any count >= 1 is accepted.
 *
 * Under ThreadSanitizer this file also carries a start-up fix for Criterion
 * and sets halt_on_error (see the end of the file): without it Criterion
 * cannot start, and a race report would not fail the test.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "ring.h"

#define STRESS_DEFAULT 10000000ULL

static uint64_t stress_items(void) {
  const char *s = getenv("AATGS_STRESS_ITEMS");
  if (s && *s) {
    char *end;
    unsigned long long v = strtoull(s, &end, 10);
    if (*end == '\0' && v >= 1) return v;
  }
  return STRESS_DEFAULT;
}

/* A small deterministic generator for operation sizes. */
static uint32_t lcg(uint32_t *s) {
  *s = *s * 1664525u + 1013904223u;
  return *s >> 8;
}

static aatgs_ring *make(size_t cap, size_t isz) {
  aatgs_ring *r = NULL;
  cr_assert_eq(aatgs_ring_create(&r, cap, isz), AATGS_OK);
  cr_assert_not_null(r);
  return r;
}

/* ---- creation and accessors ---------------------------------------------- */

Test(ring, create_rejects_invalid_arguments) {
  aatgs_ring *r = (aatgs_ring *)&r; /* must be overwritten with NULL */
  cr_expect_eq(aatgs_ring_create(&r, 0, 8), AATGS_EINVAL);
  cr_expect_null(r);
  r = (aatgs_ring *)&r;
  cr_expect_eq(aatgs_ring_create(&r, 8, 0), AATGS_EINVAL);
  cr_expect_null(r);
  cr_expect_eq(aatgs_ring_create(&r, 0, 0), AATGS_EINVAL);
  cr_expect_eq(aatgs_ring_create(NULL, 8, 8), AATGS_EINVAL);
  /* Sizes whose byte count overflows size_t are refused, not wrapped. */
  cr_expect_eq(aatgs_ring_create(&r, SIZE_MAX, 8), AATGS_EINVAL);
  cr_expect_eq(aatgs_ring_create(&r, SIZE_MAX / 4 + 1, 1), AATGS_EINVAL);
  cr_expect_eq(aatgs_ring_create(&r, 1u << 20, SIZE_MAX / 1024), AATGS_EINVAL);
  cr_expect_null(r);
}

Test(ring, destroy_null_is_noop) { aatgs_ring_destroy(NULL); }

Test(ring, accessors_report_creation_values) {
  size_t caps[] = {1, 2, 3, 5, 8, 1000, 1024};
  for (size_t i = 0; i < sizeof caps / sizeof caps[0]; i++) {
    aatgs_ring *r = make(caps[i], 24);
    cr_expect_eq(aatgs_ring_capacity(r), caps[i]);
    cr_expect_eq(aatgs_ring_item_size(r), 24);
    cr_expect(aatgs_ring_is_empty(r));
    cr_expect_not(aatgs_ring_is_full(r));
    cr_expect_eq(aatgs_ring_len(r), 0);
    cr_expect_float_eq(aatgs_ring_utilization(r), 0.0, 1e-12);
    aatgs_ring_destroy(r);
  }
}

/* ---- single-threaded behaviour ------------------------------------------- */

Test(ring, push_pop_keeps_fifo_order) {
  aatgs_ring *r = make(4, sizeof(uint64_t));
  for (uint64_t v = 10; v < 13; v++)
    cr_assert(aatgs_ring_push(r, &v));
  for (uint64_t want = 10; want < 13; want++) {
    uint64_t got = 0;
    cr_assert(aatgs_ring_pop(r, &got));
    cr_expect_eq(got, want);
  }
  cr_expect(aatgs_ring_is_empty(r));
  aatgs_ring_destroy(r);
}

Test(ring, push_when_full_fails_and_changes_nothing) {
  /* 5 is not a power of two: exactly 5 items fit although 8 slots exist. */
  aatgs_ring *r = make(5, sizeof(uint64_t));
  uint64_t v, rejected = 999;
  for (v = 0; v < 5; v++)
    cr_assert(aatgs_ring_push(r, &v));
  cr_expect(aatgs_ring_is_full(r));
  cr_expect_not(aatgs_ring_push(r, &rejected));
  cr_expect_not(aatgs_ring_push(r, &rejected));
  cr_expect_eq(aatgs_ring_push_bulk(r, &rejected, 1), 0);
  cr_expect_eq(aatgs_ring_len(r), 5);
  cr_expect(aatgs_ring_is_full(r));
  for (v = 0; v < 5; v++) {
    uint64_t got = 0;
    cr_assert(aatgs_ring_pop(r, &got));
    cr_expect_eq(got, v);
  }
  cr_expect(aatgs_ring_is_empty(r));
  aatgs_ring_destroy(r);
}

Test(ring, pop_when_empty_fails_and_leaves_output_alone) {
  aatgs_ring *r = make(3, sizeof(uint64_t));
  uint64_t out = 0xdeadbeef, v = 7;
  uint64_t many[4] = {1, 2, 3, 4};
  cr_expect_not(aatgs_ring_pop(r, &out));
  cr_expect_eq(out, 0xdeadbeef);
  cr_expect_eq(aatgs_ring_pop_bulk(r, many, 4), 0);
  cr_expect_eq(many[0], 1);
  /* Empty again after a push and a pop. */
  cr_assert(aatgs_ring_push(r, &v));
  cr_assert(aatgs_ring_pop(r, &out));
  cr_expect_eq(out, 7);
  out = 0xdeadbeef;
  cr_expect_not(aatgs_ring_pop(r, &out));
  cr_expect_eq(out, 0xdeadbeef);
  aatgs_ring_destroy(r);
}

static void expect_level(aatgs_ring *r, size_t cap, size_t k) {
  cr_expect_eq(aatgs_ring_len(r), k, "len %zu, want %zu (cap %zu)", aatgs_ring_len(r), k, cap);
  cr_expect_eq(aatgs_ring_is_empty(r), k == 0);
  cr_expect_eq(aatgs_ring_is_full(r), k == cap);
  cr_expect_float_eq(aatgs_ring_utilization(r), (double)k / (double)cap, 1e-12);
}

Test(ring, len_full_empty_utilization_at_every_fill_level) {
  size_t caps[] = {1, 3, 8, 10};
  for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
    size_t cap = caps[c];
    aatgs_ring *r = make(cap, 4);
    uint32_t v = 0;
    /* Offset the indices first so the levels are checked across a wrap. */
    for (size_t i = 0; i < cap / 2 + 1; i++) {
      cr_assert(aatgs_ring_push(r, &v));
      cr_assert(aatgs_ring_pop(r, &v));
    }
    for (size_t k = 0; k <= cap; k++) {
      expect_level(r, cap, k);
      if (k < cap) cr_assert(aatgs_ring_push(r, &v));
    }
    cr_expect_float_eq(aatgs_ring_utilization(r), 1.0, 1e-12);
    for (size_t k = cap; k > 0; k--) {
      expect_level(r, cap, k);
      cr_assert(aatgs_ring_pop(r, &v));
    }
    expect_level(r, cap, 0);
    aatgs_ring_destroy(r);
  }
}

/* Random single and bulk operations checked against a reference FIFO; the
 * indices wrap around the slot array thousands of times. */
Test(ring, wraps_around_many_times_against_reference) {
  size_t caps[] = {1, 2, 7, 16, 33};
  for (size_t c = 0; c < sizeof caps / sizeof caps[0]; c++) {
    size_t cap = caps[c];
    aatgs_ring *r = make(cap, sizeof(uint64_t));
    uint64_t next_in = 0, next_out = 0, buf[64];
    uint32_t seed = 12345u + (uint32_t)cap;
    for (int op = 0; op < 200000; op++) {
      size_t len = (size_t)(next_in - next_out);
      uint32_t x = lcg(&seed);
      switch (x % 4) {
      case 0: {
        bool ok = aatgs_ring_push(r, &next_in);
        cr_assert_eq(ok, len < cap);
        if (ok) next_in++;
        break;
      }
      case 1: {
        uint64_t got = UINT64_MAX;
        bool ok = aatgs_ring_pop(r, &got);
        cr_assert_eq(ok, len > 0);
        if (ok) cr_assert_eq(got, next_out++);
        break;
      }
      case 2: {
        size_t n = (x >> 4) % 40, want = n < cap - len ? n : cap - len;
        for (size_t i = 0; i < n; i++)
          buf[i] = next_in + i;
        cr_assert_eq(aatgs_ring_push_bulk(r, buf, n), want);
        next_in += want;
        break;
      }
      default: {
        size_t n = (x >> 4) % 40, want = n < len ? n : len;
        cr_assert_eq(aatgs_ring_pop_bulk(r, buf, n), want);
        for (size_t i = 0; i < want; i++)
          cr_assert_eq(buf[i], next_out + i);
        next_out += want;
        break;
      }
      }
      cr_assert_eq(aatgs_ring_len(r), (size_t)(next_in - next_out));
    }
    cr_expect_gt(next_out, 20 * cap, "too few items moved to wrap often");
    aatgs_ring_destroy(r);
  }
}

Test(ring, bulk_ops_are_partial_at_the_edges) {
  aatgs_ring *r = make(6, sizeof(uint32_t));
  uint32_t in[10], out[10];
  for (uint32_t i = 0; i < 10; i++)
    in[i] = 100 + i;
  cr_expect_eq(aatgs_ring_push_bulk(r, in, 0), 0);
  cr_expect_eq(aatgs_ring_pop_bulk(r, out, 0), 0);
  cr_expect_eq(aatgs_ring_push_bulk(r, in, 4), 4); /* 100..103 */
  cr_expect_eq(aatgs_ring_pop_bulk(r, out, 3), 3); /* 100..102 */
  cr_expect_eq(out[0], 100);
  cr_expect_eq(out[2], 102);
  cr_expect_eq(aatgs_ring_push_bulk(r, in + 4, 6), 5); /* 104..108; 109 refused */
  cr_expect(aatgs_ring_is_full(r));
  cr_expect_eq(aatgs_ring_push_bulk(r, in + 9, 1), 0);
  memset(out, 0, sizeof out);
  cr_expect_eq(aatgs_ring_pop_bulk(r, out, 10), 6); /* 103..108, across the wrap */
  for (uint32_t i = 0; i < 6; i++)
    cr_expect_eq(out[i], 103 + i);
  cr_expect_eq(out[6], 0);
  cr_expect(aatgs_ring_is_empty(r));
  aatgs_ring_destroy(r);
}

Test(ring, bulk_and_single_ops_interleave) {
  aatgs_ring *r = make(8, sizeof(uint64_t));
  uint64_t in[3] = {1, 2, 3}, v = 4, out[4] = {0};
  cr_assert_eq(aatgs_ring_push_bulk(r, in, 3), 3);
  cr_assert(aatgs_ring_push(r, &v));
  cr_assert(aatgs_ring_pop(r, &v));
  cr_expect_eq(v, 1);
  cr_assert_eq(aatgs_ring_pop_bulk(r, out, 4), 3);
  cr_expect_eq(out[0], 2);
  cr_expect_eq(out[1], 3);
  cr_expect_eq(out[2], 4);
  aatgs_ring_destroy(r);
}

static void fill_pattern(unsigned char *p, size_t size, uint32_t id) {
  for (size_t j = 0; j < size; j++)
    p[j] = (unsigned char)(id * 131u + j * 7u + (j >> 8));
}

Test(ring, item_sizes_copy_every_byte) {
  size_t sizes[] = {1, 3, 8, 12, 64, 100, 256};
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    size_t isz = sizes[s], cap = 5;
    aatgs_ring *r = make(cap, isz);
    unsigned char in[256 * 4], out[256 * 4 + 1], want[256];
    uint32_t next_in = 0, next_out = 0;
    cr_assert_eq(aatgs_ring_item_size(r), isz);
    for (int round = 0; round < 40; round++) {
      /* Single pushes, then a bulk push; single pops, then a bulk pop. */
      for (int i = 0; i < 2; i++) {
        fill_pattern(in, isz, next_in++);
        cr_assert(aatgs_ring_push(r, in));
      }
      for (uint32_t i = 0; i < 3; i++)
        fill_pattern(in + i * isz, isz, next_in + i);
      cr_assert_eq(aatgs_ring_push_bulk(r, in, 3), 3);
      next_in += 3;
      for (int i = 0; i < 2; i++) {
        out[isz] = 0x5a; /* the byte after the item must not be written */
        cr_assert(aatgs_ring_pop(r, out));
        fill_pattern(want, isz, next_out++);
        cr_assert_arr_eq(out, want, isz, "item size %zu", isz);
        cr_assert_eq(out[isz], 0x5a);
      }
      memset(out, 0, sizeof out);
      cr_assert_eq(aatgs_ring_pop_bulk(r, out, 4), 3);
      for (size_t i = 0; i < 3; i++) {
        fill_pattern(want, isz, next_out++);
        cr_assert_arr_eq(out + i * isz, want, isz, "item size %zu, bulk item %zu", isz, i);
      }
      cr_assert_eq(out[3 * isz], 0);
    }
    aatgs_ring_destroy(r);
  }
}

/* ---- two-thread stress ----------------------------------------------------- */

typedef struct stress {
  aatgs_ring *ring;
  uint64_t items;
  size_t item_size;
  int bulk; /* producer and consumer mix bulk calls with single ones */
} stress;

/* Waiting on a 2-core machine (where the tests may also run two at a time):
 * yield now and then so a descheduled peer gets to run. */
static void wait_a_bit(unsigned *spins) {
  if (++*spins % 64 == 0) sched_yield();
}

static void word_fill(uint64_t *w, size_t words, uint64_t seq) {
  for (size_t k = 0; k < words; k++)
    w[k] = seq ^ (k * 0x9e3779b97f4a7c15ULL);
}

static void *stress_producer(void *arg) {
  stress *s = arg;
  uint64_t buf[64 * 32]; /* up to 64 items of 256 bytes */
  size_t words = s->item_size / 8;
  uint32_t seed = 99;
  unsigned spins = 0;
  uint64_t seq = 0;
  while (seq < s->items) {
    size_t n = 1;
    if (s->bulk && lcg(&seed) % 2) {
      n = 1 + lcg(&seed) % 64;
      if (n > s->items - seq) n = (size_t)(s->items - seq);
    }
    for (size_t i = 0; i < n; i++)
      word_fill(buf + i * words, words, seq + i);
    if (n == 1 && !(s->bulk && seq % 3 == 0)) {
      while (!aatgs_ring_push(s->ring, buf))
        wait_a_bit(&spins);
    } else {
      size_t done = 0;
      while (done < n) {
        size_t k = aatgs_ring_push_bulk(s->ring, buf + done * words, n - done);
        if (k == 0) wait_a_bit(&spins);
        done += k;
      }
    }
    seq += n;
  }
  return NULL;
}

/* Runs the producer on a new thread and consumes on this one. Every item
 * carries its sequence number in each of its 8-byte words (xor a per-word
 * constant), so loss, duplication, reordering and torn copies all show up as
 * a mismatch. */
static void run_stress(uint64_t items, size_t cap, size_t item_size, int bulk) {
  stress s = {NULL, items, item_size, bulk};
  pthread_t tid;
  uint64_t buf[64 * 32], want[32];
  size_t words = item_size / 8;
  uint64_t seq = 0, bad = 0, first_bad = UINT64_MAX;
  uint32_t seed = 7;
  unsigned spins = 0;
  cr_assert_eq(item_size % 8, 0);
  cr_assert_eq(aatgs_ring_create(&s.ring, cap, item_size), AATGS_OK);
  cr_assert_eq(pthread_create(&tid, NULL, stress_producer, &s), 0);
  while (seq < items) {
    size_t k;
    if (bulk && lcg(&seed) % 2) {
      k = aatgs_ring_pop_bulk(s.ring, buf, 1 + lcg(&seed) % 64);
    } else {
      k = aatgs_ring_pop(s.ring, buf) ? 1 : 0;
    }
    if (k == 0) {
      wait_a_bit(&spins);
      continue;
    }
    for (size_t i = 0; i < k; i++, seq++) {
      word_fill(want, words, seq);
      if (memcmp(buf + i * words, want, item_size) != 0) {
        if (first_bad == UINT64_MAX) first_bad = seq;
        bad++;
      }
    }
  }
  pthread_join(tid, NULL);
  cr_expect_eq(bad, 0, "%llu of %llu items wrong, first at #%llu", (unsigned long long)bad,
               (unsigned long long)items, (unsigned long long)first_bad);
  cr_expect_eq(seq, items);
  /* Nothing extra: the ring is empty once every item has been taken. */
  cr_expect(aatgs_ring_is_empty(s.ring));
  cr_expect_not(aatgs_ring_pop(s.ring, buf));
  aatgs_ring_destroy(s.ring);
}

Test(ring_stress, two_threads_8_byte_items_single_ops, .timeout = 580) {
  run_stress(stress_items(), 1000, 8, 0);
}

Test(ring_stress, two_threads_8_byte_items_bulk_ops, .timeout = 580) {
  run_stress(stress_items(), 1000, 8, 1);
}

Test(ring_stress, two_threads_tiny_rings, .timeout = 580) {
  uint64_t n = stress_items() / 50;
  if (n < 10000) n = 10000;
  run_stress(n, 1, 8, 0);
  run_stress(n, 3, 8, 1);
}

Test(ring_stress, two_threads_256_byte_items, .timeout = 580) {
  uint64_t n = stress_items() / 10;
  if (n < 10000) n = 10000;
  run_stress(n, 100, 256, 1);
}
