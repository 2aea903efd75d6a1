/* test_cuda.c - the CUDA backend on a real GPU: the same dispatch loop and
 * policies as `sim`. Every test skips, saying why, where no device is present
 * (this machine, CI); they must pass on the GPU machine. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "dispatch.h"
#include "generators.h"
#ifdef AATGS_HAVE_CUDA
#include "backend_cuda.h"
#endif

static const aatgs_backend_ops *cuda_or_skip(void) {
  const aatgs_backend_ops *b = aatgs_backend_find("cuda");
  if (!b) cr_skip_test("the cuda backend is not built here (no nvcc at configure time)");
  if (!b->available()) cr_skip_test("no CUDA device present: GPU tests run on the GPU machine");
  return b;
}

typedef struct capture {
  aatgs_event *ev;
  size_t n, cap;
} capture;

static int cap_begin(void *ctx, const aatgs_run_info *info, aatgs_err *err) {
  (void)ctx, (void)info, (void)err;
  return AATGS_OK;
}
static int cap_emit(void *ctx, const aatgs_event *ev) {
  capture *c = ctx;
  if (c->n == c->cap) {
    c->cap = c->cap ? 2 * c->cap : 1024;
    c->ev = realloc(c->ev, c->cap * sizeof *c->ev);
  }
  c->ev[c->n++] = *ev;
  return AATGS_OK;
}
static int cap_end(void *ctx, const aatgs_run_result *res, aatgs_err *err) {
  (void)ctx, (void)res, (void)err;
  return AATGS_OK;
}

static int run(const aatgs_backend_ops *b, aatgs_graph *g, const aatgs_policy_ops *pol, uint32_t nk,
               capture *c, aatgs_run_result *res) {
  aatgs_profile pf;
  aatgs_sink sink = {c, cap_begin, cap_emit, cap_end};
  aatgs_run_params p;
  aatgs_err e;
  aatgs_profile_default(&pf);
  memset(&p, 0, sizeof p);
  p.graph = g;
  p.policy = pol;
  p.backend = b;
  p.profile = &pf;
  p.kernel_streams = nk;
  p.seed = 1;
  p.noise_cv = 0;
  p.sink = &sink;
  int rc = aatgs_run_graph(&p, res, &e);
  if (rc != AATGS_OK) cr_log_error("%s", e.msg);
  aatgs_profile_free(&pf);
  return rc;
}

/* A small phase pipeline: upload -> 3 kernels -> download, 4 replicas x 5 iterations. */
static aatgs_graph *pipeline(void) {
  aatgs_graph *g;
  aatgs_err e;
  cr_assert_eq(aatgs_graph_create(&g, 0, 0), AATGS_OK);
  for (uint32_t r = 0; r < 4; r++) {
    uint32_t prev = AATGS_TASK_NONE;
    for (uint32_t it = 0; it < 5; it++) {
      uint32_t up, k1, k2, k3, dl;
      cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_CONFIG_UPLOAD, 0, NULL, 0, &up, &e), AATGS_OK);
      aatgs_graph_set_bytes(g, up, 256);
      uint32_t d1[2] = {up, prev};
      cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_WHCR, 500000, d1,
                                        prev == AATGS_TASK_NONE ? 1 : 2, &k1, &e),
                   AATGS_OK);
      cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_QUANTUM, 800000, &k1, 1, &k2, &e), AATGS_OK);
      cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_LBS, 300000, &k2, 1, &k3, &e), AATGS_OK);
      cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_TELEMETRY_DOWNLOAD, 0, &k3, 1, &dl, &e),
                   AATGS_OK);
      prev = k3;
    }
  }
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK);
  return g;
}

Test(cuda, every_policy_runs_the_pipeline, .timeout = 120) {
  const aatgs_backend_ops *b = cuda_or_skip();
  aatgs_graph *g = pipeline();
  uint32_t n = aatgs_graph_num_tasks(g), kernels = 0;
  for (uint32_t v = 0; v < n; v++)
    kernels += aatgs_graph_task_class(g, v) == AATGS_CLASS_KERNEL;
  for (uint32_t i = 0; i < aatgs_policy_count(); i++) {
    capture c = {0};
    aatgs_run_result res;
    const aatgs_policy_ops *pol = aatgs_policy_at(i);
    cr_assert_eq(run(b, g, pol, 4, &c, &res), AATGS_OK, "%s", pol->name);
    cr_assert_eq(res.tasks_completed, n);
    aatgs_task_rec *t = calloc(n, sizeof *t);
    uint32_t *seen = calloc(n, sizeof *seen), tel_done = 0;
    for (size_t k = 0; k < c.n; k++) {
      if (c.ev[k].kind == AATGS_EV_TASK) {
        t[c.ev[k].u.task.task] = c.ev[k].u.task;
        seen[c.ev[k].u.task.task]++;
      } else if (c.ev[k].kind == AATGS_EV_TELEMETRY &&
                 c.ev[k].u.tel.kind == AATGS_TEL_TASK_COMPLETED) {
        tel_done++;
      }
    }
    for (uint32_t v = 0; v < n; v++) {
      cr_assert_eq(seen[v], 1, "%s: task %u ran %u times", pol->name, v, seen[v]);
      uint32_t np;
      const uint32_t *pred = aatgs_graph_predecessors(g, v, &np);
      for (uint32_t k = 0; k < np; k++)
        cr_assert_geq(t[v].start_ns + 2000, t[pred[k]].end_ns, "%s: %u began before %u ended",
                      pol->name, v, pred[k]);
    }
    cr_assert_eq(tel_done + res.telemetry_overflows + res.telemetry_evictions, kernels,
                 "%s: telemetry records %u + lost %llu != kernels %u", pol->name, tel_done,
                 (unsigned long long)(res.telemetry_overflows + res.telemetry_evictions), kernels);
    free(t);
    free(seen);
    free(c.ev);
  }
  aatgs_graph_destroy(g);
}

