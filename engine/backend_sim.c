/* backend_sim.c - the simulated GPU stream pipeline (discrete events).
 *
 * Model (constants from the machine profile):
 *  - N kernel streams, one config-upload copy engine, one telemetry-download
 *    copy engine. Each stream runs one submitted task at a time.
 *  - The host is one serial resource: each submit occupies it for
 *    profile.host_submit_ns (the real backend's event records and launch call)
 *    and each completion it observes for profile.host_complete_ns (event
 *    query and timing reads), so submits made at the same instant, or right
 *    after completions, are spaced by that much.
 *  - Every submit pays the launch latency (profile.launch_ns) before the work
 *    starts on the device.
 *  - Kernel work: the task's fixed actual duration if set, else its estimate
 *    times a lognormal noise factor (mean 1, cv = noise_cv) drawn from
 *    (seed, task id) only, so every policy sees the same actual durations.
 *  - Concurrent kernels share the SMs (processor sharing): a kernel asks for
 *    `blocks` thread blocks; while the running kernels ask for more blocks
 *    than the GPU holds at once (profile block_slots, else sm_count), all of
 *    them slow down by sum(blocks) / slots.
 *  - Copies take latency + bytes / bandwidth when the task carries bytes,
 *    else estimate x noise. Copies on one engine are serialized.
 *  - Device rings: a config upload, when it completes, pushes one config into
 *    the device config ring (overflow counted when full); a kernel, when it
 *    starts, consumes one config if any. A kernel, when it ends, pushes a
 *    telemetry record (task, start, end, SM) into the device telemetry ring
 *    (overflow counted when full). A telemetry-download task delivers every
 *    record in the ring to the host collector when it completes; besides, the
 *    download engine drains the ring in the background when it is idle and the
 *    ring is above the profile's watermark, or when no kernel is running.
 *  - Edges between kernel streams: a kernel whose predecessor kernel ran on
 *    another kernel stream starts no sooner than that predecessor's end +
 *    profile edge_latency_ns + edge bytes / edge_gbps (free by default).
 *  - Perturbations (perturb.h, cfg.perturb): misestimate scales the work;
 *    slow_stream and interference bursts scale a kernel's time per unit of
 *    work, so a burst that starts or ends mid-kernel changes its rate then
 *    (burst boundaries are events while a kernel runs); config-storm uploads
 *    queue on the upload engine in arrival order with the graph's uploads and
 *    fill the config ring; a telemetry flood pushes extra records (task
 *    AATGS_TASK_NONE, never delivered to the host) after a kernel's own.
 * Everything is deterministic for a given (graph, profile, seed, decisions).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "ring.h"
#include "rng.h"

enum { K_IDLE = 0, K_LAUNCH = 1, K_RUN = 2 };

typedef struct kstream {
  int state;
  uint32_t task;
  uint32_t blocks;
  aatgs_ns submit, start_at, start;
  double remaining; /* ns of work left at full speed */
  double slow;      /* slow_stream factor of this stream (1: none) */
} kstream;

typedef struct cengine {
  int has_task;
  uint32_t task;
  aatgs_ns submit, start, end;
  int draining;
  uint32_t drain_n;
  aatgs_ns drain_end;
} cengine;

typedef struct tel_rec {
  uint32_t task, sm;
  aatgs_ns start, end;
} tel_rec;

typedef struct sim {
  aatgs_backend_config cfg;
  const aatgs_graph *g;
  const aatgs_profile *pf;
  uint32_t nk, ns;
  aatgs_stream_info *streams;
  kstream *ks;
  cengine up, down;
  aatgs_ns now;
  aatgs_ns host_free; /* when the host can issue the next submit */
  aatgs_ring *cfg_ring, *tel_ring;
  unsigned char *cfg_item;
  uint64_t cfg_overflows, tel_overflows, drains;
  uint64_t running_blocks;
  aatgs_ns busy_done;
  aatgs_ns metrics_t, metrics_busy;
  aatgs_ns *fin; /* scratch: finish time per kernel stream */
  aatgs_completion *done;
  uint32_t n_done, done_head;
  /* edges between streams (allocated when the profile charges them) */
  int edges;
  uint32_t *task_stream; /* kernel stream a task ran on, UINT32_MAX: not a finished kernel */
  aatgs_ns *task_end;
  /* perturbations */
  const aatgs_perturb *pt;
  aatgs_bursts bursts;
  aatgs_ns up_free;    /* when the upload engine has done everything queued on it */
  aatgs_ns storm_dur;  /* one storm upload */
  aatgs_ns *storm_end; /* [count]: end of each storm upload queued so far */
  uint32_t storm_queued, storm_landed;
} sim;

