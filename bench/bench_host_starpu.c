/* bench_host_starpu.c - the AATGS host backend against StarPU on the same
 * DAGs and the same number of CPU workers (issue [5], item 6).
 *
 * Each DAG is generated in-process (and again by bench/peers/starpu_dag,
 * from the same generator, parameters and seed: the same graph), tasks
 * busy-wait their actual duration (aatgs_backend_task_work: estimate x
 * lognormal noise drawn from (seed, task), the same on both sides).
 * Candidates:
 *   aatgs_host/<policy>  the AATGS dispatch loop on the host backend with P
 *                        kernel streams (P worker threads), no recording,
 *                        for fifo, sjf, critical_path, heft and adaptive;
 *   starpu/<sched>       the StarPU peer with STARPU_NCPU=P, for eager, prio
 *                        (priorities from the upward rank) and dmda (a
 *                        performance model returning the estimates), run as
 *                        a subprocess, one repetition per process, so StarPU's
 *                        global state stays out of this one.
 * Makespan on both sides: from just before the first task is handed to the
 * runtime to the end of the last task, as measured by the worker that ran
 * it. The repetitions are interleaved round-robin over the candidates (the
 * starting candidate rotates every repetition) so drifts hit all alike.
 *
 * Reported per DAG and candidate: makespan median and MAD; the ideal (ours:
 * the sim's makespan of the same policy with a zero-overhead profile; for
 * all, the lower bound LB = max(total actual work / P, actual critical
 * path)); the overhead per task (makespan - LB) / tasks and, for ours,
 * (makespan - sim makespan) / tasks. JSON via abh_emit: bench "host_starpu",
 * case "<dag> P=<P>", candidate "aatgs_host/<policy>" or "starpu/<sched>",
 * metrics "makespan_ms", "overhead_us_per_task" and (ours)
 * "overhead_vs_sim_us_per_task".
 *
 * Usage: bench_host_starpu [--workers P] [--reps R] [--warmup W] [--dags a,b]
 *                          [--starpu PATH] [--no-starpu] [--noise CV] [--quick]
 *   P: workers on both sides (default 2); R: measured repetitions (default 5);
 *   DAGs: layered (2000 tasks), cholesky (816), fork_join (1100);
 *   PATH: the starpu_dag program (default: the one built next to this bench);
 *   StarPU is skipped, saying why, when P exceeds the CPU workers its build
 *   can start (Debian's libstarpu-dev 1.3 has STARPU_MAXCPUS = 4);
 *   --quick: 2 repetitions, no warm-up (a smoke test, not a measurement).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "dispatch.h"
#include "generators.h"
#include "harness.h"
#include "policy.h"

#ifndef AATGS_STARPU_DAG
#define AATGS_STARPU_DAG ""
#endif

#define MAX_REPS 64
#define MAX_CANDS 8
#define SEED 1

typedef struct dag_def {
  const char *name, *gen;
  const char *params[6]; /* "key=value", NULL-terminated */
} dag_def;

static const dag_def DAGS[] = {
    {"layered", "layered", {"layers=20", "width=100", "degree=3", "est=uniform(50us,500us)", NULL}},
    {"cholesky", "cholesky", {"tiles=16", "unit=40us", NULL}},
    {"fork_join", "fork_join", {"stages=50", "width=20", "est=uniform(50us,500us)", NULL}},
};
#define NDAGS (sizeof DAGS / sizeof DAGS[0])

static const char *const POLICIES[] = {"fifo", "sjf", "critical_path", "heft", "adaptive"};
#define NPOL (sizeof POLICIES / sizeof POLICIES[0])
static const char *const SCHEDS[] = {"eager", "prio", "dmda"};
#define NSCHED (sizeof SCHEDS / sizeof SCHEDS[0])

typedef struct opts {
  int workers, reps, warmup;
  double noise;
  const char *starpu; /* "" or NULL: none */
  const char *dags;   /* NULL: all */
} opts;

typedef struct cand {
  char name[48];
  const aatgs_policy_ops *pol; /* ours; NULL for StarPU */
  const char *sched;           /* StarPU's */
  double sim_ms;               /* ours: the sim's zero-overhead makespan */
  double ms[MAX_REPS];
} cand;

