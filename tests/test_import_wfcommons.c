/* test_import_wfcommons.c - WfCommons WfFormat JSON (schema 1.5 and 1.4):
 * every instance under $AATGS_DATA_DIR/wfcommons imports with the task and
 * edge counts, total work and critical path of the data README's table;
 * bad files give errors that name the file (and the line for syntax errors). */
#include <criterion/criterion.h>
#include <dirent.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "importers.h"

/* /work/shared/data/README.md section 2: tasks, edges (sum of |parents|),
 * sum of runtimes and critical path in seconds. */
typedef struct wf_expect {
  const char *rel; /* relative to $AATGS_DATA_DIR/wfcommons */
  unsigned tasks, edges;
  double work_s, cp_s;
} wf_expect;

static const wf_expect EXPECT[] = {
    {"helloworld/helloworld-forkjoin-10-chameleon.json", 10, 16, 1028.7, 307.4},
    {"legacy-schema-1.4/1000genome-chameleon-2ch-100k-001.json", 52, 76, 2771.3, 204.7},
    {"makeflow/blast-chameleon-small-001.json", 43, 120, 382.9, 10.4},
    {"makeflow/bwa-chameleon-small-001.json", 104, 400, 380.0, 91.4},
    {"pegasus/1000genome-chameleon-2ch-100k-001.json", 52, 76, 2771.3, 204.7},
    {"pegasus/1000genome-chameleon-8ch-100k-001.json", 208, 304, 16617.0, 401.3},
    {"pegasus/cycles-chameleon-1l-1c-9p-001.json", 67, 97, 862.7, 163.4},
    {"pegasus/epigenomics-chameleon-hep-1seq-100k-001.json", 41, 48, 539.3, 104.8},
    {"pegasus/epigenomics-chameleon-ilmn-1seq-100k-001.json", 125, 153, 2578.3, 143.4},
    {"pegasus/montage-chameleon-2mass-005d-001.json", 58, 114, 221.7, 21.4},
    {"pegasus/montage-chameleon-2mass-025d-001.json", 619, 1641, 1321.9, 25.7},
    {"pegasus/seismology-chameleon-1000p-001.json", 1001, 1000, 538.4, 5.4},
    {"pegasus/seismology-chameleon-100p-001.json", 101, 100, 71.9, 2.8},
    {"pegasus/soykb-chameleon-10fastq-10ch-001.json", 96, 194, 11814.5, 2933.3},
    {"pegasus/srasearch-chameleon-10a-001.json", 22, 30, 6996.8, 1005.9},
};
#define NEXPECT (sizeof EXPECT / sizeof EXPECT[0])

static const wf_expect *find_expect(const char *rel) {
  for (size_t i = 0; i < NEXPECT; i++)
    if (!strcmp(EXPECT[i].rel, rel)) return &EXPECT[i];
  return NULL;
}

static unsigned checked[NEXPECT];

static double secs(aatgs_ns ns) { return (double)ns / 1e9; }

static void check_file(const char *path, const char *rel) {
  const wf_expect *x = find_expect(rel);
  cr_assert_not_null(x, "%s: not in the README's table (add its figures to EXPECT)", rel);
  aatgs_graph *g = NULL;
  aatgs_err e;
  aatgs_err_clear(&e);
  cr_assert_eq(aatgs_graph_create(&g, 0, 0), AATGS_OK);
  int rc = aatgs_import_wfcommons(g, path, AATGS_NS_PER_S, &e);
  cr_assert_eq(rc, AATGS_OK, "%s: import failed: %s", rel, e.msg);
  cr_expect_eq(aatgs_graph_num_tasks(g), x->tasks, "%s: %u tasks, expected %u", rel,
               aatgs_graph_num_tasks(g), x->tasks);
  /* every task has a label (the file's id) and a custom kernel type */
  for (uint32_t t = 0; t < aatgs_graph_num_tasks(g); t++) {
    cr_assert_not_null(aatgs_graph_task_label(g, t), "%s: task %u has no label", rel, t);
    cr_assert_geq(aatgs_graph_task_type(g, t), (uint32_t)AATGS_TT_FIRST_USER);
    cr_assert_eq(aatgs_graph_task_class(g, t), AATGS_CLASS_KERNEL);
    cr_assert_geq(aatgs_graph_task_estimate(g, t), 1);
  }
  rc = aatgs_graph_finalize(g, &e);
  cr_assert_eq(rc, AATGS_OK, "%s: finalize failed: %s", rel, e.msg);
  cr_expect_eq(aatgs_graph_num_edges(g), (uint64_t)x->edges, "%s: %llu edges, expected %u", rel,
               (unsigned long long)aatgs_graph_num_edges(g), x->edges);
  double work = secs(aatgs_graph_total_work(g)), cp = secs(aatgs_graph_critical_path(g));
  cr_expect(fabs(work - x->work_s) <= 0.1, "%s: total work %.3f s, expected %.1f", rel, work,
            x->work_s);
  cr_expect(fabs(cp - x->cp_s) <= 0.1, "%s: critical path %.3f s, expected %.1f", rel, cp, x->cp_s);
  aatgs_graph_destroy(g);
  checked[x - EXPECT]++;
}