Test(cuda, kernel_durations_are_accurate, .timeout = 60) {
  const aatgs_backend_ops *b = cuda_or_skip();
  aatgs_graph *g;
  aatgs_err e;
  const aatgs_ns want[] = {200000, 1000000, 5000000};
  cr_assert_eq(aatgs_graph_create(&g, 0, 0), AATGS_OK);
  uint32_t prev = AATGS_TASK_NONE, id;
  for (int rep = 0; rep < 4; rep++)
    for (int k = 0; k < 3; k++) {
      cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_CUSTOM, want[k], &prev,
                                        prev == AATGS_TASK_NONE ? 0 : 1, &id, &e),
                   AATGS_OK);
      prev = id;
    }
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK);
  capture c = {0};
  aatgs_run_result res;
  cr_assert_eq(run(b, g, &aatgs_policy_fifo, 1, &c, &res), AATGS_OK);
  /* The kernel's own view (GPU global timer, from its telemetry record) must
   * match the request tightly; the loop's view (CUDA events around the
   * launch) adds launch gaps, so only its median is bounded. */
  double ratios[16];
  uint32_t nr = 0, ntel = 0;
  for (size_t k = 0; k < c.n; k++) {
    if (c.ev[k].kind == AATGS_EV_TELEMETRY && c.ev[k].u.tel.kind == AATGS_TEL_TASK_COMPLETED) {
      aatgs_ns w = aatgs_graph_task_estimate(g, c.ev[k].u.tel.u.done.task);
      aatgs_ns got = c.ev[k].u.tel.u.done.gpu_end_ns - c.ev[k].u.tel.u.done.gpu_start_ns;
      cr_log_info("kernel of %lld ns ran %lld ns by the GPU timer (%+.3f%%)", (long long)w,
                  (long long)got, 100.0 * (double)(got - w) / (double)w);
      cr_assert(got >= w && got <= w + w / 100 + 5000, "kernel of %lld ns ran %lld ns",
                (long long)w, (long long)got);
      ntel++;
    }
    if (c.ev[k].kind == AATGS_EV_TASK && nr < 16) {
      aatgs_ns w = aatgs_graph_task_estimate(g, c.ev[k].u.task.task);
      aatgs_ns got = c.ev[k].u.task.end_ns - c.ev[k].u.task.start_ns;
      ratios[nr++] = (double)got / (double)w;
      cr_log_info("kernel of %lld ns took %lld ns between its events (%+.2f%%)", (long long)w,
                  (long long)got, 100.0 * ((double)got / (double)w - 1.0));
    }
  }
  cr_assert_eq(ntel, 12, "every kernel's telemetry record arrived");
  for (uint32_t a = 0; a < nr; a++) /* insertion sort for the median */
    for (uint32_t k = a; k > 0 && ratios[k - 1] > ratios[k]; k--) {
      double t = ratios[k];
      ratios[k] = ratios[k - 1];
      ratios[k - 1] = t;
    }
  cr_assert_eq(nr, 12);
  cr_assert(ratios[nr / 2] >= 1.0 && ratios[nr / 2] <= 1.05, "median event/requested ratio %.4f",
            ratios[nr / 2]);
  free(c.ev);
  aatgs_graph_destroy(g);
}

