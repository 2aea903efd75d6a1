/* bench_gpu.cu - the GPU figures of issue [5] item 7 (and the GPU half of item 4).
 *
 * 1. Microseconds per task for the same DAG run three ways on GPU 0:
 *    pipeline     the real `cuda` backend through the dispatch loop (aatgs_run_graph,
 *                 a policy, N kernel streams + config-upload + telemetry-download
 *                 streams, events per task, background telemetry drains); the figure
 *                 is the loop's makespan / tasks (backend open and close excluded,
 *                 the whole call is in the member wall_us_per_task);
 *    b2b-1stream  the same kernels launched back to back from one host thread on
 *                 one stream, in topological order (stream order is the dependency);
 *    b2b-streams  the same kernels launched back to back from one host thread, in
 *                 the order the pipeline submitted them, each on the kernel stream
 *                 the pipeline gave it, a cross-stream edge being a cudaEvent
 *                 recorded after the producer and waited on before the consumer;
 *    graph        a CUDA Graph of the same DAG (one kernel node per task, one
 *                 dependency per edge), instantiated once, then timed
 *                 cudaGraphLaunch + synchronize.
 *    The kernel of b2b and graph is a copy of the backend's task kernel (same
 *    arguments, same spin on the global timer, same telemetry record and
 *    atomics; the backend's own is file-local to cuda/backend_cuda.cu), with the
 *    same blocks and durations. Both check themselves after the timed
 *    repetitions: every task wrote its record, and no task started before any
 *    of its predecessors ended (global timer).
 *    DAGs: chains and layered DAGs (width 100, 3 predecessors in the previous
 *    layer) of 10^3 and 10^4 tasks of ~0 work (1 ns spins: per-task overhead is
 *    all that is left), and of 20-50 us tasks (the pipeline overlapping).
 *    Figures: us_per_task (median/MAD over reps) per candidate, and the ratios
 *    pipeline/b2b-1stream, pipeline/b2b-streams, pipeline/graph per repetition.
 * 2. Recording on and off: the pipeline with the SQLite sink recording
 *    everything (decisions with 4 candidates, tasks, telemetry, snapshots)
 *    against no sink, interleaved A B B A (abh_abab); makespan and the whole
 *    call (run_end waits until every event is written), and their ratios.
 * 3. --fidelity DB LABEL: reads a database holding the same scenarios run on
 *    `sim` and on `cuda` (bench/gpu.sh makes it) through the fidelity gate and
 *    emits the |sim / real - 1| of every scenario x policy pair.
 *
 * Usage: bench_gpu [--reps N] [--warmup N] [--policy NAME] [--streams N] [--quick]
 *                  [--db FILE] [--no-record]
 *        bench_gpu --fidelity DB LABEL
 * Figures go through abh_emit (to $AATGS_BENCH_JSON when set); a readable
 * table goes to stdout.
 */
#include <cuda_runtime.h>

#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <unistd.h>
#include <vector>

extern "C" {
#include "backend_cuda.h"
#include "dispatch.h"
#include "gate.h"
#include "harness.h"
#include "sqlite_sink.h"
}

#include "task_kernel.cuh"

