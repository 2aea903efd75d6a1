/* bench_simgrid.c - the AATGS simulator against SimGrid on the same DAGs and
 * the same schedule (issue [5], item 5).
 *
 * The model: P identical workers (default 4), a task takes its duration, no
 * communication, no overheads. DAGs: the `layered` generator, degree 3,
 * durations uniform(20us, 200us), seed 1; N = 10^3 (10 layers x 100),
 * 10^4 (100 x 100), 10^5 (100 x 1000), 10^6 (1000 x 1000).
 *
 * AATGS: the real dispatch loop, the sim backend with P kernel streams, a
 * static policy (fifo by default), no sink (nothing recorded), and the ideal
 * profile of bench/peers/simgrid_peer.h (every pipeline cost zero; the same
 * constants as scenarios/profiles/ideal.yaml). Figure: tasks / wall time of
 * aatgs_run_graph. One more run with a sink that keeps only the task events
 * gives the schedule (each task's stream and start); every timed run must
 * give the same makespan.
 *
 * SimGrid: the DAG is written as Pegasus DAX (job runtime = duration in s,
 * no files: no communication) and the schedule as each host's tasks in the
 * order they ran; bench/peers/simgrid_dag.cpp loads the DAX with SimGrid's
 * create_DAG_from_DAX (Debian's SimGrid 3.32 has no Graphviz, so its DOT
 * loader cannot be used), builds P hosts, pins every task to its host with
 * the host order as extra dependencies, runs, and reports the makespan, the
 * largest difference of a task's start from the AATGS schedule, and its
 * times. Figures: tasks / Engine::run time ("simgrid") and tasks / (DAX
 * load + schedule assignment + run) ("simgrid+load"). The two makespans
 * must agree within a relative 1e-6 (the run fails otherwise).
 *
 * Method: abh_run medians; AATGS 11 reps (N <= 10^4), 5 (10^5), 3 (10^6),
 * one or two warm-ups; SimGrid 5, 3 and 1 reps (one warm-up up to 10^4, a
 * process per rep). The speed ratio pairs the i-th runs of each (the two
 * are not interleaved: at large N one SimGrid run takes tens of seconds).
 * SimGrid 3.32's DAG mode costs more per task as N grows: a finished exec
 * is removed from a std::list that holds every exec not yet finished
 * (ExecImpl::post; seen with perf and gdb), so a run takes time ~N^2 (on
 * the 2-core dev VM: 0.17 s at 10^4, 37 s at 10^5; a DAG built with the
 * C++ API instead of the loader grows the same way). A size whose run,
 * predicted from the previous size as N^2, would exceed --timeout (300 s)
 * is not run with SimGrid, and a run that exceeds it is stopped; no larger
 * N is then tried (the output says so and names SimGrid's largest N).
 * AATGS is measured at every size.
 *
 * Output (abh_emit, $AATGS_BENCH_JSON): bench "simgrid", case "layered
 * N=<n>, P=<p>", candidates "aatgs_sim", "simgrid", "simgrid+load" (metric
 * tasks_per_s), "aatgs_sim/simgrid" and "aatgs_sim/simgrid+load" (metric
 * speedup), and "aatgs_sim/simgrid" metric makespan_rel_err (one sample,
 * with both makespans and the largest start difference). A table on stdout.
 *
 * Usage: bench_simgrid [--sizes N,N,...] [-P workers] [--policy NAME]
 *                      [--peer PATH|none] [--reps R] [--timeout S] [--keep DIR]
 *   --sizes    task counts (default 1000,10000,100000,1000000); each a
 *              multiple of its width (100 below 10^5, else 1000)
 *   --peer     the simgrid_dag program; default: the one next to this
 *              executable, else the one CMake built; "none": AATGS only
 *   --reps     measured repetitions for every size and both simulators
 *   --keep     write the DAX and schedule files into DIR and keep them
 * Without SimGrid at configure time (cmake/bench_simgrid.cmake) and no
 * --peer, only AATGS is measured and the output says so.
 * Exit status: 0, 1 when a run fails or the makespans disagree, 2 on bad
 * arguments.
 */
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "generators.h"
#include "harness.h"
#include "peers/simgrid_peer.h"

