/* bench_json.c - reading and printing harness JSON lines (bench_json.h). */
#include "bench_json.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

static char *dup_str(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

static void row_free(aatgs_bench_row *r) {
  free(r->bench);
  free(r->case_name);
  free(r->candidate);
  free(r->metric);
  free(r->unit);
  free(r->machine);
  free(r->values);
}

void aatgs_bench_file_destroy(aatgs_bench_file *f) {
  if (!f) return;
  for (size_t i = 0; i < f->n_rows; i++)
    row_free(&f->rows[i]);
  free(f->rows);
  free(f->path);
  free(f);
}

static const char *type_name(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_OBJECT: return "an object";
  case JSON_ARRAY: return "an array";
  case JSON_STRING: return "a string";
  case JSON_INTEGER: return "an integer";
  case JSON_REAL: return "a number";
  case JSON_TRUE:
  case JSON_FALSE: return "a boolean";
  case JSON_NULL: return "null";
  default: return "?";
  }
}

/* The member key of obj, which must exist. */
static int member(const char *path, size_t line, json_t *obj, const char *key, json_t **out,
                  aatgs_err *err) {
  *out = json_object_get(obj, key);
  if (!*out)
    return aatgs_err_set(err, AATGS_EINVAL, "%s:%zu: missing member \"%s\"", path, line, key);
  return AATGS_OK;
}

static int get_str(const char *path, size_t line, json_t *obj, const char *key, char **out,
                   aatgs_err *err) {
  json_t *v;
  int rc = member(path, line, obj, key, &v, err);
  if (rc != AATGS_OK) return rc;
  if (!json_is_string(v))
    return aatgs_err_set(err, AATGS_EINVAL, "%s:%zu: member \"%s\" must be a string, not %s", path,
                         line, key, type_name(v));
  if (!(*out = dup_str(json_string_value(v))))
    return aatgs_err_set(err, AATGS_ENOMEM, "out of memory reading '%s'", path);
  return AATGS_OK;
}

/* A number or null (NAN). */
static int get_num(const char *path, size_t line, json_t *obj, const char *key, double *out,
                   aatgs_err *err) {
  json_t *v;
  int rc = member(path, line, obj, key, &v, err);
  if (rc != AATGS_OK) return rc;
  if (json_is_null(v)) {
    *out = NAN;
    return AATGS_OK;
  }
  if (!json_is_number(v))
    return aatgs_err_set(err, AATGS_EINVAL,
                         "%s:%zu: member \"%s\" must be a number or null, not %s", path, line, key,
                         type_name(v));
  *out = json_number_value(v);
  return AATGS_OK;
}

/* Fills r from the object of one line. */
static int parse_row(const char *path, size_t line, json_t *obj, aatgs_bench_row *r,
                     aatgs_err *err) {
  json_t *v;
  int rc;
  r->line = line;
  if ((rc = get_str(path, line, obj, "bench", &r->bench, err)) != AATGS_OK ||
      (rc = get_str(path, line, obj, "case", &r->case_name, err)) != AATGS_OK ||
      (rc = get_str(path, line, obj, "candidate", &r->candidate, err)) != AATGS_OK ||
      (rc = get_str(path, line, obj, "metric", &r->metric, err)) != AATGS_OK ||
      (rc = get_str(path, line, obj, "unit", &r->unit, err)) != AATGS_OK ||
      (rc = get_str(path, line, obj, "machine", &r->machine, err)) != AATGS_OK)
    return rc;
  if ((rc = member(path, line, obj, "better", &v, err)) != AATGS_OK) return rc;
  const char *b = json_is_string(v) ? json_string_value(v) : NULL;
  if (!b || (strcmp(b, "lower") != 0 && strcmp(b, "higher") != 0))
    return aatgs_err_set(err, AATGS_EINVAL,
                         "%s:%zu: member \"better\" must be \"lower\" or \"higher\"", path, line);
  r->higher_is_better = strcmp(b, "higher") == 0;
  if ((rc = member(path, line, obj, "n", &v, err)) != AATGS_OK) return rc;
  if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000000000)
    return aatgs_err_set(err, AATGS_EINVAL,
                         "%s:%zu: member \"n\" must be a non-negative integer, not %s", path, line,
                         json_is_integer(v) ? "a negative one" : type_name(v));
  r->n = (int)json_integer_value(v);
  if ((rc = get_num(path, line, obj, "median", &r->median, err)) != AATGS_OK ||
      (rc = get_num(path, line, obj, "mad", &r->mad, err)) != AATGS_OK)
    return rc;
  if ((rc = member(path, line, obj, "samples", &v, err)) != AATGS_OK) return rc;
  if (!json_is_array(v))
    return aatgs_err_set(err, AATGS_EINVAL, "%s:%zu: member \"samples\" must be an array, not %s",
                         path, line, type_name(v));
  size_t ns = json_array_size(v);
  if (ns != (size_t)r->n)
    return aatgs_err_set(err, AATGS_EINVAL, "%s:%zu: \"n\" is %d but \"samples\" has %zu values",
                         path, line, r->n, ns);
  if (ns && !(r->values = malloc(ns * sizeof *r->values)))
    return aatgs_err_set(err, AATGS_ENOMEM, "out of memory reading '%s'", path);
  for (size_t i = 0; i < ns; i++) {
    json_t *s = json_array_get(v, i);
    if (json_is_null(s)) continue;
    if (!json_is_number(s))
      return aatgs_err_set(err, AATGS_EINVAL,
                           "%s:%zu: samples[%zu] must be a number or null, not %s", path, line, i,
                           type_name(s));
    double x = json_number_value(s);
    if (isfinite(x)) r->values[r->n_values++] = x;
  }
  return AATGS_OK;
}

