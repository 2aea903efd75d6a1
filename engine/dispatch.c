/* dispatch.c - the dispatch loop shared by every backend and policy. */
#include "dispatch.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "telemetry.h"

const char *aatgs_run_status_name(aatgs_run_status s) {
  switch (s) {
  case AATGS_RUN_RUNNING: return "running";
  case AATGS_RUN_COMPLETED: return "completed";
  case AATGS_RUN_INTERRUPTED: return "interrupted";
  case AATGS_RUN_FAILED: return "failed";
  }
  return "unknown";
}

static aatgs_ns wall_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (aatgs_ns)ts.tv_sec * AATGS_NS_PER_S + ts.tv_nsec;
}

/* The run's event hash: FNV-1a over the deterministic fields of the event
 * log, one 64-bit word per field (a field's bytes, zero-extended), with a
 * shift-xor after each multiply so that high bits reach the low ones. Every
 * step is a bijection of the state, so changing any one field changes the
 * hash. Word-wise rather than byte-wise: a byte-wise FNV-1a (one dependent
 * multiply per byte, ~150 bytes per task) took a third of the simulator's
 * time per task (perf, bench_simgrid at 10^3 tasks). */
static inline void fnv_word(uint64_t *h, uint64_t w) {
  *h = (*h ^ w) * 0x100000001b3ULL;
  *h ^= *h >> 29;
}

static void fnv(uint64_t *h, const void *p, size_t n) {
  const unsigned char *b = p;
  for (; n >= 8; n -= 8, b += 8) {
    uint64_t w;
    memcpy(&w, b, 8);
    fnv_word(h, w);
  }
  if (n) {
    uint64_t w = 0;
    memcpy(&w, b, n);
    fnv_word(h, w);
  }
}

#define HASH(h, v)                                                                                 \
  do {                                                                                             \
    __typeof__(v) v_ = (v);                                                                        \
    _Static_assert(sizeof v_ <= 8, "HASH takes one field of at most 8 bytes");                     \
    uint64_t w_ = 0;                                                                               \
    memcpy(&w_, &v_, sizeof v_);                                                                   \
    fnv_word((h), w_);                                                                             \
  } while (0)

typedef struct loop {
  const aatgs_run_params *p;
  aatgs_graph *g;
  aatgs_policy pol;
  aatgs_backend *b;
  const aatgs_backend_ops *bops;
  aatgs_telemetry *tel;
  const aatgs_stream_info *streams;
  uint32_t ns, nk;
  uint32_t *stream_task;
  aatgs_ns *ready_at;
  aatgs_pipeline_view view;
  aatgs_completion *comps;
  aatgs_tel_event *tev;
  aatgs_run_result *res;
  const aatgs_sink *sink;
  int sink_failed;
  uint32_t n_cand; /* candidates to record per decision */
  aatgs_ns t0, now;
  uint64_t seq;
  double cost_sum;
  /* snapshot interval accumulators */
  aatgs_ns snap_t, snap_busy, snap_task_sum;
  uint32_t snap_tasks;
} loop;

static void emit(loop *L, const aatgs_event *ev) {
  L->res->events++;
  if (L->sink && !L->sink_failed && L->sink->emit(L->sink->ctx, ev) != AATGS_OK) L->sink_failed = 1;
}

static void take_ready(loop *L) {
  uint32_t t;
  while (aatgs_graph_pop_ready(L->g, &t) == AATGS_OK) {
    L->ready_at[t] = L->now;
    L->view.ready[aatgs_graph_task_class(L->g, t)]++;
    if (L->pol.ops->on_ready) L->pol.ops->on_ready(&L->pol, t, L->now);
  }
}

static void update_view(loop *L) {
  aatgs_backend_stats st;
  L->bops->stats(L->b, &st);
  L->view.now = L->now;
  L->view.config_util = st.config_cap ? (double)st.config_len / st.config_cap : 0.0;
  L->view.telemetry_util = st.telemetry_cap ? (double)st.telemetry_len / st.telemetry_cap : 0.0;
  L->view.telemetry_pending = st.telemetry_len + (uint32_t)aatgs_telemetry_pending(L->tel);
  L->view.completed = aatgs_graph_num_completed(L->g);
}

