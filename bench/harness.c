/* harness.c - see harness.h. */
#define _GNU_SOURCE
#include "harness.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "generators.h"
#include "report.h" /* aatgs__json_str */

static int cmp_double(const void *x, const void *y) {
  double a = *(const double *)x, b = *(const double *)y;
  return (a > b) - (a < b);
}

static double sorted_median(const double *v, int n) {
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

void abh_stats_of(const double *x, int n, abh_stats *out) {
  double v[ABH_MAX_REPS], d[ABH_MAX_REPS], sum = 0;
  out->n = n;
  if (n <= 0 || n > ABH_MAX_REPS) {
    out->median = out->mad = out->min = out->max = out->mean = NAN;
    return;
  }
  memcpy(v, x, (size_t)n * sizeof *v);
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  out->median = sorted_median(v, n);
  out->min = v[0];
  out->max = v[n - 1];
  for (int i = 0; i < n; i++) {
    d[i] = fabs(v[i] - out->median);
    sum += v[i];
  }
  qsort(d, (size_t)n, sizeof *d, cmp_double);
  out->mad = sorted_median(d, n);
  out->mean = sum / n;
}

int abh_run(abh_fn fn, void *arg, int warmup, int reps, double *samples) {
  double scratch;
  if (reps < 1 || reps > ABH_MAX_REPS) {
    fprintf(stderr, "bench: repetitions must be 1..%d, not %d\n", ABH_MAX_REPS, reps);
    return -1;
  }
  for (int i = 0; i < warmup; i++)
    if (fn(arg, &scratch) != 0) return -1;
  for (int i = 0; i < reps; i++)
    if (fn(arg, &samples[i]) != 0) return -1;
  return 0;
}

int abh_abab(abh_fn a, void *a_arg, abh_fn b, void *b_arg, int warmup, int reps, double *sa,
             double *sb) {
  double scratch;
  if (reps < 1 || reps > ABH_MAX_REPS) {
    fprintf(stderr, "bench: repetitions must be 1..%d, not %d\n", ABH_MAX_REPS, reps);
    return -1;
  }
  for (int i = 0; i < warmup; i++)
    if (a(a_arg, &scratch) != 0 || b(b_arg, &scratch) != 0) return -1;
  /* Pairs alternate their order (AB, BA, AB, ...): whichever runs second
   * in a pair is not always the same candidate. */
  for (int i = 0; i < reps; i++) {
    int rc = i % 2 == 0 ? (a(a_arg, &sa[i]) || b(b_arg, &sb[i]))
                        : (b(b_arg, &sb[i]) || a(a_arg, &sa[i]));
    if (rc) return -1;
  }
  return 0;
}

void abh_ratios(const double *num, const double *den, int n, double *ratio) {
  for (int i = 0; i < n; i++)
    ratio[i] = den[i] != 0 ? num[i] / den[i] : NAN;
}

double abh_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

double abh_cpu(void) {
  struct timespec ts;
  clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

const char *abh_machine(void) {
  static char buf[512];
  if (buf[0]) return buf;
  struct utsname u;
  char model[128] = "unknown CPU", line[256];
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (f) {
    while (fgets(line, sizeof line, f))
      if (strncmp(line, "model name", 10) == 0) {
        char *c = strchr(line, ':');
        if (c) {
          c++;
          while (*c == ' ' || *c == '\t')
            c++;
          snprintf(model, sizeof model, "%.*s", (int)strcspn(c, "\n"), c);
        }
        break;
      }
    fclose(f);
  }
  if (uname(&u) != 0) strcpy(u.sysname, "?"), strcpy(u.release, "?"), strcpy(u.machine, "?");
  const char *name = getenv("AATGS_BENCH_MACHINE");
  snprintf(buf, sizeof buf, "%.64s%s%.32s %.64s %.32s, %ld cores, %s", name && *name ? name : "",
           name && *name ? ": " : "", u.sysname, u.release, u.machine,
           sysconf(_SC_NPROCESSORS_ONLN), model);
  return buf;
}

static void num(FILE *f, double v) {
  if (isfinite(v))
    fprintf(f, "%.6g", v);
  else
    fputs("null", f);
}

int abh_emit(const abh_result *r) {
  const char *path = getenv("AATGS_BENCH_JSON");
  FILE *f = stdout;
  abh_stats s;
  if (path && *path) {
    f = fopen(path, "a");
    if (!f) {
      fprintf(stderr, "bench: cannot append to %s ($AATGS_BENCH_JSON): %s\n", path,
              strerror(errno));
      return -1;
    }
  }
  abh_stats_of(r->samples, r->n, &s);
  fputs("{\"bench\":", f);
  aatgs__json_str(f, r->bench);
  fputs(",\"case\":", f);
  aatgs__json_str(f, r->case_name);
  fputs(",\"candidate\":", f);
  aatgs__json_str(f, r->candidate);
  fputs(",\"metric\":", f);
  aatgs__json_str(f, r->metric);
  fputs(",\"unit\":", f);
  aatgs__json_str(f, r->unit);
  fprintf(f, ",\"better\":\"%s\",\"n\":%d,\"median\":", r->higher_is_better ? "higher" : "lower",
          r->n);
  num(f, s.median);
  fputs(",\"mad\":", f);
  num(f, s.mad);
  fputs(",\"min\":", f);
  num(f, s.min);
  fputs(",\"max\":", f);
  num(f, s.max);
  fputs(",\"samples\":[", f);
  for (int i = 0; i < r->n; i++) {
    if (i) fputc(',', f);
    num(f, r->samples[i]);
  }
  fputs("],\"machine\":", f);
  aatgs__json_str(f, abh_machine());
  if (r->extra && *r->extra) fprintf(f, ",%s", r->extra);
  fputs("}\n", f);
  if (f != stdout) {
    if (fclose(f) != 0) {
      fprintf(stderr, "bench: writing %s failed: %s\n", path, strerror(errno));
      return -1;
    }
  } else {
    fflush(f);
  }
  return 0;
}

int abh_layered_dag(aatgs_graph **out, unsigned layers, unsigned width, const char *who) {
  const aatgs_generator *lg = aatgs_generator_find("layered");
  aatgs_gen_args a;
  aatgs_err e;
  char buf[32];
  int rc = -1;
  aatgs_gen_args_init(&a, lg);
  snprintf(buf, sizeof buf, "%u", layers);
  if (aatgs_gen_args_set(&a, "layers", buf, &e) != AATGS_OK) goto done;
  snprintf(buf, sizeof buf, "%u", width);
  if (aatgs_gen_args_set(&a, "width", buf, &e) != AATGS_OK) goto done;
  if (aatgs_gen_args_set(&a, "degree", "3", &e) != AATGS_OK) goto done;
  if (aatgs_gen_args_set(&a, "est", "uniform(20us, 200us)", &e) != AATGS_OK) goto done;
  if (aatgs_gen_generate(&a, 1, out, &e) != AATGS_OK) goto done;
  rc = 0;
done:
  aatgs_gen_args_free(&a);
  if (rc) fprintf(stderr, "%s: layered %ux%u: %s\n", who, layers, width, e.msg);
  return rc;
}