Test(cuda, kernel_streams_overlap, .timeout = 60) {
  const aatgs_backend_ops *b = cuda_or_skip();
  aatgs_graph *g;
  aatgs_err e;
  uint32_t id;
  cr_assert_eq(aatgs_graph_create(&g, 0, 0), AATGS_OK);
  for (int k = 0; k < 4; k++) {
    cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_CUSTOM, 2000000, NULL, 0, &id, &e), AATGS_OK);
    aatgs_graph_set_blocks(g, id, 4);
  }
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK);
  capture c = {0};
  aatgs_run_result res;
  cr_assert_eq(run(b, g, &aatgs_policy_fifo, 4, &c, &res), AATGS_OK);
  cr_log_info("four 2 ms kernels on four streams: makespan %lld ns", (long long)res.makespan_ns);
  cr_assert_lt(res.makespan_ns, 3000000, "no overlap: makespan %lld ns",
               (long long)res.makespan_ns);
  free(c.ev);
  aatgs_graph_destroy(g);
}

/* A CUDA failure is a clear error naming the call, not a crash: a device
 * telemetry ring larger than any GPU's memory (4e9 x 64 B) cannot be
 * allocated. */
Test(cuda, a_cuda_failure_is_a_clear_error, .timeout = 60) {
  const aatgs_backend_ops *b = cuda_or_skip();
  aatgs_graph *g;
  aatgs_err e;
  uint32_t id;
  cr_assert_eq(aatgs_graph_create(&g, 0, 0), AATGS_OK);
  cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_CUSTOM, 1000, NULL, 0, &id, &e), AATGS_OK);
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK);
  aatgs_profile pf;
  aatgs_profile_default(&pf);
  pf.telemetry_slots = 4000000000u;
  aatgs_run_params p;
  aatgs_run_result res;
  memset(&p, 0, sizeof p);
  p.graph = g;
  p.policy = &aatgs_policy_fifo;
  p.backend = b;
  p.profile = &pf;
  p.kernel_streams = 1;
  aatgs_err_clear(&e);
  cr_assert_eq(aatgs_run_graph(&p, &res, &e), AATGS_EBACKEND);
  cr_assert(strstr(e.msg, "cudaMalloc") && strstr(e.msg, "memory"), "%s", e.msg);
  cr_log_info("%s", e.msg);
  cr_assert_eq(res.status, AATGS_RUN_FAILED);
  aatgs_graph_destroy(g);
  aatgs_profile_free(&pf);
}

/* The real workload: a tiled Cholesky (cuSOLVER potrf, cuBLAS trsm, syrk,
 * gemm on the kernel streams the policy picks), checked under every policy by
 * ||L L^T - A|| / ||A|| in double precision. */