static int dispatch_round(loop *L, aatgs_err *err) {
  update_view(L);
  for (uint32_t s = 0; s < L->ns; s++) {
    const aatgs_stream_info *si = &L->streams[s];
    aatgs_choice ch = {AATGS_TASK_NONE, 0.0, 0};
    if (L->stream_task[s] != AATGS_TASK_NONE || L->view.ready[si->cls] == 0) continue;
    uint32_t ready_before = L->view.ready[si->cls];
    aatgs_event ev;
    /* Zero all but the candidate array (128 of the event's 200 bytes, zeroed
     * for every decision: a tenth of the simulator's time per task); a sink
     * reads cand[0 .. n_cand) only. */
    memset(&ev, 0, offsetof(aatgs_event, u.decision.cand));
    if (L->n_cand && L->pol.ops->version >= 2 && L->pol.ops->candidates)
      ev.u.decision.n_cand = L->pol.ops->candidates(&L->pol, si, ev.u.decision.cand, L->n_cand);
    aatgs_ns w0 = wall_ns();
    int r = L->pol.ops->pick(&L->pol, si, L->now, &ch);
    aatgs_ns cost = wall_ns() - w0;
    if (r != 1)
      return aatgs_err_set(err, AATGS_ESTATE,
                           "policy %s returned no task for idle stream %s with %u ready",
                           L->pol.ops->name, si->name, ready_before);
    if (ch.task >= aatgs_graph_num_tasks(L->g) ||
        aatgs_graph_status(L->g, ch.task) != AATGS_TASK_READY ||
        aatgs_graph_task_class(L->g, ch.task) != si->cls)
      return aatgs_err_set(err, AATGS_ESTATE,
                           "policy %s picked task %u, which cannot run on %s now", L->pol.ops->name,
                           ch.task, si->name);
    L->view.ready[si->cls]--;
    aatgs_graph_mark_started(L->g, ch.task, L->now);
    int rc = L->bops->submit(L->b, ch.task, s, err);
    if (rc != AATGS_OK) return rc;
    if (L->pol.ops->on_start) L->pol.ops->on_start(&L->pol, ch.task, s, L->now);
    L->stream_task[s] = ch.task;
    L->view.running++;

    ev.kind = AATGS_EV_DECISION;
    ev.u.decision.seq = L->seq++;
    ev.u.decision.t_ns = L->now - L->t0;
    ev.u.decision.task = ch.task;
    ev.u.decision.stream = s;
    ev.u.decision.ready_size = ready_before;
    ev.u.decision.priority = ch.priority;
    ev.u.decision.est_ns = ch.est_ns > 0 ? ch.est_ns : aatgs_graph_task_estimate(L->g, ch.task);
    ev.u.decision.cost_ns = cost;
    HASH(&L->res->event_hash, ev.u.decision.seq);
    HASH(&L->res->event_hash, ev.u.decision.t_ns);
    HASH(&L->res->event_hash, ch.task);
    HASH(&L->res->event_hash, s);
    HASH(&L->res->event_hash, ready_before);
    HASH(&L->res->event_hash, ch.priority);
    emit(L, &ev);
    L->res->decisions++;
    L->cost_sum += (double)cost;
    if (cost > L->res->max_decision_ns) L->res->max_decision_ns = cost;
  }
  return AATGS_OK;
}

