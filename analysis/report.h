/* report.h - `aatgs report`: the comparison table of a trace database.
 *
 * For each scenario x backend x policy found in the runs table (after the
 * filters), the report gives: the number of completed runs, their mean
 * makespan in ms with its spread over seeds and repetitions (sample standard
 * deviation, 95% confidence half-width from Student's t, min..max), the
 * speedup over the baseline policy of the same scenario and backend
 * (baseline mean / this mean), the efficiency against the lower bound (mean
 * of lower_bound / makespan), the mean decision cost (mean of the runs'
 * mean_decision_ns) and how many runs were interrupted or failed. Only
 * completed runs count in the statistics. Rows are sorted by scenario,
 * backend, policy.
 *
 * Numbers that do not exist (a deviation of one run, a speedup without a
 * baseline) are NAN in aatgs_report_row and print as "-" (table, markdown),
 * an empty field (CSV) or null (JSON). The database is opened read-only.
 */
#ifndef AATGS_REPORT_H
#define AATGS_REPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

typedef enum aatgs_report_format {
  AATGS_REPORT_TABLE = 0, /* aligned columns for a terminal */
  AATGS_REPORT_CSV = 1,   /* RFC 4180, one header line */
  AATGS_REPORT_MARKDOWN = 2,
  AATGS_REPORT_JSON = 3 /* {"database":..., "baseline":..., "rows":[{...}, ...]} */
} aatgs_report_format;

typedef struct aatgs_report_options {
  aatgs_report_format format;
  /* Filters: NULL or "" keeps everything, otherwise a comma-separated list of
   * exact names ("adaptive,fifo"). The policy filter drops rows only after
   * speedups are computed, so the baseline need not be shown. */
  const char *scenario;
  const char *policy;
  const char *backend;
  const char *baseline; /* baseline policy; NULL: "fifo" */
} aatgs_report_options;

typedef struct aatgs_report_row {
  char *scenario, *backend, *policy; /* "" where the run recorded none */
  uint32_t runs;                     /* completed runs */
  uint32_t interrupted, failed;
  double mean_ms, sd_ms, ci95_ms, min_ms, max_ms; /* makespan over completed runs */
  double speedup;                                 /* baseline mean / mean_ms */
  double efficiency;                              /* mean of lower_bound_ns / makespan_ns */
  double decision_ns;                             /* mean of mean_decision_ns */
  bool is_baseline;
} aatgs_report_row;

typedef struct aatgs_report {
  char *db_path;
  char *baseline;
  aatgs_report_row *rows;
  size_t n_rows;
} aatgs_report;

/* One scenario x policy recorded under `sim` and under a real backend. */
typedef struct aatgs_fidelity_row {
  const char *scenario, *policy, *backend; /* point into the report's rows */
  double sim_ms, real_ms;                  /* mean makespans */
  double error;                            /* sim_ms / real_ms - 1 */
} aatgs_fidelity_row;

/* Pairs every `sim` row with the rows of the same scenario and policy under
 * another backend; writes up to cap of them and returns how many exist. The
 * table and markdown formats print them after the main table, with the
 * median and maximum |error|. */
size_t aatgs_report_fidelity(const aatgs_report *r, aatgs_fidelity_row *out, size_t cap);

/* Parses "table", "csv", "markdown" (or "md") or "json". AATGS_EINVAL with a
 * message listing the formats otherwise. */
int aatgs_report_parse_format(const char *name, aatgs_report_format *out, aatgs_err *err);

/* Reads the database and computes the rows. A missing file gives
 * AATGS_ENOENT, a file that is not an AATGS database AATGS_EDB; both messages
 * name the file. On success *out is owned by the caller
 * (aatgs_report_destroy). */
int aatgs_report_load(const char *db_path, const aatgs_report_options *opt, aatgs_report **out,
                      aatgs_err *err);

/* Writes the report in the given format. AATGS_EIO if writing fails. */
int aatgs_report_write(const aatgs_report *r, aatgs_report_format format, FILE *out,
                       aatgs_err *err);

/* Frees the report. NULL is a no-op. */
void aatgs_report_destroy(aatgs_report *r);

/* load + write with opt->format, the whole `aatgs report` command. */
int aatgs_report_run(const char *db_path, const aatgs_report_options *opt, FILE *out,
                     aatgs_err *err);

/* The two-sided 95% Student t quantile for `df` degrees of freedom (df >= 1;
 * conservative steps past 30). */
double aatgs_report_t95(uint32_t df);

#endif
