/* task_kernel.cuh - the kernel that stands for one task, and the device-side
 * layouts it writes: shared by the cuda backend (backend_cuda.cu) and by
 * bench/bench_gpu.cu, which launches the very same kernel back to back and
 * in a CUDA Graph. Everything is static: each translation unit gets its own
 * copy of the kernel and no symbol clashes at link time. */
#ifndef AATGS_TASK_KERNEL_CUH
#define AATGS_TASK_KERNEL_CUH

#include <cstdint>

/* One telemetry record, 64 bytes as in the report's 64 x 64 B ring. */
struct tel_record {
  uint32_t task;
  uint32_t sm;
  uint64_t start_ns; /* GPU global timer */
  uint64_t end_ns;
  uint32_t cfg_slot; /* config slot the kernel read, UINT32_MAX if none */
  uint32_t cfg_word; /* first word of that config (proves the read) */
  uint32_t blocks;
  uint32_t pad[7];
};
static_assert(sizeof(tel_record) == 64, "telemetry records are 64 bytes");

struct dev_state {
  uint32_t cfg_head; /* configs uploaded (written by the upload stream) */
  uint32_t cfg_tail; /* configs consumed by kernels */
  uint32_t tel_tail; /* records written (monotonic; slot = tail % capacity) */
  uint32_t pad;
};

/* Task id of the extra records a telemetry flood writes. */
#define FLOOD_TASK (UINT32_MAX - 1u)

static __device__ __forceinline__ uint64_t global_ns() {
  uint64_t t;
  asm volatile("mov.u64 %0, %%globaltimer;" : "=l"(t));
  return t;
}

static __device__ __forceinline__ uint32_t sm_id() {
  uint32_t id;
  asm volatile("mov.u32 %0, %%smid;" : "=r"(id));
  return id;
}

/* A task: every block spins for dur_ns on the global timer; block 0 reads
 * its config slot and writes the telemetry record, then `extra` flood records. */
static __global__ void task_kernel(uint32_t task, uint64_t dur_ns, const uint8_t *cfg_ring,
                                   uint32_t cfg_slot, uint32_t cfg_bytes, tel_record *tel,
                                   uint32_t tel_cap, dev_state *st, uint32_t extra) {
  __shared__ uint64_t t0;
  __shared__ uint32_t word;
  if (task == UINT32_MAX) return; /* warm-up launch: loads the module, records nothing */
  if (threadIdx.x == 0) {
    t0 = global_ns();
    word = 0;
    if (cfg_slot != UINT32_MAX && blockIdx.x == 0) {
      const uint32_t *c = (const uint32_t *)(cfg_ring + (size_t)cfg_slot * cfg_bytes);
      word = c[0];
    }
  }
  __syncthreads();
  while (global_ns() - t0 < dur_ns) {
  }
  __syncthreads();
  if (blockIdx.x == 0 && threadIdx.x == 0) {
    uint64_t t1 = global_ns();
    uint32_t idx = atomicAdd(&st->tel_tail, 1u + extra);
    tel_record *r = &tel[idx % tel_cap];
    r->task = task;
    r->sm = sm_id();
    r->start_ns = t0;
    r->end_ns = t1;
    r->cfg_slot = cfg_slot;
    r->cfg_word = word;
    r->blocks = gridDim.x;
    for (uint32_t x = 1; x <= extra; x++) {
      tel_record *f = &tel[(idx + x) % tel_cap];
      f->task = FLOOD_TASK;
      f->sm = r->sm;
      f->start_ns = t1;
      f->end_ns = t1;
      f->cfg_slot = UINT32_MAX;
      f->cfg_word = 0;
      f->blocks = 0;
    }
    if (cfg_slot != UINT32_MAX) atomicAdd(&st->cfg_tail, 1u);
  }
}

#endif