#define MAX_SIZES 16
#define REL_TOL 1e-6

typedef struct aatgs_arg {
  aatgs_graph *g;
  const aatgs_policy_ops *pol;
  const aatgs_profile *pf;
  uint32_t workers;
  aatgs_ns makespan; /* of the capture run; every timed run must match */
} aatgs_arg;

static int aatgs_once(void *arg, double *value) {
  aatgs_arg *a = arg;
  aatgs_run_result res;
  aatgs_err e;
  double t0 = abh_now();
  if (sgp_run(a->g, a->pol, a->pf, a->workers, NULL, &res, &e) != AATGS_OK) {
    fprintf(stderr, "bench_simgrid: aatgs run: %s\n", e.msg);
    return -1;
  }
  double dt = abh_now() - t0;
  if (res.makespan_ns != a->makespan) {
    fprintf(stderr, "bench_simgrid: aatgs makespan %lld ns, the capture run gave %lld\n",
            (long long)res.makespan_ns, (long long)a->makespan);
    return -1;
  }
  *value = (double)aatgs_graph_num_tasks(a->g) / dt;
  return 0;
}

typedef struct peer_arg {
  const char *peer, *dax, *sched;
  double timeout_s;
  uint32_t n;
  int calls;
  sgp_peer_out out[ABH_MAX_REPS + 4]; /* every call, warm-ups first */
  int timed_out;
} peer_arg;

static int peer_once(void *arg, double *value) {
  peer_arg *a = arg;
  aatgs_err e;
  sgp_peer_out *o = &a->out[a->calls < ABH_MAX_REPS + 3 ? a->calls : ABH_MAX_REPS + 3];
  int rc = sgp_run_peer(a->peer, a->dax, a->sched, a->timeout_s, o, &e);
  if (rc != AATGS_OK) {
    a->timed_out = rc == AATGS_EINTR;
    fprintf(stderr, "bench_simgrid: %s\n", e.msg);
    return -1;
  }
  if ((uint32_t)o->tasks != a->n || o->sim_s <= 0) {
    fprintf(stderr, "bench_simgrid: simgrid_dag ran %.0f tasks of %u\n", o->tasks, a->n);
    return -1;
  }
  a->calls++;
  *value = (double)a->n / o->sim_s;
  return 0;
}

/* The peer: --peer, else simgrid_dag next to this executable, else the path
 * CMake built it at. NULL when there is none. */
static const char *find_peer(const char *arg, char *buf, size_t cap) {
  if (arg) return strcmp(arg, "none") == 0 ? NULL : arg;
  ssize_t k = readlink("/proc/self/exe", buf, cap - 1);
  if (k > 0) {
    buf[k] = '\0';
    char *slash = strrchr(buf, '/');
    if (slash && (size_t)(slash - buf) + sizeof "/simgrid_dag" <= cap) {
      strcpy(slash, "/simgrid_dag");
      if (access(buf, X_OK) == 0) return buf;
    }
  }
#ifdef AATGS_SIMGRID_PEER
  if (access(AATGS_SIMGRID_PEER, X_OK) == 0) return AATGS_SIMGRID_PEER;
#endif
  return NULL;
}

static int emit(const char *cs, const char *cand, const char *metric, const char *unit, int higher,
                const double *x, int n, const char *extra) {
  abh_result r = {"simgrid", cs, cand, metric, unit, higher, x, n, extra};
  return abh_emit(&r);
}

static int parse_u32(const char *s, uint32_t lo, uint32_t hi, uint32_t *out) {
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || end == s || *end || v < lo || v > hi) return -1;
  *out = (uint32_t)v;
  return 0;
}

static void usage(void) {
  fprintf(stderr, "usage: bench_simgrid [--sizes N,N,...] [-P workers] [--policy NAME] "
                  "[--peer PATH|none] [--reps R] [--timeout S] [--keep DIR]\n");
}

/* One size: AATGS, then SimGrid when there is a peer and it is not capped.
 * Returns 0, 1 on a failure or disagreement. */
