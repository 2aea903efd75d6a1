/* graph.h - the task graph (a DAG of typed tasks), its analysis and its state.
 *
 * Life cycle: create, add types/tasks/edges, aatgs_graph_finalize (builds the
 * CSR adjacency, a topological order, the critical path), then any number of
 * runs: aatgs_graph_reset puts every task back to PENDING/READY and the
 * mark_* calls move tasks through READY -> RUNNING -> COMPLETED (or FAILED).
 *
 * Invariants after finalize: successors and predecessors are stored compactly
 * (CSR, 4-byte task ids, one copy per direction); duplicate edges are merged;
 * the topological order lists every task once; tasks are numbered 0..n-1 in
 * insertion order. A graph is not thread-safe; one run uses it at a time.
 *
 * Times are integer nanoseconds (aatgs_ns). Memory: about 48 bytes per task
 * plus 8 bytes per edge (see `aatgs graph --stats` and bench/bench_sim_record).
 */
#ifndef AATGS_GRAPH_H
#define AATGS_GRAPH_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef int64_t aatgs_ns;
#define AATGS_NS_PER_US INT64_C(1000)
#define AATGS_NS_PER_MS INT64_C(1000000)
#define AATGS_NS_PER_S INT64_C(1000000000)

/* Which engine of the GPU pipeline runs a task of this type. */
typedef enum aatgs_task_class {
  AATGS_CLASS_KERNEL = 0,   /* a kernel on one of the N kernel streams */
  AATGS_CLASS_UPLOAD = 1,   /* host-to-device copy on the config-upload stream */
  AATGS_CLASS_DOWNLOAD = 2, /* device-to-host copy on the telemetry-download stream */
  AATGS_CLASS_COUNT = 3
} aatgs_task_class;

/* The report's task types; ids 0..7 always exist in every graph. Custom types
 * registered with aatgs_graph_add_type get ids from AATGS_TT_FIRST_USER on. */
typedef enum aatgs_task_type {
  AATGS_TT_CONFIG_UPLOAD = 0,      /* 100 us, upload */
  AATGS_TT_WHCR = 1,               /* 5 ms */
  AATGS_TT_THERMODYNAMIC = 2,      /* 10 ms */
  AATGS_TT_QUANTUM = 3,            /* 15 ms */
  AATGS_TT_LBS = 4,                /* 8 ms */
  AATGS_TT_TELEMETRY_DOWNLOAD = 5, /* 200 us, download */
  AATGS_TT_PHASE_TRANSITION = 6,   /* 1 ms */
  AATGS_TT_CUSTOM = 7,             /* 5 ms, the report's Custom(...) default */
  AATGS_TT_FIRST_USER = 8
} aatgs_task_type;

typedef enum aatgs_task_status {
  AATGS_TASK_PENDING = 0, /* waiting for dependencies */
  AATGS_TASK_READY = 1,
  AATGS_TASK_RUNNING = 2,
  AATGS_TASK_COMPLETED = 3,
  AATGS_TASK_FAILED = 4
} aatgs_task_status;

#define AATGS_TASK_NONE UINT32_MAX
#define AATGS_TYPE_NAME_MAX 48
#define AATGS_MAX_TYPES 256

typedef struct aatgs_type_info {
  char name[AATGS_TYPE_NAME_MAX]; /* e.g. "whcr", "config_upload", "gemm" */
  aatgs_ns default_est_ns;        /* estimate used when a task gives none */
  aatgs_task_class cls;
  uint32_t blocks; /* default kernel footprint in thread blocks */
} aatgs_type_info;

typedef struct aatgs_graph aatgs_graph;

/* Creates an empty graph with the 8 built-in types. Hints pre-size storage
 * (0 is fine). Returns AATGS_OK or AATGS_ENOMEM. */
int aatgs_graph_create(aatgs_graph **out, uint32_t task_hint, uint64_t edge_hint);
/* Frees the graph. NULL is a no-op. */
void aatgs_graph_destroy(aatgs_graph *g);

/* Registers a custom type (or returns the id of an existing one of the same
 * name, updating nothing). est_ns > 0. Fails with AATGS_EFULL past
 * AATGS_MAX_TYPES, AATGS_EINVAL on an empty or too long name. */
int aatgs_graph_add_type(aatgs_graph *g, const char *name, aatgs_ns est_ns, aatgs_task_class cls,
                         uint32_t *out_type);
