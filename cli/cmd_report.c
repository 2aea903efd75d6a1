/* cmd_report.c - `aatgs report`: the statistics of a database. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_json.h"
#include "cli.h"
#include "report.h"

static void usage(FILE *f) {
  fputs("usage: aatgs report [--db FILE] [--format table|csv|markdown|json]\n"
        "                    [--scenario LIST] [--policy LIST] [--backend LIST] [--run IDS]\n"
        "                    [--baseline POLICY] [--bootstrap B] [--columns LIST]\n"
        "       aatgs report --bench FILE.jsonl [--format table|csv|markdown|json]\n"
        "  Per scenario, policy and backend, over completed runs: makespan median and\n"
        "  mean with 95% percentile-bootstrap intervals (B resamples, default 2000, 0 for\n"
        "  none; the same database gives the same numbers), speedup over the baseline\n"
        "  policy (default fifo) with its interval, efficiency against the lower bound,\n"
        "  kernel stream utilization, ring utilization, decision cost (mean, p99), ring\n"
        "  overflows, evictions and failed runs. README defines every column.\n"
        "  LIST is comma-separated names; IDS is run ids and ranges (3,7,10-12).\n"
        "  --bench prints the figures of a file of benchmark JSON lines (bench/harness.h):\n"
        "  bench, case, candidate, metric, median, MAD, n, unit, machine; ratios as 1.23x.\n"
        "  --columns picks and orders the columns of any format; the names:\n   ",
        f);
  size_t width = 3;
  for (size_t i = 0; i < aatgs_report_column_count(); i++) {
    const char *name = aatgs_report_column_name(i);
    if (width + strlen(name) + 2 > 80) {
      fputs("\n   ", f);
      width = 3;
    }
    fprintf(f, " %s%s", name, i + 1 < aatgs_report_column_count() ? "," : "\n");
    width += strlen(name) + 2;
  }
}

/* --bootstrap B: 0 turns the intervals off. */
static int parse_bootstrap(const char *v, uint32_t *out) {
  char *end = NULL;
  errno = 0;
  unsigned long b = strtoul(v, &end, 10);
  if (!*v || *v == '-' || *end || errno || b > AATGS_REPORT_BOOTSTRAP_MAX) {
    fprintf(stderr, "aatgs report: --bootstrap '%s': expected a count from 0 to %u\n", v,
            AATGS_REPORT_BOOTSTRAP_MAX);
    return -1;
  }
  *out = b == 0 ? AATGS_REPORT_NO_BOOTSTRAP : (uint32_t)b;
  return 0;
}

int aatgs__cmd_report(int argc, char **argv) {
  const char *db = "aatgs.db", *bench = NULL;
  aatgs_report_options o;
  aatgs_err e;
  memset(&o, 0, sizeof o);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      return 0;
    }
    if (a[0] != '-') {
      fprintf(stderr, "aatgs report: unexpected argument '%s'\n", a);
      usage(stderr);
      return 2;
    }
    if (!v) {
      fprintf(stderr, "aatgs report: option '%s' needs a value\n", a);
      usage(stderr);
      return 2;
    }
    i++;
    if (!strcmp(a, "--db"))
      db = v;
    else if (!strcmp(a, "--bench"))
      bench = v;
    else if (!strcmp(a, "--format")) {
      if (aatgs_report_parse_format(v, &o.format, &e) != AATGS_OK) {
        fprintf(stderr, "aatgs report: %s\n", e.msg);
        return 2;
      }
    } else if (!strcmp(a, "--scenario"))
      o.scenario = v;
    else if (!strcmp(a, "--policy"))
      o.policy = v;
    else if (!strcmp(a, "--backend"))
      o.backend = v;
    else if (!strcmp(a, "--run"))
      o.runs = v;
    else if (!strcmp(a, "--baseline"))
      o.baseline = v;
    else if (!strcmp(a, "--columns"))
      o.columns = v;
    else if (!strcmp(a, "--bootstrap")) {
      if (parse_bootstrap(v, &o.bootstrap) != 0) return 2;
    } else {
      fprintf(stderr, "aatgs report: unknown option '%s'\n", a);
      usage(stderr);
      return 2;
    }
  }
  int rc = bench ? aatgs_bench_report(bench, o.format, stdout, &e)
                 : aatgs_report_run(db, &o, stdout, &e);
  if (rc != AATGS_OK) {
    fprintf(stderr, "aatgs report: %s\n", e.msg);
    return rc == AATGS_EINVAL ? 2 : 1;
  }
  return 0;
}
