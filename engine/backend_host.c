/* backend_host.c - the stream pipeline run by CPU threads on the wall clock.
 *
 * The same ops contract as `sim` and `cuda` (backend.h), with real
 * concurrency and no GPU: a real-concurrency check of the simulator.
 *  - One worker thread per stream: nk kernel workers, one config-upload
 *    worker, one telemetry-download worker. submit hands the task to its
 *    stream's worker (under the device mutex, then a condition variable);
 *    wait blocks on a condition variable until a completion, the deadline
 *    (CLOCK_MONOTONIC, ns since open) or nothing is left in flight.
 *  - A kernel busy-waits its time on the monotonic clock: its actual work x
 *    slow_stream x the interference burst in force at its submit
 *    (aatgs_backend_kernel_time, fixed at submit as the cuda backend does).
 *    start and end are read by the worker around the busy-wait.
 *  - Copies sleep their time (a DMA engine occupies no core): latency +
 *    bytes / bandwidth when the task carries bytes, else its actual work.
 *    The last 100 us are busy-waited, since sleeps overshoot by the timer
 *    slack.
 *  - Device rings (the profile's sizes), guarded by the device mutex: an
 *    upload, when its copy ends, pushes the task's config into the config
 *    ring (overflow counted when full); a kernel, when it starts, pops one
 *    config if any. A kernel, when it ends, pushes a telemetry record (task,
 *    start, end, worker) and, during a telemetry flood, per_kernel extra
 *    records into the telemetry ring (overflows counted). The download
 *    worker moves records to a host staging area: every record when a
 *    telemetry-download task completes, and in the background (a drain, its
 *    copy time slept) when it is idle and the ring is above the profile's
 *    watermark (a kernel's end triggers it) or no kernel is in flight (the
 *    waiting dispatch thread triggers it, as in the sim). The dispatch
 *    thread moves staged records into the collector in wait (the collector
 *    is single-threaded).
 *  - config_storm: the upload worker issues the storm's uploads when due
 *    while graph tasks are in flight, each taking the engine's copy time, in
 *    arrival order with the graph's uploads.
 *  - Edges between kernel streams (profile edge_latency_ns / edge_gbps): the
 *    worker waits until the predecessor's end + transfer time, then starts.
 *  - When the machine has a core for every kernel worker, the dispatch
 *    thread and one more (the copy workers, which must not starve: a late
 *    drain overflows the telemetry ring), an idle worker spins up to SPIN_NS
 *    for its next task before it blocks, and the waiting dispatch thread
 *    sleeps until SLEEP_SLACK_NS before the first kernel is due to end (timed
 *    waits overshoot by the timer slack), then spins up to SPIN_NS past it
 *    (a futex wake-up costs microseconds, tens in a VM). On fewer cores both
 *    block at once: a spinner would take the core the thread it waits for
 *    needs. AATGS_HOST_SPIN=1 / =0 in the environment forces spinning on /
 *    off. close stops every worker (a running task's busy-wait checks the
 *    stop flag) and joins them, so an interrupted or failed run never hangs.
 */
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "backend.h"
#include "ring.h"

#define SPIN_NS (20 * AATGS_NS_PER_US)
#define SLEEP_SLACK_NS (100 * AATGS_NS_PER_US)

typedef struct tel_rec {
  uint32_t task, sm;
  aatgs_ns start, end;
} tel_rec;

struct host;

typedef struct worker {
  struct host *h;
  uint32_t stream;
  pthread_t thread;
  int started;
  pthread_cond_t cv; /* a task was handed over (or stop, or a storm/drain to consider) */
  /* under h->mu */
  int busy;    /* a task was submitted and has not completed */
  int handed;  /* submitted, not yet taken by the worker */
  int running; /* kernel: between start and end */
  uint32_t task;
  aatgs_ns submit_ns, dur_ns, not_before, run_start;
  atomic_int posted;  /* a spin hint: handed was set */
  unsigned char *cfg; /* kernel: the config slot it read; upload: the one it writes */
} worker;

