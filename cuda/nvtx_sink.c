/* nvtx_sink.c - NVTX annotations of a run as an event-sink decorator (see
 * nvtx_sink.h for the contract).
 *
 * Built only as part of aatgs_nvtx (cmake/nvtx.cmake), which defines
 * AATGS_HAVE_NVTX. A build that globs this folder into another target (the
 * CUDA backend library) compiles it to nothing, so NVTX stays out of builds
 * made with AATGS_NVTX=OFF.
 */
#if defined(AATGS_HAVE_NVTX)

#define _DEFAULT_SOURCE /* syscall(SYS_gettid) */

#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* NVTX's headers are not -Wpedantic clean (dlsym to a function pointer). */
#define NVTX_AS_SYSTEM_HEADER
#include <nvtx3/nvToolsExt.h>
#if defined(AATGS_NVTX_HAVE_CUDART)
#include <nvtx3/nvToolsExtCudaRt.h>
#endif

#include "nvtx_sink.h"

#define MSG_MAX 128

struct aatgs_nvtx_sink {
  aatgs_sink inner; /* all NULL when there is none */
  int has_inner;
  int registered_messages;
  nvtxDomainHandle_t domain; /* NULL: no tool attached, forward only */
  int in_run;
  const aatgs_graph *graph; /* of the open run */
  nvtxRangeId_t run_range;

  /* Per task of the open run: its range id and whether it is open. */
  nvtxRangeId_t *range;
  uint8_t *open;
  uint32_t n_tasks, cap_tasks, n_open;

  /* Per task type: name (owned by the graph), registered name. */
  uint32_t n_types;
  const char *type_name[AATGS_MAX_TYPES];
  nvtxStringHandle_t type_str[AATGS_MAX_TYPES];

  /* Per stream: name (copied) and registered name. */
  char (*stream_name)[32];
  nvtxStringHandle_t *stream_str;
  uint32_t n_streams, cap_streams;
};

/* Tableau 10: distinct and readable on Nsight's light and dark themes. */
static const uint32_t palette[] = {0xff4e79a7u, 0xfff28e2bu, 0xffe15759u, 0xff76b7b2u, 0xff59a14fu,
                                   0xffedc948u, 0xffb07aa1u, 0xffff9da7u, 0xff9c755fu, 0xffbab0acu};
#define DECISION_COLOR 0xff404040u
#define RUN_COLOR 0xff7f7f7fu

uint32_t aatgs_nvtx_type_color(uint32_t type) {
  return palette[type % (sizeof palette / sizeof palette[0])];
}

/* ---- Message assembly without printf ---- */

static char *put_str(char *p, char *end, const char *s) {
  while (*s && p < end)
    *p++ = *s++;
  return p;
}