static void flush_telemetry(loop *L) {
  size_t k;
  while ((k = aatgs_telemetry_flush(L->tel, L->tev, 256)) > 0) {
    for (size_t i = 0; i < k; i++) {
      aatgs_event ev; /* kind and the whole telemetry record are set: no memset */
      ev.kind = AATGS_EV_TELEMETRY;
      ev.u.tel = L->tev[i];
      ev.u.tel.t_ns -= L->t0;
      uint64_t *h = &L->res->event_hash;
      HASH(h, (int)ev.u.tel.kind);
      HASH(h, ev.u.tel.t_ns);
      switch (ev.u.tel.kind) {
      case AATGS_TEL_TASK_COMPLETED:
        ev.u.tel.u.done.gpu_start_ns -= L->t0;
        ev.u.tel.u.done.gpu_end_ns -= L->t0;
        HASH(h, ev.u.tel.u.done.task);
        HASH(h, ev.u.tel.u.done.gpu_start_ns);
        HASH(h, ev.u.tel.u.done.gpu_end_ns);
        break;
      case AATGS_TEL_PHASE:
        HASH(h, ev.u.tel.u.phase.phase_id);
        HASH(h, ev.u.tel.u.phase.duration_ns);
        break;
      case AATGS_TEL_GPU: HASH(h, ev.u.tel.u.gpu.kernel_duration_ns); break;
      case AATGS_TEL_ERROR: fnv(h, ev.u.tel.u.error, strlen(ev.u.tel.u.error)); break;
      }
      emit(L, &ev);
    }
  }
}

static void emit_ring(loop *L, uint32_t ring, uint32_t len, uint32_t cap, uint64_t overflows) {
  aatgs_event ev;
  memset(&ev, 0, sizeof ev);
  ev.kind = AATGS_EV_RING;
  ev.u.ring.t_ns = L->now - L->t0;
  ev.u.ring.ring = ring;
  ev.u.ring.len = len;
  ev.u.ring.cap = cap;
  ev.u.ring.overflows = overflows;
  HASH(&L->res->event_hash, ring);
  HASH(&L->res->event_hash, len);
  HASH(&L->res->event_hash, overflows);
  emit(L, &ev);
}

/* Takes a snapshot, tells the policy, records it; returns the next interval. */
static aatgs_ns snapshot(loop *L) {
  aatgs_backend_stats st;
  aatgs_telemetry_stats ts;
  aatgs_event ev;
  aatgs_snapshot *sn = &ev.u.snap;
  aatgs_ns interval = L->now - L->snap_t, next = 0;
  L->bops->stats(L->b, &st);
  aatgs_telemetry_buffer_stats(L->tel, &ts);
  memset(&ev, 0, sizeof ev);
  ev.kind = AATGS_EV_SNAPSHOT;
  sn->t_ns = L->now - L->t0;
  sn->avg_task_ns = L->snap_tasks ? L->snap_task_sum / L->snap_tasks : 0;
  sn->gpu_util =
      interval > 0 ? (double)(st.kernel_busy_ns - L->snap_busy) / ((double)interval * (double)L->nk)
                   : 0.0;
  sn->config_util = st.config_cap ? (double)st.config_len / st.config_cap : 0.0;
  sn->telemetry_util = st.telemetry_cap ? (double)st.telemetry_len / st.telemetry_cap : 0.0;
  sn->telemetry_pending = st.telemetry_len + (uint32_t)aatgs_telemetry_pending(L->tel);
  sn->ready = L->view.ready[0] + L->view.ready[1] + L->view.ready[2];
  sn->running = L->view.running;
  sn->completed = aatgs_graph_num_completed(L->g);
  sn->pending = aatgs_graph_num_tasks(L->g) - sn->completed - sn->running - sn->ready;
  sn->est_completion_ns = aatgs_graph_estimate_completion(L->g, L->nk);
  sn->interval_ns = interval;
  L->view.gpu_util = sn->gpu_util;
  if (L->pol.ops->on_snapshot) next = L->pol.ops->on_snapshot(&L->pol, sn);
  uint64_t *h = &L->res->event_hash;
  HASH(h, sn->t_ns);
  HASH(h, sn->avg_task_ns);
  HASH(h, sn->gpu_util);
  HASH(h, sn->completed);
  HASH(h, sn->ready);
  emit(L, &ev);
  emit_ring(L, 0, st.config_len, st.config_cap, st.config_overflows);
  emit_ring(L, 1, st.telemetry_len, st.telemetry_cap, st.telemetry_overflows);
  emit_ring(L, 2, (uint32_t)(ts.events_len + ts.phase_len + ts.gpu_len),
            (uint32_t)(ts.events_cap + ts.phase_cap + ts.gpu_cap),
            ts.events_evicted + ts.phase_evicted + ts.gpu_evicted);
  L->snap_t = L->now;
  L->snap_busy = st.kernel_busy_ns;
  L->snap_task_sum = 0;
  L->snap_tasks = 0;
  return next > 0 ? next : AATGS_DEFAULT_SNAPSHOT_NS;
}

