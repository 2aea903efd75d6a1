/* rng.c - xoshiro256** and splitmix64. */
#include "rng.h"

#include <math.h>

static uint64_t splitmix64(uint64_t *x) {
  uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

static inline uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void aatgs_rng_seed(aatgs_rng *r, uint64_t seed) {
  uint64_t x = seed;
  for (int i = 0; i < 4; i++)
    r->s[i] = splitmix64(&x);
}

uint64_t aatgs_rng_next(aatgs_rng *r) {
  uint64_t *s = r->s;
  uint64_t result = rotl(s[1] * 5, 7) * 9;
  uint64_t t = s[1] << 17;
  s[2] ^= s[0];
  s[3] ^= s[1];
  s[1] ^= s[2];
  s[0] ^= s[3];
  s[2] ^= t;
  s[3] = rotl(s[3], 45);
  return result;
}

double aatgs_rng_uniform(aatgs_rng *r) { return (double)(aatgs_rng_next(r) >> 11) * 0x1.0p-53; }

uint64_t aatgs_rng_below(aatgs_rng *r, uint64_t n) {
  uint64_t limit = -n % n; /* 2^64 mod n */
  for (;;) {
    uint64_t x = aatgs_rng_next(r);
    if (x >= limit) return x % n;
  }
}

double aatgs_rng_normal(aatgs_rng *r) {
  double u1 = 1.0 - aatgs_rng_uniform(r); /* (0, 1] */
  double u2 = aatgs_rng_uniform(r);
  return sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
}

uint64_t aatgs_hash64(uint64_t seed, uint64_t key) {
  uint64_t x = seed ^ (key * 0xd1b54a32d192ed03ULL);
  (void)splitmix64(&x);
  return splitmix64(&x);
}

double aatgs_hash_unit(uint64_t h) { return ((double)(h >> 11) + 0.5) * 0x1.0p-53; }

double aatgs_noise_lognormal(uint64_t seed, uint64_t key, double cv) {
  if (cv <= 0.0) return 1.0;
  double u1 = aatgs_hash_unit(aatgs_hash64(seed, 2 * key));
  double u2 = aatgs_hash_unit(aatgs_hash64(seed, 2 * key + 1));
  double z = sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);
  double s2 = log(1.0 + cv * cv);
  return exp(-0.5 * s2 + sqrt(s2) * z);
}