static void zero_overhead(aatgs_profile *p) {
  aatgs_profile_default(p);
  p->launch_ns = 0;
  p->host_submit_ns = 0;
  p->host_complete_ns = 0;
  p->edge_latency_ns = 0;
  p->edge_gbps = 0;
}

static int generate(const dag_def *d, aatgs_graph **g) {
  aatgs_gen_args a;
  aatgs_err e;
  const aatgs_generator *G = aatgs_generator_find(d->gen);
  if (!G) {
    fprintf(stderr, "bench_host_starpu: no generator %s\n", d->gen);
    return -1;
  }
  aatgs_gen_args_init(&a, G);
  for (size_t i = 0; d->params[i]; i++) {
    char key[64];
    const char *eq = strchr(d->params[i], '=');
    size_t kl = (size_t)(eq - d->params[i]);
    memcpy(key, d->params[i], kl);
    key[kl] = '\0';
    if (aatgs_gen_args_set(&a, key, eq + 1, &e) != AATGS_OK) {
      fprintf(stderr, "bench_host_starpu: %s %s: %s\n", d->name, d->params[i], e.msg);
      aatgs_gen_args_free(&a);
      return -1;
    }
  }
  int rc = aatgs_gen_generate(&a, SEED, g, &e);
  aatgs_gen_args_free(&a);
  if (rc != AATGS_OK) {
    fprintf(stderr, "bench_host_starpu: %s: %s\n", d->name, e.msg);
    return -1;
  }
  return 0;
}

/* LB = max(total actual work / P, critical path of actual durations). */
static double lower_bound_ms(const aatgs_graph *g, int workers, double noise, double *work_ms,
                             double *cp_ms) {
  uint32_t n = aatgs_graph_num_tasks(g);
  const uint32_t *topo = aatgs_graph_topo_order(g);
  aatgs_ns *fin = calloc(n, sizeof *fin), total = 0, cp = 0;
  if (!fin) return NAN;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t t = topo[i], np;
    const uint32_t *pred = aatgs_graph_predecessors(g, t, &np);
    aatgs_ns w = aatgs_backend_task_work(g, t, SEED, noise), ready = 0;
    for (uint32_t k = 0; k < np; k++)
      if (fin[pred[k]] > ready) ready = fin[pred[k]];
    fin[t] = ready + w;
    total += w;
    if (fin[t] > cp) cp = fin[t];
  }
  free(fin);
  *work_ms = (double)total / 1e6;
  *cp_ms = (double)cp / 1e6;
  double lb = (double)total / workers;
  return (lb > (double)cp ? lb : (double)cp) / 1e6;
}

static int run_aatgs(aatgs_graph *g, const aatgs_policy_ops *pol, const aatgs_backend_ops *be,
                     int workers, double noise, double *ms) {
  aatgs_profile pf;
  aatgs_run_params p;
  aatgs_run_result r;
  aatgs_err e;
  zero_overhead(&pf);
  memset(&p, 0, sizeof p);
  p.graph = g;
  p.policy = pol;
  p.backend = be;
  p.profile = &pf;
  p.kernel_streams = (uint32_t)workers;
  p.seed = SEED;
  p.noise_cv = noise;
  if (aatgs_run_graph(&p, &r, &e) != AATGS_OK) {
    fprintf(stderr, "bench_host_starpu: %s on %s: %s\n", pol->name, be->name, e.msg);
    return -1;
  }
  *ms = (double)r.makespan_ns / 1e6;
  return 0;
}

/* One StarPU repetition in a child process. */
static int run_starpu(const opts *o, const dag_def *d, const char *sched, uint32_t n, double *ms) {
  char cmd[2048], line[256];
  int len = snprintf(cmd, sizeof cmd, "'%s' --gen %s --seed %d --noise %g --workers %d --sched %s",
                     o->starpu, d->gen, SEED, o->noise, o->workers, sched);
  for (size_t i = 0; d->params[i] && len > 0 && (size_t)len < sizeof cmd; i++)
    len += snprintf(cmd + len, sizeof cmd - (size_t)len, " --param '%s'", d->params[i]);
  if (len <= 0 || (size_t)len >= sizeof cmd) return -1;
  FILE *f = popen(cmd, "r");
  if (!f) {
    fprintf(stderr, "bench_host_starpu: cannot run %s\n", o->starpu);
    return -1;
  }
  long long mk = -1;
  unsigned tasks = 0, viol = 1;
  while (fgets(line, sizeof line, f))
    if (sscanf(line, "makespan_ns %lld tasks %u violations %u", &mk, &tasks, &viol) == 3) break;
  while (fgets(line, sizeof line, f)) {
  }
  int st = pclose(f);
  if (st != 0 || mk < 0 || tasks != n || viol != 0) {
    fprintf(stderr,
            "bench_host_starpu: starpu/%s on %s failed (status %d, tasks %u of %u, %u "
            "dependency violations)\n",
            sched, d->name, st, tasks, n, viol);
    return -1;
  }
  *ms = (double)mk / 1e6;
  return 0;
}