typedef struct host {
  aatgs_backend_config cfg;
  const aatgs_graph *g;
  const aatgs_profile *pf;
  uint32_t nk, ns;
  aatgs_stream_info *info;
  worker *w;
  struct timespec origin;
  aatgs_ns spin_ns;
  atomic_int stop;
  pthread_mutex_t mu;
  int mu_ok, done_cv_ok;
  pthread_cond_t done_cv; /* the dispatch thread waits here */
  /* under mu */
  aatgs_completion *done; /* FIFO of up to ns completions */
  uint32_t n_done;
  atomic_uint done_hint; /* completions posted (a spin hint) */
  uint32_t in_flight;    /* graph tasks submitted, not completed */
  uint32_t kernels_busy; /* kernel streams with a task submitted, not completed */
  aatgs_ring *cfg_ring, *tel_ring;
  uint64_t cfg_overflows, tel_overflows, drains, uploads;
  tel_rec *staged; /* drained records the dispatch thread has not taken */
  uint32_t n_staged, staged_cap;
  int draining, storm_busy;
  uint32_t storm_i;
  aatgs_ns storm_dur;
  aatgs_ns busy_done;
  /* dispatch thread only */
  tel_rec *deliver;
  aatgs_bursts bursts;
  int edges;
  uint32_t *task_stream;
  aatgs_ns *task_end;
  aatgs_ns metrics_t, metrics_busy;
} host;

static host *H(aatgs_backend *b) { return (host *)(void *)b; }

static aatgs_ns mono_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (aatgs_ns)ts.tv_sec * AATGS_NS_PER_S + ts.tv_nsec;
}

static aatgs_ns origin_ns(const host *h) {
  return (aatgs_ns)h->origin.tv_sec * AATGS_NS_PER_S + h->origin.tv_nsec;
}

static aatgs_ns clock_now(const host *h) { return mono_ns() - origin_ns(h); }

static struct timespec abs_time(const host *h, aatgs_ns t) {
  struct timespec ts;
  aatgs_ns a = origin_ns(h) + t;
  ts.tv_sec = (time_t)(a / AATGS_NS_PER_S);
  ts.tv_nsec = (long)(a % AATGS_NS_PER_S);
  return ts;
}

/* Busy-waits until t (backend clock) or stop; returns the time reached. */
static aatgs_ns spin_until(host *h, aatgs_ns t) {
  aatgs_ns now;
  unsigned k = 0;
  while ((now = clock_now(h)) < t)
    if ((++k & 255u) == 0 && atomic_load_explicit(&h->stop, memory_order_relaxed)) break;
  return now;
}

/* Sleeps until t (backend clock), busy-waiting the last SLEEP_SLACK_NS. */
static aatgs_ns sleep_until(host *h, aatgs_ns t) {
  aatgs_ns now = clock_now(h);
  while (t - now > SLEEP_SLACK_NS && !atomic_load_explicit(&h->stop, memory_order_relaxed)) {
    aatgs_ns until = t - SLEEP_SLACK_NS;
    if (until - now > 10 * AATGS_NS_PER_MS) until = now + 10 * AATGS_NS_PER_MS; /* see stop */
    struct timespec ts = abs_time(h, until);
    clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
    now = clock_now(h);
  }
  return spin_until(h, t);
}

static int stopping(host *h) { return atomic_load_explicit(&h->stop, memory_order_relaxed); }

/* Waits (mu held) for a task handed to w, spinning first when allowed.
 * Returns 0 on stop. */
static int await_task(host *h, worker *w) {
  if (!w->handed && h->spin_ns > 0) {
    pthread_mutex_unlock(&h->mu);
    aatgs_ns until = clock_now(h) + h->spin_ns;
    while (!atomic_load_explicit(&w->posted, memory_order_acquire) && !stopping(h) &&
           clock_now(h) < until) {
    }
    pthread_mutex_lock(&h->mu);
  }
  while (!w->handed && !stopping(h))
    pthread_cond_wait(&w->cv, &h->mu);
  if (stopping(h)) return 0;
  w->handed = 0;
  atomic_store_explicit(&w->posted, 0, memory_order_relaxed);
  return 1;
}

