/* test_import_dot.c - Graphviz DOT task graphs (DAGGEN output) through
 * cgraph: the three DAGGEN files of $AATGS_DATA_DIR/daggen import with the
 * task and edge counts of data/README.md section 5 and estimates of size x
 * unit; bad files give errors naming the file (and the line for syntax). */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "importers.h"

static const char *data_dir(void) {
  const char *data = getenv("AATGS_DATA_DIR");
  if (!data || !*data)
    cr_skip_test("AATGS_DATA_DIR is not set (point it at shared/data to run the DAGGEN tests)");
  return data;
}

/* Writes text to a fresh file under /tmp; the name goes to path. */
static void write_tmp(char *path, size_t cap, const char *tag, const char *text) {
  snprintf(path, cap, "/tmp/aatgs_test_dot_%ld_%s.dot", (long)getpid(), tag);
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f, "cannot write %s", path);
  fputs(text, f);
  fclose(f);
}

static uint32_t find_label(const aatgs_graph *g, const char *label) {
  for (uint32_t i = 0; i < aatgs_graph_num_tasks(g); i++) {
    const char *l = aatgs_graph_task_label(g, i);
    if (l && strcmp(l, label) == 0) return i;
  }
  return AATGS_TASK_NONE;
}

/* Checks the first `count` node lines "  <id> [size="<flops>", ..." of the
 * file against the imported estimates, and node <first>'s bytes against the
 * sum of its out-edges' sizes. */
static void check_estimates(const aatgs_graph *g, const char *path, aatgs_ns unit, int count) {
  FILE *f = fopen(path, "r");
  char line[512], first[64] = "";
  int seen = 0;
  double first_bytes = 0;
  cr_assert_not_null(f);
  while (fgets(line, sizeof line, f)) {
    char id[64], dst[64], size[64];
    if (sscanf(line, " %63s -> %63s [size =\"%63[^\"]\"]", id, dst, size) == 3) {
      if (strcmp(id, first) == 0) first_bytes += strtod(size, NULL);
      continue;
    }
    if (seen < count && sscanf(line, " %63s [size=\"%63[^\"]\"", id, size) == 2) {
      uint32_t t = find_label(g, id);
      cr_assert_neq(t, AATGS_TASK_NONE, "%s: node %s not imported", path, id);
      aatgs_ns want = (aatgs_ns)llround(strtod(size, NULL) * (double)unit);
      cr_expect_eq(aatgs_graph_task_estimate(g, t), want, "%s: node %s: estimate %lld, want %lld",
                   path, id, (long long)aatgs_graph_task_estimate(g, t), (long long)want);
      cr_expect_eq(aatgs_graph_task_type(g, t), (uint32_t)AATGS_TT_CUSTOM);
      if (seen == 0) snprintf(first, sizeof first, "%s", id);
      seen++;
    }
  }
  fclose(f);
  cr_assert_eq(seen, count, "%s: found %d node lines", path, seen);
  uint32_t t = find_label(g, first);
  cr_expect_eq(aatgs_graph_task_bytes(g, t), (uint64_t)first_bytes,
               "%s: node %s: bytes %llu, want %.0f", path, first,
               (unsigned long long)aatgs_graph_task_bytes(g, t), first_bytes);
}

/* edges: the edge statements of the file (data/README.md section 5 counts
 * those); distinct: after finalize, which merges the duplicates DAGGEN can
 * write (the n100 file states 34 -> 66, 46 -> 75, 52 -> 58, 56 -> 91 twice). */
static void check_daggen(const char *file, uint32_t tasks, uint64_t edges, uint64_t distinct) {
  const char *data = data_dir();
  char path[1024];
  aatgs_graph *g = NULL;
  aatgs_err e = {0};
  snprintf(path, sizeof path, "%s/daggen/%s", data, file);
  cr_assert_eq(aatgs_graph_create(&g, 0, 0), AATGS_OK);
  int rc = aatgs_import_dot(g, path, 2, &e);
  cr_assert_eq(rc, AATGS_OK, "%s", e.msg);
  cr_expect_eq(aatgs_graph_num_edges(g), edges, "%s: %llu edges imported, want %llu", file,
               (unsigned long long)aatgs_graph_num_edges(g), (unsigned long long)edges);
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK, "%s", e.msg);
  cr_expect_eq(aatgs_graph_num_tasks(g), tasks, "%s: %u tasks, want %u", file,
               aatgs_graph_num_tasks(g), tasks);
  cr_expect_eq(aatgs_graph_num_edges(g), distinct, "%s: %llu distinct edges, want %llu", file,
               (unsigned long long)aatgs_graph_num_edges(g), (unsigned long long)distinct);
  check_estimates(g, path, 2, 3);
  cr_expect_gt(aatgs_graph_critical_path(g), 0);
  aatgs_graph_destroy(g);
}

Test(import_dot, daggen_n20_default) { check_daggen("daggen_n20_default.dot", 20, 24, 24); }

Test(import_dot, daggen_n50) {
  check_daggen("daggen_n50_fat0.4_den0.3_reg0.5_jump2_ccr1.dot", 50, 55, 55);
}

Test(import_dot, daggen_n100) {
  check_daggen("daggen_n100_fat0.7_den0.6_reg0.9_jump1_ccr2.dot", 100, 523, 519);
}

static int import_text(const char *tag, const char *text, aatgs_ns unit, aatgs_graph **out,
                       aatgs_err *e, char *path, size_t cap) {
  write_tmp(path, cap, tag, text);
  cr_assert_eq(aatgs_graph_create(out, 0, 0), AATGS_OK);
  int rc = aatgs_import_dot(*out, path, unit, e);
  unlink(path);
  return rc;
}