static sim *S(aatgs_backend *b) { return (sim *)(void *)b; }

static int sim_available(void) { return 1; }

static void sim_close(aatgs_backend *b) {
  sim *s = S(b);
  if (!s) return;
  free(s->streams);
  free(s->ks);
  free(s->done);
  free(s->fin);
  free(s->cfg_item);
  free(s->task_stream);
  free(s->task_end);
  free(s->storm_end);
  aatgs_ring_destroy(s->cfg_ring);
  aatgs_ring_destroy(s->tel_ring);
  free(s);
}

static int sim_open(aatgs_backend **out, const aatgs_backend_config *cfg, aatgs_err *err) {
  sim *s;
  const aatgs_profile *pf = cfg->profile;
  if (!cfg->graph || !pf || cfg->kernel_streams == 0)
    return aatgs_err_set(err, AATGS_EINVAL, "sim: graph, profile and >= 1 kernel stream required");
  s = calloc(1, sizeof *s);
  if (!s) return aatgs_err_set(err, AATGS_ENOMEM, "sim: out of memory");
  s->cfg = *cfg;
  s->g = cfg->graph;
  s->pf = pf;
  s->nk = cfg->kernel_streams;
  s->ns = s->nk + 2;
  s->streams = calloc(s->ns, sizeof *s->streams);
  s->ks = calloc(s->nk, sizeof *s->ks);
  s->done = calloc(s->ns, sizeof *s->done);
  s->fin = calloc(s->nk, sizeof *s->fin);
  s->cfg_item = calloc(1, pf->config_slot_bytes ? pf->config_slot_bytes : 1);
  if (!s->streams || !s->ks || !s->done || !s->fin || !s->cfg_item) goto nomem;
  if (aatgs_ring_create(&s->cfg_ring, pf->config_slots ? pf->config_slots : 1,
                        pf->config_slot_bytes ? pf->config_slot_bytes : 1) != AATGS_OK ||
      aatgs_ring_create(&s->tel_ring, pf->telemetry_slots ? pf->telemetry_slots : 1,
                        sizeof(tel_rec)) != AATGS_OK)
    goto nomem;
  aatgs_backend_fill_streams(s->streams, s->nk);
  s->pt = cfg->perturb;
  int rc = aatgs_perturb_check(s->pt, s->g, s->nk, err);
  if (rc != AATGS_OK) {
    sim_close((aatgs_backend *)(void *)s);
    return aatgs_err_prefix(err, "sim");
  }
  for (uint32_t i = 0; i < s->nk; i++)
    s->ks[i].slow = aatgs_perturb_stream_factor(s->pt, i);
  aatgs_bursts_init(&s->bursts, s->pt, cfg->seed);
  if (s->pt && s->pt->config_storm.on) {
    s->storm_end = malloc((size_t)s->pt->config_storm.count * sizeof *s->storm_end);
    if (!s->storm_end) goto nomem;
    s->storm_dur = pf->h2d_latency_ns + (aatgs_ns)ceil((double)pf->config_slot_bytes /
                                                       (pf->h2d_gbps > 0 ? pf->h2d_gbps : 1.0));
  }
  s->edges = pf->edge_latency_ns > 0 || pf->edge_gbps > 0;
  if (s->edges) {
    uint32_t n = aatgs_graph_num_tasks(s->g);
    s->task_stream = malloc(((size_t)n + 1) * sizeof *s->task_stream);
    s->task_end = calloc((size_t)n + 1, sizeof *s->task_end);
    if (!s->task_stream || !s->task_end) goto nomem;
    for (uint32_t t = 0; t < n; t++)
      s->task_stream[t] = UINT32_MAX;
  }
  *out = (aatgs_backend *)(void *)s;
  return AATGS_OK;
nomem:
  sim_close((aatgs_backend *)(void *)s);
  return aatgs_err_set(err, AATGS_ENOMEM, "sim: out of memory");
}

