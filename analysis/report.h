/* report.h - `aatgs report`: the statistics of a trace database.
 *
 * Runs are grouped by scenario x policy x backend (after the filters). Only
 * completed runs enter the statistics; failed and interrupted runs are
 * counted, runs still 'running' are ignored. For each group the report gives
 * (README, `report` under "The command line", defines every column):
 * - the makespan's median and mean, each with a 95% percentile bootstrap
 *   interval over the group's runs (seeds and repetitions), B resamples
 *   (stats.h), seeded from the group's names so that the same database gives
 *   the same report whatever the filters;
 * - the speedup over the baseline policy of the same scenario and backend,
 *   median(baseline) / median(this), with a bootstrap interval that resamples
 *   both groups: paired by (seed, rep) when the two groups hold exactly the
 *   same (seed, rep) keys once each, independently otherwise (docs/DESIGN.md);
 * - the efficiency, median over runs of lower_bound_ns / makespan_ns;
 * - the kernel stream utilization, median over runs of (summed end - start
 *   of the run's tasks on streams of class 'kernel') / (kernel streams x
 *   makespan);
 * - the config and telemetry ring utilization, mean and max of
 *   ring_samples.utilization over every sample of the group's runs;
 * - the decision cost, mean and nearest-rank p99 of decisions.cost_ns over
 *   every decision of the group's runs;
 * - config/telemetry ring overflows and telemetry evictions, summed from the
 *   runs table over every run of the group whatever its status (an overflow
 *   before a failure is worth seeing), and the failed and interrupted runs.
 * A run's rows in the bulk tables are found through run_rows (the SQLite sink
 * keeps it at every commit).
 *
 * Numbers that do not exist (an interval of one run, a speedup without a
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

#define AATGS_REPORT_BOOTSTRAP_DEFAULT 2000u
#define AATGS_REPORT_BOOTSTRAP_MAX 1000000u
/* aatgs_report_options.bootstrap: no intervals at all. */
#define AATGS_REPORT_NO_BOOTSTRAP UINT32_MAX
#define AATGS_REPORT_LEVEL 0.95

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
  /* Run ids, "3,7,10-12" (ranges inclusive); NULL or "" keeps every run. The
   * selection applies to the baseline's runs too. */
  const char *runs;
  const char *baseline; /* baseline policy; NULL: "fifo" */
  /* Columns to print, comma-separated names of aatgs_report_column_name;
   * NULL or "": every column for CSV and JSON, a short set for the table and
   * markdown (README). */
  const char *columns;
  /* Bootstrap resamples; 0: AATGS_REPORT_BOOTSTRAP_DEFAULT;
   * AATGS_REPORT_NO_BOOTSTRAP: no intervals. At most ..._BOOTSTRAP_MAX. */
  uint32_t bootstrap;
} aatgs_report_options;

/* How a speedup interval was resampled. */
typedef enum aatgs_report_pairing {
  AATGS_PAIRING_NONE = 0, /* no interval */
  AATGS_PAIRING_PAIRED = 1,
  AATGS_PAIRING_UNPAIRED = 2
} aatgs_report_pairing;

typedef struct aatgs_report_row {
  char *scenario, *policy, *backend; /* "" where the run recorded none */
  uint32_t runs;                     /* completed runs */
  uint32_t failed_runs;              /* runs with status 'failed' or 'interrupted' */
  uint32_t interrupted_runs;         /* of which 'interrupted' */
  /* Makespan over completed runs, ms; ci_* are the median's interval. */
  double makespan_median_ms, makespan_mean_ms, makespan_ci_lo_ms, makespan_ci_hi_ms;
  double makespan_mean_ci_lo_ms, makespan_mean_ci_hi_ms;
  double makespan_sd_ms, makespan_min_ms, makespan_max_ms;
  double speedup, speedup_ci_lo, speedup_ci_hi; /* median(baseline) / median */
  aatgs_report_pairing speedup_pairing;
  double efficiency;  /* median of lower_bound_ns / makespan_ns */
  double stream_util; /* median of kernel busy / (kernel streams x makespan) */
  double config_util_mean, config_util_max, telemetry_util_mean, telemetry_util_max;
  double decision_mean_ns, decision_p99_ns;
  uint64_t decisions; /* decisions with a cost, over completed runs */
  uint64_t config_overflows, telemetry_overflows, telemetry_evictions;
  bool is_baseline;
} aatgs_report_row;

typedef struct aatgs_report {
  char *db_path;
  char *baseline;
  uint32_t bootstrap; /* resamples used, 0 when none */
  int *columns;       /* chosen with options.columns; NULL: the format's default */
  size_t n_columns;
  aatgs_report_row *rows;
  size_t n_rows;
} aatgs_report;

/* One scenario x policy recorded under `sim` and under a real backend. */
typedef struct aatgs_fidelity_row {
  const char *scenario, *policy, *backend; /* point into the report's rows */
  double sim_ms, real_ms;                  /* mean makespans */
  double error;                            /* sim_ms / real_ms - 1 */
} aatgs_fidelity_row;

/* The number of report columns, and the name of column i (0 <= i <
 * count): the CSV header and JSON key, also what options.columns takes. The
 * first 23 are scenario, policy, backend, runs, makespan_median_ms, ...,
 * failed_runs (README); later versions only append. NULL past the end. */
size_t aatgs_report_column_count(void);
const char *aatgs_report_column_name(size_t i);

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
 * name the file. A malformed --run list, an unknown column or a bootstrap
 * count over the maximum gives AATGS_EINVAL naming it. On success *out is
 * owned by the caller (aatgs_report_destroy). */
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

/* Writes s as a JSON string literal (quoted, escaped) to out; shared by the
 * JSON writers of analysis/ (report, gate). */
void aatgs__json_str(FILE *out, const char *s);
/* Writes s as an RFC 4180 CSV field (quoted when it holds a comma, quote or
 * newline); shared by the CSV writers of analysis/ (report, bench report). */
void aatgs__csv_str(FILE *out, const char *s);

#endif
