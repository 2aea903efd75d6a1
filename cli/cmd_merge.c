/* cmd_merge.c - `aatgs merge`: combines trace databases without duplicating runs. */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "merge.h"

static void usage(FILE *f) {
  fputs("usage: aatgs merge OUT.db IN.db... [--quiet] [--busy-timeout MS]\n"
        "  Copies every run of the inputs into OUT.db (created when missing): graphs are\n"
        "  stored once (by hash), and a run already in OUT.db (same host, process, start\n"
        "  time, scenario, policy, seed, repetition and backend) is not copied again, so\n"
        "  merging the same input twice adds nothing. A run that OUT.db holds\n"
        "  unfinished (a shard merged while it was written) is replaced by the input's\n"
        "  later copy.\n"
        "options:\n"
        "  --quiet            no per-input summary\n"
        "  --busy-timeout MS  wait this long for a locked file (default 5000)\n",
        f);
}

int aatgs__cmd_merge(int argc, char **argv) {
  const char **files = calloc((size_t)argc + 1, sizeof *files);
  size_t nfiles = 0;
  int quiet = 0, status = 1;
  aatgs_merge_options o;
  memset(&o, 0, sizeof o);
  if (!files) return 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      free(files);
      return 0;
    } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
      quiet = 1;
    } else if (!strcmp(a, "--busy-timeout")) {
      unsigned ms;
      if (aatgs__parse_u32(a, i + 1 < argc ? argv[++i] : NULL, 3600000, &ms) || ms == 0) {
        status = 2;
        goto done;
      }
      o.busy_timeout_ms = ms;
    } else if (a[0] == '-' && a[1]) {
      fprintf(stderr, "aatgs merge: unknown option '%s'\n", a);
      usage(stderr);
      status = 2;
      goto done;
    } else {
      files[nfiles++] = a;
    }
  }
  if (nfiles < 2) {
    fprintf(stderr, "aatgs merge: needs an output database and at least one input\n");
    usage(stderr);
    status = 2;
    goto done;
  }
  aatgs_merge_stats *st = calloc(nfiles - 1, sizeof *st);
  if (!st) goto done;
  aatgs_err e;
  aatgs_err_clear(&e);
  int rc = aatgs_merge_files(files[0], files + 1, nfiles - 1, &o, st, &e);
  uint64_t added = 0, present = 0;
  for (size_t i = 0; i + 1 < nfiles; i++) {
    const aatgs_merge_stats *s = &st[i];
    added += s->runs_added + s->runs_replaced;
    present += s->runs_present;
    if (quiet || (rc != AATGS_OK && !s->runs_in)) continue;
    printf("%s: %" PRIu64 " runs: %" PRIu64 " added, %" PRIu64 " replaced, %" PRIu64
           " already present; %" PRIu64 " graphs added, %" PRIu64 " reused; %" PRIu64 " rows\n",
           files[i + 1], s->runs_in, s->runs_added, s->runs_replaced, s->runs_present,
           s->graphs_added, s->graphs_reused, s->rows_added);
  }
  free(st);
  if (rc != AATGS_OK) {
    fprintf(stderr, "aatgs: %s\n", e.msg);
    goto done;
  }
  if (!quiet)
    printf("%s: %" PRIu64 " runs added, %" PRIu64 " already present\n", files[0], added, present);
  status = 0;
done:
  free(files);
  return status;
}
