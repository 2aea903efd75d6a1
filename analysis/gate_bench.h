/* gate_bench.h - `aatgs gate --bench BASE.jsonl NEW.jsonl`: the performance
 * gate over two files of benchmark figures (bench_json.h), with the verdicts,
 * thresholds and exit status of the database gate (gate.h).
 *
 * A group is one (bench, case, candidate, metric). When a file has several
 * lines of one group (a benchmark run twice into one file) the last counts,
 * with a note. Each group present in both files gets
 *   ratio = candidate median / baseline median  when lower is better,
 *           baseline median / candidate median  when higher is better,
 * so that a ratio above 1 is always worse (the "better" member of the
 * candidate's line decides; a different one in the baseline is noted).
 * Medians are the type 7 medians of the finite samples (those the harness
 * writes). Then:
 *  - exact (both sides have one value, e.g. a callgrind instruction count):
 *    regression when ratio > 1 + threshold, improvement when
 *    < 1 - threshold, "changed" when the values differ by more than the
 *    relative tolerance, pass otherwise;
 *  - statistical (both sides have >= 2 values): the unpaired percentile
 *    bootstrap 95% interval of the ratio (aatgs_stats_bootstrap_ratio,
 *    seeded from the options' seed and the group's names, so the same files
 *    give the same interval); regression when the whole interval is above
 *    1 + threshold, improvement when it is below 1 - threshold, ambiguous
 *    when it straddles 1 + threshold, pass otherwise;
 *  - one value on one side only: pass within the threshold, ambiguous
 *    beyond it (no spread to tell a change from noise).
 * A group only in the candidate is "new", only in the baseline "missing";
 * a candidate group with no finite value is "failed". Which verdicts fail the
 * gate is aatgs_gate_verdict_fails (regression, failed; missing unless
 * allow_missing; ambiguous with fail_ambiguous).
 *
 * The machine strings of the two files are compared: when they differ the
 * result says so (machines_differ), as a warning, never a failure.
 * Nothing here keeps global state; calls on distinct objects are thread-safe.
 */
#ifndef AATGS_GATE_BENCH_H
#define AATGS_GATE_BENCH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "gate.h"

typedef struct aatgs_gate_bench_group {
  char *bench, *case_name, *candidate, *metric, *unit;
  bool higher_is_better;
  aatgs_gate_mode mode; /* DETERMINISTIC: exact; STATISTICAL; NONE: not compared */
  aatgs_gate_verdict verdict;
  size_t base_line, cand_line;     /* line of the group in each file; 0 when absent */
  uint32_t base_n, cand_n;         /* finite values */
  double base_median, cand_median; /* NAN when none */
  double ratio;                    /* oriented, > 1 is worse; NAN when not compared */
  double low, high;                /* 95% interval of ratio; exact: both = ratio; else NAN */
  char note[192];
} aatgs_gate_bench_group;

typedef struct aatgs_gate_bench_result {
  char *baseline_path, *candidate_path;
  char *baseline_machine, *candidate_machine; /* of each file's first line ("" when empty) */
  bool machines_differ; /* some machine string differs between or within the files */
  double threshold, tolerance;
  uint32_t bootstrap;
  uint64_t seed;
  bool allow_missing, fail_ambiguous;
  aatgs_gate_bench_group *groups; /* sorted by bench, case, candidate, metric */
  size_t n_groups;
  size_t counts[AATGS_GATE_VERDICT_COUNT];
  size_t n_failing;
} aatgs_gate_bench_result;

/* Compares two files. Uses threshold, tolerance, bootstrap, seed,
 * allow_missing and fail_ambiguous of opt (NULL: aatgs_gate_options_default);
 * its metric, statistical and filters do not apply. Errors of
 * aatgs_bench_load (naming the file and line), AATGS_EINVAL for bad options,
 * AATGS_ENOENT when neither file has a figure. *out is the caller's
 * (aatgs_gate_bench_destroy). */
int aatgs_gate_bench_compare(const char *baseline, const char *candidate,
                             const aatgs_gate_options *opt, aatgs_gate_bench_result **out,
                             aatgs_err *err);

/* The verdict table with a summary line and the FAIL lines, as
 * aatgs_gate_write_table prints them. AATGS_EIO if writing fails. */
int aatgs_gate_bench_write_table(const aatgs_gate_bench_result *r, FILE *out, aatgs_err *err);

/* One JSON object: "tool", "verdict", "exit_code", the files and machines,
 * the options, "counts" per verdict and "groups". AATGS_EIO if writing fails. */
int aatgs_gate_bench_write_json(const aatgs_gate_bench_result *r, FILE *out, aatgs_err *err);

/* 0 when no group fails, 1 otherwise. */
int aatgs_gate_bench_exit_code(const aatgs_gate_bench_result *r);

/* Free. NULL is a no-op. */
void aatgs_gate_bench_destroy(aatgs_gate_bench_result *r);

#endif
