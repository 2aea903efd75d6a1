/* test_importers.c - real task graphs from files: every STG instance of
 * $AATGS_DATA_DIR imports with the task, edge and critical-path figures its
 * own trailer states; bad files give errors naming file and line. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "importers.h"

static aatgs_graph *import_stg(const char *path, aatgs_err *e, int *rc) {
  aatgs_graph *g = NULL;
  cr_assert_eq(aatgs_graph_create(&g, 0, 0), AATGS_OK);
  *rc = aatgs_import_stg(g, path, AATGS_TT_CUSTOM, 1000, e);
  if (*rc == AATGS_OK && (*rc = aatgs_graph_finalize(g, e)) != AATGS_OK)
    aatgs_err_prefix(e, "%s", path); /* as scenarios do: the file that holds the cycle */
  return g;
}

/* Reads n (line 1), the trailer's "Edges : X" and "CP Length : Y". */
static void trailer(const char *path, unsigned *n, unsigned *edges, unsigned *cp) {
  FILE *f = fopen(path, "r");
  char line[512];
  *n = *edges = *cp = 0;
  cr_assert_not_null(f);
  if (fgets(line, sizeof line, f)) *n = (unsigned)strtoul(line, NULL, 10);
  while (fgets(line, sizeof line, f)) {
    char *p;
    if ((p = strstr(line, "Edges")) && (p = strchr(p, ':')))
      *edges = (unsigned)strtoul(p + 1, NULL, 10);
    if ((p = strstr(line, "CP Length")) && (p = strchr(p, ':')))
      *cp = (unsigned)strtoul(p + 1, NULL, 10);
  }
  fclose(f);
}

Test(importers, every_stg_instance_matches_its_trailer, .timeout = 120) {
  const char *data = getenv("AATGS_DATA_DIR");
  if (!data || !*data) cr_skip_test("AATGS_DATA_DIR is not set (CI sets it to ../shared/data)");
  const char *sub[] = {"stg/50", "stg/100", "stg/apps"};
  unsigned files = 0;
  for (int s = 0; s < 3; s++) {
    char dir[1024];
    snprintf(dir, sizeof dir, "%s/%s", data, sub[s]);
    DIR *d = opendir(dir);
    cr_assert_not_null(d, "cannot open %s", dir);
    struct dirent *ent;
    while ((ent = readdir(d))) {
      size_t len = strlen(ent->d_name);
      if (len < 5 || strcmp(ent->d_name + len - 4, ".stg")) continue;
      char path[2048];
      snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
      unsigned n, edges, cp;
      trailer(path, &n, &edges, &cp);
      aatgs_err e;
      int rc;
      aatgs_graph *g = import_stg(path, &e, &rc);
      cr_assert_eq(rc, AATGS_OK, "%s", e.msg);
      cr_assert_eq(aatgs_graph_num_tasks(g), n, "%s", path);
      cr_assert_eq(aatgs_graph_num_edges(g), edges, "%s: edges", path);
      cr_assert_eq(aatgs_graph_critical_path(g) / 1000, cp, "%s: CP %lld ns, trailer %u", path,
                   (long long)aatgs_graph_critical_path(g), cp);
      aatgs_graph_destroy(g);
      files++;
    }
    closedir(d);
  }
  cr_assert_eq(files, 363, "180 + 180 random graphs and 3 applications");
}

static char tmp[64];

static void write_tmp(const char *text) {
  strcpy(tmp, "/tmp/aatgs_stg_XXXXXX");
  int fd = mkstemp(tmp);
  cr_assert_geq(fd, 0);
  cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
}

static void fails(const char *text, int code, const char *what) {
  aatgs_err e;
  int rc;
  char want[128];
  write_tmp(text);
  aatgs_graph *g = import_stg(tmp, &e, &rc);
  cr_assert_eq(rc, code, "%s", e.msg);
  snprintf(want, sizeof want, "%s:", tmp);
  cr_assert(strncmp(e.msg, want, strlen(want)) == 0, "no file name: %s", e.msg);
  cr_assert(strstr(e.msg, what), "expected '%s' in: %s", what, e.msg);
  aatgs_graph_destroy(g);
  unlink(tmp);
}

Test(importers, bad_stg_files_name_file_and_line) {
  fails("", AATGS_EINVAL, "empty file");
  fails("3\n0 0 0\n1 5 1 0\n2 4 1 1\n", AATGS_EINVAL, ":4: truncated: 3 task lines of 5");
  /* Found by fuzz_stg: a huge count in a tiny file is refused at once. */
  fails("55555555", AATGS_EINVAL,
        ":1: declares 55555555 tasks, but the file (8 bytes) cannot hold");
  fails("2\n0 0 0\n1 5 1 0\n2 x 1 1\n3 0 1 2\n", AATGS_EINVAL,
        ":4: expected an integer, got \"x\"");
  fails("2\n0 0 0\n1 5 1 0\n1 4 1 1\n3 0 1 2\n", AATGS_EINVAL, ":4: task 1 is defined twice");
  fails("2\n0 0 0\n1 5 1 9\n2 4 1 1\n3 0 1 2\n", AATGS_ENOENT, ":3: task 1: unknown predecessor 9");
  fails("2\n0 0 0\n1 5 2 0\n2 4 1 1\n3 0 1 2\n", AATGS_EINVAL, ":3: task 1 lists 2 predecessors");
  fails("3\n0 0 0\n1 5 1 3\n2 4 1 1\n3 4 1 2\n4 0 1 3\n", AATGS_ECYCLE, "cycle: t");
}
