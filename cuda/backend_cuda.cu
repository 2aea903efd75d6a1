/* backend_cuda.cu - the real GPU stream pipeline (see backend_cuda.h).
 *
 * Perturbations (perturb.h) as the real pipeline applies them:
 *  - misestimate, slow_stream and interference set a synthetic kernel's spin
 *    time when it is submitted (aatgs_backend_kernel_time: the interference
 *    burst in force at the host submit time, relative to the run start,
 *    scales the whole kernel; the simulator changes the rate mid-kernel
 *    instead). The real Cholesky workload cannot be slowed: those three are
 *    rejected at open for it.
 *  - config_storm: due uploads are queued on the config-upload stream (in
 *    stream order with the graph's uploads) from a pinned constant config,
 *    each publishing its own head word, and counted into the device config
 *    ring when their batch's event completes (overflows as for any upload).
 *  - telemetry_flood: a kernel submitted in the window writes per_kernel extra
 *    records (task FLOOD_TASK) into the device telemetry ring after its own;
 *    drains move them and the collector drops them.
 *  - edge transfers (profile edge_latency_ns / edge_gbps): a kernel whose
 *    predecessor kernel ran on another stream is preceded on its stream by a
 *    one-thread kernel that spins until that predecessor's end + transfer
 *    time (device global timer), so its start event comes after it.
 */
#include <cuda_runtime.h>

#include "cholesky.h"

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>

extern "C" {
#include "backend_cuda.h"
#include "ring.h"
#include "rng.h"
#if defined(AATGS_HAVE_NVTX)
#include "nvtx_sink.h"
#endif
}

#include "task_kernel.cuh"

namespace {

/* Holds a stream until the global timer reaches t (an edge's transfer). */
__global__ void wait_until_kernel(uint64_t t) {
  while (global_ns() < t) {
  }
}

__global__ void stamp_kernel(uint64_t *out) { *out = global_ns(); }

enum op_kind { OP_NONE = 0, OP_TASK = 1, OP_DRAIN = 2 };

struct stream_slot {
  cudaStream_t s;
  cudaEvent_t ev0, ev1;
  op_kind op;
  uint32_t task;
  uint32_t extra; /* flood records the running kernel writes */
  aatgs_ns submit_ns;
};

/* Config-storm uploads issued together, counted when their event completes. */
#define STORM_EVENTS 64
struct storm_batch {
  cudaEvent_t ev;
  uint32_t count;
};

struct cuda_be {
  aatgs_backend_config cfg;
  const aatgs_graph *g;
  const aatgs_profile *pf;
  uint32_t nk, ns;
  aatgs_stream_info *info;
  stream_slot *ss;
  cudaEvent_t origin;
  aatgs_ns origin_host_ns;
  uint64_t gpu_origin_ns;
  /* config ring */
  uint32_t cfg_slots, cfg_bytes;
  uint8_t *d_cfg, *h_cfg_staging;
  uint32_t *h_cfg_heads; /* pinned: the head value each upload publishes */
  aatgs_ring *host_cfg;
  uint8_t *cfg_item;
  uint64_t uploads_done, cfg_consumed_host, cfg_overflows, uploads_issued;
  /* telemetry ring */
  uint32_t tel_slots;
  tel_record *d_tel, *h_tel;
  dev_state *d_state, *h_state;
  uint64_t tel_consumed, tel_overflows, drains, kernels_done;
  /* device-side dependencies: the event each task records when it ends and
   * the stream it ran on (created at its submit) */
  cudaEvent_t *task_ev;
  uint32_t *task_stream;
  /* the real Cholesky workload, when the graph is one (cholesky.h) */
  aatgs_chol *chol;
  /* perturbations */
  aatgs_bursts bursts;
  uint64_t tel_written;    /* records kernels wrote (their own and flood records) */
  uint8_t *h_storm_cfg;    /* pinned: the config every storm upload carries */
  uint32_t *h_storm_heads; /* pinned: the head word each storm upload publishes */
  uint32_t storm_issued;
  storm_batch storm[STORM_EVENTS]; /* a FIFO of batches in flight */
  uint32_t storm_head, storm_n;
  aatgs_ns *task_end; /* edges: end of each finished kernel (device time), -1: none */
  /* accounting */
  aatgs_ns busy_done;
  aatgs_completion *done;
  uint32_t n_done, done_head;
};

cuda_be *B(aatgs_backend *b) { return (cuda_be *)(void *)b; }

aatgs_ns host_ns() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (aatgs_ns)ts.tv_sec * AATGS_NS_PER_S + ts.tv_nsec;
}

