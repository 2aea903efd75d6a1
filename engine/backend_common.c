/* backend_common.c - helpers shared by every backend (see backend.h). */
#include <math.h>
#include <stdio.h>

#include "backend.h"
#include "rng.h"

void aatgs_backend_fill_streams(aatgs_stream_info *info, uint32_t nk) {
  for (uint32_t i = 0; i < nk + 2; i++) {
    info[i].id = i;
    if (i < nk) {
      info[i].cls = AATGS_CLASS_KERNEL;
      snprintf(info[i].name, sizeof info[i].name, "kernel-%u", i);
    } else if (i == nk) {
      info[i].cls = AATGS_CLASS_UPLOAD;
      snprintf(info[i].name, sizeof info[i].name, "config-upload");
    } else {
      info[i].cls = AATGS_CLASS_DOWNLOAD;
      snprintf(info[i].name, sizeof info[i].name, "telemetry-download");
    }
  }
}

aatgs_ns aatgs_backend_task_work(const aatgs_graph *g, uint32_t task, uint64_t seed, double cv) {
  aatgs_ns actual = aatgs_graph_task_actual(g, task);
  if (actual > 0) return actual;
  double v = (double)aatgs_graph_task_estimate(g, task) * aatgs_noise_lognormal(seed, task, cv);
  return v < 1.0 ? 1 : (aatgs_ns)llround(v);
}