namespace {

#define MAX_REPS 64

/* ------------------------------------------------------------------ kernel */

/* The backend's own task kernel and layouts (cuda/task_kernel.cuh, included
 * above the namespace). */

/* ------------------------------------------------------------------- setup */

int g_reps = 7, g_warmup = 1, g_streams = 4;
const aatgs_policy_ops *g_policy;
aatgs_profile g_profile;
char g_gpu[160] = "?", g_driver[96] = "?";

#define CK(call)                                                                                   \
  do {                                                                                             \
    cudaError_t e_ = (call);                                                                       \
    if (e_ != cudaSuccess) {                                                                       \
      fprintf(stderr, "bench_gpu: %s:%d: %s failed: %s\n", __FILE__, __LINE__, #call,              \
              cudaGetErrorString(e_));                                                             \
      return -1;                                                                                   \
    }                                                                                              \
  } while (0)

struct dag_case {
  const char *name;
  int chain;             /* 1: a chain; 0: layered, width 100, 3 predecessors */
  uint32_t tasks;        /* a multiple of 100 */
  aatgs_ns lo_ns, hi_ns; /* task durations, uniform in [lo, hi] (deterministic) */
};

uint64_t mix(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

/* Builds the case's DAG: every task a one-block kernel of a fixed duration. */
int build_dag(const dag_case *c, aatgs_graph **out) {
  const uint32_t width = 100;
  aatgs_graph *g = nullptr;
  aatgs_err e;
  aatgs_err_clear(&e);
  if (aatgs_graph_create(&g, c->tasks, (uint64_t)c->tasks * 3) != AATGS_OK) {
    fprintf(stderr, "bench_gpu: out of memory\n");
    return -1;
  }
  for (uint32_t t = 0; t < c->tasks; t++) {
    uint32_t deps[3], nd = 0, id;
    if (c->chain) {
      if (t > 0) deps[nd++] = t - 1;
    } else if (t >= width) {
      uint32_t base = (t / width - 1) * width, j = t % width;
      deps[nd++] = base + j;
      deps[nd++] = base + (j + 1 + (uint32_t)(mix(t) % 49)) % width;
      deps[nd++] = base + (j + 50 + (uint32_t)(mix(t + 7919) % 49)) % width;
    }
    aatgs_ns d = c->lo_ns;
    if (c->hi_ns > c->lo_ns)
      d += (aatgs_ns)(mix(t * 2654435761ULL + 1) % (uint64_t)(c->hi_ns - c->lo_ns + 1));
    if (aatgs_graph_add_task(g, AATGS_TT_CUSTOM, d, deps, nd, &id, &e) != AATGS_OK ||
        aatgs_graph_set_actual(g, id, d) != AATGS_OK ||
        aatgs_graph_set_blocks(g, id, 1) != AATGS_OK) {
      fprintf(stderr, "bench_gpu: %s: building task %u: %s\n", c->name, t, e.msg);
      aatgs_graph_destroy(g);
      return -1;
    }
  }
  if (aatgs_graph_finalize(g, &e) != AATGS_OK) {
    fprintf(stderr, "bench_gpu: %s: %s\n", c->name, e.msg);
    aatgs_graph_destroy(g);
    return -1;
  }
  *out = g;
  return 0;
}

/* ---------------------------------------------------------------- pipeline */

/* A sink that keeps the order and the stream of every decision (used once,
 * untimed, to give b2b-streams the pipeline's own schedule). */
struct capture {
  std::vector<uint32_t> order, stream_of;
};

int cap_begin(void *, const aatgs_run_info *, aatgs_err *) { return AATGS_OK; }
int cap_emit(void *ctx, const aatgs_event *ev) {
  capture *c = (capture *)ctx;
  if (ev->kind == AATGS_EV_DECISION && ev->u.decision.stream < (uint32_t)g_streams) {
    c->order.push_back(ev->u.decision.task);
    c->stream_of[ev->u.decision.task] = ev->u.decision.stream;
  }
  return AATGS_OK;
}
int cap_end(void *, const aatgs_run_result *, aatgs_err *) { return AATGS_OK; }

struct pipe_arg {
  const dag_case *c;
  aatgs_graph *g;
  const aatgs_sink *sink;
  double makespan_s, wall_s; /* of the last run */
  uint64_t events;
  std::vector<double> wall; /* every measured run's wall time (reps after warm-up) */
  int runs;
};

int run_pipeline(pipe_arg *a) {
  aatgs_run_params p;
  aatgs_run_result res;
  aatgs_run_info info;
  aatgs_err e;
  aatgs_err_clear(&e);
  memset(&p, 0, sizeof p);
  memset(&info, 0, sizeof info);
  info.scenario = a->c->name;
  info.policy = g_policy->name;
  info.backend = "cuda";
  info.gpu = g_gpu;
  info.driver = g_driver;
  info.code_version = "bench_gpu";
  p.graph = a->g;
  p.policy = g_policy;
  p.backend = &aatgs_backend_cuda;
  p.profile = &g_profile;
  p.kernel_streams = (uint32_t)g_streams;
  p.seed = 1;
  p.noise_cv = 0;
  p.sink = a->sink;
  p.info = &info;
  double t0 = abh_now();
  int rc = aatgs_run_graph(&p, &res, &e);
  a->wall_s = abh_now() - t0;
  if (rc != AATGS_OK || res.status != AATGS_RUN_COMPLETED ||
      res.tasks_completed != aatgs_graph_num_tasks(a->g)) {
    fprintf(stderr, "bench_gpu: %s: pipeline run failed (%u of %u tasks): %s\n", a->c->name,
            res.tasks_completed, aatgs_graph_num_tasks(a->g), rc != AATGS_OK ? e.msg : res.error);
    return -1;
  }
  if (res.telemetry_overflows || res.config_overflows)
    printf("  note: %s pipeline: %" PRIu64 " telemetry, %" PRIu64 " config overflows\n", a->c->name,
           res.telemetry_overflows, res.config_overflows);
  a->makespan_s = (double)res.makespan_ns * 1e-9;
  a->events = res.events;
  a->wall.push_back(a->wall_s);
  a->runs++;
  return 0;
}

int pipe_us_per_task(void *arg, double *v) {
  pipe_arg *a = (pipe_arg *)arg;
  if (run_pipeline(a)) return -1;
  *v = a->makespan_s * 1e6 / aatgs_graph_num_tasks(a->g);
  return 0;
}

int pipe_makespan_ms(void *arg, double *v) {
  pipe_arg *a = (pipe_arg *)arg;
  if (run_pipeline(a)) return -1;
  *v = a->makespan_s * 1e3;
  return 0;
}

/* ------------------------------------------------------ b2b and CUDA Graph */

struct direct {
  const dag_case *c;
  aatgs_graph *g;
  uint32_t n;
  std::vector<uint32_t> topo, order, stream_of;
  std::vector<aatgs_ns> dur;
  std::vector<char> signal; /* the task has a successor on another stream */
  cudaStream_t s[64];
  std::vector<cudaEvent_t> ev;
  uint8_t *d_cfg;
  tel_record *d_tel;
  dev_state *d_state;
  std::vector<tel_record> h_tel;
  uint32_t tail; /* device tel_tail at the last check */
  uint32_t runs; /* runs since the last check */
  cudaGraph_t graph;
  cudaGraphExec_t exec;
  double instantiate_s;
};

int launch(direct *d, uint32_t t, cudaStream_t s) {
  task_kernel<<<1, 32, 0, s>>>(t, (uint64_t)d->dur[t], d->d_cfg, UINT32_MAX, 256, d->d_tel, d->n,
                               d->d_state, 0);
  return 0;
}

int direct_open(direct *d) {
  d->n = aatgs_graph_num_tasks(d->g);
  const uint32_t *topo = aatgs_graph_topo_order(d->g);
  d->topo.assign(topo, topo + d->n);
  d->dur.resize(d->n);
  for (uint32_t t = 0; t < d->n; t++)
    d->dur[t] = aatgs_graph_task_actual(d->g, t);
  d->signal.assign(d->n, 0);
  for (uint32_t t = 0; t < d->n; t++) {
    uint32_t ns;
    const uint32_t *succ = aatgs_graph_successors(d->g, t, &ns);
    for (uint32_t k = 0; k < ns; k++)
      if (d->stream_of[succ[k]] != d->stream_of[t]) d->signal[t] = 1;
  }
  for (int i = 0; i < g_streams; i++)
    CK(cudaStreamCreateWithFlags(&d->s[i], cudaStreamNonBlocking));
  d->ev.resize(d->n);
  for (uint32_t t = 0; t < d->n; t++)
    CK(cudaEventCreateWithFlags(&d->ev[t], cudaEventDisableTiming));
  CK(cudaMalloc(&d->d_cfg, 256));
  CK(cudaMemset(d->d_cfg, 0, 256));
  CK(cudaMalloc(&d->d_tel, (size_t)d->n * sizeof(tel_record)));
  CK(cudaMalloc(&d->d_state, sizeof(dev_state)));
  CK(cudaMemset(d->d_state, 0, sizeof(dev_state)));
  d->h_tel.resize(d->n);
  CK(cudaDeviceSynchronize());
  /* The graph: one kernel node per task, added in topological order. */
  CK(cudaGraphCreate(&d->graph, 0));
  std::vector<cudaGraphNode_t> node(d->n);
  std::vector<cudaGraphNode_t> deps;
  for (uint32_t i = 0; i < d->n; i++) {
    uint32_t t = d->topo[i], np;
    const uint32_t *pred = aatgs_graph_predecessors(d->g, t, &np);
    deps.clear();
    for (uint32_t k = 0; k < np; k++)
      deps.push_back(node[pred[k]]);
    uint32_t task = t, slot = UINT32_MAX, bytes = 256, cap = d->n, extra = 0;
    uint64_t dur = (uint64_t)d->dur[t];
    const uint8_t *cfg = d->d_cfg;
    tel_record *tel = d->d_tel;
    dev_state *st = d->d_state;
    void *args[] = {&task, &dur, &cfg, &slot, &bytes, &tel, &cap, &st, &extra};
    cudaKernelNodeParams kp;
    memset(&kp, 0, sizeof kp);
    kp.func = (void *)task_kernel;
    kp.gridDim = dim3(1);
    kp.blockDim = dim3(32);
    kp.kernelParams = args;
    CK(cudaGraphAddKernelNode(&node[t], d->graph, deps.empty() ? nullptr : deps.data(), deps.size(),
                              &kp));
  }
  double t0 = abh_now();
  CK(cudaGraphInstantiate(&d->exec, d->graph, 0));
  CK(cudaGraphUpload(d->exec, d->s[0]));
  CK(cudaStreamSynchronize(d->s[0]));
  d->instantiate_s = abh_now() - t0;
  return 0;
}

void direct_close(direct *d) {
  if (d->exec) cudaGraphExecDestroy(d->exec);
  if (d->graph) cudaGraphDestroy(d->graph);
  for (cudaEvent_t e : d->ev)
    if (e) cudaEventDestroy(e);
  for (int i = 0; i < g_streams; i++)
    if (d->s[i]) cudaStreamDestroy(d->s[i]);
  cudaFree(d->d_cfg);
  cudaFree(d->d_tel);
  cudaFree(d->d_state);
}

/* After runs: every run launched every task once, every task wrote its record
 * in the last run, and none started before one of its predecessors ended.
 * Returns 0, or -1 after saying what is wrong. */
int direct_check(direct *d, const char *who) {
  dev_state st;
  CK(cudaMemcpy(&st, d->d_state, sizeof st, cudaMemcpyDeviceToHost));
  if (st.tel_tail - d->tail != d->n * d->runs) {
    fprintf(stderr, "bench_gpu: %s %s: %u kernels ran in %u runs, expected %u\n", d->c->name, who,
            st.tel_tail - d->tail, d->runs, d->n * d->runs);
    return -1;
  }
  d->tail = st.tel_tail;
  d->runs = 0;
  CK(cudaMemcpy(d->h_tel.data(), d->d_tel, (size_t)d->n * sizeof(tel_record),
                cudaMemcpyDeviceToHost));
  std::vector<uint64_t> s0(d->n, 0), s1(d->n, 0);
  std::vector<char> seen(d->n, 0);
  for (const tel_record &r : d->h_tel)
    if (r.task < d->n) {
      seen[r.task] = 1;
      s0[r.task] = r.start_ns;
      s1[r.task] = r.end_ns;
    }
  for (uint32_t t = 0; t < d->n; t++) {
    if (!seen[t]) {
      fprintf(stderr, "bench_gpu: %s %s: task %u wrote no record\n", d->c->name, who, t);
      return -1;
    }
    uint32_t np;
    const uint32_t *pred = aatgs_graph_predecessors(d->g, t, &np);
    for (uint32_t k = 0; k < np; k++)
      if (s0[t] < s1[pred[k]]) {
        fprintf(stderr, "bench_gpu: %s %s: task %u started before its predecessor %u ended\n",
                d->c->name, who, t, pred[k]);
        return -1;
      }
  }
  return 0;
}

int b2b_one(void *arg, double *v) {
  direct *d = (direct *)arg;
  d->runs++;
  double t0 = abh_now();
  for (uint32_t t : d->topo)
    launch(d, t, d->s[0]);
  CK(cudaGetLastError());
  CK(cudaStreamSynchronize(d->s[0]));
  *v = (abh_now() - t0) * 1e6 / d->n;
  return 0;
}

int b2b_streams(void *arg, double *v) {
  direct *d = (direct *)arg;
  d->runs++;
  double t0 = abh_now();
  for (uint32_t t : d->order) {
    uint32_t si = d->stream_of[t], np;
    const uint32_t *pred = aatgs_graph_predecessors(d->g, t, &np);
    for (uint32_t k = 0; k < np; k++)
      if (d->stream_of[pred[k]] != si) CK(cudaStreamWaitEvent(d->s[si], d->ev[pred[k]], 0));
    launch(d, t, d->s[si]);
    if (d->signal[t]) CK(cudaEventRecord(d->ev[t], d->s[si]));
  }
  CK(cudaGetLastError());
  for (int i = 0; i < g_streams; i++)
    CK(cudaStreamSynchronize(d->s[i]));
  *v = (abh_now() - t0) * 1e6 / d->n;
  return 0;
}

int graph_replay(void *arg, double *v) {
  direct *d = (direct *)arg;
  d->runs++;
  double t0 = abh_now();
  CK(cudaGraphLaunch(d->exec, d->s[0]));
  CK(cudaStreamSynchronize(d->s[0]));
  *v = (abh_now() - t0) * 1e6 / d->n;
  return 0;
}

/* ------------------------------------------------------------------ output */

int emit(const char *bench, const char *cs, const char *cand, const char *metric, const char *unit,
         const double *x, int n, const char *extra) {
  abh_result r;
  memset(&r, 0, sizeof r);
  r.bench = bench;
  r.case_name = cs;
  r.candidate = cand;
  r.metric = metric;
  r.unit = unit;
  r.higher_is_better = 0;
  r.samples = x;
  r.n = n;
  r.extra = extra;
  return abh_emit(&r);
}

double med(const double *x, int n) {
  abh_stats s;
  abh_stats_of(x, n, &s);
  return s.median;
}

double mad(const double *x, int n) {
  abh_stats s;
  abh_stats_of(x, n, &s);
  return s.mad;
}

/* ------------------------------------------------------------ the figures */

int per_task_case(const dag_case *c) {
  aatgs_graph *g = nullptr;
  if (build_dag(c, &g)) return -1;
  uint32_t n = aatgs_graph_num_tasks(g);
  double work_us = 0;
  for (uint32_t t = 0; t < n; t++)
    work_us += (double)aatgs_graph_task_actual(g, t) * 1e-3;
  double lb_us = (double)aatgs_graph_lower_bound(g, (uint32_t)g_streams) * 1e-3;
  /* The pipeline's schedule, from one untimed recorded run. */
  capture cap;
  cap.stream_of.assign(n, 0);
  aatgs_sink csink = {&cap, cap_begin, cap_emit, cap_end};
  pipe_arg pa;
  pa.c = c;
  pa.g = g;
  pa.sink = &csink;
  pa.runs = 0;
  int rc = run_pipeline(&pa);
  if (rc == 0 && cap.order.size() != n) {
    fprintf(stderr, "bench_gpu: %s: captured %zu decisions for %u tasks\n", c->name,
            cap.order.size(), n);
    rc = -1;
  }
  pa.sink = nullptr;
  pa.wall.clear();
  direct d;
  memset(d.s, 0, sizeof d.s);
  d.c = c;
  d.g = g;
  d.order = cap.order;
  d.stream_of = cap.stream_of;
  d.d_cfg = nullptr;
  d.d_tel = nullptr;
  d.d_state = nullptr;
  d.tail = 0;
  d.runs = 0;
  d.graph = nullptr;
  d.exec = nullptr;
  double sp[MAX_REPS], s1[MAX_REPS], sn[MAX_REPS], sg[MAX_REPS], ratio[MAX_REPS];
  if (rc == 0) rc = direct_open(&d);
  if (rc == 0) rc = abh_run(pipe_us_per_task, &pa, g_warmup, g_reps, sp);
  /* b2b and graph: one run checked alone, then warm-up and timed runs, checked
   * together (kernel counts; order and records of the last run). */
  if (rc == 0) rc = b2b_one(&d, &s1[0]) || direct_check(&d, "b2b-1stream");
  if (rc == 0) rc = abh_run(b2b_one, &d, g_warmup, g_reps, s1) || direct_check(&d, "b2b-1stream");
  if (rc == 0) rc = b2b_streams(&d, &sn[0]) || direct_check(&d, "b2b-streams");
  if (rc == 0)
    rc = abh_run(b2b_streams, &d, g_warmup, g_reps, sn) || direct_check(&d, "b2b-streams");
  if (rc == 0) rc = graph_replay(&d, &sg[0]) || direct_check(&d, "graph");
  if (rc == 0) rc = abh_run(graph_replay, &d, g_warmup, g_reps, sg) || direct_check(&d, "graph");
  if (rc == 0) {
    std::vector<double> wall_us(pa.wall.end() - g_reps, pa.wall.end());
    for (double &w : wall_us)
      w *= 1e6 / n;
    char extra[768];
    snprintf(extra, sizeof extra,
             "\"tasks\":%u,\"edges\":%" PRIu64 ",\"kernel_streams\":%d,\"policy\":\"%s\","
             "\"work_us_per_task\":%.4g,\"lower_bound_us_per_task\":%.4g,\"gpu\":\"%s\","
             "\"driver\":\"%s\"",
             n, aatgs_graph_num_edges(g), g_streams, g_policy->name, work_us / n, lb_us / n, g_gpu,
             g_driver);
    char ex_p[1024], ex_g[1024];
    snprintf(ex_p, sizeof ex_p, "%s,\"wall_us_per_task\":%.4g", extra, med(wall_us.data(), g_reps));
    snprintf(ex_g, sizeof ex_g, "%s,\"instantiate_ms\":%.4g", extra, d.instantiate_s * 1e3);
    rc |= emit("gpu", c->name, "pipeline", "us_per_task", "us", sp, g_reps, ex_p);
    rc |= emit("gpu", c->name, "b2b-1stream", "us_per_task", "us", s1, g_reps, extra);
    rc |= emit("gpu", c->name, "b2b-streams", "us_per_task", "us", sn, g_reps, extra);
    rc |= emit("gpu", c->name, "graph", "us_per_task", "us", sg, g_reps, ex_g);
    const char *names[3] = {"pipeline/b2b-1stream", "pipeline/b2b-streams", "pipeline/graph"};
    const double *den[3] = {s1, sn, sg};
    double rmed[3];
    for (int k = 0; k < 3; k++) {
      abh_ratios(sp, den[k], g_reps, ratio);
      rmed[k] = med(ratio, g_reps);
      rc |= emit("gpu", c->name, names[k], "ratio", "x", ratio, g_reps, extra);
    }
    printf("%-22s %6u %8.2f %6.2f %8.2f %8.2f %8.2f %8.2f %7.2fx %7.2fx %7.2fx\n", c->name, n,
           med(sp, g_reps), mad(sp, g_reps), med(wall_us.data(), g_reps), med(s1, g_reps),
           med(sn, g_reps), med(sg, g_reps), rmed[0], rmed[1], rmed[2]);
    fflush(stdout);
  }
  direct_close(&d);
  aatgs_graph_destroy(g);
  return rc ? -1 : 0;
}

int remove_db(const char *path) {
  char side[4200];
  unlink(path);
  snprintf(side, sizeof side, "%s-wal", path);
  unlink(side);
  snprintf(side, sizeof side, "%s-shm", path);
  unlink(side);
  return 0;
}

int record_case(const dag_case *c, const char *db_path) {
  aatgs_graph *g = nullptr;
  aatgs_sqlite_sink *db = nullptr;
  aatgs_sink sink;
  aatgs_err e;
  aatgs_err_clear(&e);
  if (build_dag(c, &g)) return -1;
  remove_db(db_path);
  if (aatgs_sqlite_sink_open(&db, db_path, nullptr, &e) != AATGS_OK) {
    fprintf(stderr, "bench_gpu: %s\n", e.msg);
    aatgs_graph_destroy(g);
    return -1;
  }
  aatgs_sqlite_sink_as_sink(db, &sink);
  pipe_arg off, on;
  off.c = on.c = c;
  off.g = on.g = g;
  off.sink = nullptr;
  on.sink = &sink;
  off.runs = on.runs = 0;
  double a[MAX_REPS], b[MAX_REPS], ratio[MAX_REPS];
  int rc = abh_abab(pipe_makespan_ms, &off, pipe_makespan_ms, &on, g_warmup, g_reps, a, b);
  uint64_t rows = aatgs_sqlite_sink_rows_written(db);
  if (aatgs_sqlite_sink_close(db, &e) != AATGS_OK) {
    fprintf(stderr, "bench_gpu: %s\n", e.msg);
    rc = -1;
  }
  remove_db(db_path);
  if (rc == 0) {
    uint32_t n = aatgs_graph_num_tasks(g);
    char extra[768];
    snprintf(extra, sizeof extra,
             "\"tasks\":%u,\"kernel_streams\":%d,\"policy\":\"%s\",\"events_per_run\":%" PRIu64
             ",\"rows_written\":%" PRIu64 ",\"gpu\":\"%s\"",
             n, g_streams, g_policy->name, on.events, rows, g_gpu);
    /* abh_abab ran a then b for warm-up: the walls of the measured runs are the last reps. */
    std::vector<double> wa(off.wall.end() - g_reps, off.wall.end()),
        wb(on.wall.end() - g_reps, on.wall.end());
    for (int i = 0; i < g_reps; i++)
      wa[i] *= 1e3, wb[i] *= 1e3;
    rc |= emit("gpu_record", c->name, "no-sink", "makespan_ms", "ms", a, g_reps, extra);
    rc |= emit("gpu_record", c->name, "sqlite-sink", "makespan_ms", "ms", b, g_reps, extra);
    abh_ratios(b, a, g_reps, ratio);
    double r_ms = med(ratio, g_reps);
    rc |= emit("gpu_record", c->name, "sqlite-sink/no-sink", "makespan_ratio", "x", ratio, g_reps,
               extra);
    rc |= emit("gpu_record", c->name, "no-sink", "wall_ms", "ms", wa.data(), g_reps, extra);
    rc |= emit("gpu_record", c->name, "sqlite-sink", "wall_ms", "ms", wb.data(), g_reps, extra);
    abh_ratios(wb.data(), wa.data(), g_reps, ratio);
    double r_wall = med(ratio, g_reps);
    rc |=
        emit("gpu_record", c->name, "sqlite-sink/no-sink", "wall_ratio", "x", ratio, g_reps, extra);
    printf("%-22s %6u %9.3f %6.3f %9.3f %6.3f %7.3fx %9.3f %9.3f %7.3fx %9" PRIu64 "\n", c->name, n,
           med(a, g_reps), mad(a, g_reps), med(b, g_reps), mad(b, g_reps), r_ms,
           med(wa.data(), g_reps), med(wb.data(), g_reps), r_wall, rows);
    fflush(stdout);
  }
  aatgs_graph_destroy(g);
  return rc ? -1 : 0;
}

int fidelity(const char *db, const char *label) {
  aatgs_gate_fidelity *f = nullptr;
  aatgs_err e;
  aatgs_err_clear(&e);
  if (aatgs_gate_fidelity_check(db, nullptr, nullptr, 0.10, &f, &e) != AATGS_OK) {
    fprintf(stderr, "bench_gpu: %s\n", e.msg);
    return 1;
  }
  int n = f->n_pairs > ABH_MAX_REPS ? ABH_MAX_REPS : (int)f->n_pairs;
  std::vector<double> err(n > 0 ? n : 1), abs_err(n > 0 ? n : 1);
  printf("fidelity (%s): %d scenario x policy pairs of %s\n", label, n, db);
  printf("%-20s %-14s %-8s %12s %12s %9s\n", "scenario", "policy", "real", "sim ms", "real ms",
         "sim/real-1");
  for (int i = 0; i < n; i++) {
    const aatgs_fidelity_row *r = &f->pairs[i];
    err[i] = r->error;
    abs_err[i] = fabs(r->error);
    printf("%-20s %-14s %-8s %12.3f %12.3f %+9.4f\n", r->scenario, r->policy, r->backend, r->sim_ms,
           r->real_ms, r->error);
  }
  int rc = 0;
  if (n == 0) {
    fprintf(stderr, "bench_gpu: %s holds no sim/real pair\n", db);
    rc = 1;
  } else {
    char extra[256];
    snprintf(extra, sizeof extra, "\"pairs\":%d,\"max_abs_error\":%.6g,\"gate_threshold\":0.10", n,
             f->max_abs_error);
    rc |= emit("gpu_fidelity", label, "sim/cuda", "abs_makespan_error", "fraction", abs_err.data(),
               n, extra) != 0;
    rc |= emit("gpu_fidelity", label, "sim/cuda", "makespan_error", "fraction", err.data(), n,
               extra) != 0;
    printf("median |sim/real - 1| = %.4f, max %.4f over %d pairs\n", f->median_abs_error,
           f->max_abs_error, n);
  }
  aatgs_gate_fidelity_destroy(f);
  return rc;
}

} // namespace

int main(int argc, char **argv) {
  const char *policy = "fifo", *db_path = nullptr;
  int quick = 0, record = 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *v = i + 1 < argc ? argv[i + 1] : nullptr;
    if (!strcmp(a, "--fidelity")) {
      if (i + 2 >= argc) {
        fprintf(stderr, "bench_gpu: --fidelity needs DB LABEL\n");
        return 2;
      }
      return fidelity(argv[i + 1], argv[i + 2]);
    } else if (!strcmp(a, "--quick")) {
      quick = 1;
    } else if (!strcmp(a, "--no-record")) {
      record = 0;
    } else if (v && !strcmp(a, "--reps")) {
      g_reps = atoi(v), i++;
    } else if (v && !strcmp(a, "--warmup")) {
      g_warmup = atoi(v), i++;
    } else if (v && !strcmp(a, "--streams")) {
      g_streams = atoi(v), i++;
    } else if (v && !strcmp(a, "--policy")) {
      policy = v, i++;
    } else if (v && !strcmp(a, "--db")) {
      db_path = v, i++;
    } else {
      fprintf(stderr,
              "usage: bench_gpu [--reps N] [--warmup N] [--policy NAME] [--streams N] [--quick] "
              "[--db FILE] [--no-record]\n       bench_gpu --fidelity DB LABEL\n");
      return 2;
    }
  }
  if (g_reps < 2 || g_reps > MAX_REPS || g_warmup < 0 || g_streams < 1 || g_streams > 64) {
    fprintf(stderr, "bench_gpu: --reps must be 2..%d, --warmup >= 0, --streams 1..64\n", MAX_REPS);
    return 2;
  }
  g_policy = aatgs_policy_find(policy);
  if (!g_policy) {
    fprintf(stderr, "bench_gpu: unknown policy '%s' (see aatgs list policies)\n", policy);
    return 2;
  }
  if (!aatgs_backend_cuda.available()) {
    fprintf(stderr, "bench_gpu: no CUDA device present: nothing measured\n");
    return 1;
  }
  aatgs_err e;
  aatgs_err_clear(&e);
  if (aatgs_cuda_describe(g_gpu, sizeof g_gpu, g_driver, sizeof g_driver, &e) != AATGS_OK) {
    fprintf(stderr, "bench_gpu: %s\n", e.msg);
    return 1;
  }
  aatgs_profile_default(&g_profile);
  char tmp_db[256];
  if (!db_path) {
    const char *dir = getenv("TMPDIR");
    snprintf(tmp_db, sizeof tmp_db, "%s/bench_gpu_record_%d.db", dir && *dir ? dir : "/tmp",
             (int)getpid());
    db_path = tmp_db;
  }
  const aatgs_ns us = AATGS_NS_PER_US;
  const dag_case cases[] = {
      {"chain 1e3 ~0us", 1, 1000, 1, 1},
      {"chain 1e4 ~0us", 1, 10000, 1, 1},
      {"layered 1e3 ~0us", 0, 1000, 1, 1},
      {"layered 1e4 ~0us", 0, 10000, 1, 1},
      {"chain 1e3 20-50us", 1, 1000, 20 * us, 50 * us},
      {"layered 1e3 20-50us", 0, 1000, 20 * us, 50 * us},
      {"layered 1e4 20-50us", 0, 10000, 20 * us, 50 * us},
  };
  const int ncases = quick ? 6 : (int)(sizeof cases / sizeof cases[0]);
  printf("bench_gpu: %s, %s; policy %s, %d kernel streams, %d reps after %d warm-up\n", g_gpu,
         g_driver, g_policy->name, g_streams, g_reps, g_warmup);
  printf("\nus per task (median; pipeline = makespan of the dispatch loop, wall = the whole "
         "aatgs_run_graph call)\n");
  printf("%-22s %6s %8s %6s %8s %8s %8s %8s %8s %8s %8s\n", "case", "tasks", "pipeline", "mad",
         "wall", "b2b-1s", "b2b-Ns", "graph", "p/b2b1", "p/b2bN", "p/graph");
  int rc = 0;
  for (int i = 0; i < ncases && rc == 0; i++)
    rc = per_task_case(&cases[i]);
  if (rc == 0 && record) {
    printf(
        "\nrecording on and off (ABAB), ms (median, mad); wall = the whole call incl. run_end\n");
    printf("%-22s %6s %9s %6s %9s %6s %8s %9s %9s %8s %9s\n", "case", "tasks", "no-sink", "mad",
           "sink", "mad", "ratio", "wall off", "wall on", "ratio", "rows");
    const dag_case rec[] = {cases[5], cases[3], cases[1]};
    for (int i = 0; i < 3 && rc == 0; i++)
      rc = record_case(&rec[i], db_path);
  }
  aatgs_profile_free(&g_profile);
  return rc ? 1 : 0;
}
