/* bench_sim_record.c - how much recording slows a simulated run.
 *
 * Generates a layered DAG (default 100 layers x 1000 tasks = 10^5, mean
 * in-degree 3; `1000 1000` for 10^6) and simulates it on 4 kernel streams,
 * the same run three ways:
 *   unrecorded       no sink;
 *   recorded         every decision (with its top-4 candidates, the default
 *                    provenance), task event, telemetry event and snapshot
 *                    into a fresh SQLite file through the real sink (ring ->
 *                    writer thread -> SQLite, WAL), timed from opening the
 *                    file to closing it;
 *   recorded_nocand  the same without decision candidates (--candidates 0).
 * Each recorded variant runs ABAB interleaved with the unrecorded run
 * (bench/harness.h); the figures are the wall seconds of each and the
 * per-pair slowdown recorded / unrecorded (metric "ratio", lower is better).
 * Also checks that recording does not change the makespan, and prints the
 * peak memory (getrusage) and the graph's bytes per task.
 *
 * Usage: bench_sim_record [layers width [policy]] [--reps N] [--warmup N]
 * (default 5 pairs after 1 warm-up pair, policy fifo).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "dispatch.h"
#include "generators.h"
#include "harness.h"
#include "sqlite_sink.h"

static long peak_rss_kb(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_maxrss;
}

/* One variant of the run; the figure of a repetition is its wall seconds. */
typedef struct variant {
  aatgs_graph *g;
  const aatgs_policy_ops *pol;
  const aatgs_profile *pf;
  int record;     /* 0: no sink */
  int candidates; /* run parameter: 0 the default top-k, -1 none */
  /* From the last repetition: */
  aatgs_ns makespan;
  uint64_t rows, events;
  /* Seconds spent opening and closing the file, per repetition (warm-up
   * included; the last `reps` are the measured ones). */
  double open_close[2 * ABH_MAX_REPS];
  int n_open_close;
} variant;

static int run(variant *v, const aatgs_sink *sink) {
  aatgs_run_params p;
  aatgs_run_info info;
  aatgs_run_result res;
  aatgs_err e;
  memset(&p, 0, sizeof p);
  memset(&info, 0, sizeof info);
  info.scenario = "bench-layered";
  info.code_version = "bench";
  p.graph = v->g;
  p.policy = v->pol;
  p.backend = &aatgs_backend_sim;
  p.profile = v->pf;
  p.kernel_streams = 4;
  p.seed = 1;
  p.noise_cv = 0.1;
  p.sink = sink;
  p.candidates = v->candidates;
  p.info = &info;
  if (aatgs_run_graph(&p, &res, &e) != AATGS_OK) {
    fprintf(stderr, "bench_sim_record: %s\n", e.msg);
    return -1;
  }
  v->makespan = res.makespan_ns;
  v->events = res.events;
  return 0;
}

static void remove_db(const char *path) {
  char side[4200];
  unlink(path);
  snprintf(side, sizeof side, "%s-wal", path);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", path);
  unlink(side);
}

static int one(void *arg, double *value) {
  variant *v = arg;
  if (!v->record) {
    double t0 = abh_now();
    if (run(v, NULL) != 0) return -1;
    *value = abh_now() - t0;
    return 0;
  }
  char path[] = "/tmp/aatgs-bench-sim-record-XXXXXX";
  int fd = mkstemp(path);
  if (fd < 0) {
    perror("bench_sim_record: mkstemp");
    return -1;
  }
  close(fd);
  unlink(path); /* the sink creates it */
  aatgs_sqlite_sink *db;
  aatgs_sink sink;
  aatgs_err e;
  double t0 = abh_now();
  if (aatgs_sqlite_sink_open(&db, path, NULL, &e) != AATGS_OK) {
    fprintf(stderr, "bench_sim_record: %s\n", e.msg);
    return -1;
  }
  aatgs_sqlite_sink_as_sink(db, &sink);
  double t1 = abh_now();
  int rc = run(v, &sink);
  v->rows = aatgs_sqlite_sink_rows_written(db);
  double t2 = abh_now();
  if (aatgs_sqlite_sink_close(db, &e) != AATGS_OK) {
    fprintf(stderr, "bench_sim_record: %s\n", e.msg);
    rc = -1;
  }
  *value = abh_now() - t0;
  if (v->n_open_close < 2 * ABH_MAX_REPS) v->open_close[v->n_open_close++] = *value - (t2 - t1);
  remove_db(path);
  return rc;
}

static void line(const char *label, const double *v, int n, const char *unit) {
  abh_stats s;
  abh_stats_of(v, n, &s);
  printf("  %-28s median %8.3f %s  (MAD %.3f, min %.3f, max %.3f, n %d)\n", label, s.median, unit,
         s.mad, s.min, s.max, n);
}

static int emit(const char *case_name, const char *cand, const char *metric, const char *unit,
                const double *v, int n, const char *extra) {
  abh_result r = {"sim_record", case_name, cand, metric, unit, 0, v, n, extra};
  return abh_emit(&r);
}

