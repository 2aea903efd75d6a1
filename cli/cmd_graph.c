/* cmd_graph.c - `aatgs graph SCENARIO [--seed N]`: statistics of a graph. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "export.h"
#include "scenario.h"

int aatgs__cmd_graph(int argc, char **argv) {
  const char *path = NULL, *dot = NULL;
  unsigned seed = 1;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
      if (aatgs__parse_u32("--seed", argv[++i], 0xffffffffUL, &seed)) return 2;
    } else if (!strcmp(argv[i], "--dot") && i + 1 < argc) {
      dot = argv[++i];
    } else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
      printf("usage: aatgs graph SCENARIO [--seed N] [--dot FILE|-]\n"
             "  Prints the graph's statistics; --dot also writes it as DOT (import it again\n"
             "  with import: {format: dot, path: FILE, unit: 1ns}).\n");
      return 0;
    } else if (argv[i][0] == '-' || path) {
      fprintf(stderr, "aatgs graph: unexpected argument '%s'\n", argv[i]);
      return 2;
    } else {
      path = argv[i];
    }
  }
  if (!path) {
    fprintf(stderr, "usage: aatgs graph SCENARIO [--seed N] [--dot FILE|-]\n");
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
  for (uint32_t v = 0; v < n; v++)
    counts[aatgs_graph_task_class(g, v)]++;
  double cp = (double)aatgs_graph_critical_path(g), work = (double)aatgs_graph_total_work(g);
  printf("scenario          %s\n", aatgs_scenario_name(s));
  printf("tasks             %u (kernels %u, uploads %u, downloads %u)\n", n, counts[0], counts[1],
         counts[2]);
  printf("edges             %llu\n", (unsigned long long)aatgs_graph_num_edges(g));
  printf("depth             %u levels\n", aatgs_graph_depth(g));
  printf("max width         %u tasks\n", aatgs_graph_max_width(g));
  printf("total work        %.3f ms\n", work / 1e6);
  printf("critical path     %.3f ms\n", cp / 1e6);
  printf("avg parallelism   %.2f (total work / critical path)\n", cp > 0 ? work / cp : 0.0);
  printf("memory            %.1f B/task\n", n ? (double)aatgs_graph_memory_bytes(g) / n : 0.0);
  printf("params            %s\n", aatgs_scenario_params_json(s));
  int status = 0;
  if (dot) {
    FILE *f = strcmp(dot, "-") ? fopen(dot, "w") : stdout;
    if (!f || aatgs_graph_write_dot(g, f, &e) != AATGS_OK) {
      fprintf(stderr, "aatgs graph: cannot write '%s'%s%s\n", dot, f ? ": " : "", f ? e.msg : "");
      status = 1;
    }
    if (f && f != stdout) fclose(f);
  }
  aatgs_graph_destroy(g);
  aatgs_scenario_destroy(s);
  return status;
}