static bool blank(const char *s) {
  for (; *s; s++)
    if (*s != ' ' && *s != '\t' && *s != '\r' && *s != '\n') return false;
  return true;
}

int aatgs_bench_load(const char *path, aatgs_bench_file **out, aatgs_err *err) {
  aatgs_bench_file *f = NULL;
  char *buf = NULL;
  size_t cap = 0, line = 0, rows_cap = 0;
  ssize_t len;
  int rc = AATGS_OK;
  if (!out) return aatgs_err_set(err, AATGS_EINVAL, "aatgs_bench_load: out is NULL");
  *out = NULL;
  if (!path || !*path) return aatgs_err_set(err, AATGS_EINVAL, "no benchmark file given");
  FILE *in = fopen(path, "r");
  if (!in)
    return aatgs_err_set(err, errno == ENOENT ? AATGS_ENOENT : AATGS_EIO, "cannot open '%s': %s",
                         path, strerror(errno));
  if (!(f = calloc(1, sizeof *f)) || !(f->path = dup_str(path))) goto nomem;
  errno = 0;
  while ((len = getline(&buf, &cap, in)) >= 0) {
    line++;
    if (blank(buf)) continue;
    json_error_t je;
    json_t *obj = json_loadb(buf, (size_t)len, JSON_REJECT_DUPLICATES, &je);
    if (!obj) {
      rc = aatgs_err_set(err, AATGS_EINVAL, "%s:%zu:%d: malformed JSON: %s", path, line, je.column,
                         je.text);
      goto fail;
    }
    if (!json_is_object(obj)) {
      rc = aatgs_err_set(err, AATGS_EINVAL, "%s:%zu: expected a JSON object, got %s", path, line,
                         type_name(obj));
      json_decref(obj);
      goto fail;
    }
    if (f->n_rows == rows_cap) {
      size_t nc = rows_cap ? 2 * rows_cap : 32;
      aatgs_bench_row *v = realloc(f->rows, nc * sizeof *v);
      if (!v) {
        json_decref(obj);
        goto nomem;
      }
      f->rows = v;
      rows_cap = nc;
    }
    aatgs_bench_row *r = &f->rows[f->n_rows++];
    memset(r, 0, sizeof *r);
    rc = parse_row(path, line, obj, r, err);
    json_decref(obj);
    if (rc != AATGS_OK) goto fail;
  }
  if (ferror(in)) {
    rc = aatgs_err_set(err, AATGS_EIO, "cannot read '%s': %s", path, strerror(errno));
    goto fail;
  }
  free(buf);
  fclose(in);
  *out = f;
  return AATGS_OK;
nomem:
  rc = aatgs_err_set(err, AATGS_ENOMEM, "out of memory reading '%s'", path);
fail:
  free(buf);
  fclose(in);
  aatgs_bench_file_destroy(f);
  return rc;
}