static int complete(loop *L, const aatgs_completion *c, aatgs_err *err) {
  aatgs_event ev;
  uint32_t t = c->task;
  if (c->stream >= L->ns || L->stream_task[c->stream] != t)
    return aatgs_err_set(err, AATGS_EBACKEND,
                         "backend %s reported task %u on stream %u, not running there",
                         L->bops->name, t, c->stream);
  L->stream_task[c->stream] = AATGS_TASK_NONE;
  L->view.running--;
  if (c->status != AATGS_OK) {
    aatgs_graph_mark_failed(L->g, t, c->end_ns);
    return aatgs_err_set(err, c->status, "task %u failed on stream %s", t,
                         L->streams[c->stream].name);
  }
  aatgs_graph_set_start_time(L->g, t, c->start_ns);
  aatgs_graph_mark_complete(L->g, t, c->end_ns);
  if (L->pol.ops->on_complete)
    L->pol.ops->on_complete(&L->pol, t, c->stream, c->end_ns - c->start_ns, L->now);
  if (L->streams[c->stream].cls == AATGS_CLASS_KERNEL) {
    L->snap_task_sum += c->end_ns - c->start_ns;
    L->snap_tasks++;
  }
  if (c->end_ns - L->t0 > L->res->makespan_ns) L->res->makespan_ns = c->end_ns - L->t0;
  ev.kind = AATGS_EV_TASK; /* the task record is filled whole: no memset of the union */
  ev.u.task.task = t;
  ev.u.task.stream = c->stream;
  ev.u.task.status = c->status;
  ev.u.task.ready_ns = L->ready_at[t] - L->t0;
  ev.u.task.submit_ns = c->submit_ns - L->t0;
  ev.u.task.start_ns = c->start_ns - L->t0;
  ev.u.task.end_ns = c->end_ns - L->t0;
  uint64_t *h = &L->res->event_hash;
  HASH(h, t);
  HASH(h, c->stream);
  HASH(h, ev.u.task.ready_ns);
  HASH(h, ev.u.task.submit_ns);
  HASH(h, ev.u.task.start_ns);
  HASH(h, ev.u.task.end_ns);
  emit(L, &ev);
  return AATGS_OK;
}

