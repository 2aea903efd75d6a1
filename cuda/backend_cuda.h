/* backend_cuda.h - the real GPU stream pipeline of the design report.
 *
 * `aatgs_backend_cuda` runs a task graph on device 0 through:
 *  - a config-upload stream: a host-side config goes through the SPSC ring
 *    (engine/ring.h) into pinned staging, and an async H2D copy moves it into
 *    the device-resident config ring (slots x slot_bytes, head and tail in
 *    device memory); each kernel reads its own config slot;
 *  - N kernel streams running one synthetic kernel per task: it spins on the
 *    GPU's global timer for the task's actual duration (its estimate times
 *    the same seeded noise as `sim`, or its fixed actual) over `blocks`
 *    thread blocks, and writes a telemetry record (task, start and end on the
 *    global timer, SM id, config slot read) into the device-resident
 *    telemetry ring;
 *  - a telemetry-download stream: a telemetry_download task (or a background
 *    drain, as in `sim`) copies the ring asynchronously into pinned host
 *    memory, and the records go to the host telemetry collector.
 * Completion and timing use CUDA events (one pair per submitted task, timed
 * against an origin event recorded at open); the loop never synchronizes the
 * host with a stream. Records lost because the ring wrapped before a drain
 * and uploads that found the config ring full are counted, never silent.
 * Every CUDA failure returns AATGS_EBACKEND with the call and CUDA's reason.
 */
#ifndef AATGS_BACKEND_CUDA_H
#define AATGS_BACKEND_CUDA_H

#include "backend.h"

#ifdef __cplusplus
extern "C" {
#endif

extern const aatgs_backend_ops aatgs_backend_cuda;

/* Thread blocks of the backend's task kernel (32 threads each) that device 0
 * holds resident at once: blocks per SM (occupancy) x SMs. */
int aatgs_cuda_block_slots(uint32_t *slots, aatgs_err *err);

/* Describes device 0 for the runs table: "NVIDIA H100 80GB HBM3 (sm_90,
 * 132 SMs)" into gpu, and "driver 13.0, runtime 13.0" into driver. */
int aatgs_cuda_describe(char *gpu, size_t gpu_cap, char *driver, size_t driver_cap, aatgs_err *err);

#ifdef __cplusplus
}
#endif

#endif
