/* gate.h - `aatgs gate`: a performance gate between two trace databases.
 *
 * The gate compares a candidate database against a baseline, group by group,
 * where a group is one scenario x policy x backend (after the filters). Only
 * completed runs with a value of the metric count; a run's value is its
 * makespan, its efficiency (lower bound / makespan) or its decision cost.
 *
 * Each group present in both databases is compared in one of two modes:
 *  - deterministic: both sides are `sim` runs of the same scenario hash, the
 *    metric is deterministic (makespan, efficiency) and --statistical is off.
 *    Runs are paired by (seed, rep) (the latest run of a key counts) and
 *    compared exactly: a pair whose values differ by more than the relative
 *    tolerance, or whose event hashes differ, is "changed"; a pair worse by
 *    more than the threshold makes the group a regression.
 *  - statistical: everything else (a real backend, a changed scenario, a
 *    wall-clock metric). ratio = candidate median / baseline median, with an
 *    unpaired percentile bootstrap 95% interval (aatgs_stats_bootstrap_ratio,
 *    seeded from the seed option and the group's names: the same inputs give
 *    the same interval). Regression only when the whole interval is worse
 *    than the threshold, improvement when it is wholly better, ambiguous when
 *    it straddles the regression threshold, pass otherwise. With one run on
 *    a side there is no interval: pass when the ratio is within the
 *    threshold, ambiguous otherwise.
 * A group only in the candidate is "new" (passes: a scenario added since the
 * baseline); only in the baseline it is "missing" (fails unless
 * allow_missing). A candidate group with no completed run, or with more
 * failed runs than its baseline, is "failed".
 *
 * The fidelity gate pairs `sim` and real-backend groups of one database
 * through aatgs_report_fidelity and fails when the median |sim / real - 1|
 * exceeds its threshold (or when no pair exists).
 *
 * Databases are opened read-only. Nothing here keeps global state; the calls
 * are thread-safe on distinct objects.
 */
#ifndef AATGS_GATE_H
#define AATGS_GATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "report.h"

typedef enum aatgs_gate_metric {
  AATGS_GATE_MAKESPAN = 0,      /* makespan_ns, in ms; lower is better; deterministic on sim */
  AATGS_GATE_EFFICIENCY = 1,    /* lower_bound_ns / makespan_ns; higher is better; deterministic */
  AATGS_GATE_DECISION_MEAN = 2, /* mean_decision_ns; lower is better; wall clock, noisy */
  AATGS_GATE_DECISION_MAX = 3,  /* max_decision_ns; lower is better; wall clock, noisy */
  AATGS_GATE_METRIC_COUNT
} aatgs_gate_metric;

typedef enum aatgs_gate_mode {
  AATGS_GATE_NONE = 0, /* not compared (missing, new, failed) */
  AATGS_GATE_DETERMINISTIC = 1,
  AATGS_GATE_STATISTICAL = 2
} aatgs_gate_mode;

typedef enum aatgs_gate_verdict {
  AATGS_GATE_PASS = 0,        /* identical (within the tolerance) or no significant change */
  AATGS_GATE_CHANGED = 1,     /* deterministic: differs, no run worse beyond the threshold */
  AATGS_GATE_IMPROVEMENT = 2, /* better beyond the threshold, nothing worse */
  AATGS_GATE_AMBIGUOUS = 3,   /* statistical: the interval straddles the threshold */
  AATGS_GATE_REGRESSION = 4,  /* worse beyond the threshold */
  AATGS_GATE_FAILED = 5,      /* candidate runs failed (none completed, or more than baseline) */
  AATGS_GATE_MISSING = 6,     /* in the baseline only */
  AATGS_GATE_NEW = 7,         /* in the candidate only */
  AATGS_GATE_VERDICT_COUNT
} aatgs_gate_verdict;

#define AATGS_GATE_DEFAULT_THRESHOLD 0.05
#define AATGS_GATE_DEFAULT_TOLERANCE 1e-9
#define AATGS_GATE_DEFAULT_BOOTSTRAP 2000u
#define AATGS_GATE_DEFAULT_SEED 0x67617465u /* "gate" */
#define AATGS_GATE_DEFAULT_FIDELITY 0.10

typedef struct aatgs_gate_options {
  aatgs_gate_metric metric;
  double threshold;   /* relative, 0.05 = 5% */
  double tolerance;   /* relative; deterministic values closer than this are equal */
  uint32_t bootstrap; /* resamples of the statistical mode, >= 100 */
  uint64_t seed;      /* seed of the bootstrap (mixed with each group's names) */
  bool statistical;   /* statistical mode for every group */
  bool allow_missing; /* "missing" groups pass */
  bool fail_ambiguous;
  /* Filters as in aatgs_report_options: NULL or "" keeps all, else a
   * comma-separated list of exact names. */
  const char *scenario, *policy, *backend;
} aatgs_gate_options;

