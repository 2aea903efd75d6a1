/* test_export.c - a graph written out and imported again is the same graph:
 * DOT (tasks, estimates, edges) and WfFormat JSON (also type names, labels,
 * estimates to the ns, task bytes and edge bytes), for generated graphs and
 * for the real WfCommons instances; `aatgs graph --wfformat` writes a file
 * that a scenario imports and `aatgs run` runs. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "export.h"
#include "generators.h"
#include "importers.h"
#include "support/cli.h"

static void round_trip(aatgs_graph *g) {
  char path[] = "/tmp/aatgs_export_XXXXXX";
  int fd = mkstemp(path);
  cr_assert_geq(fd, 0);
  FILE *f = fdopen(fd, "w");
  aatgs_err e;
  cr_assert_eq(aatgs_graph_write_dot(g, f, &e), AATGS_OK, "%s", e.msg);
  fclose(f);
  aatgs_graph *h;
  cr_assert_eq(aatgs_graph_create(&h, 0, 0), AATGS_OK);
  cr_assert_eq(aatgs_import_dot(h, path, 1, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_graph_finalize(h, &e), AATGS_OK, "%s", e.msg);
  uint32_t n = aatgs_graph_num_tasks(g);
  cr_assert_eq(aatgs_graph_num_tasks(h), n);
  cr_assert_eq(aatgs_graph_num_edges(h), aatgs_graph_num_edges(g));
  /* The importer adds nodes in file order, which is task order. */
  for (uint32_t t = 0; t < n; t++) {
    cr_assert_eq(aatgs_graph_task_estimate(h, t), aatgs_graph_task_estimate(g, t), "task %u", t);
    uint32_t na, nb;
    const uint32_t *sa = aatgs_graph_successors(g, t, &na), *sb = aatgs_graph_successors(h, t, &nb);
    cr_assert_eq(na, nb, "task %u", t);
    for (uint32_t k = 0; k < na; k++)
      cr_assert_eq(sa[k], sb[k], "task %u", t);
  }
  cr_assert_eq(aatgs_graph_critical_path(h), aatgs_graph_critical_path(g));
  aatgs_graph_destroy(h);
  unlink(path);
}