/* Imports every .json under dir (recursively); rel is dir relative to the
 * wfcommons root ("" at the top). */
static unsigned walk(const char *dir, const char *rel) {
  DIR *d = opendir(dir);
  unsigned n = 0;
  cr_assert_not_null(d, "cannot open %s", dir);
  struct dirent *ent;
  while ((ent = readdir(d))) {
    if (ent->d_name[0] == '.') continue;
    char path[2048], sub[1024];
    struct stat st;
    snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
    snprintf(sub, sizeof sub, "%s%s%s", rel, *rel ? "/" : "", ent->d_name);
    if (stat(path, &st)) continue;
    if (S_ISDIR(st.st_mode)) {
      n += walk(path, sub);
      continue;
    }
    size_t len = strlen(ent->d_name);
    if (len < 6 || strcmp(ent->d_name + len - 5, ".json")) continue;
    check_file(path, sub);
    n++;
  }
  closedir(d);
  return n;
}

Test(import_wfcommons, every_instance_matches_the_readme, .timeout = 120) {
  const char *data = getenv("AATGS_DATA_DIR");
  if (!data || !*data)
    cr_skip_test("AATGS_DATA_DIR is not set (point it at shared/data to import the WfCommons "
                 "instances)");
  char root[1024];
  snprintf(root, sizeof root, "%s/wfcommons", data);
  unsigned n = walk(root, "");
  cr_expect_eq(n, (unsigned)NEXPECT, "imported %u files, the table lists %u", n, (unsigned)NEXPECT);
  for (size_t i = 0; i < NEXPECT; i++)
    cr_expect_eq(checked[i], 1u, "%s: imported %u times", EXPECT[i].rel, checked[i]);
}

Test(import_wfcommons, types_labels_and_bytes_of_an_instance) {
  const char *data = getenv("AATGS_DATA_DIR");
  if (!data || !*data) cr_skip_test("AATGS_DATA_DIR is not set");
  char path[1024];
  snprintf(path, sizeof path, "%s/wfcommons/pegasus/montage-chameleon-2mass-005d-001.json", data);
  aatgs_graph *g = NULL;
  aatgs_err e;
  uint32_t ty;
  cr_assert_eq(aatgs_graph_create(&g, 0, 0), AATGS_OK);
  cr_assert_eq(aatgs_import_wfcommons(g, path, AATGS_NS_PER_S, &e), AATGS_OK, "%s", e.msg);
  /* one type per program (8 montage steps), not one per task */
  cr_expect_eq(aatgs_graph_num_types(g), (uint32_t)AATGS_TT_FIRST_USER + 8);
  cr_expect_eq(aatgs_graph_find_type(g, "mProject", &ty), AATGS_OK);
  cr_expect_str_eq(aatgs_graph_task_label(g, 0), "mProject_ID0000001");
  aatgs_graph_destroy(g);
}

/* ---- small files ---- */

static void write_tmp(char *path, size_t cap, const char *text) {
  snprintf(path, cap, "/tmp/aatgs_wf_XXXXXX");
  int fd = mkstemp(path);
  cr_assert_geq(fd, 0);
  FILE *f = fdopen(fd, "w");
  cr_assert_not_null(f);
  fputs(text, f);
  fclose(f);
}

/* Imports text; returns the code and leaves the message in e. *g_out gets
 * the graph (caller destroys) when non-NULL. */