int fail(aatgs_err *err, const char *call, cudaError_t e) {
  return aatgs_err_set(err, AATGS_EBACKEND, "cuda: %s failed: %s (%s)", call, cudaGetErrorString(e),
                       cudaGetErrorName(e));
}

#define CK(call)                                                                                   \
  do {                                                                                             \
    cudaError_t e_ = (call);                                                                       \
    if (e_ != cudaSuccess) return fail(err, #call, e_);                                            \
  } while (0)

int cuda_available(void) {
  int n = 0;
  return cudaGetDeviceCount(&n) == cudaSuccess && n > 0;
}

void cuda_close(aatgs_backend *b) {
  cuda_be *c = B(b);
  if (!c) return;
  if (c->ss) {
    for (uint32_t i = 0; i < c->ns; i++) {
      if (c->ss[i].s) cudaStreamSynchronize(c->ss[i].s);
      if (c->ss[i].ev0) cudaEventDestroy(c->ss[i].ev0);
      if (c->ss[i].ev1) cudaEventDestroy(c->ss[i].ev1);
      if (c->ss[i].s) cudaStreamDestroy(c->ss[i].s);
    }
  }
  aatgs_chol_close(c->chol);
  if (c->task_ev) {
    for (uint32_t t = 0; t < aatgs_graph_num_tasks(c->g); t++)
      if (c->task_ev[t]) cudaEventDestroy(c->task_ev[t]);
    free(c->task_ev);
  }
  free(c->task_stream);
  free(c->task_end);
  for (uint32_t i = 0; i < STORM_EVENTS; i++)
    if (c->storm[i].ev) cudaEventDestroy(c->storm[i].ev);
  cudaFreeHost(c->h_storm_cfg);
  cudaFreeHost(c->h_storm_heads);
  if (c->origin) cudaEventDestroy(c->origin);
  cudaFree(c->d_cfg);
  cudaFree(c->d_tel);
  cudaFree(c->d_state);
  cudaFreeHost(c->h_cfg_staging);
  cudaFreeHost(c->h_cfg_heads);
  cudaFreeHost(c->h_tel);
  cudaFreeHost(c->h_state);
  aatgs_ring_destroy(c->host_cfg);
  free(c->cfg_item);
  free(c->ss);
  free(c->info);
  free(c->done);
  free(c);
}

int cuda_setup(cuda_be *c, aatgs_err *err) {
  int ndev = 0;
  CK(cudaGetDeviceCount(&ndev));
  if (ndev == 0) return aatgs_err_set(err, AATGS_EBACKEND, "cuda: no device present");
  CK(cudaSetDevice(0));
  for (uint32_t i = 0; i < c->ns; i++) {
    CK(cudaStreamCreateWithFlags(&c->ss[i].s, cudaStreamNonBlocking));
#if defined(AATGS_HAVE_NVTX)
    aatgs_nvtx_name_stream(c->ss[i].s, c->info[i].name); /* named in Nsight Systems */
#endif
    CK(cudaEventCreate(&c->ss[i].ev0));
    CK(cudaEventCreate(&c->ss[i].ev1));
  }
  CK(cudaEventCreate(&c->origin));
  CK(cudaMalloc(&c->d_cfg, (size_t)c->cfg_slots * c->cfg_bytes));
  CK(cudaMemset(c->d_cfg, 0, (size_t)c->cfg_slots * c->cfg_bytes));
  CK(cudaMallocHost(&c->h_cfg_staging, (size_t)c->cfg_slots * c->cfg_bytes));
  CK(cudaMallocHost(&c->h_cfg_heads, (size_t)c->cfg_slots * sizeof *c->h_cfg_heads));
  CK(cudaMalloc(&c->d_tel, (size_t)c->tel_slots * sizeof(tel_record)));
  CK(cudaMallocHost(&c->h_tel, (size_t)c->tel_slots * sizeof(tel_record)));
  CK(cudaMalloc(&c->d_state, sizeof(dev_state)));
  CK(cudaMemset(c->d_state, 0, sizeof(dev_state)));
  CK(cudaMallocHost(&c->h_state, sizeof(dev_state)));
  memset(c->h_state, 0, sizeof(dev_state));
  /* Load the task kernel's module now (lazy loading would otherwise charge
   * the first task for it). */
  task_kernel<<<1, 32, 0, c->ss[0].s>>>(UINT32_MAX, 0, c->d_cfg, UINT32_MAX, c->cfg_bytes, c->d_tel,
                                        c->tel_slots, c->d_state, 0);
  CK(cudaGetLastError());
  CK(cudaStreamSynchronize(c->ss[0].s));
  /* The origin of device time, and the global timer at that moment. */
  uint64_t *d_stamp = nullptr, h_stamp = 0;
  CK(cudaMalloc(&d_stamp, sizeof *d_stamp));
  stamp_kernel<<<1, 1, 0, c->ss[0].s>>>(d_stamp);
  CK(cudaGetLastError());
  CK(cudaEventRecord(c->origin, c->ss[0].s));
  CK(cudaMemcpyAsync(&h_stamp, d_stamp, sizeof h_stamp, cudaMemcpyDeviceToHost, c->ss[0].s));
  CK(cudaStreamSynchronize(c->ss[0].s));
  c->origin_host_ns = host_ns();
  c->gpu_origin_ns = h_stamp;
  CK(cudaFree(d_stamp));
  const aatgs_perturb *pt = c->cfg.perturb;
  if (pt && pt->config_storm.on) {
    CK(cudaMallocHost(&c->h_storm_cfg, c->cfg_bytes));
    memset(c->h_storm_cfg, 0, c->cfg_bytes);
    memcpy(c->h_storm_cfg, &pt->config_storm.count, sizeof pt->config_storm.count);
    CK(cudaMallocHost(&c->h_storm_heads, (size_t)pt->config_storm.count * sizeof(uint32_t)));
    for (uint32_t i = 0; i < STORM_EVENTS; i++)
      CK(cudaEventCreateWithFlags(&c->storm[i].ev, cudaEventDisableTiming));
  }
  return AATGS_OK;
}

int cuda_open(aatgs_backend **out, const aatgs_backend_config *cfg, aatgs_err *err) {
  const aatgs_profile *pf = cfg->profile;
  if (!cfg->graph || !pf || cfg->kernel_streams == 0)
    return aatgs_err_set(err, AATGS_EINVAL, "cuda: graph, profile and >= 1 kernel stream required");
  cuda_be *c = (cuda_be *)calloc(1, sizeof *c);
  if (!c) return aatgs_err_set(err, AATGS_ENOMEM, "cuda: out of memory");
  c->cfg = *cfg;
  c->g = cfg->graph;
  c->pf = pf;
  c->nk = cfg->kernel_streams;
  c->ns = c->nk + 2;
  c->cfg_slots = pf->config_slots ? pf->config_slots : 16;
  c->cfg_bytes = pf->config_slot_bytes >= 8 ? pf->config_slot_bytes : 256;
  c->tel_slots = pf->telemetry_slots ? pf->telemetry_slots : 64;
  c->info = (aatgs_stream_info *)calloc(c->ns, sizeof *c->info);
  c->ss = (stream_slot *)calloc(c->ns, sizeof *c->ss);
  c->done = (aatgs_completion *)calloc(c->ns, sizeof *c->done);
  c->cfg_item = (uint8_t *)calloc(1, c->cfg_bytes);
  c->task_ev = (cudaEvent_t *)calloc(aatgs_graph_num_tasks(c->g) + 1, sizeof *c->task_ev);
  c->task_stream = (uint32_t *)malloc((aatgs_graph_num_tasks(c->g) + 1) * sizeof *c->task_stream);
  int rc = aatgs_perturb_check(cfg->perturb, c->g, c->nk, err);
  if (rc != AATGS_OK) {
    aatgs_err_prefix(err, "cuda");
    goto fail;
  }
  if (pf->edge_latency_ns > 0 || pf->edge_gbps > 0) {
    c->task_end = (aatgs_ns *)malloc((aatgs_graph_num_tasks(c->g) + 1) * sizeof *c->task_end);
    if (!c->task_end) {
      rc = aatgs_err_set(err, AATGS_ENOMEM, "cuda: out of memory");
      goto fail;
    }
    for (uint32_t t = 0; t < aatgs_graph_num_tasks(c->g); t++)
      c->task_end[t] = -1;
  }
  aatgs_bursts_init(&c->bursts, cfg->perturb, cfg->seed);
  if (!c->info || !c->ss || !c->done || !c->cfg_item || !c->task_ev || !c->task_stream ||
      aatgs_ring_create(&c->host_cfg, c->cfg_slots, c->cfg_bytes) != AATGS_OK) {
    rc = aatgs_err_set(err, AATGS_ENOMEM, "cuda: out of memory");
    goto fail;
  }
  for (uint32_t t = 0; t < aatgs_graph_num_tasks(c->g); t++)
    c->task_stream[t] = UINT32_MAX;
  aatgs_backend_fill_streams(c->info, c->nk);
  rc = cuda_setup(c, err);
  if (rc != AATGS_OK) goto fail;
  if (aatgs_chol_detect(c->g)) {
    const aatgs_perturb *pt = cfg->perturb;
    if (pt && (pt->misestimate.on || pt->interference.on || pt->nslow > 0)) {
      rc = aatgs_err_set(err, AATGS_EINVAL,
                         "cuda: perturb misestimate, interference and slow_stream scale synthetic "
                         "kernels; the real Cholesky workload cannot be slowed (use the sim "
                         "backend, or config_storm / telemetry_flood only)");
      goto fail;
    }
    cudaStream_t *ks = (cudaStream_t *)malloc(c->nk * sizeof *ks);
    if (!ks) {
      rc = aatgs_err_set(err, AATGS_ENOMEM, "cuda: out of memory");
      goto fail;
    }
    for (uint32_t i = 0; i < c->nk; i++)
      ks[i] = c->ss[i].s;
    rc = aatgs_chol_open(&c->chol, c->g, ks, c->nk, cfg->seed, err);
    free(ks);
    if (rc != AATGS_OK) goto fail;
  }
  *out = (aatgs_backend *)(void *)c;
  return AATGS_OK;
fail:
  cuda_close((aatgs_backend *)(void *)c);
  return rc;
}

const aatgs_stream_info *cuda_streams(aatgs_backend *b, uint32_t *n) {
  *n = B(b)->ns;
  return B(b)->info;
}

aatgs_ns cuda_now(aatgs_backend *b) { return host_ns() - B(b)->origin_host_ns; }

/* The kernel's spin time: its work under the perturbation (stream, burst at
 * the submit time). */
aatgs_ns actual_ns(cuda_be *c, uint32_t task, uint32_t stream, aatgs_ns now) {
  return aatgs_backend_kernel_time(&c->cfg, &c->bursts, task, stream, now);
}

/* A config reached the device config ring (an upload's copy completed). */
void config_landed(cuda_be *c) {
  c->uploads_done++;
  if (c->uploads_done - c->cfg_consumed_host > c->cfg_slots) {
    c->cfg_overflows++;
    c->cfg_consumed_host++; /* the oldest config was overwritten */
  }
}

/* Queues the config-storm uploads that are due on the upload stream. */
int storm_issue(cuda_be *c, aatgs_ns now, aatgs_err *err) {
  const aatgs_perturb *pt = c->cfg.perturb;
  uint32_t k = 0;
  if (!c->h_storm_heads || c->storm_n == STORM_EVENTS) return AATGS_OK;
  cudaStream_t s = c->ss[c->nk].s;
  while (c->storm_issued < pt->config_storm.count &&
         aatgs_perturb_storm_time(pt, c->storm_issued) <= now) {
    uint64_t n = c->uploads_issued++;
    uint32_t slot = (uint32_t)(n % c->cfg_slots);
    c->h_storm_heads[c->storm_issued] = (uint32_t)(n + 1);
    CK(cudaMemcpyAsync(c->d_cfg + (size_t)slot * c->cfg_bytes, c->h_storm_cfg, c->cfg_bytes,
                       cudaMemcpyHostToDevice, s));
    CK(cudaMemcpyAsync(&c->d_state->cfg_head, &c->h_storm_heads[c->storm_issued], sizeof(uint32_t),
                       cudaMemcpyHostToDevice, s));
    c->storm_issued++;
    k++;
  }
  if (k == 0) return AATGS_OK;
  storm_batch *sb = &c->storm[(c->storm_head + c->storm_n) % STORM_EVENTS];
  CK(cudaEventRecord(sb->ev, s));
  sb->count = k;
  c->storm_n++;
  return AATGS_OK;
}

/* Counts the storm batches whose copies completed. */
int storm_poll(cuda_be *c, aatgs_err *err) {
  while (c->storm_n > 0) {
    storm_batch *sb = &c->storm[c->storm_head];
    cudaError_t q = cudaEventQuery(sb->ev);
    if (q == cudaErrorNotReady) return AATGS_OK;
    if (q != cudaSuccess) return fail(err, "cudaEventQuery", q);
    for (uint32_t i = 0; i < sb->count; i++)
      config_landed(c);
    c->storm_head = (c->storm_head + 1) % STORM_EVENTS;
    c->storm_n--;
  }
  return AATGS_OK;
}

/* Issues a copy of the whole device telemetry ring and its counters. */
int issue_drain(cuda_be *c, cudaStream_t s, aatgs_err *err) {
  CK(cudaMemcpyAsync(c->h_tel, c->d_tel, (size_t)c->tel_slots * sizeof(tel_record),
                     cudaMemcpyDeviceToHost, s));
  CK(cudaMemcpyAsync(c->h_state, c->d_state, sizeof(dev_state), cudaMemcpyDeviceToHost, s));
  return AATGS_OK;
}

int cuda_submit(aatgs_backend *b, uint32_t task, uint32_t stream, aatgs_err *err) {
  cuda_be *c = B(b);
  if (stream >= c->ns || task >= aatgs_graph_num_tasks(c->g))
    return aatgs_err_set(err, AATGS_EINVAL, "cuda: bad stream %u or task %u", stream, task);
  if (aatgs_graph_task_class(c->g, task) != c->info[stream].cls)
    return aatgs_err_set(err, AATGS_EINVAL, "cuda: task %u cannot run on stream %s", task,
                         c->info[stream].name);
  stream_slot *ss = &c->ss[stream];
  if (ss->op == OP_TASK)
    return aatgs_err_set(err, AATGS_ESTATE, "cuda: stream %s is busy", c->info[stream].name);
  if (ss->op == OP_DRAIN) {
    /* A background drain is in flight on the download stream: the task
     * queues behind it (stream order), its completion is folded in. */
    ss->op = OP_NONE;
    c->drains++;
  }
  ss->op = OP_TASK;
  ss->task = task;
  ss->submit_ns = cuda_now(b);
  /* Dependencies are enforced on the device: the stream waits for the end
   * event of every predecessor that ran on another stream (a no-op when the
   * loop submits only ready tasks, a guarantee when it submits ahead). */
  uint32_t np;
  const uint32_t *pred = aatgs_graph_predecessors(c->g, task, &np);
  aatgs_ns ready = -1; /* edges: when the inputs from other kernel streams are there */
  const uint64_t *pbytes = c->task_end ? aatgs_graph_predecessor_bytes(c->g, task) : NULL;
  for (uint32_t k = 0; k < np; k++)
    if (c->task_stream[pred[k]] != UINT32_MAX && c->task_stream[pred[k]] != stream) {
      CK(cudaStreamWaitEvent(ss->s, c->task_ev[pred[k]], 0));
      if (c->task_end && stream < c->nk && c->task_stream[pred[k]] < c->nk &&
          c->task_end[pred[k]] >= 0) {
        aatgs_ns t = c->task_end[pred[k]] + aatgs_backend_edge_time(c->pf, pbytes ? pbytes[k] : 0);
        if (t > ready) ready = t;
      }
    }
  if (ready > ss->submit_ns) {
    wait_until_kernel<<<1, 1, 0, ss->s>>>(c->gpu_origin_ns + (uint64_t)ready);
    CK(cudaGetLastError());
  }
  if (!c->task_ev[task]) CK(cudaEventCreateWithFlags(&c->task_ev[task], cudaEventDisableTiming));
  c->task_stream[task] = stream;
  CK(cudaEventRecord(ss->ev0, ss->s));
  if (stream < c->nk) {
    uint32_t slot = UINT32_MAX;
    if (c->uploads_done > c->cfg_consumed_host) { /* a config is waiting: read it */
      slot = (uint32_t)(c->cfg_consumed_host % c->cfg_slots);
      c->cfg_consumed_host++;
    }
    uint32_t blocks = aatgs_graph_task_blocks(c->g, task);
    if (blocks == 0) blocks = 1;
    uint64_t spin = (uint64_t)actual_ns(c, task, stream, ss->submit_ns);
    ss->extra = aatgs_perturb_flood(c->cfg.perturb, ss->submit_ns);
    if (c->chol) { /* the real tile kernel, then a zero-length record of it */
      int rc = aatgs_chol_launch(c->chol, task, stream, err);
      if (rc != AATGS_OK) return rc;
      blocks = 1;
      spin = 0;
    }
    task_kernel<<<blocks, 32, 0, ss->s>>>(task, spin, c->d_cfg, slot, c->cfg_bytes, c->d_tel,
                                          c->tel_slots, c->d_state, ss->extra);
    CK(cudaGetLastError());
  } else if (stream == c->nk) {
    /* Host config -> SPSC ring -> pinned staging slot -> device config ring. */
    uint64_t n = c->uploads_issued++;
    memset(c->cfg_item, 0, c->cfg_bytes);
    memcpy(c->cfg_item, &task, sizeof task);
    memcpy(c->cfg_item + 8, &n, sizeof n);
    if (!aatgs_ring_push(c->host_cfg, c->cfg_item))
      return aatgs_err_set(err, AATGS_EFULL, "cuda: host config ring full");
    uint32_t slot = (uint32_t)(n % c->cfg_slots);
    uint8_t *stage = c->h_cfg_staging + (size_t)slot * c->cfg_bytes;
    if (!aatgs_ring_pop(c->host_cfg, stage))
      return aatgs_err_set(err, AATGS_ESTATE, "cuda: host config ring empty after push");
    uint64_t bytes = aatgs_graph_task_bytes(c->g, task);
    if (bytes == 0 || bytes > c->cfg_bytes) bytes = c->cfg_bytes;
    CK(cudaMemcpyAsync(c->d_cfg + (size_t)slot * c->cfg_bytes, stage, bytes, cudaMemcpyHostToDevice,
                       ss->s));
    /* Publish the new head in device memory, after the slot (stream order). The
     * pinned word is not rewritten before this copy ran: the upload stream runs
     * one upload at a time and the next one reuses another slot's word. */
    c->h_cfg_heads[slot] = (uint32_t)(n + 1);
    CK(cudaMemcpyAsync(&c->d_state->cfg_head, &c->h_cfg_heads[slot], sizeof(uint32_t),
                       cudaMemcpyHostToDevice, ss->s));
  } else {
    int rc = issue_drain(c, ss->s, err);
    if (rc != AATGS_OK) return rc;
  }
  CK(cudaEventRecord(ss->ev1, ss->s));
  CK(cudaEventRecord(c->task_ev[task], ss->s));
  return AATGS_OK;
}

/* Moves the records copied by the last drain into the collector. */
void deliver_telemetry(cuda_be *c, aatgs_ns now) {
  uint64_t tail = c->h_state->tel_tail;
  if (tail <= c->tel_consumed) return;
  if (tail - c->tel_consumed > c->tel_slots) {
    c->tel_overflows += tail - c->tel_consumed - c->tel_slots;
    c->tel_consumed = tail - c->tel_slots;
  }
  aatgs_ns kernel_ns = 0;
  for (uint64_t i = c->tel_consumed; i < tail; i++) {
    const tel_record *r = &c->h_tel[i % c->tel_slots];
    if (r->task == FLOOD_TASK) continue; /* a telemetry-flood record: moved, then dropped */
    aatgs_ns s = (aatgs_ns)(r->start_ns - c->gpu_origin_ns),
             e = (aatgs_ns)(r->end_ns - c->gpu_origin_ns);
    kernel_ns += e - s;
    if (c->cfg.telemetry)
      aatgs_telemetry_record_task_completion(c->cfg.telemetry, now, r->task, s, e, r->sm);
  }
  c->tel_consumed = tail;
  if (c->cfg.telemetry) {
    aatgs_gpu_metrics gm;
    memset(&gm, 0, sizeof gm);
    gm.kernel_duration_ns = kernel_ns;
    aatgs_telemetry_record_gpu(c->cfg.telemetry, now, &gm);
  }
}

int any_kernel_active(const cuda_be *c) {
  for (uint32_t i = 0; i < c->nk; i++)
    if (c->ss[i].op == OP_TASK) return 1;
  return 0;
}

int maybe_start_drain(cuda_be *c, aatgs_err *err) {
  stream_slot *d = &c->ss[c->nk + 1];
  uint64_t pending = c->tel_written - c->tel_consumed;
  if (d->op != OP_NONE || pending == 0) return AATGS_OK;
  if ((double)pending < c->pf->telemetry_watermark * c->tel_slots && any_kernel_active(c))
    return AATGS_OK;
  int rc = issue_drain(c, d->s, err);
  if (rc != AATGS_OK) return rc;
  CK(cudaEventRecord(d->ev1, d->s));
  d->op = OP_DRAIN;
  return AATGS_OK;
}

aatgs_ns event_ns(const cuda_be *c, cudaEvent_t e) {
  float ms = 0;
  if (cudaEventElapsedTime(&ms, c->origin, e) != cudaSuccess) return 0;
  return (aatgs_ns)llround((double)ms * 1e6);
}

/* Polls every stream once; returns the number of completions found. */
int poll(cuda_be *c, aatgs_err *err) {
  aatgs_ns now = host_ns() - c->origin_host_ns;
  for (uint32_t i = 0; i < c->ns; i++) {
    stream_slot *ss = &c->ss[i];
    if (ss->op == OP_NONE) continue;
    cudaError_t q = cudaEventQuery(ss->ev1);
    if (q == cudaErrorNotReady) continue;
    if (q != cudaSuccess) return fail(err, "cudaEventQuery", q);
    if (ss->op == OP_DRAIN) {
      ss->op = OP_NONE;
      c->drains++;
      deliver_telemetry(c, now);
      continue;
    }
    aatgs_completion *d = &c->done[c->n_done++];
    d->task = ss->task;
    d->stream = i;
    d->submit_ns = ss->submit_ns;
    d->start_ns = event_ns(c, ss->ev0);
    d->end_ns = event_ns(c, ss->ev1);
    if (d->start_ns < d->submit_ns) d->start_ns = d->submit_ns; /* clocks agree to ~1 us */
    if (d->end_ns < d->start_ns) d->end_ns = d->start_ns;
    d->status = AATGS_OK;
    ss->op = OP_NONE;
    if (i < c->nk) {
      c->kernels_done++;
      c->tel_written += 1u + ss->extra;
      c->busy_done += d->end_ns - d->start_ns;
      if (c->task_end) c->task_end[ss->task] = d->end_ns;
    } else if (i == c->nk) {
      config_landed(c);
    } else {
      deliver_telemetry(c, now);
    }
  }
  return AATGS_OK;
}

int cuda_wait(aatgs_backend *b, aatgs_ns deadline, aatgs_completion *out, uint32_t cap, uint32_t *n,
              aatgs_err *err) {
  cuda_be *c = B(b);
  *n = 0;
  for (;;) {
    if (c->done_head < c->n_done) {
      while (*n < cap && c->done_head < c->n_done)
        out[(*n)++] = c->done[c->done_head++];
      if (c->done_head == c->n_done) c->done_head = c->n_done = 0;
      return AATGS_OK;
    }
    /* Drain first, as the simulator does (sim_wait): when every poll finds a
     * completion (short kernels), a drain tried only after an empty poll
     * never started, and the device telemetry ring overflowed. */
    int rc = maybe_start_drain(c, err);
    if (rc == AATGS_OK) rc = poll(c, err);
    if (rc == AATGS_OK) rc = storm_poll(c, err);
    if (rc != AATGS_OK) return rc;
    if (c->n_done) continue;
    int busy = 0, tasks = 0;
    for (uint32_t i = 0; i < c->ns; i++) {
      busy |= c->ss[i].op != OP_NONE;
      tasks |= c->ss[i].op == OP_TASK;
    }
    if (tasks && c->h_storm_heads) { /* storm arrivals after the last task are dropped */
      rc = storm_issue(c, cuda_now(b), err);
      if (rc != AATGS_OK) return rc;
    }
    busy |= c->storm_n > 0;
    if (!busy) return AATGS_OK; /* nothing in flight */
    if (deadline != INT64_MAX && cuda_now(b) >= deadline) return AATGS_OK;
    /* Busy-poll: the dispatch thread owns a core while the GPU works; a
     * system call here (sched_yield) would add latency and flood traces. */
  }
}

/* After the run: a real workload checks its own result. */
int cuda_finish(aatgs_backend *b, char *check, size_t cap, aatgs_err *err) {
  cuda_be *c = B(b);
  double residual = 0;
  if (!c->chol) return AATGS_OK;
  int rc = aatgs_chol_check(c->chol, &residual, check, cap, err);
  if (rc == AATGS_OK && !(residual <= 1e-12))
    rc = aatgs_err_set(err, AATGS_EBACKEND, "%s: above the 1e-12 tolerance", check);
  return rc;
}

void cuda_stats(aatgs_backend *b, aatgs_backend_stats *st) {
  cuda_be *c = B(b);
  memset(st, 0, sizeof *st);
  uint64_t cfg_len = c->uploads_done - c->cfg_consumed_host;
  st->config_len = (uint32_t)(cfg_len > c->cfg_slots ? c->cfg_slots : cfg_len);
  st->config_cap = c->cfg_slots;
  st->config_overflows = c->cfg_overflows;
  uint64_t tel_len = c->tel_written - c->tel_consumed;
  st->telemetry_len = (uint32_t)(tel_len > c->tel_slots ? c->tel_slots : tel_len);
  st->telemetry_cap = c->tel_slots;
  st->telemetry_overflows = c->tel_overflows;
  st->telemetry_drains = c->drains;
  aatgs_ns busy = c->busy_done, now = cuda_now(b);
  for (uint32_t i = 0; i < c->nk; i++)
    if (c->ss[i].op == OP_TASK) busy += now - c->ss[i].submit_ns;
  st->kernel_busy_ns = busy;
}

} // namespace