static int run_cand(const opts *o, const dag_def *d, aatgs_graph *g, const cand *c, double *ms) {
  if (c->pol) return run_aatgs(g, c->pol, &aatgs_backend_host, o->workers, o->noise, ms);
  return run_starpu(o, d, c->sched, aatgs_graph_num_tasks(g), ms);
}

static int emit(const char *case_name, const char *cand_name, const char *metric, const char *unit,
                const double *v, int n, const char *extra) {
  abh_result r = {"host_starpu", case_name, cand_name, metric, unit, 0, v, n, extra};
  return abh_emit(&r);
}

static int bench_dag(const opts *o, const dag_def *d) {
  aatgs_graph *g = NULL;
  cand cands[MAX_CANDS];
  int nc = 0, rc = -1;
  if (generate(d, &g)) return -1;
  uint32_t n = aatgs_graph_num_tasks(g);
  double work_ms = 0, cp_ms = 0, lb = lower_bound_ms(g, o->workers, o->noise, &work_ms, &cp_ms);
  memset(cands, 0, sizeof cands);
  for (size_t i = 0; i < NPOL; i++) {
    cand *c = &cands[nc++];
    c->pol = aatgs_policy_find(POLICIES[i]);
    if (!c->pol) {
      fprintf(stderr, "bench_host_starpu: no policy %s\n", POLICIES[i]);
      goto out;
    }
    snprintf(c->name, sizeof c->name, "aatgs_host/%s", POLICIES[i]);
    if (run_aatgs(g, c->pol, &aatgs_backend_sim, o->workers, o->noise, &c->sim_ms)) goto out;
  }
  if (o->starpu && o->starpu[0])
    for (size_t i = 0; i < NSCHED; i++) {
      cand *c = &cands[nc++];
      c->sched = SCHEDS[i];
      c->sim_ms = NAN;
      snprintf(c->name, sizeof c->name, "starpu/%s", SCHEDS[i]);
    }
  for (int w = 0; w < o->warmup; w++)
    for (int k = 0; k < nc; k++) {
      double ms;
      if (run_cand(o, d, g, &cands[k], &ms)) goto out;
    }
  for (int r = 0; r < o->reps; r++)
    for (int j = 0; j < nc; j++) {
      cand *c = &cands[(j + r) % nc];
      if (run_cand(o, d, g, c, &c->ms[r])) goto out;
    }

  char case_name[64], extra[256];
  snprintf(case_name, sizeof case_name, "%s P=%d", d->name, o->workers);
  printf("\n%s: %u tasks, work %.1f ms, critical path %.1f ms, LB = max(work/P, cp) = %.1f ms\n",
         case_name, n, work_ms, cp_ms, lb);
  printf("  %-26s %12s %8s %10s %14s %14s\n", "candidate", "makespan ms", "MAD", "ideal ms",
         "over LB us/t", "over ideal us/t");
  for (int k = 0; k < nc; k++) {
    cand *c = &cands[k];
    double ov[MAX_REPS], os[MAX_REPS];
    abh_stats sm, so, ss;
    for (int r = 0; r < o->reps; r++) {
      ov[r] = (c->ms[r] - lb) * 1e3 / n;
      os[r] = (c->ms[r] - c->sim_ms) * 1e3 / n;
    }
    abh_stats_of(c->ms, o->reps, &sm);
    abh_stats_of(ov, o->reps, &so);
    abh_stats_of(os, o->reps, &ss);
    double ideal = c->pol ? c->sim_ms : lb;
    printf("  %-26s %12.2f %8.2f %10.2f %14.2f", c->name, sm.median, sm.mad, ideal, so.median);
    if (c->pol)
      printf(" %14.2f\n", ss.median);
    else
      printf(" %14s\n", "-");
    snprintf(extra, sizeof extra,
             "\"tasks\":%u,\"workers\":%d,\"lower_bound_ms\":%.4f,\"ideal_ms\":%.4f,"
             "\"work_ms\":%.4f,\"critical_path_ms\":%.4f,\"noise_cv\":%g",
             n, o->workers, lb, ideal, work_ms, cp_ms, o->noise);
    if (emit(case_name, c->name, "makespan_ms", "ms", c->ms, o->reps, extra) ||
        emit(case_name, c->name, "overhead_us_per_task", "us/task", ov, o->reps, extra))
      goto out;
    if (c->pol &&
        emit(case_name, c->name, "overhead_vs_sim_us_per_task", "us/task", os, o->reps, extra))
      goto out;
  }
  rc = 0;
out:
  aatgs_graph_destroy(g);
  return rc;
}