typedef struct opts {
  uint32_t workers, reps;
  const aatgs_policy_ops *pol;
  const char *peer, *keep;
  double timeout_s;
  const char *no_peer; /* why there is no peer */
  int capped;          /* SimGrid took, or would take, longer than timeout_s */
  uint32_t largest_sg, last_n;
  double last_wall; /* median process time of SimGrid at last_n */
} opts;

static int one_size(opts *o, const aatgs_profile *pf, uint32_t n) {
  uint32_t width = n >= 100000 ? 1000 : n >= 100 ? 100 : n, layers = n / width;
  aatgs_graph *g = NULL;
  sgp_sched sc;
  aatgs_run_result res;
  aatgs_err e;
  char cs[64], extra[512], dir[PATH_MAX], dax[PATH_MAX + 64], sched[PATH_MAX + 64];
  static double sa[ABH_MAX_REPS], ss[ABH_MAX_REPS], sl[ABH_MAX_REPS], ratio[ABH_MAX_REPS];
  static peer_arg pa;
  int ra = o->reps ? (int)o->reps : n <= 10000 ? 11 : n <= 100000 ? 5 : 3;
  int wa = n <= 10000 ? 2 : 1;
  int rs = o->reps ? (int)o->reps : n <= 10000 ? 5 : n <= 100000 ? 3 : 1;
  int ws = n <= 10000 ? 1 : 0, rc = 1;
  abh_stats st_a, st_s, st_l;

  snprintf(cs, sizeof cs, "layered N=%u, P=%u", n, o->workers);
  if (abh_layered_dag(&g, layers, width, "bench_simgrid")) return 1;
  if (sgp_sched_init(&sc, n, &e) != AATGS_OK) {
    fprintf(stderr, "bench_simgrid: %s\n", e.msg);
    aatgs_graph_destroy(g);
    return 1;
  }
  if (sgp_run(g, o->pol, pf, o->workers, &sc, &res, &e) != AATGS_OK) {
    fprintf(stderr, "bench_simgrid: %s: %s\n", cs, e.msg);
    goto out;
  }
  aatgs_arg aa = {g, o->pol, pf, o->workers, res.makespan_ns};
  if (abh_run(aatgs_once, &aa, wa, ra, sa)) goto out;
  abh_stats_of(sa, ra, &st_a);
  snprintf(extra, sizeof extra,
           "\"tasks\":%u,\"edges\":%llu,\"layers\":%u,\"width\":%u,\"workers\":%u,"
           "\"policy\":\"%s\",\"makespan_ns\":%lld,\"lower_bound_ns\":%lld",
           n, (unsigned long long)aatgs_graph_num_edges(g), layers, width, o->workers, o->pol->name,
           (long long)res.makespan_ns, (long long)res.lower_bound_ns);
  if (emit(cs, "aatgs_sim", "tasks_per_s", "tasks/s", 1, sa, ra, extra)) goto out;
  printf("%-26s aatgs_sim  %10.0f tasks/s (MAD %.0f, %d reps)  makespan %.9f s\n", cs, st_a.median,
         st_a.mad, ra, (double)res.makespan_ns * 1e-9);

  if (!o->peer || o->capped) {
    printf("%-26s simgrid    not run: %s\n", cs,
           !o->peer ? o->no_peer : "capped at a smaller N (see above)");
    rc = 0;
    goto out;
  }
  if (o->last_n) {
    /* SimGrid 3.32's time grows as N^2 here (see the header): skip a size
     * whose predicted run is past the timeout rather than wait for it. */
    double r = (double)n / o->last_n, pred = o->last_wall * r * r;
    if (pred > o->timeout_s) {
      o->capped = 1;
      printf("%-26s simgrid    CAPPED: one run would take about %.0f s (N^2 growth from "
             "%.1f s at N=%u), more than --timeout %.0f s; SimGrid's largest N: %u\n",
             cs, pred, o->last_wall, o->last_n, o->timeout_s, o->last_n);
      rc = 0;
      goto out;
    }
  }
  if (o->keep) {
    snprintf(dir, sizeof dir, "%s", o->keep);
    mkdir(dir, 0777);
  } else {
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof dir, "%s/aatgs-simgrid-XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (!mkdtemp(dir)) {
      fprintf(stderr, "bench_simgrid: mkdtemp %s: %s\n", dir, strerror(errno));
      goto out;
    }
  }
  snprintf(dax, sizeof dax, "%.4000s/layered-%u.dax", dir, n);
  snprintf(sched, sizeof sched, "%.4000s/layered-%u-P%u.sched", dir, n, o->workers);
  if (sgp_write_dax(g, dax, &e) != AATGS_OK ||
      sgp_write_schedule(&sc, o->workers, sched, &e) != AATGS_OK) {
    fprintf(stderr, "bench_simgrid: %s\n", e.msg);
    goto clean;
  }
  memset(&pa, 0, sizeof pa);
  pa.peer = o->peer;
  pa.dax = dax;
  pa.sched = sched;
  pa.timeout_s = o->timeout_s;
  pa.n = n;
  if (abh_run(peer_once, &pa, ws, rs, ss)) {
    if (pa.timed_out) {
      o->capped = 1;
      printf("%-26s simgrid    CAPPED: one run took longer than %.0f s; no larger N is run "
             "with SimGrid\n",
             cs, o->timeout_s);
      rc = 0;
    }
    goto clean;
  }
  o->largest_sg = n;
  const sgp_peer_out *m = &pa.out[ws]; /* the measured runs: out[ws .. ws + rs) */
  double load = 0, assign = 0, max_err = 0, worst = 0;
  for (int i = 0; i < rs; i++)
    ratio[i] = m[i].wall_s;
  abh_stats_of(ratio, rs, &st_s);
  o->last_n = n;
  o->last_wall = st_s.median;
  for (int i = 0; i < rs; i++) {
    sl[i] = (double)n / (m[i].load_s + m[i].assign_s + m[i].sim_s);
    load += m[i].load_s / rs;
    assign += m[i].assign_s / rs;
    double rel = sgp_rel_err(m[i].makespan_s, res.makespan_ns);
    if (rel > worst) worst = rel;
    if (m[i].max_start_err_s > max_err) max_err = m[i].max_start_err_s;
  }
  abh_stats_of(ss, rs, &st_s);
  abh_stats_of(sl, rs, &st_l);
  snprintf(extra, sizeof extra,
           "\"tasks\":%u,\"workers\":%u,\"makespan_s\":%.12f,\"load_s_mean\":%.6f,"
           "\"assign_s_mean\":%.6f,\"input\":\"dax\"",
           n, o->workers, m[0].makespan_s, load, assign);
  if (emit(cs, "simgrid", "tasks_per_s", "tasks/s", 1, ss, rs, extra)) goto clean;
  if (emit(cs, "simgrid+load", "tasks_per_s", "tasks/s", 1, sl, rs, extra)) goto clean;
  int np = ra < rs ? ra : rs;
  abh_ratios(sa, ss, np, ratio);
  if (emit(cs, "aatgs_sim/simgrid", "speedup", "x", 1, ratio, np, NULL)) goto clean;
  abh_ratios(sa, sl, np, ratio);
  if (emit(cs, "aatgs_sim/simgrid+load", "speedup", "x", 1, ratio, np, NULL)) goto clean;
  snprintf(extra, sizeof extra,
           "\"aatgs_makespan_ns\":%lld,\"simgrid_makespan_s\":%.12f,\"max_start_err_s\":%.3e,"
           "\"tolerance\":%g,\"agree\":%s",
           (long long)res.makespan_ns, m[0].makespan_s, max_err, REL_TOL,
           worst <= REL_TOL ? "true" : "false");
  if (emit(cs, "aatgs_sim/simgrid", "makespan_rel_err", "1", 0, &worst, 1, extra)) goto clean;
  printf("%-26s simgrid    %10.0f tasks/s (MAD %.0f, %d reps)  makespan %.9f s\n", cs, st_s.median,
         st_s.mad, rs, m[0].makespan_s);
  printf("%-26s simgrid+ld %10.0f tasks/s (DAX load %.3f s, assign %.3f s)\n", cs, st_l.median,
         load, assign);
  printf("%-26s aatgs_sim / simgrid %.1fx, / simgrid+load %.1fx; makespan rel. error %.2e, "
         "largest start difference %.2e s: %s\n",
         cs, st_a.median / st_s.median, st_a.median / st_l.median, worst, max_err,
         worst <= REL_TOL ? "agree" : "DISAGREE");
  rc = worst <= REL_TOL ? 0 : 1;
