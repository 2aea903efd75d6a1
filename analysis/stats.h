/* stats.h - the statistics of `aatgs report`: quantiles, and percentile
 * bootstrap confidence intervals that are the same on every run.
 *
 * Definitions (README, `report` under "The command line", repeats them):
 * - aatgs_stats_quantile is Hyndman and Fan's type 7 (R's default, numpy's
 *   "linear"): on the sorted values x[0..n-1], h = (n - 1) p and
 *   q = x[floor h] + (h - floor h) (x[floor h + 1] - x[floor h]). The median is
 *   p = 0.5: the middle value, or the mean of the two middle ones.
 * - aatgs_stats_rank_percentile is the nearest-rank percentile: the k-th
 *   smallest value with k = ceil(pct n / 100), an observed value, never an
 *   interpolation (decision costs are integers of ns).
 * - A bootstrap interval at level L draws B resamples of the data (n values
 *   with replacement, uniformly), computes the statistic of each, and returns
 *   the type 7 quantiles (1 - L) / 2 and (1 + L) / 2 of the B values (the
 *   percentile method). Draws come from aatgs_rng seeded with `seed`, in a
 *   fixed order, so the same data and seed give the same interval bit for bit.
 *
 * Nothing here keeps state; every function is thread-safe. Functions that
 * take a non-const array may reorder it.
 */
#ifndef AATGS_STATS_H
#define AATGS_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef enum aatgs_stat { AATGS_STAT_MEDIAN = 0, AATGS_STAT_MEAN = 1 } aatgs_stat;

/* A confidence interval; both NAN when it does not exist. */
typedef struct aatgs_interval {
  double lo, hi;
} aatgs_interval;

/* Arithmetic mean; NAN for n == 0. */
double aatgs_stats_mean(const double *x, size_t n);

/* Sample standard deviation (n - 1 in the denominator); NAN for n < 2. */
double aatgs_stats_sd(const double *x, size_t n);

/* Type 7 quantile p in [0, 1] (see above); sorts x. NAN for n == 0 or p
 * outside [0, 1]. */
double aatgs_stats_quantile(double *x, size_t n, double p);

/* The median, type 7 (see above); sorts x. NAN for n == 0. */
double aatgs_stats_median(double *x, size_t n);

/* Nearest-rank percentile pct (1..100) of n integers: the k-th smallest,
 * k = ceil(pct n / 100) computed in integers; sorts x. Returns false (and
 * leaves *out alone) for n == 0 or pct outside 1..100. */
bool aatgs_stats_rank_percentile(int64_t *x, size_t n, unsigned pct, int64_t *out);

/* Percentile bootstrap interval of the median or mean of x[0..n-1] at level
 * (e.g. 0.95), from B resamples drawn with aatgs_rng seeded by seed. For
 * n < 2 the interval is NAN (a single value has no spread to resample); for
 * identical values it has zero width. x is not modified. Returns AATGS_OK,
 * AATGS_EINVAL (B == 0, level outside (0, 1), x NULL with n > 0) or
 * AATGS_ENOMEM (err set). */
int aatgs_stats_bootstrap(const double *x, size_t n, aatgs_stat stat, uint32_t B, uint64_t seed,
                          double level, aatgs_interval *ci, aatgs_err *err);

/* Percentile bootstrap interval of median(num) / median(den). Unpaired: each
 * resample draws n_num values of num and then n_den values of den,
 * independently. Paired (n_num == n_den, num[i] and den[i] measured on the
 * same input): each resample draws n indices and takes both values of each.
 * NAN when either side has fewer than 2 values or a resampled median of den
 * is 0. Same return codes as aatgs_stats_bootstrap, plus AATGS_EINVAL for a
 * paired call with n_num != n_den. */
int aatgs_stats_bootstrap_ratio(const double *num, size_t n_num, const double *den, size_t n_den,
                                bool paired, uint32_t B, uint64_t seed, double level,
                                aatgs_interval *ci, aatgs_err *err);

#endif