static int usage(void) {
  fprintf(stderr, "usage: bench_host_starpu [--workers P] [--reps R] [--warmup W] [--dags a,b] "
                  "[--starpu PATH] [--no-starpu] [--noise CV] [--quick]\n");
  return 2;
}

int main(int argc, char **argv) {
  opts o = {2, 5, 1, 0.1, AATGS_STARPU_DAG, NULL};
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--quick")) {
      o.reps = 2;
      o.warmup = 0;
    } else if (!strcmp(a, "--no-starpu")) {
      o.starpu = NULL;
    } else if (i + 1 < argc && !strcmp(a, "--workers")) {
      o.workers = atoi(argv[++i]);
    } else if (i + 1 < argc && !strcmp(a, "--reps")) {
      o.reps = atoi(argv[++i]);
    } else if (i + 1 < argc && !strcmp(a, "--warmup")) {
      o.warmup = atoi(argv[++i]);
    } else if (i + 1 < argc && !strcmp(a, "--dags")) {
      o.dags = argv[++i];
    } else if (i + 1 < argc && !strcmp(a, "--starpu")) {
      o.starpu = argv[++i];
    } else if (i + 1 < argc && !strcmp(a, "--noise")) {
      o.noise = atof(argv[++i]);
    } else {
      return usage();
    }
  }
  if (o.workers < 1 || o.workers > 1024 || o.reps < 1 || o.reps > MAX_REPS || o.warmup < 0 ||
      o.noise < 0)
    return usage();
  printf("host backend vs StarPU, P=%d workers, %d reps (+%d warm-up), noise cv %g\n", o.workers,
         o.reps, o.warmup, o.noise);
  printf("machine: %s\n", abh_machine());
  if (!o.starpu || !o.starpu[0])
    printf("StarPU: not run (%s)\n",
           o.starpu ? "starpu_dag was not built: pkg-config starpu-1.3 not found" : "--no-starpu");
  else {
    char cmd[1100];
    int maxcpus = 0;
    snprintf(cmd, sizeof cmd, "'%s' --max-cpus", o.starpu);
    FILE *f = popen(cmd, "r");
    if (!f || fscanf(f, "%d", &maxcpus) != 1) maxcpus = 0;
    if (f) pclose(f);
    if (maxcpus <= 0) {
      fprintf(stderr, "bench_host_starpu: cannot run %s\n", o.starpu);
      return 1;
    }
    if (o.workers > maxcpus) {
      printf("StarPU: not run: P=%d exceeds the %d CPU workers this StarPU build can start "
             "(STARPU_MAXCPUS)\n",
             o.workers, maxcpus);
      o.starpu = NULL;
    } else {
      printf("StarPU: %s (at most %d CPU workers)\n", o.starpu, maxcpus);
    }
  }
  int fails = 0, ran = 0;
  for (size_t i = 0; i < NDAGS; i++) {
    if (o.dags) {
      const char *p = strstr(o.dags, DAGS[i].name);
      size_t l = strlen(DAGS[i].name);
      if (!p || (p != o.dags && p[-1] != ',') || (p[l] != '\0' && p[l] != ',')) continue;
    }
    ran++;
    fails += bench_dag(&o, &DAGS[i]) != 0;
  }
  if (!ran) {
    fprintf(stderr, "bench_host_starpu: no DAG matches --dags %s (layered, cholesky, fork_join)\n",
            o.dags);
    return 2;
  }
  return fails ? 1 : 0;
}
