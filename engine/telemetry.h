/* telemetry.h - the report's telemetry collector: bounded buffers of events.
 *
 * Four kinds of event, as in the report: phase metrics, GPU metrics, a task
 * completed (with its measured duration) and an error. Phase and GPU metrics
 * each go to a ring buffer that evicts its oldest entry when full; task
 * completions and errors go to a bounded event queue that also evicts its
 * oldest entry when full. Nothing is ever dropped silently: every eviction is
 * counted (aatgs_telemetry_stats) and the dispatch loop records the counts.
 *
 * aatgs_telemetry_flush drains everything, oldest first within each buffer,
 * then merged by time. Single-threaded: the dispatch loop owns the collector.
 */
#ifndef AATGS_TELEMETRY_H
#define AATGS_TELEMETRY_H

#include <stddef.h>
#include <stdint.h>

#include "graph.h"

typedef enum aatgs_tel_kind {
  AATGS_TEL_PHASE = 0,
  AATGS_TEL_GPU = 1,
  AATGS_TEL_TASK_COMPLETED = 2,
  AATGS_TEL_ERROR = 3
} aatgs_tel_kind;

typedef struct aatgs_phase_metrics {
  uint32_t phase_id;
  float temperature;
  float compaction_ratio;
  float reward;
  uint64_t conflicts;
  aatgs_ns duration_ns;
} aatgs_phase_metrics;

typedef struct aatgs_gpu_metrics {
  float utilization; /* busy fraction of the kernel streams, [0, 1] */
  uint32_t memory_used_mb;
  uint32_t memory_total_mb;
  aatgs_ns kernel_duration_ns;
  aatgs_ns transfer_duration_ns;
} aatgs_gpu_metrics;

#define AATGS_TEL_MSG_MAX 40

typedef struct aatgs_tel_event {
  aatgs_tel_kind kind;
  aatgs_ns t_ns; /* when the host received it */
  union {
    aatgs_phase_metrics phase;
    aatgs_gpu_metrics gpu;
    struct {
      uint32_t task;
      uint32_t sm; /* SM id that ran it, UINT32_MAX if unknown */
      aatgs_ns gpu_start_ns, gpu_end_ns, duration_ns;
    } done;
    char error[AATGS_TEL_MSG_MAX]; /* truncated, NUL-terminated */
  } u;
} aatgs_tel_event;

typedef struct aatgs_telemetry_stats {
  size_t phase_len, phase_cap; /* the report's buffer_stats pair, for phase... */
  size_t gpu_len, gpu_cap;     /* ...and GPU metrics */
  size_t events_len, events_cap;
  uint64_t phase_evicted, gpu_evicted, events_evicted;
  uint64_t recorded; /* total events ever recorded */
} aatgs_telemetry_stats;

typedef struct aatgs_telemetry aatgs_telemetry;

/* buffer_size: capacity of each of the three buffers (>= 1). */
int aatgs_telemetry_create(aatgs_telemetry **out, size_t buffer_size);
void aatgs_telemetry_destroy(aatgs_telemetry *t); /* NULL is a no-op */
void aatgs_telemetry_record_phase(aatgs_telemetry *t, aatgs_ns now, const aatgs_phase_metrics *m);
void aatgs_telemetry_record_gpu(aatgs_telemetry *t, aatgs_ns now, const aatgs_gpu_metrics *m);
void aatgs_telemetry_record_task_completion(aatgs_telemetry *t, aatgs_ns now, uint32_t task,
                                            aatgs_ns gpu_start_ns, aatgs_ns gpu_end_ns,
                                            uint32_t sm);
void aatgs_telemetry_record_error(aatgs_telemetry *t, aatgs_ns now, const char *msg);
/* Number of events recorded and not yet flushed (all buffers). */
size_t aatgs_telemetry_pending(const aatgs_telemetry *t);
/* Moves up to cap pending events into out (oldest first by t_ns, ties by
 * record order); returns how many. Call until it returns 0 to drain. */
size_t aatgs_telemetry_flush(aatgs_telemetry *t, aatgs_tel_event *out, size_t cap);
void aatgs_telemetry_buffer_stats(const aatgs_telemetry *t, aatgs_telemetry_stats *out);

#endif
