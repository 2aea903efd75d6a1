/* harness.h - the measuring loop that every benchmark in bench/ shares.
 *
 * A benchmark is a function that runs one repetition and reports one figure
 * (seconds, items per second, ns per decision...). The harness runs it a few
 * times unmeasured to warm caches, branch predictors and the allocator, then
 * `reps` times measured, and summarizes the samples by their median and
 * median absolute deviation (MAD): these machines are shared, and the median
 * and MAD do not move when one repetition is preempted.
 *
 * Two candidates are compared by interleaving them, A B B A A B B A ...
 * (abh_abab): a slow drift of the machine (another job starting, frequency
 * changes) then hits both alike, and the per-pair ratios (abh_ratios) give a
 * ratio whose spread says how much to trust it.
 *
 * Every figure is written as one JSON object per line (abh_emit) to the file
 * named by $AATGS_BENCH_JSON (appended), or to stdout when it is unset:
 *   {"bench":"ring","case":"8B single","candidate":"aatgs","metric":"items_per_s",
 *    "unit":"items/s","better":"higher","n":7,"median":...,"mad":...,"min":...,
 *    "max":...,"samples":[...],"machine":"...", ...extra members}
 * `aatgs gate --bench BASE.jsonl NEW.jsonl` compares two such files (the
 * same statistics as its statistical mode), and bench/run.sh renders them
 * into bench/RESULTS.md.
 */
#ifndef AATGS_BENCH_HARNESS_H
#define AATGS_BENCH_HARNESS_H

#include <stddef.h>

#define ABH_MAX_REPS 1024

typedef struct abh_stats {
  int n;
  double median, mad, min, max, mean;
} abh_stats;

/* Median, MAD (unscaled), min, max and mean of x[0..n); n may be 0 (all NAN). */
void abh_stats_of(const double *x, int n, abh_stats *out);

/* One repetition: does the work, writes its figure to *value and returns 0,
 * or returns -1 after printing why (the benchmark then stops). */
typedef int (*abh_fn)(void *arg, double *value);

/* Runs fn warmup times unmeasured, then reps times (<= ABH_MAX_REPS) into
 * samples[0..reps). Returns 0, or -1 when a repetition failed. */
int abh_run(abh_fn fn, void *arg, int warmup, int reps, double *samples);

/* Runs a and b, each warmup times, then interleaved A B B A A B B A ... for
 * reps repetitions each, into sa[0..reps) and sb[0..reps) (pair i is
 * sa[i], sb[i]). Returns 0 or -1. */
int abh_abab(abh_fn a, void *a_arg, abh_fn b, void *b_arg, int warmup, int reps, double *sa,
             double *sb);

/* ratio[i] = num[i] / den[i], i < n. */
void abh_ratios(const double *num, const double *den, int n, double *ratio);

/* Monotonic wall clock and this process's CPU time, in seconds. */
double abh_now(void);
double abh_cpu(void);

/* One line about this machine: kernel, cores, CPU model (and the value of
 * $AATGS_BENCH_MACHINE when set, for a name such as "dev" or "H100 host"). */
const char *abh_machine(void);

typedef struct abh_result {
  const char *bench;     /* e.g. "ring" */
  const char *case_name; /* e.g. "8B single" */
  const char *candidate; /* e.g. "aatgs", "ck_ring", "aatgs/ck_ring" for a ratio */
  const char *metric;    /* e.g. "items_per_s" */
  const char *unit;      /* e.g. "items/s" */
  int higher_is_better;
  const double *samples;
  int n;
  const char *extra; /* NULL, or more members: "\"items\":1000000,\"bad\":0" */
} abh_result;

/* Writes r as one JSON line (see above); returns 0, or -1 when the file in
 * $AATGS_BENCH_JSON cannot be written (says why on stderr). */
int abh_emit(const abh_result *r);

/* The layered DAG several benchmarks share: `layers` x `width` tasks, mean
 * in-degree 3, durations uniform(20us, 200us), generator seed 1. Returns 0,
 * or -1 after printing why (prefixed with who). */
struct aatgs_graph;
int abh_layered_dag(struct aatgs_graph **out, unsigned layers, unsigned width, const char *who);

#endif