static const aatgs_stream_info *sim_streams(aatgs_backend *b, uint32_t *n) {
  *n = S(b)->ns;
  return S(b)->streams;
}

static aatgs_ns noisy(const sim *s, uint32_t task) {
  return aatgs_backend_task_actual(&s->cfg, task);
}

static aatgs_ns copy_time(const sim *s, uint32_t task, aatgs_ns latency, double gbps) {
  uint64_t bytes = aatgs_graph_task_bytes(s->g, task);
  if (bytes == 0 || gbps <= 0) return noisy(s, task);
  return latency + (aatgs_ns)ceil((double)bytes / gbps);
}

/* When a kernel on `stream` may start as far as its inputs go: the latest
 * end + transfer time of a predecessor kernel that ran on another stream. */
static aatgs_ns inputs_ready(const sim *s, uint32_t task, uint32_t stream) {
  uint32_t np;
  aatgs_ns ready = 0;
  if (!s->edges) return 0;
  const uint32_t *pred = aatgs_graph_predecessors(s->g, task, &np);
  const uint64_t *bytes = aatgs_graph_predecessor_bytes(s->g, task);
  for (uint32_t k = 0; k < np; k++) {
    uint32_t ps = s->task_stream[pred[k]];
    if (ps == UINT32_MAX || ps == stream) continue;
    aatgs_ns t = s->task_end[pred[k]] + aatgs_backend_edge_time(s->pf, bytes ? bytes[k] : 0);
    if (t > ready) ready = t;
  }
  return ready;
}

/* When a submit made now reaches the device: the host issues submits one at
 * a time, each taking host_submit_ns. */
static aatgs_ns host_issue(sim *s) {
  aatgs_ns issue = s->host_free > s->now ? s->host_free : s->now;
  s->host_free = issue + s->pf->host_submit_ns;
  return issue;
}

static int sim_submit(aatgs_backend *b, uint32_t task, uint32_t stream, aatgs_err *err) {
  sim *s = S(b);
  if (stream >= s->ns || task >= aatgs_graph_num_tasks(s->g))
    return aatgs_err_set(err, AATGS_EINVAL, "sim: bad stream %u or task %u", stream, task);
  if (aatgs_graph_task_class(s->g, task) != s->streams[stream].cls)
    return aatgs_err_set(err, AATGS_EINVAL, "sim: task %u cannot run on stream %s", task,
                         s->streams[stream].name);
  if (stream < s->nk) {
    kstream *k = &s->ks[stream];
    if (k->state != K_IDLE)
      return aatgs_err_set(err, AATGS_ESTATE, "sim: stream %s is busy", s->streams[stream].name);
    k->state = K_LAUNCH;
    k->task = task;
    k->submit = s->now;
    k->start_at = host_issue(s) + s->pf->launch_ns;
    aatgs_ns ready = inputs_ready(s, task, stream);
    if (ready > k->start_at) k->start_at = ready;
    k->remaining = (double)noisy(s, task);
    k->blocks = aatgs_graph_task_blocks(s->g, task);
    return AATGS_OK;
  }
  cengine *c = stream == s->nk ? &s->up : &s->down;
  if (c->has_task)
    return aatgs_err_set(err, AATGS_ESTATE, "sim: stream %s is busy", s->streams[stream].name);
  aatgs_ns dur = stream == s->nk ? copy_time(s, task, s->pf->h2d_latency_ns, s->pf->h2d_gbps)
                                 : copy_time(s, task, s->pf->d2h_latency_ns, s->pf->d2h_gbps);
  c->has_task = 1;
  c->task = task;
  c->submit = s->now;
  c->start = host_issue(s) + s->pf->launch_ns;
  if (c->draining && c->drain_end > c->start) c->start = c->drain_end;
  if (stream == s->nk && s->up_free > c->start) c->start = s->up_free; /* behind storm uploads */
  c->end = c->start + dur;
  if (stream == s->nk) s->up_free = c->end;
  return AATGS_OK;
}