Test(import_dot, decimal_sizes_defaults_and_bytes) {
  char path[256];
  aatgs_graph *g = NULL;
  aatgs_err e = {0};
  int rc = import_text("ok",
                       "digraph G {\n"
                       "  a [size=\"9.09e+09\"]\n"
                       "  b\n"
                       "  c [size=\"0\"]\n"
                       "  a -> b [size=\"100\"]\n"
                       "  a -> c [size=\"1.5e3\"]\n"
                       "  b -> c\n"
                       "}\n",
                       3, &g, &e, path, sizeof path);
  cr_assert_eq(rc, AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_graph_num_tasks(g), 3);
  cr_assert_eq(aatgs_graph_num_edges(g), 3);
  cr_expect_str_eq(aatgs_graph_task_label(g, 0), "a");
  cr_expect_str_eq(aatgs_graph_task_label(g, 1), "b");
  cr_expect_eq(aatgs_graph_task_estimate(g, 0), (aatgs_ns)27270000000LL);
  cr_expect_eq(aatgs_graph_task_estimate(g, 1), 3); /* no size: 1 x unit */
  cr_expect_eq(aatgs_graph_task_estimate(g, 2), 1); /* size 0: at least 1 ns */
  cr_expect_eq(aatgs_graph_task_bytes(g, 0), 1600);
  cr_expect_eq(aatgs_graph_task_bytes(g, 1), 0);
  aatgs_graph_destroy(g);
}

Test(import_dot, missing_file) {
  aatgs_graph *g = NULL;
  aatgs_err e = {0};
  cr_assert_eq(aatgs_graph_create(&g, 0, 0), AATGS_OK);
  int rc = aatgs_import_dot(g, "/nonexistent/x.dot", 1, &e);
  cr_expect_eq(rc, AATGS_EIO);
  cr_expect(strstr(e.msg, "cannot read '/nonexistent/x.dot'") != NULL, "%s", e.msg);
  aatgs_graph_destroy(g);
}

Test(import_dot, syntax_error_names_file_and_line) {
  char path[256];
  aatgs_graph *g = NULL;
  aatgs_err e = {0};
  int rc = import_text("syntax",
                       "digraph G {\n"
                       "  a [size=\"1\"]\n"
                       "  b [size=\"2\"]\n"
                       "  a -> -> b\n"
                       "}\n",
                       1, &g, &e, path, sizeof path);
  cr_expect_eq(rc, AATGS_EINVAL);
  cr_expect(strncmp(e.msg, path, strlen(path)) == 0, "%s", e.msg);
  cr_expect(strstr(e.msg, "line 4") != NULL, "%s", e.msg);
  aatgs_graph_destroy(g);
}

/* cgraph keeps lexer state between reads: a good file read first must not
 * shift the line of the next file's syntax error. */
Test(import_dot, syntax_error_line_after_a_good_file) {
  char path[256];
  aatgs_graph *g = NULL;
  aatgs_err e = {0};
  int rc = import_text("good", "digraph G {\n  a -> b\n}\n\n\n", 1, &g, &e, path, sizeof path);
  cr_assert_eq(rc, AATGS_OK, "%s", e.msg);
  aatgs_graph_destroy(g);
  rc = import_text("bad", "digraph G {\n  a\n  b [size=\"1\"\n}\n", 1, &g, &e, path, sizeof path);
  cr_expect_eq(rc, AATGS_EINVAL);
  cr_expect(strstr(e.msg, "line 4") != NULL, "%s", e.msg);
  aatgs_graph_destroy(g);
}

Test(import_dot, undirected_graph) {
  char path[256];
  aatgs_graph *g = NULL;
  aatgs_err e = {0};
  int rc = import_text("undirected", "graph G {\n  a -- b\n}\n", 1, &g, &e, path, sizeof path);
  cr_expect_eq(rc, AATGS_EINVAL);
  cr_expect(strncmp(e.msg, path, strlen(path)) == 0, "%s", e.msg);
  cr_expect(strstr(e.msg, "undirected") != NULL, "%s", e.msg);
  cr_expect_eq(aatgs_graph_num_tasks(g), 0);
  aatgs_graph_destroy(g);
}

Test(import_dot, non_numeric_size) {
  char path[256], want[512];
  aatgs_graph *g = NULL;
  aatgs_err e = {0};
  int rc = import_text("nan", "digraph G {\n  a [size=\"1\"]\n  X [size=\"abc\"]\n  a -> X\n}\n", 1,
                       &g, &e, path, sizeof path);
  cr_expect_eq(rc, AATGS_EINVAL);
  snprintf(want, sizeof want, "%s: node \"X\": size \"abc\" is not a number", path);
  cr_expect_str_eq(e.msg, want);
  aatgs_graph_destroy(g);
}

Test(import_dot, cycle_is_named_by_finalize) {
  char path[256];
  aatgs_graph *g = NULL;
  aatgs_err e = {0};
  int rc = import_text("cycle",
                       "digraph G {\n  start -> alpha\n  alpha -> beta\n  beta -> gamma\n"
                       "  gamma -> alpha\n}\n",
                       1, &g, &e, path, sizeof path);
  cr_assert_eq(rc, AATGS_OK, "%s", e.msg);
  cr_expect_eq(aatgs_graph_finalize(g, &e), AATGS_ECYCLE);
  cr_expect(strstr(e.msg, "cycle") != NULL, "%s", e.msg);
  cr_expect(strstr(e.msg, "alpha") && strstr(e.msg, "beta") && strstr(e.msg, "gamma"), "%s", e.msg);
  cr_expect(strstr(e.msg, "start") == NULL, "%s", e.msg);
  aatgs_graph_destroy(g);
}
