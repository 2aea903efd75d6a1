/* bench_import.c - graphs of 10^6 tasks: generating them, and importing them
 * from each file format.
 *
 * Generation: chain (10^6 tasks), layered (1000 x 1000, mean in-degree 3)
 * and erdos_renyi (at its parameter cap of 10^5 tasks, mean in-degree 3),
 * each generated and finalized.
 * Import: the layered graph, with 4096 bytes on every edge and task, is
 * written to /tmp as STG (a small writer here: no bytes in STG), DOT and
 * WfFormat JSON (our exporters); each file is then imported into a fresh
 * graph and finalized, and the result checked against the original (tasks,
 * edges, critical path).
 *
 * Every measurement runs in a new process (this program, exec'd with
 * --child), so that its peak RSS (getrusage maxrss, minus what the process
 * held when it started) is its own. Prints, per
 * case, the median over the repetitions of the wall time and of the CPU time
 * (user + system; this machine is shared, and wall time includes waiting for
 * a core), the peak RSS and the graph's own memory per task
 * (aatgs_graph_memory_bytes / tasks), then one JSON line per case. The files
 * are removed at the end unless AATGS_BENCH_KEEP is set (to profile an
 * importer on them). Usage:
 *   bench_import [reps [tasks_per_side]]      (defaults: 3, 1000)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "export.h"
#include "generators.h"
#include "harness.h"
#include "importers.h"

#define MAX_REPS 15
#define EDGE_BYTES 4096

typedef struct sample {
  double wall_s, cpu_s, rss_mib, graph_b_per_task;
  uint32_t tasks;
  uint64_t edges;
  int ok;
} sample;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static double cpu_s(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec * 1e-6 + (double)ru.ru_stime.tv_sec +
         ru.ru_stime.tv_usec * 1e-6;
}

static long maxrss_kb(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static double median(const double *v, int n) {
  double s[MAX_REPS];
  memcpy(s, v, (size_t)n * sizeof *s);
  qsort(s, (size_t)n, sizeof *s, cmp_double);
  return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

/* ---- the cases ---- */

typedef struct gen_case {
  const char *name, *params[4][2];
} gen_case;

static int generate(const gen_case *gc, aatgs_graph **g, aatgs_err *e) {
  aatgs_gen_args a;
  const aatgs_generator *gd = aatgs_generator_find(gc->name);
  if (!gd) return aatgs_err_set(e, AATGS_ENOENT, "no generator %s", gc->name);
  aatgs_gen_args_init(&a, gd);
  for (int i = 0; i < 4 && gc->params[i][0]; i++)
    if (aatgs_gen_args_set(&a, gc->params[i][0], gc->params[i][1], e) != AATGS_OK) return e->code;
  return aatgs_gen_generate(&a, 1, g, e);
}

typedef enum { FMT_STG, FMT_DOT, FMT_WF } fmt;
static const char *const fmt_name[] = {"stg", "dot", "wfformat"};

typedef struct expect {
  uint32_t tasks;
  uint64_t edges;
  aatgs_ns cp;
} expect;

static int import(fmt f, const char *path, aatgs_graph *g, aatgs_err *e) {
  switch (f) {
  case FMT_STG: return aatgs_import_stg(g, path, AATGS_TT_CUSTOM, 1, e);
  case FMT_DOT: return aatgs_import_dot(g, path, 1, e);
  default: return aatgs_import_wfcommons(g, path, AATGS_NS_PER_S, e);
  }
}