/* mu held. Records a completion and wakes the dispatch thread. */
static void post(host *h, worker *w, aatgs_ns start, aatgs_ns end) {
  aatgs_completion *c = &h->done[h->n_done++];
  c->task = w->task;
  c->stream = w->stream;
  c->submit_ns = w->submit_ns;
  c->start_ns = start < w->submit_ns ? w->submit_ns : start;
  c->end_ns = end < c->start_ns ? c->start_ns : end;
  c->status = AATGS_OK;
  w->busy = 0;
  h->in_flight--;
  if (w->stream < h->nk) h->kernels_busy--;
  atomic_fetch_add_explicit(&h->done_hint, 1u, memory_order_release);
  pthread_cond_signal(&h->done_cv);
}

/* mu held. Whether the telemetry ring is above the drain watermark. */
static int above_watermark(const host *h) {
  return (double)aatgs_ring_len(h->tel_ring) >=
         h->pf->telemetry_watermark * (double)aatgs_ring_capacity(h->tel_ring);
}

/* mu held. Whether the download engine should drain in the background now:
 * it is idle, and the ring is above the watermark or no kernel is in flight
 * (as the sim decides it, when the dispatch thread waits). */
static int drain_due(const host *h) {
  const worker *d = &h->w[h->nk + 1];
  if (d->busy || h->draining || aatgs_ring_len(h->tel_ring) == 0 || h->n_staged >= h->staged_cap)
    return 0;
  return h->kernels_busy == 0 || above_watermark(h);
}

/* mu held. Moves up to max records from the telemetry ring to staging. */
static void stage_records(host *h, uint32_t max) {
  tel_rec r;
  uint32_t k = 0;
  while (k < max && h->n_staged < h->staged_cap && aatgs_ring_pop(h->tel_ring, &r)) {
    k++;
    if (r.task == AATGS_TASK_NONE) continue; /* a telemetry-flood record: moved, then dropped */
    h->staged[h->n_staged++] = r;
  }
}

static void *kernel_main(void *arg) {
  worker *w = arg;
  host *h = w->h;
  pthread_mutex_lock(&h->mu);
  while (await_task(h, w)) {
    aatgs_ns not_before = w->not_before, dur = w->dur_ns;
    if (not_before > 0) {
      pthread_mutex_unlock(&h->mu);
      sleep_until(h, not_before); /* the inputs from another stream arrive */
      pthread_mutex_lock(&h->mu);
    }
    (void)aatgs_ring_pop(h->cfg_ring, w->cfg); /* the kernel reads its config slot */
    w->running = 1;
    aatgs_ns start = clock_now(h);
    w->run_start = start;
    pthread_mutex_unlock(&h->mu);
    aatgs_ns end = spin_until(h, start + dur);
    pthread_mutex_lock(&h->mu);
    w->running = 0;
    h->busy_done += end - start;
    tel_rec r = {w->task, w->stream, start, end};
    if (!aatgs_ring_push(h->tel_ring, &r)) h->tel_overflows++;
    uint32_t extra = aatgs_perturb_flood(h->cfg.perturb, end);
    r.task = AATGS_TASK_NONE;
    for (uint32_t x = 0; x < extra; x++)
      if (!aatgs_ring_push(h->tel_ring, &r)) h->tel_overflows++;
    post(h, w, start, end);
    if (above_watermark(h) && drain_due(h)) pthread_cond_signal(&h->w[h->nk + 1].cv);
  }
  pthread_mutex_unlock(&h->mu);
  return NULL;
}

/* mu held. Pushes one config into the device config ring. */
static void config_landed(host *h, const void *item) {
  if (!aatgs_ring_push(h->cfg_ring, item)) h->cfg_overflows++;
}