static aatgs_graph *generate(const char *gen, const char *param, const char *value) {
  aatgs_gen_args a;
  aatgs_graph *g = NULL;
  aatgs_err e;
  const aatgs_generator *gd = aatgs_generator_find(gen);
  cr_assert_not_null(gd, "no generator %s", gen);
  aatgs_gen_args_init(&a, gd);
  if (param) cr_assert_eq(aatgs_gen_args_set(&a, param, value, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_gen_generate(&a, 7, &g, &e), AATGS_OK, "%s: %s", gen, e.msg);
  return g;
}

Test(export, dot_round_trip_of_generated_graphs) {
  const char *gens[] = {"layered", "phase_pipeline", "cholesky", "fork_join"};
  for (size_t i = 0; i < sizeof gens / sizeof gens[0]; i++) {
    aatgs_graph *g = generate(gens[i], NULL, NULL);
    round_trip(g);
    aatgs_graph_destroy(g);
  }
}

/* ---- WfFormat ---- */

/* Writes finalized g as WfFormat to a temporary file (its name into path). */
static void write_wf(const aatgs_graph *g, char *path, size_t cap) {
  snprintf(path, cap, "/tmp/aatgs_wfformat_XXXXXX");
  int fd = mkstemp(path);
  cr_assert_geq(fd, 0);
  FILE *f = fdopen(fd, "w");
  aatgs_err e;
  cr_assert_eq(aatgs_graph_write_wfformat(g, f, "test", &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(fclose(f), 0);
}

/* Writes g as WfFormat, imports it (unit 1 s) and finalizes: the new graph. */
static aatgs_graph *wf_round_trip(const aatgs_graph *g) {
  char path[64];
  aatgs_graph *h = NULL;
  aatgs_err e;
  write_wf(g, path, sizeof path);
  cr_assert_eq(aatgs_graph_create(&h, 0, 0), AATGS_OK);
  cr_assert_eq(aatgs_import_wfcommons(h, path, AATGS_NS_PER_S, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_graph_finalize(h, &e), AATGS_OK, "%s", e.msg);
  unlink(path);
  return h;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* What the exporter names the tasks by: their labels when every task has
 * one and no two are equal (and they are UTF-8, as in every test here). */
static int labels_unique(const aatgs_graph *g) {
  uint32_t n = aatgs_graph_num_tasks(g);
  const char **v = malloc((n ? n : 1) * sizeof *v);
  int ok = 1;
  cr_assert_not_null(v);
  for (uint32_t t = 0; ok && t < n; t++)
    ok = (v[t] = aatgs_graph_task_label(g, t)) != NULL;
  if (ok) qsort(v, n, sizeof *v, cmp_str);
  for (uint32_t t = 1; ok && t < n; t++)
    ok = strcmp(v[t - 1], v[t]) != 0;
  free(v);
  return ok;
}

static uint64_t pred_bytes(const aatgs_graph *g, uint32_t t, uint32_t k) {
  const uint64_t *pb = aatgs_graph_predecessor_bytes(g, t);
  return pb ? pb[k] : 0;
}

/* h is g written as WfFormat and read back: same tasks in the same order,
 * type names and classes, labels (or t<id>), estimates, edges and edge
 * bytes, critical path; with check_bytes, task bytes too: exact where a
 * task's bytes cover its largest outgoing edge, else at least that edge
 * (what WfFormat can say, export.h). */
static void expect_same(const aatgs_graph *g, const aatgs_graph *h, const char *what,
                        int check_bytes) {
  uint32_t n = aatgs_graph_num_tasks(g);
  int labels = labels_unique(g);
  uint64_t *max_out = calloc(n ? n : 1, sizeof *max_out);
  cr_assert_not_null(max_out);
  for (uint32_t t = 0; t < n; t++) {
    uint32_t np;
    const uint32_t *p = aatgs_graph_predecessors(g, t, &np);
    for (uint32_t k = 0; k < np; k++)
      if (pred_bytes(g, t, k) > max_out[p[k]]) max_out[p[k]] = pred_bytes(g, t, k);
  }
  cr_assert_eq(aatgs_graph_num_tasks(h), n, "%s: %u tasks, want %u", what, aatgs_graph_num_tasks(h),
               n);
  cr_assert_eq(aatgs_graph_num_edges(h), aatgs_graph_num_edges(g), "%s: edges", what);
  for (uint32_t t = 0; t < n; t++) {
    const aatgs_type_info *ta = aatgs_graph_type(g, aatgs_graph_task_type(g, t));
    const aatgs_type_info *tb = aatgs_graph_type(h, aatgs_graph_task_type(h, t));
    char want[32];
    const char *label = labels ? aatgs_graph_task_label(g, t) : want;
    snprintf(want, sizeof want, "t%u", t);
    cr_assert_str_eq(tb->name, ta->name, "%s: task %u: type", what, t);
    if (ta->cls != AATGS_CLASS_KERNEL) /* custom types come back as kernels */
      cr_assert_eq(tb->cls, ta->cls, "%s: task %u: class of %s", what, t, ta->name);
    cr_assert_str_eq(aatgs_graph_task_label(h, t), label, "%s: task %u: label", what, t);
    cr_assert_eq(aatgs_graph_task_estimate(h, t), aatgs_graph_task_estimate(g, t),
                 "%s: task %u: estimate %lld, want %lld", what, t,
                 (long long)aatgs_graph_task_estimate(h, t),
                 (long long)aatgs_graph_task_estimate(g, t));
    if (check_bytes && aatgs_graph_task_bytes(g, t) >= max_out[t])
      cr_assert_eq(aatgs_graph_task_bytes(h, t), aatgs_graph_task_bytes(g, t),
                   "%s: task %u: bytes %llu, want %llu", what, t,
                   (unsigned long long)aatgs_graph_task_bytes(h, t),
                   (unsigned long long)aatgs_graph_task_bytes(g, t));
    else if (check_bytes)
      cr_assert_geq(aatgs_graph_task_bytes(h, t), max_out[t],
                    "%s: task %u: bytes %llu, below its largest edge %llu", what, t,
                    (unsigned long long)aatgs_graph_task_bytes(h, t),
                    (unsigned long long)max_out[t]);
    uint32_t na, nb;
    const uint32_t *pa = aatgs_graph_predecessors(g, t, &na),
                   *pb = aatgs_graph_predecessors(h, t, &nb);
    cr_assert_eq(na, nb, "%s: task %u: %u parents, want %u", what, t, nb, na);
    for (uint32_t k = 0; k < na; k++) {
      cr_assert_eq(pb[k], pa[k], "%s: task %u: parent #%u", what, t, k);
      cr_assert_eq(pred_bytes(h, t, k), pred_bytes(g, t, k),
                   "%s: edge %u -> %u: %llu bytes, want %llu", what, pa[k], t,
                   (unsigned long long)pred_bytes(h, t, k),
                   (unsigned long long)pred_bytes(g, t, k));
    }
  }
  cr_assert_eq(aatgs_graph_critical_path(h), aatgs_graph_critical_path(g), "%s: critical path",
               what);
  free(max_out);
}

Test(export, wfformat_round_trip_of_generated_graphs) {
  static const char *const gens[][3] = {
      {"chain", "n", "300"},
      {"fork_join", NULL, NULL},
      /* estimates drawn to the ns, up to 3 s */
      {"layered", "est", "uniform(1ns, 3s)"},
      {"phase_pipeline", NULL, NULL}, /* uploads and downloads with bytes */
      {"cholesky", NULL, NULL},       /* labels, tile bytes */
      {"erdos_renyi", NULL, NULL},
      {"stencil", NULL, NULL},
      {"fft", NULL, NULL},
      {"lu", NULL, NULL},
      {"gaussian_elimination", NULL, NULL},
      /* edges with bytes */
      {"heft_layered", NULL, NULL},
      {"daggen", NULL, NULL},
      {"workflow", NULL, NULL},
  };
  for (size_t i = 0; i < sizeof gens / sizeof gens[0]; i++) {
    aatgs_graph *g = generate(gens[i][0], gens[i][1], gens[i][2]);
    aatgs_graph *h = wf_round_trip(g);
    expect_same(g, h, gens[i][0], 1);
    aatgs_graph_destroy(h);
    aatgs_graph_destroy(g);
  }
}

static uint32_t add(aatgs_graph *g, uint32_t type, aatgs_ns est, uint64_t bytes,
                    const char *label) {
  uint32_t id;
  aatgs_err e;
  cr_assert_eq(aatgs_graph_add_task(g, type, est, NULL, 0, &id, &e), AATGS_OK, "%s", e.msg);
  if (bytes) cr_assert_eq(aatgs_graph_set_bytes(g, id, bytes), AATGS_OK);
  if (label) cr_assert_eq(aatgs_graph_set_label(g, id, label), AATGS_OK);
  return id;
}

static void edge(aatgs_graph *g, uint32_t a, uint32_t b, uint64_t bytes) {
  aatgs_err e;
  cr_assert_eq(aatgs_graph_add_edge_bytes(g, a, b, bytes, &e), AATGS_OK, "%s", e.msg);
}

/* Every way a task's bytes and its edges' bytes can relate (export.h). */
Test(export, wfformat_task_and_edge_bytes) {
  aatgs_graph *g;
  aatgs_err e;
  uint32_t gemm, big, lossy, wide, up;
  cr_assert_eq(aatgs_graph_create(&g, 0, 0), AATGS_OK);
  cr_assert_eq(aatgs_graph_add_type(g, "gemm", 2000, AATGS_CLASS_KERNEL, &gemm), AATGS_OK);
  /* bytes >= the sum of the distinct edge sizes (100 + 300): one file per
   * size and one for the other 600 bytes */
  uint32_t a = add(g, gemm, 5, 1000, "a \"quoted\" \\ name"), b = add(g, gemm, 6, 7, "b");
  uint32_t c = add(g, AATGS_TT_WHCR, 7, 0, "c"), d = add(g, gemm, 8, 0, "d\tü");
  edge(g, a, b, 100);
  edge(g, a, c, 100);
  edge(g, a, d, 300);
  /* bytes between the largest edge and the sum: nested files */
  uint32_t p = add(g, gemm, 9, 350, "p"), q = add(g, gemm, 10, 0, "q"),
           r = add(g, gemm, 11, 0, "r");
  edge(g, p, q, 100);
  edge(g, p, r, 300);
  edge(g, b, r, 7);
  /* bytes below the largest edge: comes back with the edge's size */
  lossy = add(g, gemm, 12, 0, "x");
  uint32_t y = add(g, gemm, 13, 0, "y");
  edge(g, lossy, y, 500);
  edge(g, q, y, 0);
  /* more than 256 distinct sizes: one file each, never nested */
  wide = add(g, gemm, 14, 0, "wide");
  for (uint32_t k = 1; k <= 300; k++) {
    char name[16];
    snprintf(name, sizeof name, "w%u", k);
    edge(g, wide, add(g, gemm, 15, 0, name), k);
  }
  /* a built-in copy type keeps its class; a big edge stays exact */
  up = add(g, AATGS_TT_CONFIG_UPLOAD, 100000, 256, "upload");
  big = add(g, gemm, 3, UINT64_C(1) << 60, "big");
  edge(g, up, a, 0);
  edge(g, big, a, (UINT64_C(1) << 60) - 1);
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK, "%s", e.msg);

  aatgs_graph *h = wf_round_trip(g);
  expect_same(g, h, "bytes", 0);
  for (uint32_t t = 0; t < aatgs_graph_num_tasks(g); t++) {
    uint64_t want = aatgs_graph_task_bytes(g, t);
    if (t == lossy) want = 500;
    if (t == wide) want = 300 * 301 / 2;
    cr_expect_eq(aatgs_graph_task_bytes(h, t), want, "task %u (%s): %llu bytes, want %llu", t,
                 aatgs_graph_task_label(g, t), (unsigned long long)aatgs_graph_task_bytes(h, t),
                 (unsigned long long)want);
  }
  cr_expect_eq(aatgs_graph_task_class(h, up), AATGS_CLASS_UPLOAD);
  aatgs_graph_destroy(h);
  aatgs_graph_destroy(g);
}

Test(export, wfformat_keeps_every_ns_and_names_repeated_labels_by_id) {
  static const aatgs_ns est[] = {1,           2,         999999999,      1000000000,
                                 1000000001,  123456789, 86400000000123, (INT64_C(1) << 51) - 1,
                                 12345678901, 4999999999};
  aatgs_graph *g;
  aatgs_err e;
  cr_assert_eq(aatgs_graph_create(&g, 0, 0), AATGS_OK);
  for (size_t i = 0; i < sizeof est / sizeof est[0]; i++) {
    uint32_t id = add(g, AATGS_TT_QUANTUM, est[i], 0, i % 2 ? "same" : NULL);
    if (i) edge(g, id - 1, id, 0);
  }
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK, "%s", e.msg);
  aatgs_graph *h = wf_round_trip(g);
  expect_same(g, h, "ns", 1); /* labels repeat (and some are missing): ids t<k> */
  cr_expect_str_eq(aatgs_graph_task_label(h, 3), "t3");
  aatgs_graph_destroy(h);
  aatgs_graph_destroy(g);
}

/* An independent JSON reader (jansson) sees a WfFormat 1.5 document. */
Test(export, wfformat_is_valid_json_with_the_schema_fields) {
  aatgs_graph *g = generate("phase_pipeline", "iterations", "3");
  char path[64];
  json_error_t je;
  write_wf(g, path, sizeof path);
  json_t *root = json_load_file(path, 0, &je);
  cr_assert_not_null(root, "%s:%d: %s", path, je.line, je.text);
  cr_expect_str_eq(json_string_value(json_object_get(root, "schemaVersion")), "1.5");
  cr_expect_str_eq(json_string_value(json_object_get(root, "name")), "test");
  cr_expect(json_is_string(json_object_get(root, "description")));
  json_t *wf = json_object_get(root, "workflow");
  json_t *spec = json_object_get(wf, "specification"), *exec = json_object_get(wf, "execution");
  json_t *tasks = json_object_get(spec, "tasks"), *files = json_object_get(spec, "files");
  json_t *etasks = json_object_get(exec, "tasks");
  cr_assert_eq(json_array_size(tasks), aatgs_graph_num_tasks(g));
  cr_assert_eq(json_array_size(etasks), aatgs_graph_num_tasks(g));
  cr_expect(json_is_array(files) && json_array_size(files) > 0); /* the uploads' bytes */
  cr_expect(json_is_number(json_object_get(exec, "makespanInSeconds")));
  cr_expect(json_is_string(json_object_get(exec, "executedAt")));
  cr_expect_str_eq(json_string_value(json_object_get(
                       json_array_get(json_object_get(exec, "machines"), 0), "nodeName")),
                   "aatgs");
  size_t i;
  json_t *t;
  json_array_foreach(tasks, i, t) {
    static const char *const keys[] = {"id",       "name",       "parents",
                                       "children", "inputFiles", "outputFiles"};
    for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++)
      cr_assert_not_null(json_object_get(t, keys[k]), "task #%zu has no %s", i, keys[k]);
    uint32_t np;
    aatgs_graph_predecessors(g, (uint32_t)i, &np);
    cr_expect_eq(json_array_size(json_object_get(t, "parents")), np);
    json_t *et = json_array_get(etasks, i);
    cr_expect_str_eq(json_string_value(json_object_get(et, "id")),
                     json_string_value(json_object_get(t, "id")));
    cr_expect_eq(llround(json_number_value(json_object_get(et, "runtimeInSeconds")) * 1e9),
                 aatgs_graph_task_estimate(g, (uint32_t)i));
    cr_expect_str_eq(json_string_value(json_object_get(json_object_get(et, "command"), "program")),
                     aatgs_graph_type(g, aatgs_graph_task_type(g, (uint32_t)i))->name);
  }
  json_decref(root);
  unlink(path);
  aatgs_graph_destroy(g);
}

Test(export, wfformat_needs_a_finalized_graph) {
  aatgs_graph *g;
  aatgs_err e;
  cr_assert_eq(aatgs_graph_create(&g, 0, 0), AATGS_OK);
  add(g, AATGS_TT_WHCR, 5, 0, NULL);
  FILE *f = tmpfile();
  cr_assert_not_null(f);
  cr_expect_eq(aatgs_graph_write_wfformat(g, f, NULL, &e), AATGS_ESTATE);
  cr_expect(strstr(e.msg, "not finalized") != NULL, "%s", e.msg);
  fclose(f);
  aatgs_graph_destroy(g);
}

/* Every real instance: import -> export -> import gives the same graph,
 * task bytes (the files each task writes) and edge bytes (the files a child
 * reads from its parent) included. */
static unsigned real_round_trips(const char *dir) {
  DIR *d = opendir(dir);
  struct dirent *ent;
  unsigned n = 0;
  cr_assert_not_null(d, "cannot open %s", dir);
  while ((ent = readdir(d))) {
    char path[2048];
    struct stat st;
    if (ent->d_name[0] == '.') continue;
    snprintf(path, sizeof path, "%s/%s", dir, ent->d_name);
    if (stat(path, &st)) continue;
    if (S_ISDIR(st.st_mode)) {
      n += real_round_trips(path);
      continue;
    }
    size_t len = strlen(ent->d_name);
    if (len < 6 || strcmp(ent->d_name + len - 5, ".json")) continue;
    aatgs_graph *g;
    aatgs_err e;
    cr_assert_eq(aatgs_graph_create(&g, 0, 0), AATGS_OK);
    cr_assert_eq(aatgs_import_wfcommons(g, path, AATGS_NS_PER_S, &e), AATGS_OK, "%s", e.msg);
    cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK, "%s", e.msg);
    int carries = 0;
    for (uint32_t t = 0; t < aatgs_graph_num_tasks(g); t++) {
      uint32_t np;
      aatgs_graph_predecessors(g, t, &np);
      for (uint32_t k = 0; k < np; k++)
        carries |= pred_bytes(g, t, k) > 0;
    }
    cr_expect(carries, "%s: no edge carries bytes", path);
    aatgs_graph *h = wf_round_trip(g);
    expect_same(g, h, path, 1);
    aatgs_graph_destroy(h);
    aatgs_graph_destroy(g);
    n++;
  }
  closedir(d);
  return n;
}

Test(export, wfformat_round_trip_of_real_instances, .timeout = 120) {
  const char *data = getenv("AATGS_DATA_DIR");
  char dir[1024];
  if (!data || !*data)
    cr_skip_test("AATGS_DATA_DIR is not set (point it at shared/data to round-trip the WfCommons "
                 "instances)");
  snprintf(dir, sizeof dir, "%s/wfcommons", data);
  cr_expect_eq(real_round_trips(dir), 15u);
}

/* ---- the command line ---- */

static void write_text(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f, "cannot write %s", path);
  fputs(text, f);
  fclose(f);
}

