/* bench_stg_optimal.c - scheduling quality against published optima.
 *
 * For every STG instance listed in $AATGS_DATA_DIR/stg/optimal/stg_optimal.csv
 * (180 x 50-task and 180 x 100-task random graphs, P = 2, 4, 8, 16), imports
 * the graph (1 time unit = 1 us), runs every policy on `sim` with P identical
 * kernel streams and no launch, host, transfer or noise cost, and compares
 * the makespan with the published optimum (or, for the 84 cases solved only
 * to bounds, the best upper bound; the ratio to the lower bound is also
 * kept). Prints the mean ratio per policy and P, how often each policy hit
 * the optimum, and writes every (instance, P, policy) row as CSV to the file
 * given as argv[1] (default: none).
 *   AATGS_DATA_DIR=../shared/data build/bench_stg_optimal [rows.csv]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dispatch.h"
#include "importers.h"

#define MAXP 4
static const unsigned PS[MAXP] = {2, 4, 8, 16};

typedef struct acc {
  double sum_ub, sum_lb, worst;
  unsigned n, hits;
} acc;

int main(int argc, char **argv) {
  const char *data = getenv("AATGS_DATA_DIR");
  if (!data || !*data) {
    fprintf(stderr, "bench_stg_optimal: set AATGS_DATA_DIR (e.g. ../shared/data)\n");
    return 2;
  }
  char path[2048], line[512];
  snprintf(path, sizeof path, "%s/stg/optimal/stg_optimal.csv", data);
  FILE *f = fopen(path, "r");
  if (!f) {
    fprintf(stderr, "bench_stg_optimal: cannot read %s\n", path);
    return 1;
  }
  FILE *rows = argc > 1 ? fopen(argv[1], "w") : NULL;
  if (argc > 1 && !rows) {
    fprintf(stderr, "bench_stg_optimal: cannot write %s\n", argv[1]);
    return 1;
  }
  if (rows)
    fprintf(rows, "instance,procs,policy,makespan,best_lower_bound,best_upper_bound,status\n");
  aatgs_profile pf;
  aatgs_profile_default(&pf);
  pf.launch_ns = pf.host_submit_ns = pf.host_complete_ns = 0;
  pf.block_slots = 0;
  pf.sm_count = 0; /* no SM sharing: identical independent processors */
  uint32_t npol = aatgs_policy_count();
  acc *a = calloc((size_t)npol * MAXP, sizeof *a);
  unsigned cases = 0;
  if (!fgets(line, sizeof line, f)) return 1; /* header */
  char last[256] = "";
  aatgs_graph *g = NULL;
  while (fgets(line, sizeof line, f)) {
    char inst[256], status[32];
    unsigned tasks, procs;
    double lb, ub;
    if (sscanf(line, "%255[^,],%u,%u,%lf,%lf,%31[^,]", inst, &tasks, &procs, &lb, &ub, status) != 6)
      continue;
    int pi = -1;
    for (int k = 0; k < MAXP; k++)
      if (PS[k] == procs) pi = k;
    if (pi < 0) continue;
    if (strcmp(inst, last) != 0) {
      aatgs_err e;
      aatgs_graph_destroy(g);
      g = NULL;
      snprintf(path, sizeof path, "%s/stg/%s", data, inst);
      if (aatgs_graph_create(&g, 0, 0) != AATGS_OK ||
          aatgs_import_stg(g, path, AATGS_TT_CUSTOM, 1000, &e) != AATGS_OK ||
          aatgs_graph_finalize(g, &e) != AATGS_OK) {
        fprintf(stderr, "bench_stg_optimal: %s\n", e.msg);
        return 1;
      }
      snprintf(last, sizeof last, "%s", inst);
    }
    cases++;
    for (uint32_t i = 0; i < npol; i++) {
      aatgs_run_params p;
      aatgs_run_result res;
      aatgs_err e;
      memset(&p, 0, sizeof p);
      p.graph = g;
      p.policy = aatgs_policy_at(i);
      p.backend = &aatgs_backend_sim;
      p.profile = &pf;
      p.kernel_streams = procs;
      p.seed = 1;
      p.noise_cv = 0;
      if (aatgs_run_graph(&p, &res, &e) != AATGS_OK) {
        fprintf(stderr, "bench_stg_optimal: %s %s: %s\n", inst, p.policy->name, e.msg);
        return 1;
      }
      double ms = (double)res.makespan_ns / 1000.0; /* in STG time units */
      acc *c = &a[i * MAXP + pi];
      c->sum_ub += ms / ub;
      c->sum_lb += ms / lb;
      if (ms / ub > c->worst) c->worst = ms / ub;
      c->hits += ms <= ub + 1e-9;
      c->n++;
      if (rows)
        fprintf(rows, "%s,%u,%s,%.0f,%.0f,%.0f,%s\n", inst, procs, p.policy->name, ms, lb, ub,
                status);
    }
  }
  fclose(f);
  aatgs_graph_destroy(g);
  printf("STG random graphs (50 and 100 tasks), %u (instance, P) cases; makespan / best known\n"
         "schedule length (the optimum where proven), mean over instances; [hit the optimum]\n\n",
         cases);
  printf("| policy |");
  for (int k = 0; k < MAXP; k++)
    printf(" P=%u |", PS[k]);
  printf(" all P | worst |\n| :--- |");
  for (int k = 0; k <= MAXP + 1; k++)
    printf(" ---: |");
  printf("\n");
  for (uint32_t i = 0; i < npol; i++) {
    double all = 0, worst = 0;
    unsigned n = 0, hits = 0;
    printf("| %s |", aatgs_policy_at(i)->name);
    for (int k = 0; k < MAXP; k++) {
      acc *c = &a[i * MAXP + k];
      printf(" %.4f [%u%%] |", c->n ? c->sum_ub / c->n : 0, c->n ? 100 * c->hits / c->n : 0);
      all += c->sum_ub;
      n += c->n;
      hits += c->hits;
      if (c->worst > worst) worst = c->worst;
    }
    printf(" %.4f [%u%%] | %.3f |\n", n ? all / n : 0, n ? 100 * hits / n : 0, worst);
  }
  printf("\n{\"bench\":\"stg_optimal\",\"cases\":%u", cases);
  for (uint32_t i = 0; i < npol; i++) {
    double all = 0;
    unsigned n = 0;
    for (int k = 0; k < MAXP; k++) {
      all += a[i * MAXP + k].sum_ub;
      n += a[i * MAXP + k].n;
    }
    printf(",\"%s\":%.5f", aatgs_policy_at(i)->name, n ? all / n : 0);
  }
  printf("}\n");
  if (rows) fclose(rows);
  free(a);
  aatgs_profile_free(&pf);
  return 0;
}
