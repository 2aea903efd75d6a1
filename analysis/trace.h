/* trace.h - `aatgs trace`: one run of a trace database as Chrome/Perfetto
 * trace JSON (the Trace Event Format), to open in https://ui.perfetto.dev or
 * chrome://tracing.
 *
 * The file is {"traceEvents": [...], "otherData": {...}}, one event per line:
 *
 * - one process per run (pid = run id, named "run N: scenario / policy /
 *   seed S"), and one track (thread) per stream of the run's backend, named by
 *   its thread_name metadata event ("kernel-0", ..., "config-upload",
 *   "telemetry-download") with a thread_sort_index equal to the stream id;
 *   the thread ids are consecutive in stream order and never equal the pid;
 * - one complete event (ph "X") per row of task_events: ts = start, dur =
 *   end - start, in microseconds written with nanosecond precision (up to 15
 *   significant digits, so exact below 10^15 ns); name = the task's label, else
 *   its type name; cat = its type name; args hold the task id, type, class,
 *   stream, status, estimate, ready/submit/start/end times (ns), queueing delay,
 *   the run's scenario, policy and seed, and the scheduling decision that
 *   placed it (seq, t_ns, priority = the policy's score, ready_size, est_ns,
 *   cost_ns and, where recorded, the ranked candidates). A stream runs one task
 *   at a time, so the X events of one track never overlap;
 * - one flow (a ph "s" event at the end of the parent and a ph "f" event
 *   with "bp":"e" at the start of the child) per edge of the run's graph
 *   whose two tasks both ran: the arrow goes from the end of the parent to the
 *   start of the child. Each event is written right after its task's X event,
 *   which makes it bind to that task's slice in Perfetto even when the next
 *   task of the stream starts at the same nanosecond;
 * - counters (ph "C"): "config ring", "telemetry ring" and "telemetry
 *   collector" utilization (ring_samples), "gpu" utilization (snapshots), and
 *   "ready queue" with one series per task class: the exact number of tasks
 *   that are ready but not yet submitted, stepped at every ready and submit
 *   time of task_events.
 *
 * Memory: the events are written as they are read (each one built and
 * serialized with jansson); what is held is the graph's edges (8 bytes each)
 * and the run's decisions (about 64 bytes per task).
 */
#ifndef AATGS_TRACE_H
#define AATGS_TRACE_H

#include <stdint.h>
#include <stdio.h>

#include "error.h"

typedef struct aatgs_trace_stats {
  uint64_t tasks;    /* X events */
  uint64_t flows;    /* flows (each an "s" and an "f" event) */
  uint64_t counters; /* C events */
  uint64_t events;   /* every event, metadata included */
} aatgs_trace_stats;

/* Writes run `run_id` of the database db_path to out. run_id <= 0 means the
 * run with the largest id. Errors: the database's (see db_read.h), AATGS_ENOENT
 * "run N is not in 'FILE' (it holds runs A..B)", AATGS_EIO when writing fails.
 * stats may be NULL. */
int aatgs_trace_write(const char *db_path, int64_t run_id, FILE *out, aatgs_trace_stats *stats,
                      aatgs_err *err);

/* Like aatgs_trace_write, to the file out_path ("-": stdout). The file is
 * written under a temporary name next to it and renamed when complete, so a
 * failure leaves no partial file. */
int aatgs_trace_export(const char *db_path, int64_t run_id, const char *out_path,
                       aatgs_trace_stats *stats, aatgs_err *err);

#endif