extern "C" int aatgs_cuda_block_slots(uint32_t *slots, aatgs_err *err) {
  int per_sm = 0, sms = 0;
  CK(cudaOccupancyMaxActiveBlocksPerMultiprocessor(&per_sm, task_kernel, 32, 0));
  CK(cudaDeviceGetAttribute(&sms, cudaDevAttrMultiProcessorCount, 0));
  *slots = (uint32_t)per_sm * (uint32_t)sms;
  return AATGS_OK;
}

extern "C" int aatgs_cuda_describe(char *gpu, size_t gpu_cap, char *driver, size_t driver_cap,
                                   aatgs_err *err) {
  cudaDeviceProp prop;
  int drv = 0, rt = 0;
  CK(cudaGetDeviceProperties(&prop, 0));
  CK(cudaDriverGetVersion(&drv));
  CK(cudaRuntimeGetVersion(&rt));
  snprintf(gpu, gpu_cap, "%s (sm_%d%d, %d SMs)", prop.name, prop.major, prop.minor,
           prop.multiProcessorCount);
  snprintf(driver, driver_cap, "driver %d.%d, runtime %d.%d", drv / 1000, (drv % 1000) / 10,
           rt / 1000, (rt % 1000) / 10);
  return AATGS_OK;
}

extern "C" const aatgs_backend_ops aatgs_backend_cuda = {
    AATGS_BACKEND_OPS_VERSION,
    "cuda",
    "the real pipeline on GPU 0: config-upload stream, kernel streams, telemetry-download stream",
    cuda_available,
    cuda_open,
    cuda_streams,
    cuda_submit,
    cuda_wait,
    cuda_now,
    cuda_stats,
    cuda_close,
    cuda_finish,
};
