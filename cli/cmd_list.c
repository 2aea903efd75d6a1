/* cmd_list.c - `aatgs list policies|scenarios|backends|generators`. */
#include <stdio.h>
#include <string.h>

#include "backend.h"
#include "cli.h"
#include "generators.h"
#include "policy.h"
#include "scenario.h"

static int list_scenarios(void) {
  char *dir = (char *)aatgs__default_suite_dir(), **paths;
  size_t n;
  if (aatgs__expand_scenarios(&dir, 1, &paths, &n)) return 1;
  printf("default suite (%s):\n", dir);
  for (size_t i = 0; i < n; i++) {
    aatgs_scenario *s;
    aatgs_err e;
    if (aatgs_scenario_load(&s, paths[i], &e) != AATGS_OK) {
      printf("  %-28s ERROR %s\n", paths[i], e.msg);
      continue;
    }
    printf("  %-28s %s\n", aatgs_scenario_name(s), aatgs_scenario_description(s));
    aatgs_scenario_destroy(s);
  }
  aatgs__free_paths(paths, n);
  return 0;
}

int aatgs__cmd_list(int argc, char **argv) {
  const char *what = argc > 1 ? argv[1] : "";
  if (!strcmp(what, "policies")) {
    for (uint32_t i = 0; i < aatgs_policy_count(); i++) {
      const aatgs_policy_ops *p = aatgs_policy_at(i);
      printf("  %-14s %-8s %s\n", p->name,
             (p->flags & AATGS_POLICY_ADAPTIVE) ? "adaptive" : "static", p->summary);
    }
    return 0;
  }
  if (!strcmp(what, "backends")) {
    for (uint32_t i = 0; i < aatgs_backend_count(); i++) {
      const aatgs_backend_ops *b = aatgs_backend_at(i);
      printf("  %-6s %-13s %s\n", b->name, b->available() ? "available" : "not available",
             b->summary);
    }
    return 0;
  }
  if (!strcmp(what, "generators")) {
    for (size_t i = 0; i < aatgs_generator_count(); i++) {
      const aatgs_generator *g = aatgs_generator_at(i);
      printf("  %-16s %s\n", g->name, g->summary);
      for (size_t k = 0; k < g->nparams; k++)
        printf("      %-16s default %-12s %s\n", g->params[k].name, g->params[k].def,
               g->params[k].doc);
    }
    return 0;
  }
  if (!strcmp(what, "scenarios")) return list_scenarios();
  fprintf(stderr, "usage: aatgs list policies|scenarios|backends|generators\n");
  return 2;
}