/* The value after `key` on its line of `aatgs graph` output. */
static void line_of(const char *out, const char *key, char *buf, size_t cap) {
  const char *p = strstr(out, key);
  cr_assert_not_null(p, "no \"%s\" in:\n%s", key, out);
  size_t n = strcspn(p, "\n");
  snprintf(buf, cap, "%.*s", (int)n, p);
}

Test(export, cli_graph_wfformat_file_runs_through_a_scenario, .timeout = 120) {
  char dir[] = "/tmp/aatgs-wfcli-XXXXXX", path[256], json[256], imp[256], db[256];
  char out[16384], out2[16384], a[256], b[256];
  cr_assert_not_null(mkdtemp(dir));
  snprintf(path, sizeof path, "%s/gen.yaml", dir);
  snprintf(json, sizeof json, "%s/gen.json", dir);
  snprintf(imp, sizeof imp, "%s/imported.yaml", dir);
  snprintf(db, sizeof db, "%s/runs.db", dir);
  write_text(path, "name: gen\ngenerator: layered\nparams: {layers: 6, width: 5}\nseeds: 1\n");
  cr_assert_eq(sh(out, sizeof out, "%s graph %s --wfformat %s", bin(), path, json), 0, "%s", out);
  const char *keys[] = {"tasks ",      "edges ",         "depth ",          "max width ",
                        "total work ", "critical path ", "avg parallelism "};
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
    line_of(out, keys[i], a, sizeof a);
  cr_assert_eq(access(json, R_OK), 0, "%s was not written", json);
  /* the file alone, relative to the scenario's folder, unit 1 s by default */
  write_text(imp, "name: imported\nimport: {format: wfcommons, path: gen.json}\nseeds: 1\n");
  cr_assert_eq(sh(out2, sizeof out2, "%s graph %s", bin(), imp), 0, "%s", out2);
  for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++) {
    line_of(out, keys[i], a, sizeof a);
    line_of(out2, keys[i], b, sizeof b);
    cr_expect_str_eq(b, a, "the imported graph differs in \"%s\"", keys[i]);
  }
  cr_assert_eq(sh(out2, sizeof out2, "%s run %s --db %s --backend sim --policy fifo,heft --quiet",
                  bin(), imp, db),
               0, "%s", out2);
  cr_assert_eq(sh(out2, sizeof out2, "%s report --db %s --format csv", bin(), db), 0, "%s", out2);
  cr_expect(strstr(out2, "imported") != NULL, "no run of the imported scenario:\n%s", out2);
  /* --wfformat -: the document on stdout, the statistics on stderr */
  cr_assert_eq(sh(out2, sizeof out2, "{ %s graph %s --wfformat - 2>/dev/null; }", bin(), path), 0);
  cr_expect_eq(out2[0], '{', "stdout: %.80s", out2);
  cr_expect(strstr(out2, "critical path") == NULL, "statistics on stdout");
  /* an unwritable file is an error that names it */
  cr_expect_eq(sh(out2, sizeof out2, "%s graph %s --wfformat /proc/x.json", bin(), path), 1);
  cr_expect(strstr(out2, "cannot write '/proc/x.json'") != NULL, "%s", out2);
  snprintf(out, sizeof out, "rm -rf %s", dir);
  cr_assert_eq(system(out), 0);
}