/* ---------------------------------------------------------------- writing */

enum { C_BENCH, C_CASE, C_CAND, C_METRIC, C_MEDIAN, C_MAD, C_N, C_UNIT, C_MACHINE, C_COUNT };

static const char *const HEAD[C_COUNT] = {"bench", "case", "candidate", "metric", "median",
                                          "MAD",   "n",    "unit",      "machine"};

static bool is_ratio(const aatgs_bench_row *r) { return strcmp(r->metric, "ratio") == 0; }

void aatgs_bench_fmt_value(char *buf, size_t cap, double v) {
  if (isnan(v))
    snprintf(buf, cap, "-");
  else if (isinf(v))
    snprintf(buf, cap, v > 0 ? "inf" : "-inf");
  else if (fabs(v) >= 1e4)
    snprintf(buf, cap, "%.0f", v);
  else
    snprintf(buf, cap, "%.4g", v);
}

static void cell(const aatgs_bench_row *r, int c, char *buf, size_t cap) {
  switch (c) {
  case C_BENCH: snprintf(buf, cap, "%s", r->bench); break;
  case C_CASE: snprintf(buf, cap, "%s", r->case_name); break;
  case C_CAND: snprintf(buf, cap, "%s", r->candidate); break;
  case C_METRIC: snprintf(buf, cap, "%s", r->metric); break;
  case C_MEDIAN:
  case C_MAD: {
    double v = c == C_MEDIAN ? r->median : r->mad;
    if (is_ratio(r) && isfinite(v))
      snprintf(buf, cap, c == C_MEDIAN ? "%.2fx" : "%.2f", v);
    else
      aatgs_bench_fmt_value(buf, cap, v);
    break;
  }
  case C_N: snprintf(buf, cap, "%d", r->n); break;
  case C_UNIT: snprintf(buf, cap, "%s", r->unit); break;
  case C_MACHINE: snprintf(buf, cap, "%s", r->machine); break;
  default: buf[0] = '\0';
  }
}

static bool right_aligned(int c) { return c == C_MEDIAN || c == C_MAD || c == C_N; }

static void write_table(const aatgs_bench_file *f, FILE *out) {
  size_t width[C_COUNT];
  char buf[512];
  for (int c = 0; c < C_COUNT; c++)
    width[c] = strlen(HEAD[c]);
  for (size_t i = 0; i < f->n_rows; i++)
    for (int c = 0; c < C_COUNT; c++) {
      cell(&f->rows[i], c, buf, sizeof buf);
      if (strlen(buf) > width[c]) width[c] = strlen(buf);
    }
  for (size_t i = 0; i <= f->n_rows; i++) {
    for (int c = 0; c < C_COUNT; c++) {
      if (i == 0)
        snprintf(buf, sizeof buf, "%s", HEAD[c]);
      else
        cell(&f->rows[i - 1], c, buf, sizeof buf);
      if (c == C_COUNT - 1)
        fprintf(out, "  %s\n", buf);
      else
        fprintf(out, right_aligned(c) ? "%s%*s" : "%s%-*s", c ? "  " : "", (int)width[c], buf);
    }
  }
}

/* A markdown cell: '|' escaped, newlines as spaces. */
static void md_cell(FILE *out, const char *s) {
  for (; *s; s++) {
    if (*s == '|')
      fputs("\\|", out);
    else if (*s == '\n' || *s == '\r')
      fputc(' ', out);
    else
      fputc(*s, out);
  }
}

static void write_markdown(const aatgs_bench_file *f, FILE *out) {
  char buf[512];
  fputc('|', out);
  for (int c = 0; c < C_COUNT; c++)
    fprintf(out, " %s |", HEAD[c]);
  fputs("\n|", out);
  for (int c = 0; c < C_COUNT; c++)
    fputs(right_aligned(c) ? " ---: |" : " --- |", out);
  fputc('\n', out);
  for (size_t i = 0; i < f->n_rows; i++) {
    fputc('|', out);
    for (int c = 0; c < C_COUNT; c++) {
      cell(&f->rows[i], c, buf, sizeof buf);
      fputc(' ', out);
      md_cell(out, buf);
      fputs(" |", out);
    }
    fputc('\n', out);
  }
}

