/* cmd_graph.c - `aatgs graph SCENARIO [--seed N] [--dot FILE|-] [--wfformat FILE|-]`:
 * statistics of a graph, and its export as DOT or WfFormat JSON. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "export.h"
#include "scenario.h"

/* Writes g to path ("-": stdout) as DOT or WfFormat; 0 on success, else
 * prints why and returns 1. */
static int write_file(const aatgs_graph *g, const char *path, const char *name, int wfformat) {
  aatgs_err e;
  FILE *f = strcmp(path, "-") ? fopen(path, "w") : stdout;
  if (!f) {
    fprintf(stderr, "aatgs graph: cannot write '%s': %s\n", path, strerror(errno));
    return 1;
  }
  int rc = wfformat ? aatgs_graph_write_wfformat(g, f, name, &e) : aatgs_graph_write_dot(g, f, &e);
  if (f != stdout && fclose(f) != 0 && rc == AATGS_OK)
    rc = aatgs_err_set(&e, AATGS_EIO, "%s", strerror(errno));
  if (rc != AATGS_OK) {
    fprintf(stderr, "aatgs graph: cannot write '%s': %s\n", path, e.msg);
    return 1;
  }
  return 0;
}

int aatgs__cmd_graph(int argc, char **argv) {
  const char *path = NULL, *dot = NULL, *wff = NULL;
  unsigned seed = 1;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
      if (aatgs__parse_u32("--seed", argv[++i], 0xffffffffUL, &seed)) return 2;
    } else if (!strcmp(argv[i], "--dot") && i + 1 < argc) {
      dot = argv[++i];
    } else if (!strcmp(argv[i], "--wfformat") && i + 1 < argc) {
      wff = argv[++i];
    } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      printf("usage: aatgs graph SCENARIO [--seed N] [--dot FILE|-] [--wfformat FILE|-]\n"
             "  Prints the graph's statistics; --dot also writes it as DOT (import it again\n"
             "  with import: {format: dot, path: FILE, unit: 1ns}), --wfformat as WfCommons\n"
             "  WfFormat 1.5 JSON (import: {format: wfcommons, path: FILE}). With '-' the\n"
             "  file goes to stdout and the statistics to stderr.\n");
      return 0;
    } else if (argv[i][0] == '-' || path) {
      fprintf(stderr, "aatgs graph: unexpected argument '%s'\n", argv[i]);
      return 2;
    } else {
      path = argv[i];
    }
  }
  if (!path) {
    fprintf(stderr, "usage: aatgs graph SCENARIO [--seed N] [--dot FILE|-] [--wfformat FILE|-]\n");
    return 2;
  }
  if (dot && wff && !strcmp(dot, "-") && !strcmp(wff, "-")) {
    fprintf(stderr, "aatgs graph: --dot - and --wfformat - cannot both write to stdout\n");
    return 2;
  }
  aatgs_scenario *s = NULL;
  aatgs_graph *g = NULL;
  aatgs_err e;
  if (aatgs_scenario_load(&s, path, &e) != AATGS_OK ||
      aatgs_scenario_build(s, seed, &g, &e) != AATGS_OK) {
    fprintf(stderr, "aatgs: %s\n", e.msg);
    aatgs_scenario_destroy(s);
    return 1;
  }
  uint32_t n = aatgs_graph_num_tasks(g), counts[AATGS_CLASS_COUNT] = {0};
  uint64_t task_bytes = 0, edge_bytes = 0, data_edges = 0;
  for (uint32_t v = 0; v < n; v++) {
    uint32_t np;
    const uint64_t *pb = aatgs_graph_predecessor_bytes(g, v);
    aatgs_graph_predecessors(g, v, &np);
    counts[aatgs_graph_task_class(g, v)]++;
    task_bytes += aatgs_graph_task_bytes(g, v);
    for (uint32_t k = 0; pb && k < np; k++) {
      edge_bytes += pb[k];
      data_edges += pb[k] > 0;
    }
  }
  double cp = (double)aatgs_graph_critical_path(g), work = (double)aatgs_graph_total_work(g);
  /* A file written to stdout keeps stdout to itself. */
  FILE *info = (dot && !strcmp(dot, "-")) || (wff && !strcmp(wff, "-")) ? stderr : stdout;
  fprintf(info, "scenario          %s\n", aatgs_scenario_name(s));
  fprintf(info, "tasks             %u (kernels %u, uploads %u, downloads %u)\n", n, counts[0],
          counts[1], counts[2]);
  fprintf(info, "edges             %llu\n", (unsigned long long)aatgs_graph_num_edges(g));
  fprintf(info, "depth             %u levels\n", aatgs_graph_depth(g));
  fprintf(info, "max width         %u tasks\n", aatgs_graph_max_width(g));
  fprintf(info, "total work        %.3f ms\n", work / 1e6);
  fprintf(info, "critical path     %.3f ms\n", cp / 1e6);
  fprintf(info, "avg parallelism   %.2f (total work / critical path)\n", cp > 0 ? work / cp : 0.0);
  fprintf(info, "data              tasks %llu B, edges %llu B (%llu edges carry data)\n",
          (unsigned long long)task_bytes, (unsigned long long)edge_bytes,
          (unsigned long long)data_edges);
  fprintf(info, "memory            %.1f B/task\n",
          n ? (double)aatgs_graph_memory_bytes(g) / n : 0.0);
  fprintf(info, "params            %s\n", aatgs_scenario_params_json(s));
  int status = 0;
  if (dot && write_file(g, dot, aatgs_scenario_name(s), 0)) status = 1;
  if (wff && write_file(g, wff, aatgs_scenario_name(s), 1)) status = 1;
  aatgs_graph_destroy(g);
  aatgs_scenario_destroy(s);
  return status;
}