/* One measurement, in this (fresh) process: the sample goes to stdout. */
static int child(const gen_case *gc, fmt f, const char *path, const expect *x) {
  aatgs_graph *g = NULL;
  aatgs_err e;
  sample s;
  long rss0 = maxrss_kb();
  double t0 = now_s(), c0 = cpu_s();
  int rc;
  memset(&s, 0, sizeof s);
  if (gc) {
    rc = generate(gc, &g, &e);
  } else {
    rc = aatgs_graph_create(&g, 0, 0);
    if (rc == AATGS_OK) rc = import(f, path, g, &e);
    if (rc == AATGS_OK) rc = aatgs_graph_finalize(g, &e);
  }
  s.wall_s = now_s() - t0;
  s.cpu_s = cpu_s() - c0;
  s.rss_mib = (double)(maxrss_kb() - rss0) / 1024.0;
  if (rc == AATGS_OK) {
    s.tasks = aatgs_graph_num_tasks(g);
    s.edges = aatgs_graph_num_edges(g);
    s.graph_b_per_task = s.tasks ? (double)aatgs_graph_memory_bytes(g) / s.tasks : 0;
    s.ok =
        !x || (s.tasks == x->tasks && s.edges == x->edges && aatgs_graph_critical_path(g) == x->cp);
    if (!s.ok) fprintf(stderr, "bench_import: %s: the imported graph differs\n", path);
  } else {
    fprintf(stderr, "bench_import: %s\n", e.msg);
  }
  aatgs_graph_destroy(g);
  return write(1, &s, sizeof s) == (ssize_t)sizeof s ? 0 : 1;
}

/* Runs one measurement in a new process (this program again, exec'd, so
 * that its peak RSS starts from nothing): args are its arguments after
 * "--child". */
static sample measure(char *const *args) {
  sample s;
  int fds[2];
  memset(&s, 0, sizeof s);
  if (pipe(fds) != 0) return s;
  fflush(stdout);
  pid_t pid = fork();
  if (pid < 0) return s;
  if (pid == 0) {
    close(fds[0]);
    if (dup2(fds[1], 1) < 0) _exit(1);
    execv("/proc/self/exe", args);
    _exit(1);
  }
  close(fds[1]);
  if (read(fds[0], &s, sizeof s) != (ssize_t)sizeof s) memset(&s, 0, sizeof s);
  close(fds[0]);
  waitpid(pid, NULL, 0);
  return s;
}

static int report(const char *what, const char *name, const sample *v, int reps) {
  double wall[MAX_REPS] = {0}, cpu[MAX_REPS] = {0}, rss[MAX_REPS] = {0};
  int ok = 1;
  for (int r = 0; r < reps; r++) {
    wall[r] = v[r].wall_s;
    cpu[r] = v[r].cpu_s;
    rss[r] = v[r].rss_mib;
    ok &= v[r].ok;
  }
  double mw = median(wall, reps), mc = median(cpu, reps), mr = median(rss, reps);
  printf("%-8s %-17s %9u %10llu %9.3f %9.3f %10.1f %12.1f %6s\n", what, name, v[0].tasks,
         (unsigned long long)v[0].edges, mw, mc, mr, v[0].graph_b_per_task,
         !ok         ? "FAIL"
         : mw <= 2.0 ? "yes"
                     : "no");
  char extra[256], cname[64];
  snprintf(extra, sizeof extra,
           "\"tasks\":%u,\"edges\":%llu,\"median_cpu_s\":%.4f,\"median_peak_rss_mib\":%.1f,"
           "\"graph_bytes_per_task\":%.1f,\"ok\":%s",
           v[0].tasks, (unsigned long long)v[0].edges, mc, mr, v[0].graph_b_per_task,
           ok ? "true" : "false");
  snprintf(cname, sizeof cname, "%s %s", what, name);
  abh_result r = {"import", cname, "aatgs", "wall_s", "s", 0, wall, reps, extra};
  if (abh_emit(&r) != 0) ok = 0;
  return ok ? 0 : 1;
}

/* STG: "n", then "id time k preds" for the dummy entry 0, tasks 1..n and the
 * dummy exit n+1 (times in the graph's ns: import with unit 1 ns). */