static void *upload_main(void *arg) {
  worker *w = arg;
  host *h = w->h;
  const aatgs_perturb *pt = h->cfg.perturb;
  int storm = pt && pt->config_storm.on;
  pthread_mutex_lock(&h->mu);
  while (!stopping(h)) {
    if (w->handed) {
      w->handed = 0;
      atomic_store_explicit(&w->posted, 0, memory_order_relaxed);
      aatgs_ns dur = w->dur_ns;
      pthread_mutex_unlock(&h->mu);
      aatgs_ns start = clock_now(h);
      aatgs_ns end = sleep_until(h, start + dur);
      pthread_mutex_lock(&h->mu);
      uint64_t seq = h->uploads++;
      memset(w->cfg, 0, h->pf->config_slot_bytes ? h->pf->config_slot_bytes : 1);
      memcpy(w->cfg, &w->task, h->pf->config_slot_bytes >= 4 ? 4 : 0);
      if (h->pf->config_slot_bytes >= 16) memcpy(w->cfg + 8, &seq, sizeof seq);
      config_landed(h, w->cfg);
      post(h, w, start, end);
      continue;
    }
    if (storm && h->storm_i < pt->config_storm.count && h->in_flight > 0) {
      aatgs_ns due = aatgs_perturb_storm_time(pt, h->storm_i), now = clock_now(h);
      if (due <= now) {
        h->storm_i++;
        h->storm_busy = 1;
        pthread_mutex_unlock(&h->mu);
        sleep_until(h, now + h->storm_dur);
        pthread_mutex_lock(&h->mu);
        memset(w->cfg, 0, h->pf->config_slot_bytes ? h->pf->config_slot_bytes : 1);
        config_landed(h, w->cfg);
        h->storm_busy = 0;
        pthread_cond_signal(&h->done_cv);
        continue;
      }
      struct timespec ts = abs_time(h, due);
      pthread_cond_timedwait(&w->cv, &h->mu, &ts);
      continue;
    }
    pthread_cond_wait(&w->cv, &h->mu);
  }
  pthread_mutex_unlock(&h->mu);
  return NULL;
}

static void *download_main(void *arg) {
  worker *w = arg;
  host *h = w->h;
  const aatgs_profile *pf = h->pf;
  pthread_mutex_lock(&h->mu);
  while (!stopping(h)) {
    if (w->handed) {
      w->handed = 0;
      atomic_store_explicit(&w->posted, 0, memory_order_relaxed);
      aatgs_ns dur = w->dur_ns;
      pthread_mutex_unlock(&h->mu);
      aatgs_ns start = clock_now(h);
      aatgs_ns end = sleep_until(h, start + dur);
      pthread_mutex_lock(&h->mu);
      stage_records(h, UINT32_MAX);
      post(h, w, start, end);
      continue;
    }
    if (drain_due(h)) {
      uint32_t len = (uint32_t)aatgs_ring_len(h->tel_ring);
      aatgs_ns dur = pf->d2h_latency_ns + (aatgs_ns)ceil((double)len * pf->telemetry_slot_bytes /
                                                         (pf->d2h_gbps > 0 ? pf->d2h_gbps : 1.0));
      h->draining = 1;
      pthread_mutex_unlock(&h->mu);
      sleep_until(h, clock_now(h) + dur);
      pthread_mutex_lock(&h->mu);
      stage_records(h, len);
      h->drains++;
      h->draining = 0;
      pthread_cond_signal(&h->done_cv);
      continue;
    }
    pthread_cond_wait(&w->cv, &h->mu);
  }
  pthread_mutex_unlock(&h->mu);
  return NULL;
}

static int host_available(void) { return 1; }

static void host_close(aatgs_backend *b) {
  host *h = H(b);
  if (!h) return;
  if (h->w && h->mu_ok) {
    pthread_mutex_lock(&h->mu);
    atomic_store(&h->stop, 1);
    for (uint32_t i = 0; i < h->ns; i++)
      if (h->w[i].started) pthread_cond_broadcast(&h->w[i].cv);
    pthread_mutex_unlock(&h->mu);
    for (uint32_t i = 0; i < h->ns; i++)
      if (h->w[i].started) pthread_join(h->w[i].thread, NULL);
  }
  if (h->w) {
    for (uint32_t i = 0; i < h->ns; i++) {
      if (h->w[i].started) pthread_cond_destroy(&h->w[i].cv);
      free(h->w[i].cfg);
    }
  }
  if (h->done_cv_ok) pthread_cond_destroy(&h->done_cv);
  if (h->mu_ok) pthread_mutex_destroy(&h->mu);
  aatgs_ring_destroy(h->cfg_ring);
  aatgs_ring_destroy(h->tel_ring);
  free(h->w);
  free(h->info);
  free(h->done);
  free(h->staged);
  free(h->deliver);
  free(h->task_stream);
  free(h->task_end);
  free(h);
}

