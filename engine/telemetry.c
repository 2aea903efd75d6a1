/* telemetry.c - the telemetry collector (see telemetry.h).
 *
 * Three bounded FIFO buffers of the same capacity: phase metrics, GPU metrics,
 * and an event queue for task completions and errors. Each is a circular
 * array with the index of its oldest entry and a length; recording into a
 * full buffer overwrites the oldest entry and counts one eviction. Every
 * entry carries a record-order number so flush can merge the three buffers
 * by (t_ns, record order). The slot arrays are one allocation made by
 * create; nothing is allocated afterwards.
 */
#include "telemetry.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

enum { BUF_PHASE = 0, BUF_GPU = 1, BUF_EVENTS = 2, BUF_COUNT = 3 };

typedef struct tel_slot {
  uint64_t seq; /* record order, unique and increasing across all buffers */
  aatgs_tel_event ev;
} tel_slot;

typedef struct tel_buf {
  tel_slot *slots;
  size_t cap;
  size_t first; /* index of the oldest entry */
  size_t len;
  uint64_t evicted;
} tel_buf;

struct aatgs_telemetry {
  tel_buf buf[BUF_COUNT];
  tel_slot *storage; /* BUF_COUNT * cap slots, shared out to buf[] */
  uint64_t next_seq; /* also the count of events ever recorded */
};

int aatgs_telemetry_create(aatgs_telemetry **out, size_t buffer_size) {
  aatgs_telemetry *t = NULL;
  if (!out) return AATGS_EINVAL;
  *out = NULL;
  if (buffer_size == 0 || buffer_size > SIZE_MAX / BUF_COUNT / sizeof(tel_slot))
    return AATGS_EINVAL;
  t = calloc(1, sizeof *t);
  if (!t) goto fail;
  t->storage = calloc(BUF_COUNT * buffer_size, sizeof *t->storage);
  if (!t->storage) goto fail;
  for (int i = 0; i < BUF_COUNT; i++) {
    t->buf[i].slots = t->storage + (size_t)i * buffer_size;
    t->buf[i].cap = buffer_size;
  }
  *out = t;
  return AATGS_OK;

fail:
  free(t);
  return AATGS_ENOMEM;
}

void aatgs_telemetry_destroy(aatgs_telemetry *t) {
  if (!t) return;
  free(t->storage);
  free(t);
}

/* Returns the slot for a new entry at the back of b, evicting (and counting)
 * the oldest entry first when b is full. The slot comes back zeroed, so
 * unused union bytes are deterministic. */
static aatgs_tel_event *append(aatgs_telemetry *t, tel_buf *b, aatgs_tel_kind kind, aatgs_ns now) {
  tel_slot *s;
  if (b->len == b->cap) {
    b->first = b->first + 1 == b->cap ? 0 : b->first + 1;
    b->len--;
    b->evicted++;
  }
  s = &b->slots[(b->first + b->len) % b->cap];
  b->len++;
  memset(s, 0, sizeof *s);
  s->seq = t->next_seq++;
  s->ev.kind = kind;
  s->ev.t_ns = now;
  return &s->ev;
}

void aatgs_telemetry_record_phase(aatgs_telemetry *t, aatgs_ns now, const aatgs_phase_metrics *m) {
  if (!t || !m) return;
  append(t, &t->buf[BUF_PHASE], AATGS_TEL_PHASE, now)->u.phase = *m;
}

void aatgs_telemetry_record_gpu(aatgs_telemetry *t, aatgs_ns now, const aatgs_gpu_metrics *m) {
  if (!t || !m) return;
  append(t, &t->buf[BUF_GPU], AATGS_TEL_GPU, now)->u.gpu = *m;
}

void aatgs_telemetry_record_task_completion(aatgs_telemetry *t, aatgs_ns now, uint32_t task,
                                            aatgs_ns gpu_start_ns, aatgs_ns gpu_end_ns,
                                            uint32_t sm) {
  aatgs_tel_event *ev;
  if (!t) return;
  ev = append(t, &t->buf[BUF_EVENTS], AATGS_TEL_TASK_COMPLETED, now);
  ev->u.done.task = task;
  ev->u.done.sm = sm;
  ev->u.done.gpu_start_ns = gpu_start_ns;
  ev->u.done.gpu_end_ns = gpu_end_ns;
  /* Unsigned subtraction: no overflow trap on absurd inputs. */
  ev->u.done.duration_ns = (aatgs_ns)((uint64_t)gpu_end_ns - (uint64_t)gpu_start_ns);
}

void aatgs_telemetry_record_error(aatgs_telemetry *t, aatgs_ns now, const char *msg) {
  aatgs_tel_event *ev;
  size_t n;
  if (!t) return;
  ev = append(t, &t->buf[BUF_EVENTS], AATGS_TEL_ERROR, now);
  if (!msg) msg = "";
  n = strlen(msg);
  if (n > AATGS_TEL_MSG_MAX - 1) n = AATGS_TEL_MSG_MAX - 1;
  memcpy(ev->u.error, msg, n);
  ev->u.error[n] = '\0';
}

size_t aatgs_telemetry_pending(const aatgs_telemetry *t) {
  size_t n = 0;
  if (!t) return 0;
  for (int i = 0; i < BUF_COUNT; i++)
    n += t->buf[i].len;
  return n;
}

/* True when slot a comes before slot b: earlier t_ns, then earlier record. */
static int before(const tel_slot *a, const tel_slot *b) {
  if (a->ev.t_ns != b->ev.t_ns) return a->ev.t_ns < b->ev.t_ns;
  return a->seq < b->seq;
}

/* A three-way merge of the buffers' oldest entries: each buffer drains oldest
 * first, and across buffers the earliest (t_ns, record order) goes next. When
 * each buffer's times are non-decreasing (the dispatch loop's clock), the
 * result is sorted by (t_ns, record order). */
size_t aatgs_telemetry_flush(aatgs_telemetry *t, aatgs_tel_event *out, size_t cap) {
  size_t n = 0;
  if (!t || !out) return 0;
  while (n < cap) {
    tel_buf *best = NULL;
    for (int i = 0; i < BUF_COUNT; i++) {
      tel_buf *b = &t->buf[i];
      if (b->len == 0) continue;
      if (!best || before(&b->slots[b->first], &best->slots[best->first])) best = b;
    }
    if (!best) break;
    out[n++] = best->slots[best->first].ev;
    best->first = best->first + 1 == best->cap ? 0 : best->first + 1;
    best->len--;
  }
  return n;
}

void aatgs_telemetry_buffer_stats(const aatgs_telemetry *t, aatgs_telemetry_stats *out) {
  if (!out) return;
  memset(out, 0, sizeof *out);
  if (!t) return;
  out->phase_len = t->buf[BUF_PHASE].len;
  out->phase_cap = t->buf[BUF_PHASE].cap;
  out->gpu_len = t->buf[BUF_GPU].len;
  out->gpu_cap = t->buf[BUF_GPU].cap;
  out->events_len = t->buf[BUF_EVENTS].len;
  out->events_cap = t->buf[BUF_EVENTS].cap;
  out->phase_evicted = t->buf[BUF_PHASE].evicted;
  out->gpu_evicted = t->buf[BUF_GPU].evicted;
  out->events_evicted = t->buf[BUF_EVENTS].evicted;
  out->recorded = t->next_seq;
}