static int write_stg(const aatgs_graph *g, const char *path) {
  FILE *f = fopen(path, "w");
  uint32_t n = aatgs_graph_num_tasks(g);
  if (!f) return -1;
  fprintf(f, "%u\n0 0 0\n", n);
  for (uint32_t t = 0; t < n; t++) {
    uint32_t np;
    const uint32_t *p = aatgs_graph_predecessors(g, t, &np);
    fprintf(f, "%u %lld %u", t + 1, (long long)aatgs_graph_task_estimate(g, t), np ? np : 1);
    if (!np) fputs(" 0", f);
    for (uint32_t k = 0; k < np; k++)
      fprintf(f, " %u", p[k] + 1);
    fputc('\n', f);
  }
  uint32_t exits = 0;
  for (uint32_t t = 0; t < n; t++) {
    uint32_t ns;
    aatgs_graph_successors(g, t, &ns);
    exits += ns == 0;
  }
  fprintf(f, "%u 0 %u", n + 1, exits);
  for (uint32_t t = 0; t < n; t++) {
    uint32_t ns;
    aatgs_graph_successors(g, t, &ns);
    if (!ns) fprintf(f, " %u", t + 1);
  }
  fputs("\n# written by bench_import\n", f);
  return fclose(f) == 0 ? 0 : -1;
}

/* The layered graph again, with bytes on every task and edge. */
static int with_bytes(const aatgs_graph *src, aatgs_graph **out, aatgs_err *e) {
  uint32_t n = aatgs_graph_num_tasks(src);
  aatgs_graph *g;
  int rc = aatgs_graph_create(&g, n, aatgs_graph_num_edges(src));
  for (uint32_t t = 0; rc == AATGS_OK && t < n; t++) {
    uint32_t id;
    rc = aatgs_graph_add_task(g, aatgs_graph_task_type(src, t), aatgs_graph_task_estimate(src, t),
                              NULL, 0, &id, e);
    if (rc == AATGS_OK) rc = aatgs_graph_set_bytes(g, id, EDGE_BYTES);
  }
  for (uint32_t t = 0; rc == AATGS_OK && t < n; t++) {
    uint32_t np;
    const uint32_t *p = aatgs_graph_predecessors(src, t, &np);
    for (uint32_t k = 0; rc == AATGS_OK && k < np; k++)
      rc = aatgs_graph_add_edge_bytes(g, p[k], t, EDGE_BYTES, e);
  }
  if (rc == AATGS_OK) rc = aatgs_graph_finalize(g, e);
  if (rc != AATGS_OK) {
    aatgs_graph_destroy(g);
    return rc;
  }
  *out = g;
  return AATGS_OK;
}

/* The generator cases, for side x side tasks. */
static void gen_cases(gen_case *gens, const char *side, char *n_chain, size_t cap) {
  snprintf(n_chain, cap, "%lld", (long long)atoi(side) * atoi(side));
  const gen_case g[3] = {
      {"chain", {{"n", n_chain}, {"est", "uniform(20us, 200us)"}, {NULL, NULL}}},
      {"layered",
       {{"layers", side}, {"width", side}, {"degree", "3"}, {"est", "uniform(20us, 200us)"}}},
      {"erdos_renyi", {{"n", "100000"}, {"p", "0.00006"}, {"est", "uniform(20us, 200us)"}}},
  };
  memcpy(gens, g, sizeof g);
}

