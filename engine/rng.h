/* rng.h - seeded pseudo-random numbers (xoshiro256** seeded by splitmix64).
 *
 * No global state: every generator lives in the object that owns it, so the
 * same seed gives the same stream on every platform. aatgs_hash64 gives
 * counter-based randomness (a value per (seed, key)) for draws that must not
 * depend on the order in which they are made, e.g. a task's actual duration
 * must be the same under every policy.
 */
#ifndef AATGS_RNG_H
#define AATGS_RNG_H

#include <stdint.h>

typedef struct aatgs_rng {
  uint64_t s[4];
} aatgs_rng;

void aatgs_rng_seed(aatgs_rng *r, uint64_t seed);
uint64_t aatgs_rng_next(aatgs_rng *r);
/* Uniform in [0, 1). */
double aatgs_rng_uniform(aatgs_rng *r);
/* Uniform integer in [0, n) (n > 0), without modulo bias. */
uint64_t aatgs_rng_below(aatgs_rng *r, uint64_t n);
/* Standard normal (mean 0, sd 1). */
double aatgs_rng_normal(aatgs_rng *r);

/* splitmix64 finalizer of (seed, key): a well-mixed 64-bit value. */
uint64_t aatgs_hash64(uint64_t seed, uint64_t key);
/* Uniform in (0, 1) from a 64-bit hash value. */
double aatgs_hash_unit(uint64_t h);
/* Multiplicative noise factor with mean 1 and coefficient of variation cv,
 * lognormal, drawn from (seed, key). cv <= 0 gives exactly 1.0. */
double aatgs_noise_lognormal(uint64_t seed, uint64_t key, double cv);

#endif
