/* bench_json.h - the figures of a benchmark run, read from the JSON lines
 * that bench/harness.c writes (abh_emit), and `aatgs report --bench`.
 *
 * A file holds one JSON object per line (blank lines are skipped). Every
 * object must have the members
 *   bench, case, candidate, metric, unit (strings), better ("lower" or
 *   "higher"), n (an integer >= 0), median, mad (numbers, or null when the
 *   figure has none), samples (an array of n numbers; null for a sample that
 *   was not finite), machine (a string);
 * other members (min, max, and the benchmark's extras) are allowed and not
 * read. A line that is not JSON, not an object, lacks a member or has one of
 * the wrong type is an AATGS_EINVAL error naming the file and line
 * ("base.jsonl:3: member \"n\" must be an integer"); nothing is returned
 * then. The reader keeps no global state; calls on distinct objects are
 * thread-safe.
 */
#ifndef AATGS_BENCH_JSON_H
#define AATGS_BENCH_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "error.h"
#include "report.h" /* aatgs_report_format */

typedef struct aatgs_bench_row {
  char *bench, *case_name, *candidate, *metric, *unit, *machine;
  bool higher_is_better;
  int n;          /* the "n" member: repetitions measured */
  double median;  /* NAN when null */
  double mad;     /* NAN when null */
  double *values; /* the finite samples, n_values of them (NULL when none) */
  size_t n_values;
  size_t line; /* 1-based line of the file */
} aatgs_bench_row;

typedef struct aatgs_bench_file {
  char *path;
  aatgs_bench_row *rows; /* in file order */
  size_t n_rows;
} aatgs_bench_file;

/* Reads a file of harness JSON lines. AATGS_ENOENT / AATGS_EIO when the file
 * cannot be opened or read, AATGS_EINVAL for a bad line (file:line in the
 * message), AATGS_ENOMEM. An empty file gives a file with no rows. On
 * success *out is the caller's (aatgs_bench_file_destroy). */
int aatgs_bench_load(const char *path, aatgs_bench_file **out, aatgs_err *err);

/* Free. NULL is a no-op. */
void aatgs_bench_file_destroy(aatgs_bench_file *f);

/* Writes the figures of f, one row per line of the file, in the given
 * format: columns bench, case, candidate, metric, median, MAD, n, unit,
 * machine. In the table and markdown formats a "ratio" metric prints as
 * "1.23x" (2 decimals), other values with 4 significant digits (no exponent
 * from 10^4 up); csv and json print full precision. AATGS_EIO if writing
 * fails. */
int aatgs_bench_write(const aatgs_bench_file *f, aatgs_report_format format, FILE *out,
                      aatgs_err *err);

/* aatgs_bench_load + aatgs_bench_write: `aatgs report --bench FILE`. A file
 * with no figure is AATGS_ENOENT. */
int aatgs_bench_report(const char *path, aatgs_report_format format, FILE *out, aatgs_err *err);

/* A figure for people: "-" for NaN, 4 significant digits, and no exponent
 * from 10^4 up (the whole number). Shared by the report and gate tables. */
void aatgs_bench_fmt_value(char *buf, size_t cap, double v);

#endif
