/* test_export.c - a graph written as DOT and imported again is the same graph
 * (tasks, estimates, edges). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "export.h"
#include "generators.h"
#include "importers.h"

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

Test(export, dot_round_trip_of_generated_graphs) {
  const char *gens[] = {"layered", "phase_pipeline", "cholesky", "fork_join"};
  for (size_t i = 0; i < sizeof gens / sizeof gens[0]; i++) {
    aatgs_gen_args a;
    aatgs_graph *g = NULL;
    aatgs_err e;
    aatgs_gen_args_init(&a, aatgs_generator_find(gens[i]));
    cr_assert_eq(aatgs_gen_generate(&a, 7, &g, &e), AATGS_OK, "%s", e.msg);
    round_trip(g);
    aatgs_graph_destroy(g);
  }
}