/* Creates a condition variable on the monotonic clock. */
static int mono_cond(pthread_cond_t *cv) {
  pthread_condattr_t a;
  if (pthread_condattr_init(&a) != 0) return -1;
  int rc = pthread_condattr_setclock(&a, CLOCK_MONOTONIC);
  if (rc == 0) rc = pthread_cond_init(cv, &a);
  pthread_condattr_destroy(&a);
  return rc;
}

static int host_open(aatgs_backend **out, const aatgs_backend_config *cfg, aatgs_err *err) {
  const aatgs_profile *pf = cfg->profile;
  int rc;
  if (!cfg->graph || !pf || cfg->kernel_streams == 0)
    return aatgs_err_set(err, AATGS_EINVAL, "host: graph, profile and >= 1 kernel stream required");
  if (cfg->kernel_streams > 1024)
    return aatgs_err_set(err, AATGS_EINVAL,
                         "host: %u kernel streams (one thread each; at most 1024)",
                         cfg->kernel_streams);
  rc = aatgs_perturb_check(cfg->perturb, cfg->graph, cfg->kernel_streams, err);
  if (rc != AATGS_OK) return aatgs_err_prefix(err, "host");
  host *h = calloc(1, sizeof *h);
  if (!h) return aatgs_err_set(err, AATGS_ENOMEM, "host: out of memory");
  h->cfg = *cfg;
  h->g = cfg->graph;
  h->pf = pf;
  h->nk = cfg->kernel_streams;
  h->ns = h->nk + 2;
  size_t slot = pf->config_slot_bytes ? pf->config_slot_bytes : 1;
  size_t tslots = pf->telemetry_slots ? pf->telemetry_slots : 1;
  h->info = calloc(h->ns, sizeof *h->info);
  h->w = calloc(h->ns, sizeof *h->w);
  h->done = calloc(h->ns, sizeof *h->done);
  h->staged_cap = (uint32_t)tslots;
  h->staged = calloc(tslots, sizeof *h->staged);
  h->deliver = calloc(tslots, sizeof *h->deliver);
  if (!h->info || !h->w || !h->done || !h->staged || !h->deliver) goto nomem;
  for (uint32_t i = 0; i < h->ns; i++)
    if (!(h->w[i].cfg = calloc(1, slot))) goto nomem;
  if (aatgs_ring_create(&h->cfg_ring, pf->config_slots ? pf->config_slots : 1, slot) != AATGS_OK ||
      aatgs_ring_create(&h->tel_ring, tslots, sizeof(tel_rec)) != AATGS_OK)
    goto nomem;
  aatgs_backend_fill_streams(h->info, h->nk);
  aatgs_bursts_init(&h->bursts, cfg->perturb, cfg->seed);
  if (cfg->perturb && cfg->perturb->config_storm.on)
    h->storm_dur = pf->h2d_latency_ns + (aatgs_ns)ceil((double)pf->config_slot_bytes /
                                                       (pf->h2d_gbps > 0 ? pf->h2d_gbps : 1.0));
  h->edges = pf->edge_latency_ns > 0 || pf->edge_gbps > 0;
  if (h->edges) {
    uint32_t n = aatgs_graph_num_tasks(h->g);
    h->task_stream = malloc(((size_t)n + 1) * sizeof *h->task_stream);
    h->task_end = calloc((size_t)n + 1, sizeof *h->task_end);
    if (!h->task_stream || !h->task_end) goto nomem;
    for (uint32_t t = 0; t < n; t++)
      h->task_stream[t] = UINT32_MAX;
  }
  long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
  const char *spin = getenv("AATGS_HOST_SPIN");
  if (spin && (!strcmp(spin, "0") || !strcmp(spin, "1")))
    h->spin_ns = spin[0] == '1' ? SPIN_NS : 0;
  else
    h->spin_ns = ncpu >= (long)h->nk + 2 ? SPIN_NS : 0;
  atomic_init(&h->stop, 0);
  atomic_init(&h->done_hint, 0u);
  if (pthread_mutex_init(&h->mu, NULL) != 0) goto nothread;
  h->mu_ok = 1;
  if (mono_cond(&h->done_cv) != 0) goto nothread;
  h->done_cv_ok = 1;
  clock_gettime(CLOCK_MONOTONIC, &h->origin);
  for (uint32_t i = 0; i < h->ns; i++) {
    worker *w = &h->w[i];
    w->h = h;
    w->stream = i;
    atomic_init(&w->posted, 0);
    if (mono_cond(&w->cv) != 0) goto nothread;
    void *(*fn)(void *) = i < h->nk ? kernel_main : i == h->nk ? upload_main : download_main;
    if (pthread_create(&w->thread, NULL, fn, w) != 0) {
      pthread_cond_destroy(&w->cv);
      goto nothread;
    }
    w->started = 1;
  }
  *out = (aatgs_backend *)(void *)h;
  return AATGS_OK;
nothread:
  host_close((aatgs_backend *)(void *)h);
  return aatgs_err_set(err, AATGS_EBACKEND, "host: cannot start the %u stream worker threads",
                       cfg->kernel_streams + 2);
nomem:
  host_close((aatgs_backend *)(void *)h);
  return aatgs_err_set(err, AATGS_ENOMEM, "host: out of memory");
}