/* Looks a type up by name (built-in names: config_upload, whcr, thermodynamic,
 * quantum, lbs, telemetry_download, phase_transition, custom). AATGS_ENOENT if
 * unknown. */
int aatgs_graph_find_type(const aatgs_graph *g, const char *name, uint32_t *out_type);
/* Overrides a type's default estimate (affects tasks added afterwards). */
int aatgs_graph_set_type_estimate(aatgs_graph *g, uint32_t type, aatgs_ns est_ns);
const aatgs_type_info *aatgs_graph_type(const aatgs_graph *g, uint32_t type);
uint32_t aatgs_graph_num_types(const aatgs_graph *g);

/* Adds a task. est_ns <= 0 takes the type's default. Every id in deps must
 * name an existing task (AATGS_ENOENT otherwise, message names the id), so a
 * graph built only with add_task is acyclic. *out_id gets the new task's id
 * (ids are dense, in insertion order). Not allowed after finalize. */
int aatgs_graph_add_task(aatgs_graph *g, uint32_t type, aatgs_ns est_ns, const uint32_t *deps,
                         size_t ndeps, uint32_t *out_id, aatgs_err *err);
/* Adds an edge src -> dst between existing tasks (importers use this; it can
 * create cycles, which finalize detects). Self-loops are cycles. */
int aatgs_graph_add_edge(aatgs_graph *g, uint32_t src, uint32_t dst, aatgs_err *err);
/* Adds an edge src -> dst that carries `bytes` of data (0: like add_edge).
 * A duplicate edge keeps the largest size. Backends charge a transfer for it
 * when src and dst run on different streams (profile edge_gbps/edge_latency). */
int aatgs_graph_add_edge_bytes(aatgs_graph *g, uint32_t src, uint32_t dst, uint64_t bytes,
                               aatgs_err *err);
/* Sets the bytes of every dependency edge of `task`, the task most recently
 * added with add_task (generators use this after add_task). Before finalize. */
int aatgs_graph_set_dep_bytes(aatgs_graph *g, uint32_t task, uint64_t bytes, aatgs_err *err);
/* Optional per-task attributes; set before or after finalize, before a run. */
int aatgs_graph_set_bytes(aatgs_graph *g, uint32_t task, uint64_t bytes);
int aatgs_graph_set_blocks(aatgs_graph *g, uint32_t task, uint32_t blocks);
/* Fixes the actual duration of a task (for replaying measured runs). When not
 * set (0) the backend draws it from the estimate and its noise model. */
int aatgs_graph_set_actual(aatgs_graph *g, uint32_t task, aatgs_ns actual_ns);
/* Optional human label for a task (copied). */
int aatgs_graph_set_label(aatgs_graph *g, uint32_t task, const char *label);

/* Builds CSR adjacency, merges duplicate edges, computes a topological order,
 * the critical path and the upward ranks. On a cycle returns AATGS_ECYCLE and
 * names the tasks of one cycle in err ("cycle: 3 -> 7 -> 5 -> 3"). After
 * success, the graph's structure is read-only and it is reset for a run. */
int aatgs_graph_finalize(aatgs_graph *g, aatgs_err *err);
int aatgs_graph_is_finalized(const aatgs_graph *g);

uint32_t aatgs_graph_num_tasks(const aatgs_graph *g);
uint64_t aatgs_graph_num_edges(const aatgs_graph *g); /* after finalize: distinct edges */
uint32_t aatgs_graph_task_type(const aatgs_graph *g, uint32_t task);
aatgs_task_class aatgs_graph_task_class(const aatgs_graph *g, uint32_t task);
aatgs_ns aatgs_graph_task_estimate(const aatgs_graph *g, uint32_t task);
aatgs_ns aatgs_graph_task_actual(const aatgs_graph *g, uint32_t task); /* 0 when unset */
uint64_t aatgs_graph_task_bytes(const aatgs_graph *g, uint32_t task);
uint32_t aatgs_graph_task_blocks(const aatgs_graph *g, uint32_t task);
const char *aatgs_graph_task_label(const aatgs_graph *g, uint32_t task); /* NULL if none */

/* Successors / predecessors of a task (after finalize). The arrays belong to
 * the graph. */