clean:
  if (!o->keep) {
    unlink(dax);
    unlink(sched);
    rmdir(dir);
  }
out:
  sgp_sched_free(&sc);
  aatgs_graph_destroy(g);
  return rc;
}

int main(int argc, char **argv) {
  uint32_t sizes[MAX_SIZES] = {1000, 10000, 100000, 1000000}, nsizes = 4;
  const char *peer_arg_s = NULL, *policy = "fifo";
  char peer_buf[PATH_MAX];
  opts o;
  aatgs_profile pf;
  int rc = 0;
  memset(&o, 0, sizeof o);
  o.workers = 4;
  o.timeout_s = 300;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!v) {
      usage();
      return 2;
    }
    i++;
    if (strcmp(a, "--sizes") == 0) {
      char *copy = strdup(v), *save = NULL;
      nsizes = 0;
      for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        uint32_t n;
        if (nsizes == MAX_SIZES || parse_u32(t, 1, 100000000, &n) ||
            n % (n >= 100000 ? 1000
                 : n >= 100  ? 100
                             : n) !=
                0) {
          fprintf(stderr,
                  "bench_simgrid: --sizes: bad size \"%s\" (at most %d sizes, each "
                  "a multiple of 100, or of 1000 from 100000)\n",
                  t, MAX_SIZES);
          free(copy);
          return 2;
        }
        sizes[nsizes++] = n;
      }
      free(copy);
      if (nsizes == 0) return usage(), 2;
    } else if (strcmp(a, "-P") == 0) {
      if (parse_u32(v, 1, 256, &o.workers)) return usage(), 2;
    } else if (strcmp(a, "--policy") == 0) {
      policy = v;
    } else if (strcmp(a, "--peer") == 0) {
      peer_arg_s = v;
    } else if (strcmp(a, "--reps") == 0) {
      if (parse_u32(v, 1, ABH_MAX_REPS, &o.reps)) return usage(), 2;
    } else if (strcmp(a, "--timeout") == 0) {
      char *end;
      o.timeout_s = strtod(v, &end);
      if (end == v || *end || o.timeout_s <= 0) return usage(), 2;
    } else if (strcmp(a, "--keep") == 0) {
      o.keep = v;
    } else {
      usage();
      return 2;
    }
  }
  if (!(o.pol = aatgs_policy_find(policy))) {
    fprintf(stderr, "bench_simgrid: unknown policy \"%s\"\n", policy);
    return 2;
  }
  o.peer = find_peer(peer_arg_s, peer_buf, sizeof peer_buf);
  o.no_peer = peer_arg_s ? "--peer none"
                         : "simgrid_dag was not built (no SimGrid at configure time) and no --peer";
  if (o.peer && access(o.peer, X_OK) != 0) {
    fprintf(stderr, "bench_simgrid: --peer %s: not an executable\n", o.peer);
    return 2;
  }
  sgp_ideal_profile(&pf);
  printf("bench_simgrid: layered DAGs (degree 3, uniform 20-200 us), %u workers, policy %s, "
         "ideal profile; peer: %s\n",
         o.workers, o.pol->name, o.peer ? o.peer : "none: AATGS only");
  for (uint32_t i = 0; i < nsizes; i++)
    rc |= one_size(&o, &pf, sizes[i]);
  if (o.peer)
    printf("bench_simgrid: largest N SimGrid ran: %u%s\n", o.largest_sg,
           o.capped ? " (larger ones capped by --timeout)" : "");
  aatgs_profile_free(&pf);
  return rc;
}