static int import_text(const char *text, char *path, size_t cap, aatgs_err *e,
                       aatgs_graph **g_out) {
  aatgs_graph *g = NULL;
  write_tmp(path, cap, text);
  aatgs_err_clear(e);
  cr_assert_eq(aatgs_graph_create(&g, 0, 0), AATGS_OK);
  int rc = aatgs_import_wfcommons(g, path, AATGS_NS_PER_S, e);
  if (g_out)
    *g_out = g;
  else
    aatgs_graph_destroy(g);
  return rc;
}

#define V15_HEAD "{\"name\":\"t\",\"schemaVersion\":\"1.5\",\"workflow\":{\"specification\":{"

static const char GOOD15[] =
    V15_HEAD "\"tasks\":["
             "{\"name\":\"a_ID01\",\"id\":\"a\",\"parents\":[],\"children\":[\"b\",\"c\"],"
             "\"outputFiles\":[\"f1\",\"f2\"]},"
             "{\"name\":\"b_ID02\",\"id\":\"b\",\"parents\":[\"a\"],\"children\":[\"d\"]},"
             "{\"name\":\"b_ID03\",\"id\":\"c\",\"parents\":[],\"children\":[\"d\"]},"
             "{\"name\":\"d\",\"id\":\"d\",\"parents\":[\"b\",\"c\"],\"children\":[]}],"
             "\"files\":[{\"id\":\"f1\",\"sizeInBytes\":100},{\"id\":\"f2\",\"sizeInBytes\":23}]},"
             "\"execution\":{\"makespanInSeconds\":9,\"executedAt\":\"x\",\"tasks\":["
             "{\"id\":\"a\",\"runtimeInSeconds\":1.5},{\"id\":\"b\",\"runtimeInSeconds\":2},"
             "{\"id\":\"c\",\"runtimeInSeconds\":0},"
             "{\"id\":\"d\",\"runtimeInSeconds\":3,\"command\":{\"program\":\"join\"}}]}}}\n";

Test(import_wfcommons, schema_15_small) {
  char path[64];
  aatgs_err e;
  aatgs_graph *g;
  uint32_t ty;
  cr_assert_eq(import_text(GOOD15, path, sizeof path, &e, &g), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_graph_num_tasks(g), 4u);
  cr_expect_str_eq(aatgs_graph_task_label(g, 0), "a");
  cr_expect_eq(aatgs_graph_task_bytes(g, 0), 123u);
  cr_expect_eq(aatgs_graph_task_estimate(g, 0), 1500000000);
  cr_expect_eq(aatgs_graph_task_estimate(g, 2), 1); /* runtime 0 -> 1 ns */
  /* b_ID02 and b_ID03 share type "b"; d's program names its type */
  cr_expect_eq(aatgs_graph_task_type(g, 1), aatgs_graph_task_type(g, 2));
  cr_expect_eq(aatgs_graph_find_type(g, "b", &ty), AATGS_OK);
  cr_expect_eq(aatgs_graph_find_type(g, "join", &ty), AATGS_OK);
  cr_expect_eq(aatgs_graph_task_type(g, 3), ty);
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK, "%s", e.msg);
  /* a->b, b->d, c->d from parents; a->c only from children */
  cr_expect_eq(aatgs_graph_num_edges(g), 4u);
  cr_expect_eq(aatgs_graph_critical_path(g), INT64_C(6500000000));
  aatgs_graph_destroy(g);
  unlink(path);
}