static double share_factor(const sim *s) {
  uint32_t slots = s->pf->block_slots ? s->pf->block_slots : s->pf->sm_count;
  if (slots == 0 || s->running_blocks <= slots) return 1.0;
  return (double)s->running_blocks / (double)slots;
}

/* The slowdown every running kernel shares now (SM sharing x interference)
 * and, in *change, when the interference part next changes. */
static double common_factor(sim *s, aatgs_ns *change) {
  return share_factor(s) * aatgs_bursts_at(&s->bursts, s->now, change);
}

static aatgs_ns kernel_finish(const sim *s, const kstream *k, double factor) {
  double t = ceil(k->remaining * factor * k->slow);
  if (t > 4e18) t = 4e18;
  return s->now + (t < 0 ? 0 : (aatgs_ns)t);
}

static aatgs_ns busy_total(const sim *s) {
  aatgs_ns busy = s->busy_done;
  for (uint32_t i = 0; i < s->nk; i++)
    if (s->ks[i].state == K_RUN) busy += s->now - s->ks[i].start;
  return busy;
}

static int any_kernel_active(const sim *s) {
  for (uint32_t i = 0; i < s->nk; i++)
    if (s->ks[i].state != K_IDLE) return 1;
  return 0;
}

static void maybe_start_drain(sim *s) {
  cengine *c = &s->down;
  size_t len = aatgs_ring_len(s->tel_ring);
  if (c->has_task || c->draining || len == 0) return;
  if ((double)len < s->pf->telemetry_watermark * (double)aatgs_ring_capacity(s->tel_ring) &&
      any_kernel_active(s))
    return;
  c->draining = 1;
  c->drain_n = (uint32_t)len;
  c->drain_end = s->now + s->pf->d2h_latency_ns +
                 (aatgs_ns)ceil((double)len * s->pf->telemetry_slot_bytes /
                                (s->pf->d2h_gbps > 0 ? s->pf->d2h_gbps : 1.0));
}

/* Moves up to `max` records from the device telemetry ring to the host. */
static void deliver_telemetry(sim *s, uint32_t max) {
  aatgs_telemetry *t = s->cfg.telemetry;
  tel_rec r;
  aatgs_ns kernel_ns = 0;
  uint32_t k = 0;
  while (k < max && aatgs_ring_pop(s->tel_ring, &r)) {
    k++;
    if (r.task == AATGS_TASK_NONE) continue; /* a telemetry-flood record: moved, then dropped */
    kernel_ns += r.end - r.start;
    if (!t) continue;
    aatgs_telemetry_record_task_completion(t, s->now, r.task, r.start, r.end, r.sm);
    uint32_t type = aatgs_graph_task_type(s->g, r.task);
    if (type >= AATGS_TT_WHCR && type <= AATGS_TT_PHASE_TRANSITION &&
        type != AATGS_TT_TELEMETRY_DOWNLOAD) {
      aatgs_phase_metrics pm = {0};
      pm.phase_id = type;
      pm.duration_ns = r.end - r.start;
      aatgs_telemetry_record_phase(t, s->now, &pm);
    }
  }
  if (t && k > 0) {
    aatgs_gpu_metrics gm = {0};
    aatgs_ns busy = busy_total(s), span = s->now - s->metrics_t;
    gm.utilization =
        span > 0 ? (float)((double)(busy - s->metrics_busy) / ((double)span * s->nk)) : 0.0f;
    gm.kernel_duration_ns = kernel_ns;
    gm.transfer_duration_ns = 0;
    aatgs_telemetry_record_gpu(t, s->now, &gm);
    s->metrics_t = s->now;
    s->metrics_busy = busy;
  }
}