typedef struct aatgs_gate_group {
  char *scenario, *policy, *backend;
  aatgs_gate_mode mode;
  aatgs_gate_verdict verdict;
  uint32_t base_runs, cand_runs;     /* completed runs with a value */
  uint32_t base_failed, cand_failed; /* runs with status 'failed' */
  double base_median, cand_median;   /* in the metric's unit; NAN when no run */
  double ratio;                      /* cand_median / base_median (NAN when not compared) */
  /* Statistical: the bootstrap 95% interval of ratio. Deterministic: the
   * smallest and largest per-pair ratio. */
  double low, high;
  /* Deterministic only: pairs compared, pairs that differ (value beyond the
   * tolerance or event hash), of them with a different event hash, pairs
   * worse than the threshold, and the worst pair. */
  uint32_t compared, changed, hash_changed, worse;
  double worst_ratio;
  int64_t worst_seed, worst_rep;
  char note[192]; /* why a mode was chosen, what failed; "" when nothing to say */
} aatgs_gate_group;

typedef struct aatgs_gate_result {
  char *baseline_path, *candidate_path;
  aatgs_gate_metric metric;
  double threshold, tolerance;
  uint32_t bootstrap;
  uint64_t seed;
  bool allow_missing, fail_ambiguous, statistical;
  aatgs_gate_group *groups; /* sorted by scenario, policy, backend */
  size_t n_groups;
  size_t counts[AATGS_GATE_VERDICT_COUNT];
  size_t n_failing; /* groups whose verdict fails the gate */
} aatgs_gate_result;

typedef struct aatgs_gate_fidelity {
  char *db_path;
  double threshold;
  aatgs_report *report; /* owns the strings the pairs point to */
  aatgs_fidelity_row *pairs;
  size_t n_pairs;
  double median_abs_error, max_abs_error; /* NAN when there is no pair */
  bool failed;                            /* median above threshold, or no pair */
} aatgs_gate_fidelity;

/* Fills o with the defaults: makespan, 5%, 1e-9, 2000 resamples. */
void aatgs_gate_options_default(aatgs_gate_options *o);

/* Metric names: "makespan", "efficiency", "decision_mean", "decision_max".
 * AATGS_EINVAL with a message listing them otherwise. */
int aatgs_gate_parse_metric(const char *name, aatgs_gate_metric *out, aatgs_err *err);
const char *aatgs_gate_metric_name(aatgs_gate_metric m);
/* Lower-case verdict name ("pass", "regression", ...). */
const char *aatgs_gate_verdict_name(aatgs_gate_verdict v);

/* Parses a relative amount: "5%" or "0.05". A bare number above 1 is refused
 * (write "5%"), as is a negative or non-finite one. `what` names the option
 * in the message. */
int aatgs_gate_parse_fraction(const char *what, const char *s, double *out, aatgs_err *err);

/* Compares the two databases. A missing or unreadable file, or one that is
 * not an AATGS database, gives AATGS_ENOENT, AATGS_EIO or AATGS_EDB naming
 * the file; bad options AATGS_EINVAL; no group in either database after the
 * filters AATGS_ENOENT. On success *out is the caller's
 * (aatgs_gate_destroy). */
int aatgs_gate_compare(const char *baseline, const char *candidate, const aatgs_gate_options *opt,
                       aatgs_gate_result **out, aatgs_err *err);

/* True when a verdict fails the gate under the result's options. */
bool aatgs_gate_verdict_fails(const aatgs_gate_result *r, aatgs_gate_verdict v);

/* The fidelity gate over one database, with the scenario and policy filters
 * of the report. Errors as aatgs_report_load. *out is the caller's
 * (aatgs_gate_fidelity_destroy). */
int aatgs_gate_fidelity_check(const char *db, const char *scenario, const char *policy,
                              double threshold, aatgs_gate_fidelity **out, aatgs_err *err);

/* The verdict table, a summary line and (with f) the fidelity table.
 * Either r or f may be NULL. AATGS_EIO if writing fails. */
int aatgs_gate_write_table(const aatgs_gate_result *r, const aatgs_gate_fidelity *f, FILE *out,
                           aatgs_err *err);

/* One JSON object for CI systems: "verdict" ("pass" or "fail"),
 * "exit_code", the options, "counts" per verdict, "groups" (one object per
 * group) and "fidelity" (null without f). Either r or f may be NULL. */
int aatgs_gate_write_json(const aatgs_gate_result *r, const aatgs_gate_fidelity *f, FILE *out,
                          aatgs_err *err);

/* 0 when nothing fails, 1 otherwise: the exit status of `aatgs gate`. */
int aatgs_gate_exit_code(const aatgs_gate_result *r, const aatgs_gate_fidelity *f);

/* Free. NULL is a no-op. */
void aatgs_gate_destroy(aatgs_gate_result *r);
void aatgs_gate_fidelity_destroy(aatgs_gate_fidelity *f);

#endif
