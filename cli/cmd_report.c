/* cmd_report.c - `aatgs report`: the comparison table of a database. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "report.h"

static void usage(FILE *f) {
  fputs(
      "usage: aatgs report [--db FILE] [--format table|csv|markdown|json]\n"
      "                    [--scenario LIST] [--policy LIST] [--backend LIST] [--baseline POLICY]\n"
      "  For each scenario, backend and policy: completed runs, mean makespan with its\n"
      "  spread over seeds (sd, 95% CI, min..max), speedup over the baseline policy\n"
      "  (default fifo), efficiency against the lower bound, mean decision cost.\n",
      f);
}

int aatgs__cmd_report(int argc, char **argv) {
  const char *db = "aatgs.db";
  aatgs_report_options o;
  aatgs_err e;
  memset(&o, 0, sizeof o);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      return 0;
    }
    if (!v || a[0] != '-') {
      fprintf(stderr, "aatgs report: unexpected argument '%s'\n", a);
      usage(stderr);
      return 2;
    }
    i++;
    if (!strcmp(a, "--db"))
      db = v;
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
    else if (!strcmp(a, "--baseline"))
      o.baseline = v;
    else {
      fprintf(stderr, "aatgs report: unknown option '%s'\n", a);
      usage(stderr);
      return 2;
    }
  }
  if (aatgs_report_run(db, &o, stdout, &e) != AATGS_OK) {
    fprintf(stderr, "aatgs: %s\n", e.msg);
    return 1;
  }
  return 0;
}