/* Moves the clock to t, which must not cross a burst boundary while a kernel
 * runs (next_event makes every boundary an event then). */
static void advance(sim *s, aatgs_ns t) {
  aatgs_ns change;
  if (t <= s->now) return;
  double dt = (double)(t - s->now) / common_factor(s, &change);
  for (uint32_t i = 0; i < s->nk; i++)
    if (s->ks[i].state == K_RUN) s->ks[i].remaining -= dt / s->ks[i].slow;
  s->now = t;
}

/* Whether a task of the graph is in flight (submitted, not completed). */
static int graph_busy(const sim *s) {
  return any_kernel_active(s) || s->up.has_task || s->down.has_task;
}

static void push_done(sim *s, uint32_t task, uint32_t stream, aatgs_ns submit, aatgs_ns start) {
  aatgs_completion *c = &s->done[s->n_done++];
  s->host_free = (s->host_free > s->now ? s->host_free : s->now) + s->pf->host_complete_ns;
  c->task = task;
  c->stream = stream;
  c->submit_ns = submit;
  c->start_ns = start;
  c->end_ns = s->now;
  c->status = AATGS_OK;
}

/* Earliest pending event, INT64_MAX when nothing is in flight. */
static aatgs_ns next_event(sim *s) {
  aatgs_ns te = INT64_MAX, change;
  double factor = common_factor(s, &change);
  int running = 0;
  for (uint32_t i = 0; i < s->nk; i++) {
    const kstream *k = &s->ks[i];
    aatgs_ns t = k->state == K_LAUNCH ? k->start_at
                 : k->state == K_RUN  ? kernel_finish(s, k, factor)
                                      : INT64_MAX;
    running |= k->state == K_RUN;
    if (t < te) te = t;
  }
  if (running && change < te) te = change; /* the kernels' rate changes then */
  if (s->storm_landed < s->storm_queued && s->storm_end[s->storm_landed] < te)
    te = s->storm_end[s->storm_landed];
  if (s->storm_end && s->storm_queued < s->pt->config_storm.count && graph_busy(s)) {
    aatgs_ns ta = aatgs_perturb_storm_time(s->pt, s->storm_queued);
    if (ta < s->now) ta = s->now;
    if (ta < te) te = ta;
  }
  const cengine *cs[2] = {&s->up, &s->down};
  for (int j = 0; j < 2; j++) {
    if (cs[j]->has_task && cs[j]->end < te) te = cs[j]->end;
    if (cs[j]->draining && cs[j]->drain_end < te) te = cs[j]->drain_end;
  }
  return te;
}