int main(int argc, char **argv) {
  gen_case gens[3];
  char n_chain[32];
  if (argc >= 4 && !strcmp(argv[1], "--child")) { /* gen I SIDE | import F PATH TASKS EDGES CP */
    if (!strcmp(argv[2], "gen") && argc == 5) {
      gen_cases(gens, argv[4], n_chain, sizeof n_chain);
      return child(&gens[atoi(argv[3]) % 3], FMT_STG, NULL, NULL);
    }
    if (!strcmp(argv[2], "import") && argc == 8) {
      expect x = {(uint32_t)strtoul(argv[5], NULL, 10), strtoull(argv[6], NULL, 10),
                  (aatgs_ns)strtoll(argv[7], NULL, 10)};
      return child(NULL, (fmt)atoi(argv[3]), argv[4], &x);
    }
    return 2;
  }
  int reps = argc > 1 ? atoi(argv[1]) : 3;
  char *side = argc > 2 ? argv[2] : "1000";
  aatgs_err e;
  int bad = 0;
  if (reps < 1 || reps > MAX_REPS || atoi(side) < 1) {
    fprintf(stderr, "usage: bench_import [reps (1..%d) [tasks_per_side]]\n", MAX_REPS);
    return 2;
  }
  gen_cases(gens, side, n_chain, sizeof n_chain);
  printf("# bench_import: median of %d repetitions, each in a new process; target <= 2 s wall\n",
         reps);
  printf("%-8s %-17s %9s %10s %9s %9s %10s %12s %6s\n", "what", "case", "tasks", "edges", "wall_s",
         "cpu_s", "peak_MiB", "graph_B/task", "<=2s");
  sample v[MAX_REPS];
  for (int i = 0; i < 3; i++) {
    char idx[8];
    snprintf(idx, sizeof idx, "%d", i);
    char *args[] = {argv[0], "--child", "gen", idx, side, NULL};
    for (int r = 0; r < reps; r++)
      v[r] = measure(args);
    bad |= report("generate", gens[i].name, v, reps);
  }

  /* The files to import. */
  aatgs_graph *g0 = NULL, *g = NULL;
  if (generate(&gens[1], &g0, &e) != AATGS_OK || with_bytes(g0, &g, &e) != AATGS_OK) {
    fprintf(stderr, "bench_import: %s\n", e.msg);
    return 1;
  }
  aatgs_graph_destroy(g0);
  char tasks[24], edges[24], cp[24];
  snprintf(tasks, sizeof tasks, "%u", aatgs_graph_num_tasks(g));
  snprintf(edges, sizeof edges, "%llu", (unsigned long long)aatgs_graph_num_edges(g));
  snprintf(cp, sizeof cp, "%lld", (long long)aatgs_graph_critical_path(g));
  char *paths[3] = {"/tmp/aatgs-bench-import.stg", "/tmp/aatgs-bench-import.dot",
                    "/tmp/aatgs-bench-import.json"};
  double t0 = now_s();
  int wrc = write_stg(g, paths[FMT_STG]);
  double t_stg = now_s() - t0;
  FILE *fd = fopen(paths[FMT_DOT], "w"), *fj = NULL;
  t0 = now_s();
  if (!fd || aatgs_graph_write_dot(g, fd, &e) != AATGS_OK) wrc = -1;
  if (fd && fclose(fd) != 0) wrc = -1;
  double t_dot = now_s() - t0;
  t0 = now_s();
  fj = fopen(paths[FMT_WF], "w");
  if (!fj || aatgs_graph_write_wfformat(g, fj, "bench-layered", &e) != AATGS_OK) wrc = -1;
  if (fj && fclose(fj) != 0) wrc = -1;
  double t_wf = now_s() - t0;
  aatgs_graph_destroy(g);
  if (wrc) {
    fprintf(stderr, "bench_import: cannot write the files to /tmp: %s\n", e.msg);
    return 1;
  }
  printf("# files written: stg %.2f s, dot %.2f s (aatgs_graph_write_dot), wfformat %.2f s "
         "(aatgs_graph_write_wfformat)\n",
         t_stg, t_dot, t_wf);
  for (int f = FMT_STG; f <= FMT_WF; f++) {
    FILE *fp = fopen(paths[f], "r");
    long size = 0;
    char fi[8], name[48];
    if (fp && fseek(fp, 0, SEEK_END) == 0) size = ftell(fp);
    if (fp) fclose(fp);
    snprintf(fi, sizeof fi, "%d", f);
    char *args[] = {argv[0], "--child", "import", fi, paths[f], tasks, edges, cp, NULL};
    for (int r = 0; r < reps; r++)
      v[r] = measure(args);
    snprintf(name, sizeof name, "%s(%ldMiB)", fmt_name[f], size >> 20);
    bad |= report("import", name, v, reps);
  }
  if (getenv("AATGS_BENCH_KEEP"))
    printf("# kept %s, %s, %s (AATGS_BENCH_KEEP)\n", paths[0], paths[1], paths[2]);
  else
    for (int f = FMT_STG; f <= FMT_WF; f++)
      unlink(paths[f]);
  return bad;
}