static char *put_u64(char *p, char *end, uint64_t v) {
  char tmp[20];
  int n = 0;
  do {
    tmp[n++] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  while (n && p < end)
    *p++ = tmp[--n];
  return p;
}

/* ---- Attributes ---- */

static void attr_init(nvtxEventAttributes_t *a, uint32_t category, uint32_t color,
                      uint64_t payload) {
  memset(a, 0, sizeof *a);
  a->version = NVTX_VERSION;
  a->size = NVTX_EVENT_ATTRIB_STRUCT_SIZE;
  a->category = category;
  a->colorType = NVTX_COLOR_ARGB;
  a->color = color;
  a->payloadType = NVTX_PAYLOAD_TYPE_UNSIGNED_INT64;
  a->payload.ullValue = payload;
}

static void attr_ascii(nvtxEventAttributes_t *a, const char *msg) {
  a->messageType = NVTX_MESSAGE_TYPE_ASCII;
  a->message.ascii = msg;
}

static void attr_registered(nvtxEventAttributes_t *a, nvtxStringHandle_t h) {
  a->messageType = NVTX_MESSAGE_TYPE_REGISTERED;
  a->message.registered = h;
}

static void end_task_range(aatgs_nvtx_sink *s, uint32_t task) {
  nvtxDomainRangeEnd(s->domain, s->range[task]);
  s->open[task] = 0;
  s->n_open--;
}

/* Ends every task range still open (task id order), then the run range. */
static void close_run(aatgs_nvtx_sink *s) {
  for (uint32_t t = 0; s->n_open && t < s->n_tasks; t++)
    if (s->open[t]) end_task_range(s, t);
  nvtxDomainRangeEnd(s->domain, s->run_range);
  s->in_run = 0;
  s->graph = NULL;
}

/* ---- Sink callbacks ---- */

static int grow_tasks(aatgs_nvtx_sink *s, uint32_t n, aatgs_err *err) {
  if (n > s->cap_tasks) {
    nvtxRangeId_t *r = realloc(s->range, (size_t)n * sizeof *r);
    if (!r) return aatgs_err_set(err, AATGS_ENOMEM, "nvtx sink: out of memory for %u tasks", n);
    s->range = r;
    uint8_t *o = realloc(s->open, n);
    if (!o) return aatgs_err_set(err, AATGS_ENOMEM, "nvtx sink: out of memory for %u tasks", n);
    s->open = o;
    s->cap_tasks = n;
  }
  if (n) memset(s->open, 0, n);
  s->n_tasks = n;
  s->n_open = 0;
  return AATGS_OK;
}

static int grow_streams(aatgs_nvtx_sink *s, uint32_t n, aatgs_err *err) {
  if (n > s->cap_streams) {
    char(*names)[32] = realloc(s->stream_name, (size_t)n * sizeof *names);
    if (!names) return aatgs_err_set(err, AATGS_ENOMEM, "nvtx sink: out of memory");
    s->stream_name = names;
    nvtxStringHandle_t *h = realloc(s->stream_str, (size_t)n * sizeof *h);
    if (!h) return aatgs_err_set(err, AATGS_ENOMEM, "nvtx sink: out of memory");
    s->stream_str = h;
    s->cap_streams = n;
  }
  s->n_streams = n;
  return AATGS_OK;
}

/* Registers the run's strings and categories and opens the run range. */
static int begin_nvtx(aatgs_nvtx_sink *s, const aatgs_run_info *info, aatgs_err *err) {
  const aatgs_graph *g = info->graph;
  uint32_t n_tasks = g ? aatgs_graph_num_tasks(g) : 0;
  int rc = grow_tasks(s, n_tasks, err);
  if (rc == AATGS_OK) rc = grow_streams(s, info->streams ? info->n_streams : 0, err);
  if (rc != AATGS_OK) return rc;

  s->n_types = g ? aatgs_graph_num_types(g) : 0;
  for (uint32_t t = 0; t < s->n_types; t++) {
    const aatgs_type_info *ti = aatgs_graph_type(g, t);
    s->type_name[t] = ti ? ti->name : "?";
    s->type_str[t] = nvtxDomainRegisterStringA(s->domain, s->type_name[t]);
    nvtxDomainNameCategoryA(s->domain, t + 1, s->type_name[t]);
  }
  for (uint32_t i = 0; i < s->n_streams; i++) {
    memcpy(s->stream_name[i], info->streams[i].name, sizeof s->stream_name[i]);
    s->stream_name[i][sizeof s->stream_name[i] - 1] = '\0';
    s->stream_str[i] = nvtxDomainRegisterStringA(s->domain, s->stream_name[i]);
  }

  char msg[MSG_MAX], *p = msg, *end = msg + sizeof msg - 1;
  p = put_str(p, end, "run ");
  p = put_str(p, end, info->scenario ? info->scenario : "-");
  p = put_str(p, end, " ");
  p = put_str(p, end, info->policy ? info->policy : "-");
  p = put_str(p, end, " seed ");
  p = put_u64(p, end, info->seed);
  *p = '\0';
  nvtxEventAttributes_t a;
  attr_init(&a, AATGS_NVTX_CATEGORY_RUN, RUN_COLOR, info->seed);
  attr_ascii(&a, msg);
  s->run_range = nvtxDomainRangeStartEx(s->domain, &a);
  s->graph = g;
  s->in_run = 1;
  return AATGS_OK;
}

static int nv_run_begin(void *ctx, const aatgs_run_info *info, aatgs_err *err) {
  aatgs_nvtx_sink *s = ctx;
  if (s->in_run) return aatgs_err_set(err, AATGS_ESTATE, "nvtx sink: run_begin inside a run");
  if (s->domain && info) {
    int rc = begin_nvtx(s, info, err);
    if (rc != AATGS_OK) return rc;
  }
  if (!s->has_inner || !s->inner.run_begin) return AATGS_OK;
  int rc = s->inner.run_begin(s->inner.ctx, info, err);
  if (rc != AATGS_OK && s->in_run) close_run(s); /* the loop will not call run_end */
  return rc;
}

static const char *type_name_of(const aatgs_nvtx_sink *s, uint32_t type) {
  return type < s->n_types ? s->type_name[type] : "?";
}

static void on_decision(aatgs_nvtx_sink *s, const aatgs_decision_rec *d) {
  if (d->task >= s->n_tasks) return;
  uint32_t type = aatgs_graph_task_type(s->graph, d->task);
  nvtxEventAttributes_t a;
  char msg[MSG_MAX], *p, *end = msg + sizeof msg - 1;

  if (s->open[d->task]) end_task_range(s, d->task); /* decided twice: keep ranges balanced */
  attr_init(&a, type + 1, aatgs_nvtx_type_color(type), d->task);
  if (s->registered_messages && type < s->n_types) {
    attr_registered(&a, s->type_str[type]);
  } else {
    p = put_str(msg, end, type_name_of(s, type));
    p = put_str(p, end, " #");
    p = put_u64(p, end, d->task);
    *p = '\0';
    attr_ascii(&a, msg);
  }
  s->range[d->task] = nvtxDomainRangeStartEx(s->domain, &a);
  s->open[d->task] = 1;
  s->n_open++;

  attr_init(&a, AATGS_NVTX_CATEGORY_DECISION, DECISION_COLOR, d->task);
  if (s->registered_messages && d->stream < s->n_streams) {
    attr_registered(&a, s->stream_str[d->stream]);
  } else {
    p = put_str(msg, end, "decide #");
    p = put_u64(p, end, d->task);
    p = put_str(p, end, " -> ");
    if (d->stream < s->n_streams) {
      p = put_str(p, end, s->stream_name[d->stream]);
    } else {
      p = put_str(p, end, "stream ");
      p = put_u64(p, end, d->stream);
    }
    p = put_str(p, end, " (ready ");
    p = put_u64(p, end, d->ready_size);
    p = put_str(p, end, ")");
    *p = '\0';
    attr_ascii(&a, msg);
  }
  nvtxDomainMarkEx(s->domain, &a);
}

static int nv_emit(void *ctx, const aatgs_event *ev) {
  aatgs_nvtx_sink *s = ctx;
  if (s->in_run) {
    if (ev->kind == AATGS_EV_DECISION) {
      on_decision(s, &ev->u.decision);
    } else if (ev->kind == AATGS_EV_TASK) {
      uint32_t t = ev->u.task.task;
      if (t < s->n_tasks && s->open[t]) end_task_range(s, t);
    }
  }
  if (!s->has_inner || !s->inner.emit) return AATGS_OK;
  return s->inner.emit(s->inner.ctx, ev);
}

static int nv_run_end(void *ctx, const aatgs_run_result *res, aatgs_err *err) {
  aatgs_nvtx_sink *s = ctx;
  if (s->in_run) close_run(s);
  if (!s->has_inner || !s->inner.run_end) return AATGS_OK;
  return s->inner.run_end(s->inner.ctx, res, err);
}

/* ---- Public ---- */

int aatgs_nvtx_sink_create(aatgs_nvtx_sink **out, const aatgs_sink *inner,
                           const aatgs_nvtx_options *opt, aatgs_err *err) {
  if (!out) return aatgs_err_set(err, AATGS_EINVAL, "nvtx sink: no output pointer");
  *out = NULL;
  aatgs_nvtx_sink *s = calloc(1, sizeof *s);
  if (!s) return aatgs_err_set(err, AATGS_ENOMEM, "nvtx sink: out of memory");
  if (inner) {
    s->inner = *inner;
    s->has_inner = 1;
  }
  s->registered_messages = opt && opt->registered_messages;
  s->domain = nvtxDomainCreateA(AATGS_NVTX_DOMAIN);
  if (s->domain) {
    nvtxDomainNameCategoryA(s->domain, AATGS_NVTX_CATEGORY_DECISION, "decision");
    nvtxDomainNameCategoryA(s->domain, AATGS_NVTX_CATEGORY_RUN, "run");
  }
  *out = s;
  return AATGS_OK;
}

void aatgs_nvtx_sink_as_sink(aatgs_nvtx_sink *s, aatgs_sink *out) {
  out->ctx = s;
  out->run_begin = nv_run_begin;
  out->emit = nv_emit;
  out->run_end = nv_run_end;
}

int aatgs_nvtx_sink_active(const aatgs_nvtx_sink *s) { return s && s->domain != NULL; }

void aatgs_nvtx_sink_destroy(aatgs_nvtx_sink *s) {
  if (!s) return;
  if (s->in_run) close_run(s);
  if (s->domain) nvtxDomainDestroy(s->domain);
  free(s->range);
  free(s->open);
  free(s->stream_name);
  free(s->stream_str);
  free(s);
}

void aatgs_nvtx_initialize(void) { nvtxInitialize(NULL); }

void aatgs_nvtx_name_thread(const char *name) {
  if (name) nvtxNameOsThreadA((uint32_t)syscall(SYS_gettid), name);
}

void aatgs_nvtx_name_stream(struct CUstream_st *stream, const char *name) {
#if defined(AATGS_NVTX_HAVE_CUDART)
  if (name) nvtxNameCudaStreamA(stream, name);
#else
  (void)stream;
  (void)name;
#endif
}

#else /* !AATGS_HAVE_NVTX */
typedef int aatgs__nvtx_sink_not_built; /* ISO C wants a non-empty translation unit */
#endif