Test(cuda, tiled_cholesky_is_correct_under_every_policy, .timeout = 180) {
  const aatgs_backend_ops *b = cuda_or_skip();
  aatgs_gen_args a;
  aatgs_err e;
  aatgs_graph *g = NULL;
  aatgs_gen_args_init(&a, aatgs_generator_find("cholesky"));
  cr_assert_eq(aatgs_gen_args_set(&a, "tiles", "8", &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_gen_args_set(&a, "tile", "256", &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_gen_generate(&a, 1, &g, &e), AATGS_OK, "%s", e.msg);
  for (uint32_t i = 0; i < aatgs_policy_count(); i++) {
    capture c = {0};
    aatgs_run_result res;
    const aatgs_policy_ops *pol = aatgs_policy_at(i);
    cr_assert_eq(run(b, g, pol, 4, &c, &res), AATGS_OK, "%s: %s", pol->name, res.error);
    cr_assert_eq(res.tasks_completed, 120);
    cr_assert(strstr(res.check, "||LL^T-A||/||A||"), "%s: check '%s'", pol->name, res.check);
    cr_log_info("%s: %s, makespan %.3f ms", pol->name, res.check, res.makespan_ns / 1e6);
    free(c.ev);
  }
  aatgs_graph_destroy(g);
}

/* Dependencies are enforced on the device (cudaStreamWaitEvent), not only by
 * the loop: B depends on A; both are submitted at once, on two streams,
 * before A ends, and B still starts after A's end. */
Test(cuda, the_device_enforces_dependencies, .timeout = 60) {
  const aatgs_backend_ops *b = cuda_or_skip();
  aatgs_graph *g;
  aatgs_err e;
  uint32_t a, bb;
  cr_assert_eq(aatgs_graph_create(&g, 0, 0), AATGS_OK);
  cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_CUSTOM, 2000000, NULL, 0, &a, &e), AATGS_OK);
  cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_CUSTOM, 100000, &a, 1, &bb, &e), AATGS_OK);
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK);
  aatgs_profile pf;
  aatgs_profile_default(&pf);
  aatgs_backend_config bc;
  memset(&bc, 0, sizeof bc);
  bc.graph = g;
  bc.profile = &pf;
  bc.kernel_streams = 2;
  aatgs_backend *be = NULL;
  cr_assert_eq(b->open(&be, &bc, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(b->submit(be, a, 0, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(b->submit(be, bb, 1, &e), AATGS_OK, "%s", e.msg); /* A is still running */
  aatgs_completion c[4], got[2];
  uint32_t n, k = 0;
  while (k < 2) {
    cr_assert_eq(b->wait(be, INT64_MAX, c, 4, &n, &e), AATGS_OK, "%s", e.msg);
    for (uint32_t i = 0; i < n; i++)
      got[c[i].task] = c[i];
    k += n;
  }
  cr_log_info("A %lld..%lld ns, B %lld..%lld ns", (long long)got[a].start_ns,
              (long long)got[a].end_ns, (long long)got[bb].start_ns, (long long)got[bb].end_ns);
  cr_assert_geq(got[bb].start_ns + 1000, got[a].end_ns, "B started before A ended");
  b->close(be);
  aatgs_graph_destroy(g);
}

#ifdef AATGS_HAVE_CUDA
/* Concurrent kernels share the SMs as the simulator models it: two kernels
 * that each fill every resident block slot for 1 ms take about 2 ms together,
 * on the GPU and in `sim` with the measured block_slots. */
Test(cuda, concurrent_kernels_share_the_sms_as_sim_models, .timeout = 60) {
  const aatgs_backend_ops *b = cuda_or_skip();
  aatgs_err e;
  uint32_t slots = 0, id;
  cr_assert_eq(aatgs_cuda_block_slots(&slots, &e), AATGS_OK, "%s", e.msg);
  cr_assert_gt(slots, 0);
  aatgs_graph *g;
  cr_assert_eq(aatgs_graph_create(&g, 0, 0), AATGS_OK);
  for (int k = 0; k < 2; k++) {
    cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_CUSTOM, 1000000, NULL, 0, &id, &e), AATGS_OK);
    aatgs_graph_set_blocks(g, id, slots);
  }
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK);
  capture c = {0};
  aatgs_run_result real, sim;
  cr_assert_eq(run(b, g, &aatgs_policy_fifo, 2, &c, &real), AATGS_OK);
  aatgs_profile pf;
  aatgs_profile_default(&pf);
  pf.block_slots = slots;
  aatgs_run_params p;
  memset(&p, 0, sizeof p);
  p.graph = g;
  p.policy = &aatgs_policy_fifo;
  p.backend = &aatgs_backend_sim;
  p.profile = &pf;
  p.kernel_streams = 2;
  p.noise_cv = 0;
  cr_assert_eq(aatgs_run_graph(&p, &sim, &e), AATGS_OK, "%s", e.msg);
  double ratio = (double)real.makespan_ns / (double)sim.makespan_ns;
  cr_log_info("%u slots: two full kernels took %.3f ms on the GPU, %.3f ms in sim (x%.3f)", slots,
              real.makespan_ns / 1e6, sim.makespan_ns / 1e6, ratio);
  cr_assert_gt(real.makespan_ns, 1800000, "the kernels did not contend: %lld ns",
               (long long)real.makespan_ns);
  cr_assert(ratio > 0.9 && ratio < 1.1, "real/sim %.3f", ratio);
  free(c.ev);
  aatgs_graph_destroy(g);
  aatgs_profile_free(&pf);
}
#endif

/* Short kernels: every poll finds a completion. The telemetry drain must
 * still start when the device ring passes its watermark (it once started
 * only after an empty poll, and 9,936 of 10,000 records overflowed). */
Test(cuda, short_kernels_still_drain_telemetry, .timeout = 120) {
  const aatgs_backend_ops *b = cuda_or_skip();
  aatgs_graph *g;
  aatgs_err e;
  const uint32_t n = 4000;
  cr_assert_eq(aatgs_graph_create(&g, n, 0), AATGS_OK);
  for (uint32_t v = 0; v < n; v++) {
    uint32_t id, dep = v - 1;
    cr_assert_eq(aatgs_graph_add_task(g, AATGS_TT_WHCR, 1000, &dep, v ? 1 : 0, &id, &e), AATGS_OK);
  }
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK);
  capture c = {0};
  aatgs_run_result res;
  cr_assert_eq(run(b, g, aatgs_policy_find("fifo"), 4, &c, &res), AATGS_OK);
  uint32_t tel_done = 0;
  for (size_t k = 0; k < c.n; k++)
    tel_done +=
        c.ev[k].kind == AATGS_EV_TELEMETRY && c.ev[k].u.tel.kind == AATGS_TEL_TASK_COMPLETED;
  cr_assert_eq(tel_done + res.telemetry_overflows + res.telemetry_evictions, n);
  cr_assert_lt(res.telemetry_overflows, n / 20, "%llu of %u telemetry records overflowed",
               (unsigned long long)res.telemetry_overflows, n);
  cr_log_info("short kernels: %u telemetry records, %llu overflowed", tel_done,
              (unsigned long long)res.telemetry_overflows);
  free(c.ev);
  aatgs_graph_destroy(g);
}
