/* starpu_dag.c - StarPU runs the DAG that AATGS runs, on P CPU workers.
 *
 * The graph is generated in-process with the AATGS generators (the same
 * generator, parameters and seed give the same graph), so both sides see the
 * same tasks, edges and durations: a task's codelet busy-waits
 * aatgs_backend_task_work(graph, task, seed, noise) on the monotonic clock,
 * exactly what the AATGS host backend waits for the same seed and noise.
 * Dependencies are declared with starpu_task_declare_deps_array before any
 * task is submitted; tasks are submitted in topological order.
 *
 * Schedulers (STARPU_SCHED): eager, prio (task->priority from the upward
 * rank, as the AATGS critical_path policy orders tasks) and dmda (a
 * STARPU_COMMON performance model returns each task's estimate, what AATGS
 * policies know). STARPU_NCPU = P, no CUDA or OpenCL workers.
 *
 * Makespan: from just before the first submit to the end of the last task
 * (each codelet records its start and end; the AATGS dispatch loop measures
 * its makespan the same way), and wall: to the return of
 * starpu_task_wait_for_all. The program checks that every task ran and none
 * started before a predecessor ended.
 *
 *   starpu_dag --gen layered --param layers=20 --param width=100
 *              [--param est=uniform(50us,500us)] [--seed 1] [--noise 0.1]
 *              [--workers 2] [--sched eager] [--reps 1]
 * prints one line per repetition:
 *   "makespan_ns <ns> tasks <n> violations <v> wall_ns <ns>".
 * Exit status 0, 1 with a message on stderr, or 3 when P exceeds the CPU
 * workers this StarPU build can start (STARPU_MAXCPUS: 4 in Debian's
 * libstarpu-dev 1.3); `starpu_dag --max-cpus` prints that number.
 */
#include <limits.h>
#include <starpu.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "backend.h"
#include "generators.h"

typedef struct tinfo {
  aatgs_ns work, est;
  aatgs_ns start, end; /* written by the codelet */
} tinfo;

static aatgs_ns mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (aatgs_ns)ts.tv_sec * AATGS_NS_PER_S + ts.tv_nsec;
}

static void busy_cpu(void *buffers[], void *arg) {
  tinfo *t = arg;
  (void)buffers;
  aatgs_ns start = mono_ns(), end = start + t->work, now;
  while ((now = mono_ns()) < end) {
  }
  t->start = start;
  t->end = now;
}

/* dmda's model: the task's estimate, in microseconds. */
static double cost_us(struct starpu_task *task, unsigned nimpl) {
  (void)nimpl;
  const tinfo *t = task->cl_arg;
  return (double)t->est / 1000.0;
}

static struct starpu_perfmodel model = {
    .type = STARPU_COMMON,
    .cost_function = cost_us,
    .symbol = "aatgs_busy_wait",
};

static struct starpu_codelet cl = {
    .cpu_funcs = {busy_cpu},
    .nbuffers = 0,
    .name = "aatgs_task",
};

/* Starts StarPU with P CPU workers and nothing else; returns the number of
 * CPU workers it started, or -1. */
static int start_starpu(const char *sched, int workers) {
  struct starpu_conf conf;
  starpu_conf_init(&conf);
  conf.ncpus = workers;
  conf.ncuda = 0;
  conf.nopencl = 0;
  conf.sched_policy_name = sched;
  int rc = starpu_init(&conf);
  if (rc != 0) {
    fprintf(stderr, "starpu_dag: starpu_init failed (%d)\n", rc);
    return -1;
  }
  return (int)starpu_cpu_worker_get_count();
}

static int usage(void) {
  fprintf(stderr, "usage: starpu_dag --gen NAME [--param K=V]... [--seed S] [--noise CV] "
                  "[--workers P] [--sched eager|prio|dmda|...] [--reps R]\n");
  return 1;
}

/* Sorting tasks by increasing upward rank (qsort has no context argument). */
static const aatgs_graph *sort_graph;

static int by_rank(const void *a, const void *b) {
  uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
  aatgs_ns rx = aatgs_graph_upward_rank(sort_graph, x), ry = aatgs_graph_upward_rank(sort_graph, y);
  if (rx != ry) return rx < ry ? -1 : 1;
  return x < y ? 1 : x > y ? -1 : 0; /* lower id first among equals: higher position */
}

