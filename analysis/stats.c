/* stats.c - quantiles and percentile bootstrap intervals (stats.h). */
#include "stats.h"

#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "rng.h"

double aatgs_stats_mean(const double *x, size_t n) {
  if (n == 0) return NAN;
  double s = 0;
  for (size_t i = 0; i < n; i++)
    s += x[i];
  return s / (double)n;
}

double aatgs_stats_sd(const double *x, size_t n) {
  if (n < 2) return NAN;
  double m = aatgs_stats_mean(x, n), ss = 0;
  for (size_t i = 0; i < n; i++)
    ss += (x[i] - m) * (x[i] - m);
  return sqrt(ss / (double)(n - 1));
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

static int cmp_i64(const void *a, const void *b) {
  int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
  return (x > y) - (x < y);
}

/* Type 7 quantile of values already sorted. */
static double quantile_sorted(const double *x, size_t n, double p) {
  double h = (double)(n - 1) * p;
  size_t k = (size_t)floor(h);
  if (k + 1 >= n) return x[n - 1];
  return x[k] + (h - (double)k) * (x[k + 1] - x[k]);
}

double aatgs_stats_quantile(double *x, size_t n, double p) {
  if (n == 0 || !(p >= 0.0 && p <= 1.0)) return NAN;
  qsort(x, n, sizeof *x, cmp_double);
  return quantile_sorted(x, n, p);
}

double aatgs_stats_median(double *x, size_t n) { return aatgs_stats_quantile(x, n, 0.5); }

bool aatgs_stats_rank_percentile(int64_t *x, size_t n, unsigned pct, int64_t *out) {
  if (n == 0 || pct < 1 || pct > 100) return false;
  qsort(x, n, sizeof *x, cmp_i64);
  size_t k = (size_t)(((uint64_t)pct * n + 99) / 100); /* ceil(pct n / 100), 1-based */
  *out = x[k - 1];
  return true;
}

/* Moves the k-th smallest of x[0..n-1] to x[k], smaller or equal ones before
 * it and larger or equal ones after (selection with a three-way partition:
 * expected O(n), and linear on runs of equal values). */
static void select_kth(double *x, size_t n, size_t k) {
  ptrdiff_t lo = 0, hi = (ptrdiff_t)n - 1, want = (ptrdiff_t)k;
  while (lo < hi) {
    ptrdiff_t mid = lo + (hi - lo) / 2;
    double a = x[lo], b = x[mid], c = x[hi];
    double pivot = (a < b) ? ((b < c) ? b : (a < c ? c : a)) : ((a < c) ? a : (b < c ? c : b));
    ptrdiff_t lt = lo, i = lo, gt = hi;
    while (i <= gt) {
      double v = x[i];
      if (v < pivot) {
        x[i++] = x[lt];
        x[lt++] = v;
      } else if (v > pivot) {
        x[i] = x[gt];
        x[gt--] = v;
      } else {
        i++;
      }
    }
    /* x[lo..lt-1] < pivot, x[lt..gt] == pivot, x[gt+1..hi] > pivot. */
    if (want < lt)
      hi = lt - 1;
    else if (want > gt)
      lo = gt + 1;
    else
      return;
  }
}

/* Median of x[0..n-1] (n >= 1), the type 7 one; reorders x. */
static double median_select(double *x, size_t n) {
  size_t k = n / 2;
  select_kth(x, n, k);
  if (n % 2) return x[k];
  double below = x[0];
  for (size_t i = 1; i < k; i++)
    if (x[i] > below) below = x[i];
  return below + 0.5 * (x[k] - below);
}

static double statistic(double *x, size_t n, aatgs_stat stat) {
  return stat == AATGS_STAT_MEAN ? aatgs_stats_mean(x, n) : median_select(x, n);
}

/* Sorts the B replicate values and sets the percentile interval; NAN when a
 * replicate is not finite. */
static void percentile_interval(double *rep, uint32_t B, double level, aatgs_interval *ci) {
  for (uint32_t b = 0; b < B; b++)
    if (!isfinite(rep[b])) {
      ci->lo = ci->hi = NAN;
      return;
    }
  qsort(rep, B, sizeof *rep, cmp_double);
  ci->lo = quantile_sorted(rep, B, 0.5 * (1.0 - level));
  ci->hi = quantile_sorted(rep, B, 0.5 * (1.0 + level));
}

static int check_args(uint32_t B, double level, aatgs_interval *ci, aatgs_err *err) {
  if (!ci) return aatgs_err_set(err, AATGS_EINVAL, "bootstrap: no interval to fill");
  ci->lo = ci->hi = NAN;
  if (B == 0) return aatgs_err_set(err, AATGS_EINVAL, "bootstrap: B must be at least 1");
  if (!(level > 0.0 && level < 1.0))
    return aatgs_err_set(err, AATGS_EINVAL, "bootstrap: level %g is not in (0, 1)", level);
  return AATGS_OK;
}

int aatgs_stats_bootstrap(const double *x, size_t n, aatgs_stat stat, uint32_t B, uint64_t seed,
                          double level, aatgs_interval *ci, aatgs_err *err) {
  int rc = check_args(B, level, ci, err);
  if (rc != AATGS_OK) return rc;
  if (!x && n) return aatgs_err_set(err, AATGS_EINVAL, "bootstrap: no data");
  if (n < 2) return AATGS_OK;
  double *rep = malloc((size_t)B * sizeof *rep);
  double *s = malloc(n * sizeof *s);
  if (!rep || !s) {
    free(rep);
    free(s);
    return aatgs_err_set(err, AATGS_ENOMEM, "bootstrap: out of memory (%u resamples of %zu)", B, n);
  }
  aatgs_rng r;
  aatgs_rng_seed(&r, seed);
  for (uint32_t b = 0; b < B; b++) {
    for (size_t i = 0; i < n; i++)
      s[i] = x[aatgs_rng_below(&r, n)];
    rep[b] = statistic(s, n, stat);
  }
  percentile_interval(rep, B, level, ci);
  free(rep);
  free(s);
  return AATGS_OK;
}

int aatgs_stats_bootstrap_ratio(const double *num, size_t n_num, const double *den, size_t n_den,
                                bool paired, uint32_t B, uint64_t seed, double level,
                                aatgs_interval *ci, aatgs_err *err) {
  int rc = check_args(B, level, ci, err);
  if (rc != AATGS_OK) return rc;
  if ((!num && n_num) || (!den && n_den))
    return aatgs_err_set(err, AATGS_EINVAL, "bootstrap: no data");
  if (paired && n_num != n_den)
    return aatgs_err_set(err, AATGS_EINVAL,
                         "bootstrap: a paired ratio needs as many numerators as denominators "
                         "(%zu, %zu)",
                         n_num, n_den);
  if (n_num < 2 || n_den < 2) return AATGS_OK;
  double *rep = malloc((size_t)B * sizeof *rep);
  double *a = malloc(n_num * sizeof *a), *d = malloc(n_den * sizeof *d);
  if (!rep || !a || !d) {
    free(rep);
    free(a);
    free(d);
    return aatgs_err_set(err, AATGS_ENOMEM, "bootstrap: out of memory (%u resamples)", B);
  }
  aatgs_rng r;
  aatgs_rng_seed(&r, seed);
  for (uint32_t b = 0; b < B; b++) {
    if (paired) {
      for (size_t i = 0; i < n_num; i++) {
        size_t k = (size_t)aatgs_rng_below(&r, n_num);
        a[i] = num[k];
        d[i] = den[k];
      }
    } else {
      for (size_t i = 0; i < n_num; i++)
        a[i] = num[aatgs_rng_below(&r, n_num)];
      for (size_t i = 0; i < n_den; i++)
        d[i] = den[aatgs_rng_below(&r, n_den)];
    }
    double md = median_select(d, n_den);
    rep[b] = md != 0.0 ? median_select(a, n_num) / md : NAN;
  }
  percentile_interval(rep, B, level, ci);
  free(rep);
  free(a);
  free(d);
  return AATGS_OK;
}