const uint32_t *aatgs_graph_successors(const aatgs_graph *g, uint32_t task, uint32_t *n);
const uint32_t *aatgs_graph_predecessors(const aatgs_graph *g, uint32_t task, uint32_t *n);
/* Bytes carried by each predecessor edge, parallel to aatgs_graph_predecessors
 * (after finalize); NULL when no edge of the graph carries bytes. */
const uint64_t *aatgs_graph_predecessor_bytes(const aatgs_graph *g, uint32_t task);
/* Bytes of the edge src -> dst (0 when it carries none or does not exist). */
uint64_t aatgs_graph_edge_bytes(const aatgs_graph *g, uint32_t src, uint32_t dst);
/* A topological order of all tasks (after finalize); belongs to the graph. */
const uint32_t *aatgs_graph_topo_order(const aatgs_graph *g);
/* Kahn topological sort into out[n_tasks] (works before finalize too).
 * AATGS_ECYCLE with the cycle named in err when there is one. */
int aatgs_graph_topological_sort(const aatgs_graph *g, uint32_t *out, aatgs_err *err);

/* Analysis on estimates (after finalize). */
aatgs_ns aatgs_graph_total_work(const aatgs_graph *g); /* sum of kernel-class estimates + copies */
aatgs_ns aatgs_graph_critical_path(const aatgs_graph *g); /* longest estimated path */
/* Upward rank: longest estimated path from the task to an exit, inclusive. */
aatgs_ns aatgs_graph_upward_rank(const aatgs_graph *g, uint32_t task);
/* max(critical path, total work / streams): no schedule on `streams` identical
 * streams can finish sooner (estimates, no overheads). */
aatgs_ns aatgs_graph_lower_bound(const aatgs_graph *g, uint32_t streams);
/* Depth (number of levels) and maximum level width. */
uint32_t aatgs_graph_depth(const aatgs_graph *g);
uint32_t aatgs_graph_max_width(const aatgs_graph *g);
/* Bytes of heap memory the graph holds. */
size_t aatgs_graph_memory_bytes(const aatgs_graph *g);

/* ---- State, as the report's TaskGraph API (after finalize) ---- */

/* Every task back to PENDING, roots to READY (in id order in the ready queue),
 * times cleared. */
void aatgs_graph_reset(aatgs_graph *g);
aatgs_task_status aatgs_graph_status(const aatgs_graph *g, uint32_t task);
/* READY -> RUNNING at time t. AATGS_ESTATE if the task is not READY. */
int aatgs_graph_mark_started(aatgs_graph *g, uint32_t task, aatgs_ns t);
/* Records when a RUNNING task really began on the device (mark_started
 * records the host's submit time). */
int aatgs_graph_set_start_time(aatgs_graph *g, uint32_t task, aatgs_ns t);
/* RUNNING -> COMPLETED at time t; every dependent whose last dependency this
 * was becomes READY and is appended to the ready queue. */
int aatgs_graph_mark_complete(aatgs_graph *g, uint32_t task, aatgs_ns t);
/* RUNNING or READY -> FAILED. Dependents stay PENDING. */
int aatgs_graph_mark_failed(aatgs_graph *g, uint32_t task, aatgs_ns t);
/* The ready queue holds tasks that became READY and were not popped yet, in
 * the order they became ready. */
uint32_t aatgs_graph_ready_count(const aatgs_graph *g);
/* Copies up to cap ready task ids (oldest first) without popping; returns the count copied. */
uint32_t aatgs_graph_get_ready(const aatgs_graph *g, uint32_t *out, uint32_t cap);
/* Pops the oldest ready task; returns 0 and sets *task, or AATGS_ENOENT when empty. */
int aatgs_graph_pop_ready(aatgs_graph *g, uint32_t *task);
uint32_t aatgs_graph_num_completed(const aatgs_graph *g);
/* Measured duration (end - start) of a completed task; AATGS_ESTATE otherwise. */
int aatgs_graph_duration(const aatgs_graph *g, uint32_t task, aatgs_ns *out);
aatgs_ns aatgs_graph_start_time(const aatgs_graph *g, uint32_t task);
aatgs_ns aatgs_graph_end_time(const aatgs_graph *g, uint32_t task);

/* The report's estimate_completion_time: the estimated work of every task not
 * yet completed, spread over `streams` streams (the report sums it serially;
 * streams = 1 gives exactly that). Returns ns from now. O(1): maintained as
 * tasks complete. */
aatgs_ns aatgs_graph_estimate_completion(const aatgs_graph *g, uint32_t streams);

#endif