static int run_once(const aatgs_graph *g, tinfo *info, const int *prio, int use_model,
                    aatgs_ns *makespan, aatgs_ns *wall, uint32_t *violations) {
  uint32_t n = aatgs_graph_num_tasks(g);
  struct starpu_task **tasks = calloc(n, sizeof *tasks);
  struct starpu_task **deps = NULL;
  uint32_t maxp = 0;
  int rc = 0;
  if (!tasks) return -1;
  for (uint32_t t = 0; t < n; t++) {
    uint32_t np;
    aatgs_graph_predecessors(g, t, &np);
    if (np > maxp) maxp = np;
  }
  deps = calloc(maxp ? maxp : 1, sizeof *deps);
  if (!deps) {
    free(tasks);
    return -1;
  }
  cl.model = use_model ? &model : NULL;
  for (uint32_t t = 0; t < n; t++) {
    struct starpu_task *k = starpu_task_create();
    k->cl = &cl;
    k->cl_arg = &info[t];
    k->cl_arg_size = sizeof info[t];
    k->priority = prio ? prio[t] : STARPU_DEFAULT_PRIO;
    k->destroy = 0; /* freed below, after every task ended */
    info[t].start = info[t].end = 0;
    tasks[t] = k;
  }
  for (uint32_t t = 0; t < n; t++) {
    uint32_t np;
    const uint32_t *pred = aatgs_graph_predecessors(g, t, &np);
    for (uint32_t j = 0; j < np; j++)
      deps[j] = tasks[pred[j]];
    if (np) starpu_task_declare_deps_array(tasks[t], np, deps);
  }
  const uint32_t *topo = aatgs_graph_topo_order(g);
  aatgs_ns t0 = mono_ns();
  for (uint32_t i = 0; i < n && rc == 0; i++) {
    int s = starpu_task_submit(tasks[topo[i]]);
    if (s != 0) {
      fprintf(stderr, "starpu_dag: starpu_task_submit failed (%d)\n", s);
      rc = -1;
    }
  }
  starpu_task_wait_for_all();
  *wall = mono_ns() - t0;
  *makespan = 0;
  *violations = 0;
  for (uint32_t t = 0; t < n; t++) {
    if (info[t].end - t0 > *makespan) *makespan = info[t].end - t0;
    uint32_t np;
    const uint32_t *pred = aatgs_graph_predecessors(g, t, &np);
    if (info[t].end == 0) (*violations)++; /* never ran */
    for (uint32_t j = 0; j < np; j++)
      if (info[t].start < info[pred[j]].end) (*violations)++;
  }
  for (uint32_t t = 0; t < n; t++)
    starpu_task_destroy(tasks[t]);
  free(tasks);
  free(deps);
  return rc;
}

