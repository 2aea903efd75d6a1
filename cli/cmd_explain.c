/* cmd_explain.c - `aatgs explain`: the story of one task in one run. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "explain.h"

static void usage(FILE *f) {
  fputs("usage: aatgs explain --run ID --task T [--db FILE] [--max N]\n"
        "  Tells the story of task T (an id, as in the NVTX range payload, or a label) in\n"
        "  run ID: when it became ready, which decisions passed it over and why (the\n"
        "  candidates each decision ranked, with their scores), which decision picked it,\n"
        "  and when and where it ran. --max N lists at most N passing decisions (20).\n",
        f);
}

int aatgs__cmd_explain(int argc, char **argv) {
  const char *db = "aatgs.db";
  const char *run = NULL;
  aatgs_explain_options o;
  aatgs_err e;
  memset(&o, 0, sizeof o);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      return 0;
    }
    if (!v || a[0] != '-') {
      fprintf(stderr, "aatgs explain: unexpected argument '%s'\n", a);
      usage(stderr);
      return 2;
    }
    i++;
    if (!strcmp(a, "--db")) {
      db = v;
    } else if (!strcmp(a, "--run")) {
      run = v;
    } else if (!strcmp(a, "--task")) {
      o.task = v;
    } else if (!strcmp(a, "--max")) {
      unsigned m;
      if (aatgs__parse_u32("--max", v, 1000000, &m) != 0) return 2;
      o.max_passed = m;
    } else {
      fprintf(stderr, "aatgs explain: unknown option '%s'\n", a);
      usage(stderr);
      return 2;
    }
  }
  if (!run || !o.task) {
    fprintf(stderr, "aatgs explain: --run and --task are required\n");
    usage(stderr);
    return 2;
  }
  char *end;
  o.run_id = strtoll(run, &end, 10);
  if (*end || end == run || o.run_id <= 0) {
    fprintf(stderr, "aatgs explain: --run: expected a run id (a positive integer), got '%s'\n",
            run);
    return 2;
  }
  if (aatgs_explain(db, &o, stdout, &e) != AATGS_OK) {
    fprintf(stderr, "aatgs: %s\n", e.msg);
    return 1;
  }
  return 0;
}