Test(import_wfcommons, schema_14_small) {
  static const char text[] =
      "{\"name\":\"t\",\"schemaVersion\":\"1.4\",\"wms\":{\"name\":\"Pegasus\"},\"workflow\":{"
      "\"makespanInSeconds\":5,\"tasks\":["
      "{\"name\":\"x_ID1\",\"id\":\"ID1\",\"category\":\"split\",\"type\":\"compute\","
      "\"parents\":[],\"runtimeInSeconds\":2,\"files\":[{\"name\":\"o\",\"sizeInBytes\":7,"
      "\"link\":\"output\"},{\"name\":\"i\",\"sizeInBytes\":1000,\"link\":\"input\"}]},"
      "{\"name\":\"y_ID2\",\"id\":\"ID2\",\"type\":\"compute\",\"parents\":[\"x_ID1\"],"
      "\"runtimeInSeconds\":0.25,\"files\":[]}]}}";
  char path[64];
  aatgs_err e;
  aatgs_graph *g;
  uint32_t ty;
  cr_assert_eq(import_text(text, path, sizeof path, &e, &g), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_graph_num_tasks(g), 2u);
  cr_expect_str_eq(aatgs_graph_task_label(g, 0), "ID1");
  cr_expect_eq(aatgs_graph_task_bytes(g, 0), 7u);
  cr_expect_eq(aatgs_graph_find_type(g, "split", &ty), AATGS_OK);
  cr_expect_eq(aatgs_graph_task_type(g, 0), ty);
  cr_expect_eq(aatgs_graph_find_type(g, "y_ID2", &ty), AATGS_OK); /* no category: name */
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK, "%s", e.msg);
  cr_expect_eq(aatgs_graph_num_edges(g), 1u);
  cr_expect_eq(aatgs_graph_critical_path(g), INT64_C(2250000000));
  aatgs_graph_destroy(g);
  unlink(path);
}

Test(import_wfcommons, syntax_error_names_file_and_line) {
  char path[64], want[128];
  aatgs_err e;
  static const char text[] = "{\n  \"schemaVersion\": \"1.5\",\n  \"workflow\": {\n"
                             "    \"specification\": { \"tasks\": [ }\n  }\n}\n";
  int rc = import_text(text, path, sizeof path, &e, NULL);
  cr_expect_eq(rc, AATGS_EINVAL);
  snprintf(want, sizeof want, "%s:4:", path);
  cr_expect(strstr(e.msg, want) != NULL, "message \"%s\" lacks \"%s\"", e.msg, want);
  unlink(path);
}

Test(import_wfcommons, missing_file) {
  aatgs_graph *g = NULL;
  aatgs_err e;
  cr_assert_eq(aatgs_graph_create(&g, 0, 0), AATGS_OK);
  cr_expect_eq(aatgs_import_wfcommons(g, "/nonexistent/x.json", AATGS_NS_PER_S, &e), AATGS_EIO);
  cr_expect(strstr(e.msg, "/nonexistent/x.json") != NULL, "%s", e.msg);
  aatgs_graph_destroy(g);
}

/* Imports text, expects code and a message holding path and every needle. */
static void expect_error(const char *text, int code, const char *n1, const char *n2) {
  char path[64];
  aatgs_err e;
  int rc = import_text(text, path, sizeof path, &e, NULL);
  cr_expect_eq(rc, code, "got %d (%s), expected %d", rc, e.msg, code);
  cr_expect(strstr(e.msg, path) != NULL, "message \"%s\" does not name the file", e.msg);
  cr_expect(strstr(e.msg, n1) != NULL, "message \"%s\" lacks \"%s\"", e.msg, n1);
  if (n2) cr_expect(strstr(e.msg, n2) != NULL, "message \"%s\" lacks \"%s\"", e.msg, n2);
  unlink(path);
}

#define EXEC_AB                                                                                    \
  "\"execution\":{\"tasks\":[{\"id\":\"a\",\"runtimeInSeconds\":1},"                               \
  "{\"id\":\"b\",\"runtimeInSeconds\":1}]}}}"

Test(import_wfcommons, unknown_parent) {
  expect_error(V15_HEAD "\"tasks\":[{\"name\":\"a\",\"id\":\"a\",\"parents\":[],\"children\":[]},"
                        "{\"name\":\"b\",\"id\":\"b\",\"parents\":[\"zz\"],\"children\":[]}],"
                        "\"files\":[]}," EXEC_AB,
               AATGS_ENOENT, "task \"b\": unknown parent \"zz\"", NULL);
}

Test(import_wfcommons, missing_runtime) {
  expect_error(V15_HEAD "\"tasks\":[{\"name\":\"a\",\"id\":\"a\",\"parents\":[],\"children\":[]},"
                        "{\"name\":\"b\",\"id\":\"b\",\"parents\":[],\"children\":[]}],"
                        "\"files\":[]},"
                        "\"execution\":{\"tasks\":[{\"id\":\"a\",\"runtimeInSeconds\":1}]}}}",
               AATGS_EINVAL, "task \"b\" has no runtimeInSeconds", NULL);
}