int main(int argc, char **argv) {
  unsigned layers = 100, width = 1000;
  const char *policy = "fifo";
  int reps = 5, warmup = 1, pos = 0;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!strcmp(a, "--reps") && i + 1 < argc)
      reps = atoi(argv[++i]);
    else if (!strcmp(a, "--warmup") && i + 1 < argc)
      warmup = atoi(argv[++i]);
    else if (a[0] != '-' && pos == 0)
      layers = (unsigned)atoi(a), pos++;
    else if (a[0] != '-' && pos == 1)
      width = (unsigned)atoi(a), pos++;
    else if (a[0] != '-' && pos == 2)
      policy = a, pos++;
    else {
      fprintf(stderr, "usage: bench_sim_record [layers width [policy]] [--reps N] [--warmup N]\n");
      return 2;
    }
  }
  const aatgs_policy_ops *pol = aatgs_policy_find(policy);
  if (!pol || pos == 1 || layers < 1 || width < 1 || reps < 1 || reps > ABH_MAX_REPS / 2 ||
      warmup < 0) {
    fprintf(stderr, "bench_sim_record: %s\n",
            !pol ? "unknown policy" : "bad layers, width, --reps or --warmup");
    return 2;
  }
  aatgs_profile pf;
  aatgs_graph *g = NULL;
  aatgs_profile_default(&pf);

  double t0 = abh_now();
  if (abh_layered_dag(&g, layers, width, "bench_sim_record")) return 1;
  double t_gen = abh_now() - t0;
  uint32_t n = aatgs_graph_num_tasks(g);
  unsigned long long ne = (unsigned long long)aatgs_graph_num_edges(g);
  printf("bench_sim_record: %s\n  %d pairs after %d warm-up\n", abh_machine(), reps, warmup);
  printf("graph: %u tasks, %llu edges, %.1f B/task (graph memory), generate+finalize %.3f s\n", n,
         ne, (double)aatgs_graph_memory_bytes(g) / n, t_gen);

  static variant bare, rec, nocand; /* static: the open_close arrays are large */
  bare = (variant){.g = g, .pol = pol, .pf = &pf, .record = 0, .candidates = 0};
  rec = (variant){.g = g, .pol = pol, .pf = &pf, .record = 1, .candidates = 0};
  nocand = (variant){.g = g, .pol = pol, .pf = &pf, .record = 1, .candidates = -1};
  double sb[ABH_MAX_REPS], sr[ABH_MAX_REPS], sn[ABH_MAX_REPS], b2[ABH_MAX_REPS];
  double rr[ABH_MAX_REPS], rn[ABH_MAX_REPS];
  if (abh_abab(one, &bare, one, &rec, warmup, reps, sb, sr) != 0) return 1;
  aatgs_ns mk_bare = bare.makespan, mk_rec = rec.makespan;
  if (abh_abab(one, &bare, one, &nocand, warmup, reps, b2, sn) != 0) return 1;
  abh_ratios(sr, sb, reps, rr);
  abh_ratios(sn, b2, reps, rn);
  memcpy(sb + reps, b2, (size_t)reps * sizeof *b2);
  int same = mk_bare == mk_rec && mk_bare == nocand.makespan;

  printf("simulated run (%s, 4 streams, %llu events, makespan %.3f s simulated), wall seconds:\n",
         pol->name, (unsigned long long)rec.events, (double)mk_bare / 1e9);
  line("unrecorded", sb, 2 * reps, "s");
  line("recorded (open..close)", sr, reps, "s");
  line("recorded, no candidates", sn, reps, "s");
  line("slowdown recorded/unrecorded", rr, reps, "x");
  line("slowdown, no candidates", rn, reps, "x");
  abh_stats s, oc;
  abh_stats_of(rec.open_close + rec.n_open_close - reps, reps, &oc);
  printf("  of the recorded run, opening and closing the file (schema, final checkpoint): median "
         "%.3f s\n",
         oc.median);
  abh_stats_of(sb, 2 * reps, &s);
  printf("  unrecorded: %.2f M tasks/s; recorded: %llu rows; same makespan with and without "
         "recording: %s\n",
         n / s.median / 1e6, (unsigned long long)rec.rows, same ? "yes" : "NO");
  printf("peak RSS: %.1f MiB\n", peak_rss_kb() / 1024.0);

  char case_name[96], extra[384];
  snprintf(case_name, sizeof case_name, "layered %u tasks %s", n, pol->name);
  snprintf(extra, sizeof extra,
           "\"tasks\":%u,\"edges\":%llu,\"rows\":%llu,\"rows_nocand\":%llu,\"events\":%llu,"
           "\"same_makespan\":%s,\"open_close_s\":%.4f,\"gen_s\":%.4f,\"peak_rss_mib\":%.1f,"
           "\"graph_bytes_per_task\":%.1f",
           n, ne, (unsigned long long)rec.rows, (unsigned long long)nocand.rows,
           (unsigned long long)rec.events, same ? "true" : "false", oc.median, t_gen,
           peak_rss_kb() / 1024.0, (double)aatgs_graph_memory_bytes(g) / n);
  if (emit(case_name, "unrecorded", "seconds", "s", sb, 2 * reps, extra) ||
      emit(case_name, "recorded", "seconds", "s", sr, reps, extra) ||
      emit(case_name, "recorded_nocand", "seconds", "s", sn, reps, extra) ||
      emit(case_name, "recorded/unrecorded", "ratio", "x", rr, reps, extra) ||
      emit(case_name, "recorded_nocand/unrecorded", "ratio", "x", rn, reps, extra))
    return 1;
  aatgs_graph_destroy(g);
  aatgs_profile_free(&pf);
  return same ? 0 : 1;
}