static void process_events_at(sim *s, aatgs_ns te) {
  aatgs_ns change;
  double factor = common_factor(s, &change);
  int live = graph_busy(s);
  for (uint32_t i = 0; i < s->nk; i++)
    s->fin[i] = s->ks[i].state == K_RUN ? kernel_finish(s, &s->ks[i], factor) : INT64_MAX;
  advance(s, te);
  /* 1. kernels that end now */
  for (uint32_t i = 0; i < s->nk; i++) {
    kstream *k = &s->ks[i];
    if (k->state != K_RUN || s->fin[i] != te) continue;
    k->state = K_IDLE;
    k->remaining = 0;
    s->running_blocks -= k->blocks;
    s->busy_done += te - k->start;
    tel_rec r = {k->task,
                 (uint32_t)(aatgs_hash64(s->cfg.seed ^ 0x5eULL, k->task) %
                            (s->pf->sm_count ? s->pf->sm_count : 1)),
                 k->start, te};
    if (!aatgs_ring_push(s->tel_ring, &r)) s->tel_overflows++;
    uint32_t extra = aatgs_perturb_flood(s->pt, te);
    r.task = AATGS_TASK_NONE;
    for (uint32_t x = 0; x < extra; x++)
      if (!aatgs_ring_push(s->tel_ring, &r)) s->tel_overflows++;
    if (s->edges) {
      s->task_stream[k->task] = i;
      s->task_end[k->task] = te;
    }
    push_done(s, k->task, i, k->submit, k->start);
  }
  /* 2. copies that end now */
  if (s->up.has_task && s->up.end == te) {
    s->up.has_task = 0;
    if (!aatgs_ring_push(s->cfg_ring, s->cfg_item)) s->cfg_overflows++;
    push_done(s, s->up.task, s->nk, s->up.submit, s->up.start);
  }
  /* config-storm uploads that land now, then those that arrive now */
  while (s->storm_landed < s->storm_queued && s->storm_end[s->storm_landed] <= te) {
    s->storm_landed++;
    if (!aatgs_ring_push(s->cfg_ring, s->cfg_item)) s->cfg_overflows++;
  }
  while (live && s->storm_end && s->storm_queued < s->pt->config_storm.count &&
         aatgs_perturb_storm_time(s->pt, s->storm_queued) <= te) {
    aatgs_ns start = s->up_free > te ? s->up_free : te;
    s->up_free = start + s->storm_dur;
    s->storm_end[s->storm_queued++] = s->up_free;
  }
  if (s->down.draining && s->down.drain_end == te) {
    s->down.draining = 0;
    s->drains++;
    deliver_telemetry(s, s->down.drain_n);
  }
  if (s->down.has_task && s->down.end == te) {
    s->down.has_task = 0;
    deliver_telemetry(s, UINT32_MAX);
    push_done(s, s->down.task, s->nk + 1, s->down.submit, s->down.start);
  }
  /* 3. kernels whose launch completes now start running */
  for (uint32_t i = 0; i < s->nk; i++) {
    kstream *k = &s->ks[i];
    if (k->state != K_LAUNCH || k->start_at != te) continue;
    k->state = K_RUN;
    k->start = te;
    s->running_blocks += k->blocks;
    (void)aatgs_ring_pop(s->cfg_ring, s->cfg_item); /* the kernel reads its config slot */
  }
}

static int sim_wait(aatgs_backend *b, aatgs_ns deadline, aatgs_completion *out, uint32_t cap,
                    uint32_t *n, aatgs_err *err) {
  sim *s = S(b);
  (void)err;
  *n = 0;
  for (;;) {
    if (s->done_head < s->n_done) {
      while (*n < cap && s->done_head < s->n_done)
        out[(*n)++] = s->done[s->done_head++];
      if (s->done_head == s->n_done) s->done_head = s->n_done = 0;
      return AATGS_OK;
    }
    maybe_start_drain(s);
    aatgs_ns te = next_event(s);
    if (te == INT64_MAX || te > deadline) {
      if (deadline != INT64_MAX) advance(s, deadline);
      return AATGS_OK;
    }
    process_events_at(s, te);
  }
}

static aatgs_ns sim_now(aatgs_backend *b) { return S(b)->now; }

static void sim_stats(aatgs_backend *b, aatgs_backend_stats *st) {
  sim *s = S(b);
  memset(st, 0, sizeof *st);
  st->config_len = (uint32_t)aatgs_ring_len(s->cfg_ring);
  st->config_cap = (uint32_t)aatgs_ring_capacity(s->cfg_ring);
  st->config_overflows = s->cfg_overflows;
  st->telemetry_len = (uint32_t)aatgs_ring_len(s->tel_ring);
  st->telemetry_cap = (uint32_t)aatgs_ring_capacity(s->tel_ring);
  st->telemetry_overflows = s->tel_overflows;
  st->telemetry_drains = s->drains;
  st->kernel_busy_ns = busy_total(s);
}

const aatgs_backend_ops aatgs_backend_sim = {
    AATGS_BACKEND_OPS_VERSION,
    "sim",
    "deterministic discrete-event model of the GPU stream pipeline (profile constants)",
    sim_available,
    sim_open,
    sim_streams,
    sim_submit,
    sim_wait,
    sim_now,
    sim_stats,
    sim_close,
    NULL, /* finish: nothing to check */
};