Test(import_wfcommons, duplicate_id) {
  expect_error(V15_HEAD "\"tasks\":[{\"name\":\"a\",\"id\":\"a\",\"parents\":[],\"children\":[]},"
                        "{\"name\":\"b\",\"id\":\"a\",\"parents\":[],\"children\":[]}],"
                        "\"files\":[]}," EXEC_AB,
               AATGS_EINVAL, "duplicate task id \"a\"", NULL);
}

Test(import_wfcommons, missing_tasks_and_wrong_types) {
  expect_error("{\"schemaVersion\":\"1.5\",\"workflow\":{\"specification\":{}}}", AATGS_EINVAL,
               "missing workflow.specification.tasks", NULL);
  expect_error("{\"schemaVersion\":\"1.5\",\"workflow\":{\"specification\":{\"tasks\":[]}}}",
               AATGS_EINVAL, "missing workflow.execution.tasks", NULL);
  expect_error("[1,2,3]", AATGS_EINVAL, "not a WfFormat file", NULL);
  expect_error("{\"workflow\":3}", AATGS_EINVAL, "missing workflow", NULL);
  expect_error(V15_HEAD "\"tasks\":[5]},\"execution\":{\"tasks\":[]}}}", AATGS_EINVAL,
               "tasks #0 has no \"id\"", NULL);
  expect_error(V15_HEAD "\"tasks\":[{\"name\":\"a\",\"id\":\"a\",\"parents\":\"b\"}]},"
                        "\"execution\":{\"tasks\":[]}}}",
               AATGS_EINVAL, "\"parents\" is not an array", NULL);
  expect_error(V15_HEAD "\"tasks\":[{\"name\":\"a\",\"id\":\"a\",\"parents\":[7]}]},"
                        "\"execution\":{\"tasks\":[{\"id\":\"a\",\"runtimeInSeconds\":1}]}}}",
               AATGS_EINVAL, "parent #0 is not a string", NULL);
  expect_error(V15_HEAD "\"tasks\":[{\"name\":\"a\",\"id\":\"a\"}]},"
                        "\"execution\":{\"tasks\":[{\"id\":\"a\",\"runtimeInSeconds\":\"1\"}]}}}",
               AATGS_EINVAL, "runtimeInSeconds is not a non-negative number", NULL);
  expect_error(V15_HEAD "\"tasks\":[{\"name\":\"a\",\"id\":\"a\",\"outputFiles\":[\"q\"]}],"
                        "\"files\":[]},"
                        "\"execution\":{\"tasks\":[{\"id\":\"a\",\"runtimeInSeconds\":1}]}}}",
               AATGS_ENOENT, "unknown output file \"q\"", NULL);
  expect_error("{\"schemaVersion\":\"1.4\",\"workflow\":{\"tasks\":[{\"name\":\"a\","
               "\"parents\":[\"nope\"],\"runtimeInSeconds\":1}]}}",
               AATGS_ENOENT, "task \"a\": unknown parent \"nope\"", NULL);
  expect_error("{\"schemaVersion\":\"1.4\",\"workflow\":{\"tasks\":[{\"name\":\"a\","
               "\"runtimeInSeconds\":1},{\"name\":\"a\",\"runtimeInSeconds\":1}]}}",
               AATGS_EINVAL, "duplicate task name \"a\"", NULL);
  expect_error("{\"schemaVersion\":\"1.4\",\"workflow\":{}}", AATGS_EINVAL,
               "missing workflow.tasks", NULL);
}

Test(import_wfcommons, cycle_is_named_by_finalize) {
  static const char text[] =
      V15_HEAD "\"tasks\":[{\"name\":\"a\",\"id\":\"a\",\"parents\":[\"b\"],\"children\":[]},"
               "{\"name\":\"b\",\"id\":\"b\",\"parents\":[\"a\"],\"children\":[]}],"
               "\"files\":[]}," EXEC_AB;
  char path[64];
  aatgs_err e;
  aatgs_graph *g;
  cr_assert_eq(import_text(text, path, sizeof path, &e, &g), AATGS_OK, "%s", e.msg);
  cr_expect_eq(aatgs_graph_finalize(g, &e), AATGS_ECYCLE);
  cr_expect(strstr(e.msg, "cycle") != NULL, "message \"%s\" does not name the cycle", e.msg);
  aatgs_graph_destroy(g);
  unlink(path);
}