int main(int argc, char **argv) {
  const char *gen = NULL, *sched = "eager";
  const char *params[AATGS_GEN_MAX_PARAMS * 2];
  size_t np = 0;
  uint64_t seed = 1;
  double noise = 0.1;
  int workers = 2, reps = 1;
  aatgs_err e;
  if (argc == 2 && !strcmp(argv[1], "--max-cpus")) {
    printf("%d\n", STARPU_MAXCPUS); /* the most CPU workers this StarPU can start */
    return 0;
  }
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (i + 1 >= argc) return usage();
    const char *v = argv[++i];
    if (!strcmp(a, "--gen")) {
      gen = v;
    } else if (!strcmp(a, "--param")) {
      if (np + 2 > sizeof params / sizeof params[0] || !strchr(v, '=')) return usage();
      params[np++] = v;
    } else if (!strcmp(a, "--seed")) {
      seed = strtoull(v, NULL, 10);
    } else if (!strcmp(a, "--noise")) {
      noise = strtod(v, NULL);
    } else if (!strcmp(a, "--workers")) {
      workers = atoi(v);
    } else if (!strcmp(a, "--sched")) {
      sched = v;
    } else if (!strcmp(a, "--reps")) {
      reps = atoi(v);
    } else {
      return usage();
    }
  }
  if (!gen || workers < 1 || reps < 1 || noise < 0) return usage();
  if (workers > STARPU_MAXCPUS) {
    fprintf(stderr,
            "starpu_dag: %d CPU workers asked; this StarPU was built with STARPU_MAXCPUS=%d\n",
            workers, STARPU_MAXCPUS);
    return 3;
  }

  const aatgs_generator *G = aatgs_generator_find(gen);
  if (!G) {
    fprintf(stderr, "starpu_dag: unknown generator \"%s\"\n", gen);
    return 1;
  }
  aatgs_gen_args args;
  aatgs_gen_args_init(&args, G);
  for (size_t i = 0; i < np; i++) {
    char key[64];
    const char *eq = strchr(params[i], '=');
    size_t kl = (size_t)(eq - params[i]);
    if (kl >= sizeof key) return usage();
    memcpy(key, params[i], kl);
    key[kl] = '\0';
    if (aatgs_gen_args_set(&args, key, eq + 1, &e) != AATGS_OK) {
      fprintf(stderr, "starpu_dag: --param %s: %s\n", params[i], e.msg);
      return 1;
    }
  }
  aatgs_graph *g = NULL;
  if (aatgs_gen_generate(&args, seed, &g, &e) != AATGS_OK) {
    fprintf(stderr, "starpu_dag: %s\n", e.msg);
    aatgs_gen_args_free(&args);
    return 1;
  }
  aatgs_gen_args_free(&args);
  uint32_t n = aatgs_graph_num_tasks(g);
  for (uint32_t t = 0; t < n; t++)
    if (aatgs_graph_task_class(g, t) != AATGS_CLASS_KERNEL) {
      fprintf(stderr, "starpu_dag: task %u is a copy; only kernel-only graphs are supported\n", t);
      aatgs_graph_destroy(g);
      return 1;
    }
  tinfo *info = calloc(n, sizeof *info);
  int *prio = NULL;
  uint32_t *ids = calloc(n, sizeof *ids);
  if (!info || !ids) {
    fprintf(stderr, "starpu_dag: out of memory\n");
    return 1;
  }
  for (uint32_t t = 0; t < n; t++) {
    info[t].work = aatgs_backend_task_work(g, t, seed, noise);
    info[t].est = aatgs_graph_task_estimate(g, t);
  }

  /* StarPU: P CPU workers, nothing else, the named scheduler. */
  char ncpu[16];
  snprintf(ncpu, sizeof ncpu, "%d", workers);
  setenv("STARPU_NCPU", ncpu, 1);
  setenv("STARPU_NCUDA", "0", 1);
  setenv("STARPU_NOPENCL", "0", 1);
  setenv("STARPU_SCHED", sched, 1);
  setenv("STARPU_SILENT", "1", 1);
  int started = start_starpu(sched, workers);
  if (started != workers) {
    fprintf(stderr, "starpu_dag: asked for %d CPU workers, StarPU started %d\n", workers, started);
    if (started > 0) starpu_shutdown();
    return 1;
  }
  if (!strcmp(sched, "prio") || !strcmp(sched, "dmdas")) {
    /* Priorities by upward rank (the highest to the most critical task, ties
     * to the lower id), spread over the scheduler's range. */
    prio = calloc(n, sizeof *prio);
    if (!prio) return 1;
    for (uint32_t t = 0; t < n; t++)
      ids[t] = t;
    sort_graph = g;
    qsort(ids, n, sizeof *ids, by_rank);
    long long lo = starpu_sched_get_min_priority(), hi = starpu_sched_get_max_priority();
    for (uint32_t i = 0; i < n; i++)
      prio[ids[i]] = n > 1 ? (int)(lo + (hi - lo) * (long long)i / (long long)(n - 1)) : (int)hi;
  }
  int use_model = strstr(sched, "dm") != NULL || !strcmp(sched, "heteroprio");
  int rc = 0;
  for (int r = 0; r < reps && rc == 0; r++) {
    aatgs_ns makespan, wall;
    uint32_t violations;
    rc = run_once(g, info, prio, use_model, &makespan, &wall, &violations);
    if (rc == 0) {
      printf("makespan_ns %lld tasks %u violations %u wall_ns %lld\n", (long long)makespan, n,
             violations, (long long)wall);
      fflush(stdout);
      if (violations) rc = 1;
    }
  }
  starpu_shutdown();
  free(info);
  free(prio);
  free(ids);
  aatgs_graph_destroy(g);
  return rc ? 1 : 0;
}
