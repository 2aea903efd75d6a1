/* bench_sim_record.c - simulate and record a 10^6-task layered DAG, end to end.
 *
 * Generates a layered DAG (1000 layers x 1000 tasks, mean in-degree 3),
 * simulates it on 4 kernel streams and records every decision, task event,
 * telemetry event and snapshot to a fresh SQLite file through the real sink
 * (ring -> writer thread -> SQLite, WAL). Prints the time of each phase, the
 * slowdown that recording adds over the same run without a sink, the peak
 * memory (getrusage) and the graph's bytes per task. Usage:
 *   bench_sim_record [layers width [policy]]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "dispatch.h"
#include "generators.h"
#include "sqlite_sink.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static long peak_rss_kb(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

static int gen(aatgs_graph **g, unsigned layers, unsigned width) {
  const aatgs_generator *lg = aatgs_generator_find("layered");
  aatgs_gen_args a;
  aatgs_err e;
  char buf[32];
  aatgs_gen_args_init(&a, lg);
  snprintf(buf, sizeof buf, "%u", layers);
  if (aatgs_gen_args_set(&a, "layers", buf, &e) != AATGS_OK) goto bad;
  snprintf(buf, sizeof buf, "%u", width);
  if (aatgs_gen_args_set(&a, "width", buf, &e) != AATGS_OK) goto bad;
  if (aatgs_gen_args_set(&a, "degree", "3", &e) != AATGS_OK) goto bad;
  if (aatgs_gen_args_set(&a, "est", "uniform(20us, 200us)", &e) != AATGS_OK) goto bad;
  if (aatgs_gen_generate(&a, 1, g, &e) != AATGS_OK) goto bad;
  return 0;
bad:
  fprintf(stderr, "bench_sim_record: %s\n", e.msg);
  return 1;
}

static int run(aatgs_graph *g, const aatgs_policy_ops *pol, const aatgs_profile *pf,
               const aatgs_sink *sink, int candidates, aatgs_run_result *res) {
  aatgs_run_params p;
  aatgs_run_info info;
  aatgs_err e;
  memset(&p, 0, sizeof p);
  memset(&info, 0, sizeof info);
  info.scenario = "bench-layered-1e6";
  info.code_version = "bench";
  p.graph = g;
  p.policy = pol;
  p.backend = &aatgs_backend_sim;
  p.profile = pf;
  p.kernel_streams = 4;
  p.seed = 1;
  p.noise_cv = 0.1;
  p.sink = sink;
  p.candidates = candidates;
  p.info = &info;
  if (aatgs_run_graph(&p, res, &e) != AATGS_OK) {
    fprintf(stderr, "bench_sim_record: %s\n", e.msg);
    return 1;
  }
  return 0;
}

int main(int argc, char **argv) {
  unsigned layers = argc > 2 ? (unsigned)atoi(argv[1]) : 1000;
  unsigned width = argc > 2 ? (unsigned)atoi(argv[2]) : 1000;
  const aatgs_policy_ops *pol = aatgs_policy_find(argc > 3 ? argv[3] : "fifo");
  aatgs_profile pf;
  aatgs_graph *g = NULL;
  aatgs_run_result res;
  aatgs_err e;
  char path[] = "/tmp/aatgs-bench-record-XXXXXX";
  int fd;
  if (!pol) {
    fprintf(stderr, "bench_sim_record: unknown policy\n");
    return 2;
  }
  aatgs_profile_default(&pf);

  double t0 = now_s();
  if (gen(&g, layers, width)) return 1;
  double t_gen = now_s() - t0;
  uint32_t n = aatgs_graph_num_tasks(g);
  uint64_t ne = aatgs_graph_num_edges(g);

  /* Baseline: the same run with nothing recorded. */
  t0 = now_s();
  if (run(g, pol, &pf, NULL, 0, &res)) return 1;
  double t_bare = now_s() - t0;
  aatgs_ns makespan_bare = res.makespan_ns;

  /* Recorded: with the default decision provenance (top-4 candidates per
   * decision), then without it (--candidates 0), each into a new file. */
  double t_rec = 0, t_nocand = 0;
  uint64_t rows = 0;
  for (int pass = 0; pass < 2; pass++) {
    if ((fd = mkstemp(path)) < 0) return 1;
    close(fd);
    unlink(path);
    aatgs_sqlite_sink *db;
    aatgs_sink sink;
    t0 = now_s();
    if (aatgs_sqlite_sink_open(&db, path, NULL, &e) != AATGS_OK) {
      fprintf(stderr, "bench_sim_record: %s\n", e.msg);
      return 1;
    }
    aatgs_sqlite_sink_as_sink(db, &sink);
    if (run(g, pol, &pf, &sink, pass == 0 ? 0 : -1, &res)) return 1;
    if (pass == 0) rows = aatgs_sqlite_sink_rows_written(db);
    if (aatgs_sqlite_sink_close(db, &e) != AATGS_OK) {
      fprintf(stderr, "bench_sim_record: %s\n", e.msg);
      return 1;
    }
    *(pass == 0 ? &t_rec : &t_nocand) = now_s() - t0;
    char wal[64];
    snprintf(wal, sizeof wal, "%s-wal", path);
    unlink(path);
    unlink(wal);
    strcpy(path, "/tmp/aatgs-bench-record-XXXXXX");
  }

  printf("graph: %u tasks, %llu edges, %.1f B/task (graph memory), generate+finalize %.3f s\n", n,
         (unsigned long long)ne, (double)aatgs_graph_memory_bytes(g) / n, t_gen);
  printf("simulate only (%s, 4 streams): %.3f s, %.2f M tasks/s, makespan %.3f s simulated\n",
         pol->name, t_bare, n / t_bare / 1e6, makespan_bare / 1e9);
  printf(
      "simulate + record everything: %.3f s end to end (%llu rows, %llu events, %.2f M rows/s)\n",
      t_rec, (unsigned long long)rows, (unsigned long long)res.events, rows / t_rec / 1e6);
  printf("simulate + record without decision candidates (--candidates 0): %.3f s\n", t_nocand);
  printf("recording slowdown: %.2fx (%.2fx without candidates); same makespan with and without "
         "recording: %s\n",
         t_rec / t_bare, t_nocand / t_bare, res.makespan_ns == makespan_bare ? "yes" : "NO");
  printf("peak RSS: %.1f MiB\n", peak_rss_kb() / 1024.0);
  printf("{\"bench\":\"sim_record\",\"tasks\":%u,\"edges\":%llu,\"gen_s\":%.4f,\"sim_s\":%.4f,"
         "\"sim_record_s\":%.4f,\"sim_record_nocand_s\":%.4f,\"rows\":%llu,\"slowdown\":%.3f,"
         "\"peak_rss_mib\":%.1f,\"graph_bytes_per_task\":%.1f}\n",
         n, (unsigned long long)ne, t_gen, t_bare, t_rec, t_nocand, (unsigned long long)rows,
         t_rec / t_bare, peak_rss_kb() / 1024.0, (double)aatgs_graph_memory_bytes(g) / n);
  aatgs_graph_destroy(g);
  aatgs_profile_free(&pf);
  return 0;
}
