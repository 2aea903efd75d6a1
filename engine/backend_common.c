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

aatgs_ns aatgs_backend_task_actual(const aatgs_backend_config *cfg, uint32_t task) {
  aatgs_ns w = aatgs_backend_task_work(cfg->graph, task, cfg->seed, cfg->noise_cv);
  if (!cfg->perturb || !cfg->perturb->misestimate.on) return w;
  double v = (double)w * aatgs_perturb_task_factor(cfg->perturb, cfg->graph, task, cfg->seed);
  if (v > 1e17) v = 1e17;
  return v < 1.0 ? 1 : (aatgs_ns)llround(v);
}

aatgs_ns aatgs_backend_kernel_time(const aatgs_backend_config *cfg, aatgs_bursts *bursts,
                                   uint32_t task, uint32_t stream, aatgs_ns t) {
  aatgs_ns w = aatgs_backend_task_actual(cfg, task), change;
  if (!aatgs_perturb_any(cfg->perturb)) return w;
  double f = aatgs_perturb_stream_factor(cfg->perturb, stream);
  if (bursts) f *= aatgs_bursts_at(bursts, t, &change);
  if (f == 1.0) return w;
  double v = (double)w * f;
  if (v > 1e17) v = 1e17;
  return v < 1.0 ? 1 : (aatgs_ns)llround(v);
}

aatgs_ns aatgs_backend_edge_time(const aatgs_profile *p, uint64_t bytes) {
  aatgs_ns t = p->edge_latency_ns;
  if (p->edge_gbps > 0 && bytes > 0) t += (aatgs_ns)ceil((double)bytes / p->edge_gbps);
  return t;
}
