/* calibrate.cu - `aatgs calibrate`: measures the simulator's machine-profile
 * constants on GPU 0 (see calibrate.h). */
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <cuda_runtime.h>

extern "C" {
#include "backend_cuda.h"
#include "calibrate.h"
#include "dispatch.h"
}

namespace {

#define CK(call)                                                                                   \
  do {                                                                                             \
    cudaError_t e_ = (call);                                                                       \
    if (e_ != cudaSuccess)                                                                         \
      return aatgs_err_set(err, AATGS_EBACKEND, "calibrate: %s failed: %s", #call,                 \
                           cudaGetErrorString(e_));                                                \
  } while (0)

__global__ void empty_kernel() {}

__device__ __forceinline__ unsigned long long global_ns() {
  unsigned long long t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

/* Spins for ns nanoseconds of the GPU's global timer. */
__global__ void spin_kernel(unsigned long long ns) {
  unsigned long long t0 = global_ns();
  while (global_ns() - t0 < ns) {
  }
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

double now_ns() {
  return (double)std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

float elapsed_ms(cudaEvent_t a, cudaEvent_t b) {
  float ms = 0;
  cudaEventElapsedTime(&ms, a, b);
  return ms;
}

/* Makespan per task of a chain of n tiny kernels run by the dispatch loop on
 * one kernel stream of backend `be` with profile p. */
int loop_cycle(const aatgs_backend_ops *be, const aatgs_profile *p, uint32_t n, double *per_task,
               aatgs_err *err) {
  aatgs_graph *g = nullptr;
  int rc = aatgs_graph_create(&g, n, n);
  for (uint32_t i = 0; rc == AATGS_OK && i < n; i++) {
    uint32_t id, prev = i - 1;
    rc = aatgs_graph_add_task(g, AATGS_TT_CUSTOM, 2000, &prev, i ? 1 : 0, &id, err);
  }
  if (rc == AATGS_OK) rc = aatgs_graph_finalize(g, err);
  aatgs_run_params rp;
  aatgs_run_result res;
  memset(&rp, 0, sizeof rp);
  rp.graph = g;
  rp.policy = &aatgs_policy_fifo;
  rp.backend = be;
  rp.profile = p;
  rp.kernel_streams = 1;
  rp.noise_cv = 0;
  if (rc == AATGS_OK) rc = aatgs_run_graph(&rp, &res, err);
  if (rc == AATGS_OK) *per_task = (double)res.makespan_ns / n;
  aatgs_graph_destroy(g);
  return rc;
}

} // namespace

extern "C" int aatgs_cuda_calibrate(aatgs_profile *p, FILE *log, aatgs_err *err) {
  int ndev = 0;
  if (cudaGetDeviceCount(&ndev) != cudaSuccess || ndev == 0)
    return aatgs_err_set(err, AATGS_EBACKEND, "calibrate: no CUDA device present");
  CK(cudaSetDevice(0));
  cudaDeviceProp prop;
  CK(cudaGetDeviceProperties(&prop, 0));
  int sms = 0, driver = 0, runtime = 0;
  CK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
  CK(cudaDriverGetVersion(&driver));
  CK(cudaRuntimeGetVersion(&runtime));
  cudaStream_t s[4];
  for (auto &x : s)
    CK(cudaStreamCreateWithFlags(&x, cudaStreamNonBlocking));
  cudaEvent_t e0, e1;
  CK(cudaEventCreate(&e0));
  CK(cudaEventCreate(&e1));
  const int reps = 9;

  /* Warm-up. */
  for (int i = 0; i < 1000; i++)
    empty_kernel<<<1, 1, 0, s[0]>>>();
  CK(cudaStreamSynchronize(s[0]));

  /* Launch: back-to-back empty kernels on one stream. */
  const int nlaunch = 20000;
  std::vector<double> launch_dev, launch_host;
  for (int r = 0; r < reps; r++) {
    CK(cudaEventRecord(e0, s[0]));
    double h0 = now_ns();
    for (int i = 0; i < nlaunch; i++)
      empty_kernel<<<1, 1, 0, s[0]>>>();
    double h1 = now_ns();
    CK(cudaEventRecord(e1, s[0]));
    CK(cudaEventSynchronize(e1));
    CK(cudaGetLastError());
    launch_dev.push_back(elapsed_ms(e0, e1) * 1e6 / nlaunch);
    launch_host.push_back((h1 - h0) / nlaunch);
  }

  /* Host cost of one submit as the cuda backend makes it: event, launch, event. */
  std::vector<double> submit_host;
  for (int r = 0; r < reps; r++) {
    const int n = 5000;
    double h0 = now_ns();
    for (int i = 0; i < n; i++) {
      CK(cudaEventRecord(e0, s[0]));
      empty_kernel<<<1, 32, 0, s[0]>>>();
      CK(cudaEventRecord(e1, s[0]));
    }
    submit_host.push_back((now_ns() - h0) / n);
    CK(cudaStreamSynchronize(s[0]));
  }

  /* Host cost of observing one completion as the cuda backend does: query
   * the end event, read two elapsed times from the origin. */
  std::vector<double> complete_host;
  CK(cudaEventRecord(e0, s[0]));
  CK(cudaEventRecord(e1, s[0]));
  CK(cudaEventSynchronize(e1));
  for (int r = 0; r < reps; r++) {
    const int n = 5000;
    float ms = 0;
    double h0 = now_ns();
    for (int i = 0; i < n; i++) {
      CK(cudaEventQuery(e1));
      CK(cudaEventElapsedTime(&ms, e0, e1));
      CK(cudaEventElapsedTime(&ms, e0, e1));
    }
    complete_host.push_back((now_ns() - h0) / n);
  }

  /* Timer-bounded kernels: requested vs measured (events). */
  const double want_ns[3] = {100e3, 1e6, 10e6};
  double accuracy[3];
  for (int k = 0; k < 3; k++) {
    std::vector<double> v;
    for (int r = 0; r < 5; r++) {
      CK(cudaEventRecord(e0, s[0]));
      spin_kernel<<<1, 32, 0, s[0]>>>((unsigned long long)want_ns[k]);
      CK(cudaEventRecord(e1, s[0]));
      CK(cudaEventSynchronize(e1));
      v.push_back(elapsed_ms(e0, e1) * 1e6 / want_ns[k]);
    }
    accuracy[k] = median(v);
  }

  /* CUDA Graph replay of the same kernels. */
  const int nodes = 2000;
  cudaGraph_t graph;
  cudaGraphExec_t exec;
  CK(cudaStreamBeginCapture(s[0], cudaStreamCaptureModeGlobal));
  for (int i = 0; i < nodes; i++)
    empty_kernel<<<1, 1, 0, s[0]>>>();
  CK(cudaStreamEndCapture(s[0], &graph));
  CK(cudaGraphInstantiate(&exec, graph, 0));
  CK(cudaGraphLaunch(exec, s[0]));
  CK(cudaStreamSynchronize(s[0]));
  std::vector<double> graph_node;
  for (int r = 0; r < reps; r++) {
    CK(cudaEventRecord(e0, s[0]));
    for (int k = 0; k < 10; k++)
      CK(cudaGraphLaunch(exec, s[0]));
    CK(cudaEventRecord(e1, s[0]));
    CK(cudaEventSynchronize(e1));
    graph_node.push_back(elapsed_ms(e0, e1) * 1e6 / (10.0 * nodes));
  }

  /* Event record + query, host cost. */
  std::vector<double> event_cost;
  for (int r = 0; r < reps; r++) {
    const int n = 20000;
    double h0 = now_ns();
    for (int i = 0; i < n; i++) {
      CK(cudaEventRecord(e0, s[1]));
      (void)cudaEventQuery(e0);
    }
    event_cost.push_back((now_ns() - h0) / n);
    CK(cudaStreamSynchronize(s[1]));
  }

  /* Copies from and to pinned memory. */
  const size_t small = 256, big = (size_t)256 << 20;
  void *hbuf, *dbuf;
  CK(cudaMallocHost(&hbuf, big));
  CK(cudaMalloc(&dbuf, big));
  memset(hbuf, 1, big);
  std::vector<double> h2d_lat, d2h_lat, h2d_bw, d2h_bw;
  for (int r = 0; r < reps; r++) {
    const int n = 2000;
    CK(cudaEventRecord(e0, s[2]));
    for (int i = 0; i < n; i++)
      CK(cudaMemcpyAsync(dbuf, hbuf, small, cudaMemcpyHostToDevice, s[2]));
    CK(cudaEventRecord(e1, s[2]));
    CK(cudaEventSynchronize(e1));
    h2d_lat.push_back(elapsed_ms(e0, e1) * 1e6 / n);
    CK(cudaEventRecord(e0, s[3]));
    for (int i = 0; i < n; i++)
      CK(cudaMemcpyAsync(hbuf, dbuf, small, cudaMemcpyDeviceToHost, s[3]));
    CK(cudaEventRecord(e1, s[3]));
    CK(cudaEventSynchronize(e1));
    d2h_lat.push_back(elapsed_ms(e0, e1) * 1e6 / n);
    CK(cudaEventRecord(e0, s[2]));
    CK(cudaMemcpyAsync(dbuf, hbuf, big, cudaMemcpyHostToDevice, s[2]));
    CK(cudaEventRecord(e1, s[2]));
    CK(cudaEventSynchronize(e1));
    h2d_bw.push_back((double)big / (elapsed_ms(e0, e1) * 1e6));
    CK(cudaEventRecord(e0, s[3]));
    CK(cudaMemcpyAsync(hbuf, dbuf, big, cudaMemcpyDeviceToHost, s[3]));
    CK(cudaEventRecord(e1, s[3]));
    CK(cudaEventSynchronize(e1));
    d2h_bw.push_back((double)big / (elapsed_ms(e0, e1) * 1e6));
  }

  /* Four 1 ms single-block kernels on four streams. */
  std::vector<double> conc;
  for (int r = 0; r < reps; r++) {
    CK(cudaDeviceSynchronize());
    CK(cudaEventRecord(e0, s[0]));
    for (int k = 1; k < 4; k++)
      CK(cudaStreamWaitEvent(s[k], e0, 0));
    for (int k = 0; k < 4; k++)
      spin_kernel<<<1, 32, 0, s[k]>>>(1000000ULL);
    cudaEvent_t done[4];
    for (int k = 0; k < 4; k++) {
      CK(cudaEventCreate(&done[k]));
      CK(cudaEventRecord(done[k], s[k]));
      CK(cudaStreamWaitEvent(s[0], done[k], 0));
    }
    CK(cudaEventRecord(e1, s[0]));
    CK(cudaEventSynchronize(e1));
    conc.push_back(elapsed_ms(e0, e1));
    for (auto &d : done)
      CK(cudaEventDestroy(d));
  }

  aatgs_profile_default(p);
  snprintf(p->name, sizeof p->name, "calibrated");
  snprintf(p->gpu, sizeof p->gpu, "%s", prop.name);
  snprintf(p->source, sizeof p->source,
           "aatgs calibrate on device 0: medians of %d repetitions, driver %d, runtime %d", reps,
           driver, runtime);
  p->launch_ns = (aatgs_ns)std::max(median(launch_dev), median(launch_host));
  p->graph_node_ns = (aatgs_ns)median(graph_node);
  p->event_ns = (aatgs_ns)median(event_cost);
  p->host_submit_ns = (aatgs_ns)median(submit_host);
  p->host_complete_ns = (aatgs_ns)median(complete_host);
  p->h2d_latency_ns = (aatgs_ns)median(h2d_lat);
  p->h2d_gbps = median(h2d_bw);
  p->d2h_latency_ns = (aatgs_ns)median(d2h_lat);
  p->d2h_gbps = median(d2h_bw);
  p->sm_count = (uint32_t)sms;
  uint32_t slots = 0;
  int src = aatgs_cuda_block_slots(&slots, err);
  if (src != AATGS_OK) return src;
  p->block_slots = slots;
  /* Sharing under contention: one kernel filling every slot for 1 ms, then
   * two such kernels at once on two streams (the sim predicts 2x). */
  double alone = 0, pair = 0;
  for (int round = 0; round < 2; round++) {
    std::vector<double> v;
    for (int r = 0; r < 5; r++) {
      CK(cudaDeviceSynchronize());
      CK(cudaEventRecord(e0, s[0]));
      CK(cudaStreamWaitEvent(s[1], e0, 0));
      spin_kernel<<<slots, 32, 0, s[0]>>>(1000000ULL);
      if (round) spin_kernel<<<slots, 32, 0, s[1]>>>(1000000ULL);
      cudaEvent_t d1;
      CK(cudaEventCreate(&d1));
      CK(cudaEventRecord(d1, s[1]));
      CK(cudaStreamWaitEvent(s[0], d1, 0));
      CK(cudaEventRecord(e1, s[0]));
      CK(cudaEventSynchronize(e1));
      CK(cudaEventDestroy(d1));
      v.push_back(elapsed_ms(e0, e1));
    }
    (round ? pair : alone) = median(v);
  }
  /* End to end: whatever the dispatch loop costs per task beyond the pieces
   * measured above (polling, bookkeeping) is charged to host_complete_ns, so
   * that `sim` reproduces the real cycle of a chain of tiny kernels. */
  double real_cycle = 0, sim_cycle = 0;
  int lrc = loop_cycle(&aatgs_backend_cuda, p, 300, &real_cycle, err); /* warm-up */
  if (lrc == AATGS_OK) lrc = loop_cycle(&aatgs_backend_cuda, p, 3000, &real_cycle, err);
  if (lrc == AATGS_OK) lrc = loop_cycle(&aatgs_backend_sim, p, 3000, &sim_cycle, err);
  if (lrc != AATGS_OK) return lrc;
  if (real_cycle > sim_cycle) p->host_complete_ns += (aatgs_ns)(real_cycle - sim_cycle);
  if (log) {
    fprintf(log,
            "  dispatch loop, chain of 2 us kernels: real %.0f ns per task, sim %.0f ns before "
            "the correction; host_complete_ns now %lld\n",
            real_cycle, sim_cycle, (long long)p->host_complete_ns);
    fprintf(log, "calibrate: %s, %d SMs, driver %d, runtime %d\n", prop.name, sms, driver, runtime);
    fprintf(log, "  launch, back to back on one stream: host %.0f ns, device %.0f ns per kernel\n",
            median(launch_host), median(launch_dev));
    fprintf(log, "  submit (event + launch + event), host: %.0f ns\n", median(submit_host));
    fprintf(log, "  completion (event query + 2 elapsed times), host: %.0f ns\n",
            median(complete_host));
    fprintf(log, "  CUDA Graph replay: %.0f ns per node\n", median(graph_node));
    fprintf(log, "  event record + query, host: %.0f ns\n", median(event_cost));
    fprintf(
        log,
        "  pinned 256 B copies: H2D %.0f ns, D2H %.0f ns; 256 MiB: H2D %.2f GB/s, D2H %.2f GB/s\n",
        median(h2d_lat), median(d2h_lat), median(h2d_bw), median(d2h_bw));
    fprintf(log,
            "  timer-bounded kernels, measured / requested: 100 us %.4f, 1 ms %.4f, 10 ms %.4f\n",
            accuracy[0], accuracy[1], accuracy[2]);
    fprintf(log, "  four 1 ms kernels on four streams: %.3f ms (1.0 = full overlap)\n",
            median(conc));
    fprintf(log,
            "  contention: %u resident blocks; one 1 ms kernel filling them %.3f ms, two at once "
            "%.3f ms (x%.2f; sim predicts x2.00)\n",
            slots, alone, pair, alone > 0 ? pair / alone : 0.0);
  }
  CK(cudaGraphExecDestroy(exec));
  CK(cudaGraphDestroy(graph));
  CK(cudaFreeHost(hbuf));
  CK(cudaFree(dbuf));
  for (auto &x : s)
    CK(cudaStreamDestroy(x));
  CK(cudaEventDestroy(e0));
  CK(cudaEventDestroy(e1));
  return AATGS_OK;
}