int aatgs_run_graph(const aatgs_run_params *p, aatgs_run_result *res, aatgs_err *err) {
  loop L;
  aatgs_backend_config bc;
  aatgs_run_info info;
  aatgs_policy_ctx pctx;
  aatgs_backend_stats st;
  aatgs_telemetry_stats ts;
  int rc = AATGS_OK, begun = 0, pol_init = 0;
  uint32_t n, progress_step, next_progress;
  aatgs_err local;

  if (!err) err = &local;
  aatgs_err_clear(err);
  memset(res, 0, sizeof *res);
  memset(&L, 0, sizeof L);
  res->status = AATGS_RUN_FAILED;
  res->event_hash = 0xcbf29ce484222325ULL;
  if (!p || !p->graph || !p->policy || !p->backend || !p->profile)
    return aatgs_err_set(err, AATGS_EINVAL, "run: graph, policy, backend and profile are required");
  if (!aatgs_graph_is_finalized(p->graph))
    return aatgs_err_set(err, AATGS_ESTATE, "run: the graph is not finalized");
  L.p = p;
  L.g = p->graph;
  L.res = res;
  L.sink = p->sink;
  L.bops = p->backend;
  if (p->sink && p->candidates >= 0)
    L.n_cand = p->candidates == 0                               ? AATGS_DEFAULT_CANDIDATES
               : (uint32_t)p->candidates > AATGS_MAX_CANDIDATES ? AATGS_MAX_CANDIDATES
                                                                : (uint32_t)p->candidates;
  L.nk = p->kernel_streams ? p->kernel_streams : p->profile->kernel_streams;
  if (L.nk == 0) L.nk = 1;
  n = aatgs_graph_num_tasks(L.g);

  rc = aatgs_telemetry_create(&L.tel, p->telemetry_buffer ? p->telemetry_buffer : 1024);
  if (rc != AATGS_OK) {
    aatgs_err_set(err, rc, "run: cannot create the telemetry collector");
    goto out;
  }
  memset(&bc, 0, sizeof bc);
  bc.graph = L.g;
  bc.profile = p->profile;
  bc.kernel_streams = L.nk;
  bc.seed = p->seed;
  bc.noise_cv = p->noise_cv < 0 ? p->profile->noise_cv : p->noise_cv;
  bc.telemetry = L.tel;
  bc.perturb = p->perturb;
  rc = L.bops->open(&L.b, &bc, err);
  if (rc != AATGS_OK) goto out;
  L.streams = L.bops->streams(L.b, &L.ns);
  L.stream_task = malloc(L.ns * sizeof *L.stream_task);
  L.comps = malloc(L.ns * sizeof *L.comps);
  L.ready_at = malloc(((size_t)n + 1) * sizeof *L.ready_at);
  L.tev = malloc(256 * sizeof *L.tev);
  if (!L.stream_task || !L.comps || !L.ready_at || !L.tev) {
    rc = aatgs_err_set(err, AATGS_ENOMEM, "run: out of memory");
    goto out;
  }
  for (uint32_t s = 0; s < L.ns; s++)
    L.stream_task[s] = AATGS_TASK_NONE;

  aatgs_graph_reset(L.g);
  L.view.total = n;
  memset(&pctx, 0, sizeof pctx);
  pctx.graph = L.g;
  pctx.streams = L.streams;
  pctx.n_streams = L.ns;
  pctx.view = &L.view;
  pctx.seed = p->seed;
  rc = aatgs_policy_init(&L.pol, p->policy, &pctx, err);
  if (rc != AATGS_OK) goto out;
  pol_init = 1;

  res->lower_bound_ns = aatgs_graph_lower_bound(L.g, L.nk);
  res->critical_path_ns = aatgs_graph_critical_path(L.g);
  res->total_work_ns = aatgs_graph_total_work(L.g);

  if (L.sink) {
    if (p->info)
      info = *p->info;
    else
      memset(&info, 0, sizeof info);
    info.graph = L.g;
    info.streams = L.streams;
    info.n_streams = L.ns;
    if (!info.policy) info.policy = p->policy->name;
    if (!info.score_doc && p->policy->version >= 2) info.score_doc = p->policy->score_doc;
    if (!info.backend) info.backend = L.bops->name;
    info.seed = p->seed;
    rc = L.sink->run_begin(L.sink->ctx, &info, err);
    if (rc != AATGS_OK) goto out;
    begun = 1;
  }

  L.t0 = L.now = L.bops->now(L.b);
  L.snap_t = L.now;
  take_ready(&L);
  aatgs_ns next_snap = L.now + AATGS_DEFAULT_SNAPSHOT_NS;
  progress_step = n / 200 ? n / 200 : 1;
  next_progress = progress_step;

  while (aatgs_graph_num_completed(L.g) < n) {
    uint32_t nc = 0;
    if (p->interrupt && *p->interrupt) {
      rc = aatgs_err_set(err, AATGS_EINTR, "interrupted after %u of %u tasks",
                         aatgs_graph_num_completed(L.g), n);
      break;
    }
    if (L.sink_failed) {
      rc = aatgs_err_set(err, AATGS_EDB, "the recorder failed; run stopped");
      break;
    }
    rc = dispatch_round(&L, err);
    if (rc != AATGS_OK) break;
    rc = L.bops->wait(L.b, next_snap, L.comps, L.ns, &nc, err);
    if (rc != AATGS_OK) break;
    L.now = L.bops->now(L.b);
    for (uint32_t i = 0; i < nc && rc == AATGS_OK; i++)
      rc = complete(&L, &L.comps[i], err);
    if (rc != AATGS_OK) break;
    take_ready(&L);
    flush_telemetry(&L);
    if (L.now >= next_snap) next_snap = L.now + snapshot(&L);
    if (nc == 0 && L.view.running == 0 &&
        L.view.ready[0] + L.view.ready[1] + L.view.ready[2] == 0 &&
        aatgs_graph_num_completed(L.g) < n) {
      rc = aatgs_err_set(err, AATGS_ESTATE, "run stalled: nothing ready or running, %u of %u done",
                         aatgs_graph_num_completed(L.g), n);
      break;
    }
    if (p->progress && aatgs_graph_num_completed(L.g) >= next_progress) {
      p->progress(p->progress_ctx, aatgs_graph_num_completed(L.g), n);
      next_progress = aatgs_graph_num_completed(L.g) + progress_step;
    }
  }
  if (rc == AATGS_OK) {
    /* Let background telemetry drains finish, then record what they brought. */
    uint32_t nc = 0;
    rc = L.bops->wait(L.b, INT64_MAX, L.comps, L.ns, &nc, err);
    L.now = L.bops->now(L.b);
    if (rc == AATGS_OK && L.bops->version >= 2 && L.bops->finish)
      rc = L.bops->finish(L.b, res->check, sizeof res->check, err);
    flush_telemetry(&L);
    snapshot(&L);
    if (p->progress) p->progress(p->progress_ctx, aatgs_graph_num_completed(L.g), n);
  } else {
    flush_telemetry(&L);
  }
  res->status = rc == AATGS_OK      ? AATGS_RUN_COMPLETED
                : rc == AATGS_EINTR ? AATGS_RUN_INTERRUPTED
                                    : AATGS_RUN_FAILED;
  if (rc != AATGS_OK && err) snprintf(res->error, sizeof res->error, "%s", err->msg);
  L.bops->stats(L.b, &st);
  aatgs_telemetry_buffer_stats(L.tel, &ts);
  res->config_overflows = st.config_overflows;
  res->telemetry_overflows = st.telemetry_overflows;
  res->telemetry_evictions = ts.events_evicted + ts.phase_evicted + ts.gpu_evicted;

out:
  res->tasks_completed = aatgs_graph_num_completed(L.g);
  res->mean_decision_ns = res->decisions ? L.cost_sum / (double)res->decisions : 0.0;
  if (begun) {
    aatgs_err e2;
    aatgs_err_clear(&e2);
    if (res->status == AATGS_RUN_RUNNING) res->status = AATGS_RUN_FAILED;
    if (res->status == AATGS_RUN_FAILED && !res->error[0] && err)
      snprintf(res->error, sizeof res->error, "%s", err->msg);
    int rc2 = L.sink->run_end(L.sink->ctx, res, &e2);
    if (rc2 != AATGS_OK && rc == AATGS_OK) {
      rc = rc2;
      aatgs_err_set(err, rc2, "%s", e2.msg);
    }
  }
  if (pol_init) aatgs_policy_fini(&L.pol);
  if (L.b) L.bops->close(L.b);
  aatgs_telemetry_destroy(L.tel);
  free(L.stream_task);
  free(L.comps);
  free(L.ready_at);
  free(L.tev);
  return rc;
}
