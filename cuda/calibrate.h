/* calibrate.h - measures a machine profile on GPU 0 (`aatgs calibrate`).
 *
 * Starting from the built-in profile, measures and sets: launch_ns (back to
 * back empty kernels on one stream, the larger of the host and device cost),
 * host_submit_ns (event record + launch + event record, as the cuda backend
 * submits), graph_node_ns (CUDA Graph replay per node), event_ns, the pinned
 * H2D/D2H latency (256 B copies back to back) and bandwidth (256 MiB), the SM
 * count and the GPU's name. Also measures, and writes to `log` (may be NULL),
 * the accuracy of timer-bounded kernels and the overlap of four 1 ms kernels
 * on four streams. Returns AATGS_OK, or AATGS_EBACKEND naming the CUDA call
 * that failed (or "no CUDA device present"). Takes a few seconds.
 */
#ifndef AATGS_CALIBRATE_H
#define AATGS_CALIBRATE_H

#include <stdio.h>

#include "error.h"
#include "profile.h"

#ifdef __cplusplus
extern "C" {
#endif

int aatgs_cuda_calibrate(aatgs_profile *p, FILE *log, aatgs_err *err);

#ifdef __cplusplus
}
#endif

#endif