static void csv_num(FILE *out, double v) {
  if (isfinite(v)) fprintf(out, "%.10g", v);
}

static void write_csv(const aatgs_bench_file *f, FILE *out) {
  fputs("bench,case,candidate,metric,median,mad,n,unit,better,machine\r\n", out);
  for (size_t i = 0; i < f->n_rows; i++) {
    const aatgs_bench_row *r = &f->rows[i];
    aatgs__csv_str(out, r->bench);
    fputc(',', out);
    aatgs__csv_str(out, r->case_name);
    fputc(',', out);
    aatgs__csv_str(out, r->candidate);
    fputc(',', out);
    aatgs__csv_str(out, r->metric);
    fputc(',', out);
    csv_num(out, r->median);
    fputc(',', out);
    csv_num(out, r->mad);
    fprintf(out, ",%d,", r->n);
    aatgs__csv_str(out, r->unit);
    fprintf(out, ",%s,", r->higher_is_better ? "higher" : "lower");
    aatgs__csv_str(out, r->machine);
    fputs("\r\n", out);
  }
}

static void json_num(FILE *out, const char *key, double v) {
  fprintf(out, ", \"%s\": ", key);
  if (isfinite(v))
    fprintf(out, "%.10g", v);
  else
    fputs("null", out);
}

static void write_json(const aatgs_bench_file *f, FILE *out) {
  fputs("{\"file\": ", out);
  aatgs__json_str(out, f->path);
  fputs(", \"rows\": [", out);
  for (size_t i = 0; i < f->n_rows; i++) {
    const aatgs_bench_row *r = &f->rows[i];
    fputs(i ? ",\n  {\"bench\": " : "\n  {\"bench\": ", out);
    aatgs__json_str(out, r->bench);
    fputs(", \"case\": ", out);
    aatgs__json_str(out, r->case_name);
    fputs(", \"candidate\": ", out);
    aatgs__json_str(out, r->candidate);
    fputs(", \"metric\": ", out);
    aatgs__json_str(out, r->metric);
    fputs(", \"unit\": ", out);
    aatgs__json_str(out, r->unit);
    fprintf(out, ", \"better\": \"%s\", \"n\": %d", r->higher_is_better ? "higher" : "lower", r->n);
    json_num(out, "median", r->median);
    json_num(out, "mad", r->mad);
    fputs(", \"machine\": ", out);
    aatgs__json_str(out, r->machine);
    fprintf(out, ", \"line\": %zu}", r->line);
  }
  fputs(f->n_rows ? "\n]}\n" : "]}\n", out);
}

int aatgs_bench_write(const aatgs_bench_file *f, aatgs_report_format format, FILE *out,
                      aatgs_err *err) {
  if (!f || !out) return aatgs_err_set(err, AATGS_EINVAL, "aatgs_bench_write: NULL argument");
  switch (format) {
  case AATGS_REPORT_TABLE: write_table(f, out); break;
  case AATGS_REPORT_MARKDOWN: write_markdown(f, out); break;
  case AATGS_REPORT_CSV: write_csv(f, out); break;
  case AATGS_REPORT_JSON: write_json(f, out); break;
  default: return aatgs_err_set(err, AATGS_EINVAL, "unknown format %d", (int)format);
  }
  if (fflush(out) != 0 || ferror(out))
    return aatgs_err_set(err, AATGS_EIO, "cannot write the benchmark report: %s", strerror(errno));
  return AATGS_OK;
}

int aatgs_bench_report(const char *path, aatgs_report_format format, FILE *out, aatgs_err *err) {
  aatgs_bench_file *f = NULL;
  int rc = aatgs_bench_load(path, &f, err);
  if (rc != AATGS_OK) return rc;
  if (f->n_rows == 0)
    rc = aatgs_err_set(err, AATGS_ENOENT, "'%s': no benchmark figure in the file", path);
  else
    rc = aatgs_bench_write(f, format, out, err);
  aatgs_bench_file_destroy(f);
  return rc;
}