static const aatgs_stream_info *host_streams(aatgs_backend *b, uint32_t *n) {
  *n = H(b)->ns;
  return H(b)->info;
}

static aatgs_ns host_now(aatgs_backend *b) { return clock_now(H(b)); }

static aatgs_ns copy_time(const host *h, uint32_t task, aatgs_ns latency, double gbps) {
  uint64_t bytes = aatgs_graph_task_bytes(h->g, task);
  if (bytes == 0 || gbps <= 0) return aatgs_backend_task_actual(&h->cfg, task);
  return latency + (aatgs_ns)ceil((double)bytes / gbps);
}

/* Edges: when a kernel on `stream` may start as far as its inputs go (0: now). */
static aatgs_ns inputs_ready(const host *h, uint32_t task, uint32_t stream) {
  uint32_t np;
  aatgs_ns ready = 0;
  if (!h->edges) return 0;
  const uint32_t *pred = aatgs_graph_predecessors(h->g, task, &np);
  const uint64_t *bytes = aatgs_graph_predecessor_bytes(h->g, task);
  for (uint32_t k = 0; k < np; k++) {
    uint32_t ps = h->task_stream[pred[k]];
    if (ps == UINT32_MAX || ps == stream) continue;
    aatgs_ns t = h->task_end[pred[k]] + aatgs_backend_edge_time(h->pf, bytes ? bytes[k] : 0);
    if (t > ready) ready = t;
  }
  return ready;
}

