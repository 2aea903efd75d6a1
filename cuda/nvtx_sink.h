/* nvtx_sink.h - NVTX annotations of a run, as an event-sink decorator.
 *
 * An aatgs_nvtx_sink wraps another aatgs_sink (or none) and forwards every
 * callback to it unchanged, in order, returning its result; meanwhile it
 * emits NVTX3 events in one domain, "aatgs", so that Nsight Systems (or any
 * NVTX tool) shows the run on its timeline. Because it only sees events, it
 * works with every backend: on `sim` the ranges show when the host processed
 * each decision and completion; on `cuda` they line up with the kernels.
 *
 * What it emits, per run:
 *   run_begin  a registered string for every task type name of the graph and
 *              every stream name; one category per task type (id = type id
 *              + 1, named by the type); a run range "run <scenario> <policy>
 *              seed <seed>" (category AATGS_NVTX_CATEGORY_RUN, payload = seed).
 *   DECISION   the task's range starts: message "<type> #<task>", the type's
 *              colour (aatgs_nvtx_type_color) and category, payload = task id
 *              (unsigned 64-bit); and a marker "decide #<task> -> <stream>
 *              (ready <n>)", category AATGS_NVTX_CATEGORY_DECISION, payload =
 *              task id.
 *   TASK       (sent when the task ends) the task's range ends.
 *   run_end    every task range still open (an interrupted or failed run) is
 *              ended, in task id order, then the run range; then the inner
 *              sink's run_end is called.
 * Snapshots, telemetry and ring samples are only forwarded.
 *
 * Cost: no allocation per event (per-task range ids live in an array sized at
 * run_begin) and no printf on the hot path (messages are assembled in a stack
 * buffer). With options.registered_messages the range and marker messages are
 * the registered type and stream names (the task id is in the payload), so no
 * text is built at all. When no NVTX tool is attached (nvtxDomainCreateA gives
 * no domain), the sink only forwards.
 *
 * Build: compiled only when AATGS_NVTX is on (cmake/nvtx.cmake: AUTO, the
 * default, turns it on when nvtx3/nvToolsExt.h is found), which defines
 * AATGS_HAVE_NVTX for every target linking aatgs_nvtx. With AATGS_NVTX=OFF
 * this module is not built and callers must not wrap. NVTX3 is header-only:
 * it needs libdl, not the CUDA runtime. A tool is attached with the
 * environment variable NVTX_INJECTION64_PATH (Nsight sets it), read once,
 * at the process's first NVTX call.
 *
 * Threads: a sink is used by one thread at a time (the dispatch thread), like
 * every aatgs_sink. The free functions below are thread-safe.
 */
#ifndef AATGS_NVTX_SINK_H
#define AATGS_NVTX_SINK_H

#include <stdint.h>

#include "error.h"
#include "sink.h"

#define AATGS_NVTX_DOMAIN "aatgs"
/* Category of the decision markers and of the run range; task type t uses
 * category t + 1 (1 .. AATGS_MAX_TYPES), so these never collide. */
#define AATGS_NVTX_CATEGORY_DECISION 1000u
#define AATGS_NVTX_CATEGORY_RUN 1001u

typedef struct aatgs_nvtx_options {
  /* 0 (default): ASCII messages "whcr #17" and "decide #17 -> kernel-0
   * (ready 3)". 1: the registered type name (ranges) and stream name
   * (markers) as the message, the task id only in the payload. */
  int registered_messages;
} aatgs_nvtx_options;

typedef struct aatgs_nvtx_sink aatgs_nvtx_sink;

/* Creates the sink and its NVTX domain "aatgs". inner (may be NULL: nothing
 * is forwarded) is copied: its ctx must stay valid until destroy. opt may be
 * NULL (defaults). Returns AATGS_OK and *out, AATGS_EINVAL when out is NULL,
 * AATGS_ENOMEM (err set). */
int aatgs_nvtx_sink_create(aatgs_nvtx_sink **out, const aatgs_sink *inner,
                           const aatgs_nvtx_options *opt, aatgs_err *err);

/* Fills *out with the sink's callbacks (ctx = s); valid until destroy. */
void aatgs_nvtx_sink_as_sink(aatgs_nvtx_sink *s, aatgs_sink *out);

/* 1 when an NVTX tool is attached (the sink emits), 0 when it only forwards. */
int aatgs_nvtx_sink_active(const aatgs_nvtx_sink *s);

/* Ends any range left open (a run without run_end), destroys the domain and
 * frees the sink; the inner sink is not touched. NULL is a no-op. */
void aatgs_nvtx_sink_destroy(aatgs_nvtx_sink *s);

/* The ARGB colour of task type `type` (a fixed palette indexed by type id). */
uint32_t aatgs_nvtx_type_color(uint32_t type);

/* Loads the NVTX tool now (nvtxInitialize), so that its start-up cost is not
 * paid inside the first run. Call once at program start; idempotent. */
void aatgs_nvtx_initialize(void);

/* Names the calling OS thread (nvtxNameOsThreadA with its kernel thread id).
 * NULL name: no-op. */
void aatgs_nvtx_name_thread(const char *name);

/* Names a CUDA stream (nvtxNameCudaStreamA); `stream` is a cudaStream_t,
 * declared opaquely so that callers need no CUDA header. Only passes the
 * pointer to the tool: no CUDA call is made. A no-op when the build found no
 * CUDA runtime headers next to NVTX (AATGS_NVTX_HAVE_CUDART unset). */
struct CUstream_st;
void aatgs_nvtx_name_stream(struct CUstream_st *stream, const char *name);

#endif
