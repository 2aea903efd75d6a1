/* probe.cu - measures the machine-profile constants of the simulator on a
 * real GPU and prints them as a profile YAML (the first step of
 * `aatgs calibrate`, issue [2]).
 *
 *   aatgs-gpu-probe [-o profile.yaml]
 *
 * Measures, on device 0, each as a median over repetitions:
 *  - launch_ns: back-to-back empty kernels on one stream (device time per
 *    kernel, CUDA events around a batch), and the host cost per launch call;
 *  - graph_node_ns: a CUDA Graph of empty kernels replayed (per node);
 *  - event_ns: cudaEventRecord + cudaEventQuery, host cost;
 *  - h2d/d2h latency: a batch of back-to-back 256-byte pinned async copies
 *    (device time per copy) and bandwidth: a 256 MiB pinned copy;
 *  - SM sharing: four 1 ms kernels on four streams, elapsed vs 1 ms.
 * Exit status 0 on success, 1 on a CUDA error (named), 2 on usage, 3 when no
 * device is present.
 */
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include <cuda_runtime.h>

#define CK(call)                                                                                   \
  do {                                                                                             \
    cudaError_t e_ = (call);                                                                       \
    if (e_ != cudaSuccess) {                                                                       \
      fprintf(stderr, "aatgs-gpu-probe: %s failed: %s (%s:%d)\n", #call, cudaGetErrorString(e_),   \
              __FILE__, __LINE__);                                                                 \
      exit(1);                                                                                     \
    }                                                                                              \
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

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  size_t n = v.size();
  return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

static double now_ns() {
  return (double)std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

static float elapsed_ms(cudaEvent_t a, cudaEvent_t b) {
  float ms = 0;
  CK(cudaEventElapsedTime(&ms, a, b));
  return ms;
}

int main(int argc, char **argv) {
  const char *out_path = nullptr;
  for (int i = 1; i < argc; i++) {
    if (!strcmp(argv[i], "-o") && i + 1 < argc)
      out_path = argv[++i];
    else {
      fprintf(stderr, "usage: aatgs-gpu-probe [-o profile.yaml]\n");
      return 2;
    }
  }
  int ndev = 0;
  if (cudaGetDeviceCount(&ndev) != cudaSuccess || ndev == 0) {
    fprintf(stderr, "aatgs-gpu-probe: no CUDA device present\n");
    return 3;
  }
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

  FILE *f = out_path ? fopen(out_path, "w") : stdout;
  if (!f) {
    fprintf(stderr, "aatgs-gpu-probe: cannot write '%s'\n", out_path);
    return 1;
  }
  fprintf(f, "# Measured by aatgs-gpu-probe (medians of %d repetitions) on device 0.\n", reps);
  fprintf(f, "# launch: host cost per launch call %.0f ns; device time per empty kernel %.0f ns.\n",
          median(launch_host), median(launch_dev));
  fprintf(f, "# four 1 ms kernels on four streams took %.3f ms (1.0 = full overlap).\n",
          median(conc));
  fprintf(f, "# driver %d, runtime %d\n", driver, runtime);
  fprintf(f, "name: probe\n");
  fprintf(f, "gpu: \"%s\"\n", prop.name);
  fprintf(f, "source: \"aatgs-gpu-probe: launch, graph replay, events, pinned copies, %d SMs\"\n",
          sms);
  fprintf(f, "launch_ns: %.0f\n", std::max(median(launch_dev), median(launch_host)));
  fprintf(f, "graph_node_ns: %.0f\n", median(graph_node));
  fprintf(f, "event_ns: %.0f\n", median(event_cost));
  fprintf(f, "h2d_latency_ns: %.0f\n", median(h2d_lat));
  fprintf(f, "h2d_gbps: %.2f\n", median(h2d_bw));
  fprintf(f, "d2h_latency_ns: %.0f\n", median(d2h_lat));
  fprintf(f, "d2h_gbps: %.2f\n", median(d2h_bw));
  fprintf(f, "sm_count: %d\n", sms);
  if (out_path) fclose(f);
  CK(cudaGraphExecDestroy(exec));
  CK(cudaGraphDestroy(graph));
  CK(cudaFreeHost(hbuf));
  CK(cudaFree(dbuf));
  return 0;
}