static int host_submit(aatgs_backend *b, uint32_t task, uint32_t stream, aatgs_err *err) {
  host *h = H(b);
  if (stream >= h->ns || task >= aatgs_graph_num_tasks(h->g))
    return aatgs_err_set(err, AATGS_EINVAL, "host: bad stream %u or task %u", stream, task);
  if (aatgs_graph_task_class(h->g, task) != h->info[stream].cls)
    return aatgs_err_set(err, AATGS_EINVAL, "host: task %u cannot run on stream %s", task,
                         h->info[stream].name);
  worker *w = &h->w[stream];
  aatgs_ns now = clock_now(h), dur, not_before = 0;
  if (stream < h->nk) {
    dur = aatgs_backend_kernel_time(&h->cfg, &h->bursts, task, stream, now);
    not_before = inputs_ready(h, task, stream);
  } else if (stream == h->nk) {
    dur = copy_time(h, task, h->pf->h2d_latency_ns, h->pf->h2d_gbps);
  } else {
    dur = copy_time(h, task, h->pf->d2h_latency_ns, h->pf->d2h_gbps);
  }
  pthread_mutex_lock(&h->mu);
  if (w->busy) {
    pthread_mutex_unlock(&h->mu);
    return aatgs_err_set(err, AATGS_ESTATE, "host: stream %s is busy", h->info[stream].name);
  }
  w->busy = 1;
  w->handed = 1;
  w->task = task;
  w->submit_ns = now;
  w->dur_ns = dur;
  w->not_before = not_before;
  h->in_flight++;
  if (stream < h->nk) h->kernels_busy++;
  atomic_store_explicit(&w->posted, 1, memory_order_release);
  pthread_cond_signal(&w->cv);
  if (h->in_flight == 1 && stream != h->nk && h->storm_dur > 0)
    pthread_cond_signal(&h->w[h->nk].cv); /* storm arrivals count again */
  pthread_mutex_unlock(&h->mu);
  return AATGS_OK;
}

/* mu held. Whether anything is in flight that will post a completion or move
 * telemetry: graph tasks, a drain (running or due), storm uploads, staged
 * records. */
static int anything_pending(const host *h) {
  return h->in_flight > 0 || h->draining || h->storm_busy || h->n_staged > 0 || drain_due(h);
}

static aatgs_ns busy_total_locked(const host *h, aatgs_ns now) {
  aatgs_ns busy = h->busy_done;
  for (uint32_t i = 0; i < h->nk; i++)
    if (h->w[i].running && now > h->w[i].run_start) busy += now - h->w[i].run_start;
  return busy;
}

/* Dispatch thread, mu not held: moves k staged records into the collector. */
static void deliver_telemetry(host *h, uint32_t k, aatgs_ns now, aatgs_ns busy) {
  aatgs_telemetry *t = h->cfg.telemetry;
  aatgs_ns kernel_ns = 0;
  if (!t || k == 0) return;
  for (uint32_t i = 0; i < k; i++) {
    const tel_rec *r = &h->deliver[i];
    kernel_ns += r->end - r->start;
    aatgs_telemetry_record_task_completion(t, now, r->task, r->start, r->end, r->sm);
    uint32_t type = aatgs_graph_task_type(h->g, r->task);
    if (type >= AATGS_TT_WHCR && type <= AATGS_TT_PHASE_TRANSITION &&
        type != AATGS_TT_TELEMETRY_DOWNLOAD) {
      aatgs_phase_metrics pm;
      memset(&pm, 0, sizeof pm);
      pm.phase_id = type;
      pm.duration_ns = r->end - r->start;
      aatgs_telemetry_record_phase(t, now, &pm);
    }
  }
  aatgs_gpu_metrics gm;
  aatgs_ns span = now - h->metrics_t;
  memset(&gm, 0, sizeof gm);
  gm.utilization =
      span > 0 ? (float)((double)(busy - h->metrics_busy) / ((double)span * h->nk)) : 0.0f;
  gm.kernel_duration_ns = kernel_ns;
  aatgs_telemetry_record_gpu(t, now, &gm);
  h->metrics_t = now;
  h->metrics_busy = busy;
}

/* mu held. When the first kernel in flight is expected to end (INT64_MAX:
 * none): its start + time, or now + time when it has not started. */
static aatgs_ns next_due(const host *h, aatgs_ns now) {
  aatgs_ns due = INT64_MAX;
  for (uint32_t i = 0; i < h->nk; i++) {
    const worker *w = &h->w[i];
    aatgs_ns t = w->running ? w->run_start + w->dur_ns : w->busy ? now + w->dur_ns : INT64_MAX;
    if (t < due) due = t;
  }
  return due;
}

