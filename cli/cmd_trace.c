/* cmd_trace.c - `aatgs trace`: one run as Chrome/Perfetto trace JSON. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "trace.h"

static void usage(FILE *f) {
  fputs("usage: aatgs trace --run ID|last [--db FILE] [--out FILE|-]\n"
        "  Writes run ID of the database (default aatgs.db) as Chrome/Perfetto trace JSON\n"
        "  (default file run-ID.trace.json; - writes to stdout): a track per stream, a\n"
        "  slice per task with its scheduling decision, an arrow per dependency, and\n"
        "  counters for ring utilization, GPU utilization and the ready queue.\n"
        "  Open it at https://ui.perfetto.dev (Open trace file) or in chrome://tracing.\n",
        f);
}

int aatgs__cmd_trace(int argc, char **argv) {
  const char *db = "aatgs.db", *out = NULL, *run_arg = NULL;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      return 0;
    }
    if (a[0] != '-' || !strcmp(a, "-")) {
      fprintf(stderr, "aatgs trace: unexpected argument '%s'\n", a);
      usage(stderr);
      return 2;
    }
    if (!v) {
      fprintf(stderr, "aatgs trace: option %s needs a value\n", a);
      return 2;
    }
    i++;
    if (!strcmp(a, "--db"))
      db = v;
    else if (!strcmp(a, "--out") || !strcmp(a, "-o"))
      out = v;
    else if (!strcmp(a, "--run"))
      run_arg = v;
    else {
      fprintf(stderr, "aatgs trace: unknown option '%s'\n", a);
      usage(stderr);
      return 2;
    }
  }
  if (!run_arg) {
    fprintf(stderr, "aatgs trace: --run ID is required (`aatgs report` or "
                    "`sqlite3 DB 'SELECT run_id, scenario, policy FROM runs'` lists them)\n");
    usage(stderr);
    return 2;
  }
  int64_t run = 0;
  if (strcmp(run_arg, "last")) {
    char *end;
    errno = 0;
    long long v = strtoll(run_arg, &end, 10);
    if (!*run_arg || *end || errno || v <= 0) {
      fprintf(stderr,
              "aatgs trace: --run expects a run id (a positive integer) or 'last', got '%s'\n",
              run_arg);
      return 2;
    }
    run = v;
  }
  char def[64];
  if (!out) {
    if (run > 0)
      snprintf(def, sizeof def, "run-%" PRId64 ".trace.json", run);
    else
      snprintf(def, sizeof def, "run-last.trace.json");
    out = def;
  }
  aatgs_trace_stats st;
  aatgs_err e;
  aatgs_err_clear(&e);
  if (aatgs_trace_export(db, run, out, &st, &e) != AATGS_OK) {
    fprintf(stderr, "aatgs: %s\n", e.msg);
    return 1;
  }
  if (strcmp(out, "-"))
    fprintf(stderr,
            "wrote %s: %" PRIu64 " tasks, %" PRIu64 " dependency arrows, %" PRIu64
            " counter samples; open it at https://ui.perfetto.dev\n",
            out, st.tasks, st.flows, st.counters);
  return 0;
}