static int host_wait(aatgs_backend *b, aatgs_ns deadline, aatgs_completion *out, uint32_t cap,
                     uint32_t *n, aatgs_err *err) {
  host *h = H(b);
  (void)err;
  *n = 0;
  int spun = 0;
  pthread_mutex_lock(&h->mu);
  for (;;) {
    if (h->n_staged > 0) {
      uint32_t k = h->n_staged;
      aatgs_ns now = clock_now(h);
      aatgs_ns busy = busy_total_locked(h, now);
      memcpy(h->deliver, h->staged, k * sizeof *h->staged);
      h->n_staged = 0;
      if (drain_due(h)) pthread_cond_signal(&h->w[h->nk + 1].cv);
      pthread_mutex_unlock(&h->mu);
      deliver_telemetry(h, k, now, busy);
      pthread_mutex_lock(&h->mu);
      continue;
    }
    if (h->n_done > 0) {
      uint32_t k = h->n_done < cap ? h->n_done : cap;
      memcpy(out, h->done, k * sizeof *out);
      memmove(h->done, h->done + k, (h->n_done - k) * sizeof *h->done);
      h->n_done -= k;
      *n = k;
      break;
    }
    if (!anything_pending(h)) break; /* nothing in flight: return at once */
    if (drain_due(h)) pthread_cond_signal(&h->w[h->nk + 1].cv);
    if (h->spin_ns > 0 && !spun) {
      /* A core to spare: sleep until shortly before the first kernel is due
       * to end (a completion wakes us earlier), then spin for it. */
      aatgs_ns now = clock_now(h), due = next_due(h, now);
      if (due != INT64_MAX && due - now > SLEEP_SLACK_NS && now + SLEEP_SLACK_NS < deadline) {
        aatgs_ns until = due - SLEEP_SLACK_NS < deadline ? due - SLEEP_SLACK_NS : deadline;
        struct timespec ts = abs_time(h, until);
        pthread_cond_timedwait(&h->done_cv, &h->mu, &ts);
        continue;
      }
      unsigned seen = atomic_load_explicit(&h->done_hint, memory_order_relaxed);
      aatgs_ns until = (due != INT64_MAX && due > now ? due : now) + h->spin_ns;
      if (until > deadline) until = deadline;
      spun = 1;
      pthread_mutex_unlock(&h->mu);
      while (atomic_load_explicit(&h->done_hint, memory_order_acquire) == seen &&
             clock_now(h) < until) {
      }
      pthread_mutex_lock(&h->mu);
      continue;
    }
    if (deadline == INT64_MAX) {
      pthread_cond_wait(&h->done_cv, &h->mu);
    } else {
      if (clock_now(h) >= deadline) break;
      struct timespec ts = abs_time(h, deadline);
      pthread_cond_timedwait(&h->done_cv, &h->mu, &ts);
    }
  }
  pthread_mutex_unlock(&h->mu);
  if (h->edges)
    for (uint32_t i = 0; i < *n; i++)
      if (out[i].stream < h->nk) {
        h->task_stream[out[i].task] = out[i].stream;
        h->task_end[out[i].task] = out[i].end_ns;
      }
  return AATGS_OK;
}

static void host_stats(aatgs_backend *b, aatgs_backend_stats *st) {
  host *h = H(b);
  memset(st, 0, sizeof *st);
  pthread_mutex_lock(&h->mu);
  st->config_len = (uint32_t)aatgs_ring_len(h->cfg_ring);
  st->config_cap = (uint32_t)aatgs_ring_capacity(h->cfg_ring);
  st->config_overflows = h->cfg_overflows;
  st->telemetry_len = (uint32_t)aatgs_ring_len(h->tel_ring);
  st->telemetry_cap = (uint32_t)aatgs_ring_capacity(h->tel_ring);
  st->telemetry_overflows = h->tel_overflows;
  st->telemetry_drains = h->drains;
  st->kernel_busy_ns = busy_total_locked(h, clock_now(h));
  pthread_mutex_unlock(&h->mu);
}

const aatgs_backend_ops aatgs_backend_host = {
    AATGS_BACKEND_OPS_VERSION,
    "host",
    "the stream pipeline on CPU threads: one worker per stream, tasks busy-wait their duration",
    host_available,
    host_open,
    host_streams,
    host_submit,
    host_wait,
    host_now,
    host_stats,
    host_close,
    NULL, /* finish: nothing to check */
};
