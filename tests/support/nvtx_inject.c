/* nvtx_inject.c - an NVTX injection library that logs every call, for tests.
 *
 * NVTX3 is header-only: at a process's first NVTX call it dlopens the library
 * named by NVTX_INJECTION64_PATH and calls its InitializeInjectionNvtx2 with
 * the export-table getter; the library asks for the function tables
 * (NVTX_ETID_CALLBACKS -> GetModuleFunctionTable per module) and writes its
 * own functions into the slots it wants. This one installs the core, core2
 * (domain) and CUDA-runtime naming calls and appends one line per call to
 * the file named by AATGS_NVTX_LOG (without it, initialization fails and
 * NVTX stays a no-op). Lines are written with one write() each (O_APPEND),
 * so they are whole even across threads and processes. Format (the message,
 * which may contain spaces, is always last):
 *
 *   initialize
 *   domain_create domain=1 name=aatgs
 *   domain_destroy domain=1
 *   register_string domain=1 handle=3 str=whcr
 *   name_category domain=1 category=2 name=whcr
 *   range_start domain=1 id=5 category=2 color=0xfff28e2b payload=u64:3 msg_type=ascii msg=whcr #3
 *   range_end domain=1 id=5
 *   mark domain=1 category=1000 color=0xff404040 payload=u64:3 msg_type=registered msg=kernel-0
 *   name_thread tid=1234 name=aatgs-dispatch
 *   name_cuda_stream stream=0x1234 name=kernel-0
 *   core_mark, core_range_start, core_range_push msg=...  ASCII calls outside a domain;
 *                            the Ex calls outside a domain log as above with domain=0
 *   bad_attr call=<call>     an event attribute with the wrong version or size
 *
 * Domains are numbered from 1 in creation order (0 is NVTX's default domain),
 * registered strings and range ids from 1. Thread-safe (one mutex).
 */
#define NVTX_NO_IMPL /* a tool: types and ids only, no NVTX implementation */
#define NVTX_AS_SYSTEM_HEADER
#include <nvtx3/nvToolsExt.h>

#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_DOMAINS 64
#define LINE_MAX_LEN 1024

/* Domain handles are addresses inside this array, so a handle maps back to
 * its number and is never NULL. A string handle is the address of the
 * string's copy, kept in `strings` (so it stays reachable) until exit. */
static char domain_slots[MAX_DOMAINS + 1];
static uint32_t n_domains;
static char **strings;
static uint32_t n_strings, cap_strings;

static uint64_t next_range = 1;
static int log_fd = -1;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static void log_line(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void log_line(const char *fmt, ...) {
  char line[LINE_MAX_LEN];
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(line, sizeof line - 1, fmt, ap);
  va_end(ap);
  if (n < 0) return;
  if ((size_t)n > sizeof line - 2) n = (int)(sizeof line - 2);
  line[n++] = '\n';
  ssize_t w = write(log_fd, line, (size_t)n);
  (void)w;
}

static uint32_t domain_id(nvtxDomainHandle_t d) {
  if (!d) return 0;
  return (uint32_t)((const char *)d - domain_slots);
}

static const char *string_text(nvtxStringHandle_t h) {
  return h ? (const char *)(const void *)h : "?";
}

static void describe_message(const nvtxEventAttributes_t *a, char *buf, size_t cap) {
  switch (a->messageType) {
  case NVTX_MESSAGE_TYPE_ASCII:
    snprintf(buf, cap, "msg_type=ascii msg=%s", a->message.ascii ? a->message.ascii : "");
    break;
  case NVTX_MESSAGE_TYPE_REGISTERED:
    snprintf(buf, cap, "msg_type=registered msg=%s", string_text(a->message.registered));
    break;
  case NVTX_MESSAGE_TYPE_UNICODE: snprintf(buf, cap, "msg_type=unicode msg="); break;
  default: snprintf(buf, cap, "msg_type=none msg="); break;
  }
}

static void describe_payload(const nvtxEventAttributes_t *a, char *buf, size_t cap) {
  switch (a->payloadType) {
  case NVTX_PAYLOAD_TYPE_UNSIGNED_INT64:
    snprintf(buf, cap, "u64:%" PRIu64, a->payload.ullValue);
    break;
  case NVTX_PAYLOAD_TYPE_INT64: snprintf(buf, cap, "i64:%" PRId64, a->payload.llValue); break;
  case NVTX_PAYLOAD_TYPE_DOUBLE: snprintf(buf, cap, "f64:%g", a->payload.dValue); break;
  case NVTX_PAYLOAD_TYPE_UNSIGNED_INT32: snprintf(buf, cap, "u32:%u", a->payload.uiValue); break;
  case NVTX_PAYLOAD_TYPE_INT32: snprintf(buf, cap, "i32:%d", a->payload.iValue); break;
  case NVTX_PAYLOAD_TYPE_FLOAT: snprintf(buf, cap, "f32:%g", (double)a->payload.fValue); break;
  default: snprintf(buf, cap, "none"); break;
  }
}

/* "category=2 color=0x... payload=u64:3 msg_type=ascii msg=whcr #3" */
static void describe(const char *call, const nvtxEventAttributes_t *a, char *buf, size_t cap) {
  char color[16], payload[48], msg[LINE_MAX_LEN / 2];
  if (!a) {
    snprintf(buf, cap, "attr=null");
    return;
  }
  if (a->version != NVTX_VERSION || a->size != NVTX_EVENT_ATTRIB_STRUCT_SIZE)
    log_line("bad_attr call=%s version=%u size=%u", call, (unsigned)a->version, (unsigned)a->size);
  if (a->colorType == NVTX_COLOR_ARGB)
    snprintf(color, sizeof color, "0x%08x", a->color);
  else
    snprintf(color, sizeof color, "none");
  describe_payload(a, payload, sizeof payload);
  describe_message(a, msg, sizeof msg);
  snprintf(buf, cap, "category=%u color=%s payload=%s %s", a->category, color, payload, msg);
}

/* ---- Domain (core2) calls ---- */

static nvtxDomainHandle_t NVTX_API domain_create(const char *name) {
  pthread_mutex_lock(&lock);
  nvtxDomainHandle_t d = NULL;
  if (n_domains < MAX_DOMAINS) {
    d = (nvtxDomainHandle_t)(void *)&domain_slots[++n_domains];
    log_line("domain_create domain=%u name=%s", n_domains, name ? name : "");
  } else {
    log_line("domain_create_failed name=%s", name ? name : "");
  }
  pthread_mutex_unlock(&lock);
  return d;
}

static void NVTX_API domain_destroy(nvtxDomainHandle_t d) {
  pthread_mutex_lock(&lock);
  log_line("domain_destroy domain=%u", domain_id(d));
  pthread_mutex_unlock(&lock);
}

static nvtxStringHandle_t NVTX_API register_string(nvtxDomainHandle_t d, const char *str) {
  pthread_mutex_lock(&lock);
  nvtxStringHandle_t h = NULL;
  if (n_strings == cap_strings) {
    uint32_t cap = cap_strings ? cap_strings * 2 : 64;
    char **v = realloc(strings, cap * sizeof *v);
    if (v) {
      strings = v;
      cap_strings = cap;
    }
  }
  if (n_strings < cap_strings && (strings[n_strings] = strdup(str ? str : ""))) {
    h = (nvtxStringHandle_t)(void *)strings[n_strings++];
    log_line("register_string domain=%u handle=%u str=%s", domain_id(d), n_strings,
             (const char *)(void *)h);
  } else {
    log_line("register_string_failed domain=%u", domain_id(d));
  }
  pthread_mutex_unlock(&lock);
  return h;
}

static void NVTX_API name_category(nvtxDomainHandle_t d, uint32_t category, const char *name) {
  pthread_mutex_lock(&lock);
  log_line("name_category domain=%u category=%u name=%s", domain_id(d), category, name ? name : "");
  pthread_mutex_unlock(&lock);
}

static nvtxRangeId_t NVTX_API range_start(nvtxDomainHandle_t d, const nvtxEventAttributes_t *a) {
  char buf[LINE_MAX_LEN - 64];
  pthread_mutex_lock(&lock);
  nvtxRangeId_t id = next_range++;
  describe("range_start", a, buf, sizeof buf);
  log_line("range_start domain=%u id=%" PRIu64 " %s", domain_id(d), id, buf);
  pthread_mutex_unlock(&lock);
  return id;
}

static void NVTX_API range_end(nvtxDomainHandle_t d, nvtxRangeId_t id) {
  pthread_mutex_lock(&lock);
  log_line("range_end domain=%u id=%" PRIu64, domain_id(d), id);
  pthread_mutex_unlock(&lock);
}

static void NVTX_API mark(nvtxDomainHandle_t d, const nvtxEventAttributes_t *a) {
  char buf[LINE_MAX_LEN - 64];
  pthread_mutex_lock(&lock);
  describe("mark", a, buf, sizeof buf);
  log_line("mark domain=%u %s", domain_id(d), buf);
  pthread_mutex_unlock(&lock);
}

static int NVTX_API range_push(nvtxDomainHandle_t d, const nvtxEventAttributes_t *a) {
  char buf[LINE_MAX_LEN - 64];
  pthread_mutex_lock(&lock);
  describe("range_push", a, buf, sizeof buf);
  log_line("range_push domain=%u %s", domain_id(d), buf);
  pthread_mutex_unlock(&lock);
  return 0;
}

static int NVTX_API range_pop(nvtxDomainHandle_t d) {
  pthread_mutex_lock(&lock);
  log_line("range_pop domain=%u", domain_id(d));
  pthread_mutex_unlock(&lock);
  return 0;
}

static void NVTX_API initialize(const void *reserved) {
  (void)reserved;
  pthread_mutex_lock(&lock);
  log_line("initialize");
  pthread_mutex_unlock(&lock);
}

/* ---- Core calls (default domain) ---- */

static void NVTX_API name_os_thread(uint32_t tid, const char *name) {
  pthread_mutex_lock(&lock);
  log_line("name_thread tid=%u name=%s", tid, name ? name : "");
  pthread_mutex_unlock(&lock);
}

static void NVTX_API core_mark_ex(const nvtxEventAttributes_t *a) { mark(NULL, a); }
static void NVTX_API core_mark_a(const char *msg) {
  pthread_mutex_lock(&lock);
  log_line("core_mark msg=%s", msg ? msg : "");
  pthread_mutex_unlock(&lock);
}
static nvtxRangeId_t NVTX_API core_range_start_ex(const nvtxEventAttributes_t *a) {
  return range_start(NULL, a);
}
static nvtxRangeId_t NVTX_API core_range_start_a(const char *msg) {
  pthread_mutex_lock(&lock);
  nvtxRangeId_t id = next_range++;
  log_line("core_range_start id=%" PRIu64 " msg=%s", id, msg ? msg : "");
  pthread_mutex_unlock(&lock);
  return id;
}
static void NVTX_API core_range_end(nvtxRangeId_t id) { range_end(NULL, id); }
static int NVTX_API core_range_push_ex(const nvtxEventAttributes_t *a) {
  return range_push(NULL, a);
}
static int NVTX_API core_range_push_a(const char *msg) {
  pthread_mutex_lock(&lock);
  log_line("core_range_push msg=%s", msg ? msg : "");
  pthread_mutex_unlock(&lock);
  return 0;
}
static int NVTX_API core_range_pop(void) { return range_pop(NULL); }
static void NVTX_API core_name_category(uint32_t category, const char *name) {
  name_category(NULL, category, name);
}

/* ---- CUDA runtime naming (no CUDA needed: the stream is only printed) ---- */

static void NVTX_API name_cuda_stream(void *stream, const char *name) {
  pthread_mutex_lock(&lock);
  log_line("name_cuda_stream stream=%p name=%s", stream, name ? name : "");
  pthread_mutex_unlock(&lock);
}

/* ---- Installation ---- */

typedef struct slot {
  uint32_t id;
  NvtxFunctionPointer fn;
} slot;

/* Writes each fn into its module table; returns 0 if the table is missing or
 * too short. The casts go through NvtxFunctionPointer, NVTX's generic
 * function pointer type, and back to the real type inside NVTX. */
static int install(const NvtxExportTableCallbacks *etc, NvtxCallbackModule module,
                   const slot *slots, size_t n) {
  NvtxFunctionTable table = NULL;
  unsigned int size = 0;
  if (!etc->GetModuleFunctionTable(module, &table, &size) || !table) return 0;
  for (size_t i = 0; i < n; i++) {
    if (slots[i].id >= size || !table[slots[i].id]) return 0;
    *table[slots[i].id] = slots[i].fn;
  }
  return 1;
}

#define FN(f) ((NvtxFunctionPointer)(f))

/* The entry point NVTX looks up with dlsym. Returns 1 on success; 0 makes
 * NVTX unload the library and turn every call into a no-op. */
int NVTX_API InitializeInjectionNvtx2(NvtxGetExportTableFunc_t get_export_table);
int NVTX_API InitializeInjectionNvtx2(NvtxGetExportTableFunc_t get_export_table) {
  const char *path = getenv("AATGS_NVTX_LOG");
  if (!path || !*path || !get_export_table) return 0;
  const NvtxExportTableCallbacks *etc = get_export_table(NVTX_ETID_CALLBACKS);
  if (!etc || etc->struct_size < sizeof *etc) return 0;
  log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (log_fd < 0) return 0;

  const NvtxExportTableVersionInfo *vi = get_export_table(NVTX_ETID_VERSIONINFO);
  if (vi && vi->struct_size >= sizeof *vi && vi->SetInjectionNvtxVersion)
    vi->SetInjectionNvtxVersion(NVTX_VERSION);

  static const slot core[] = {
      {NVTX_CBID_CORE_MarkEx, FN(core_mark_ex)},
      {NVTX_CBID_CORE_MarkA, FN(core_mark_a)},
      {NVTX_CBID_CORE_RangeStartEx, FN(core_range_start_ex)},
      {NVTX_CBID_CORE_RangeStartA, FN(core_range_start_a)},
      {NVTX_CBID_CORE_RangeEnd, FN(core_range_end)},
      {NVTX_CBID_CORE_RangePushEx, FN(core_range_push_ex)},
      {NVTX_CBID_CORE_RangePushA, FN(core_range_push_a)},
      {NVTX_CBID_CORE_RangePop, FN(core_range_pop)},
      {NVTX_CBID_CORE_NameCategoryA, FN(core_name_category)},
      {NVTX_CBID_CORE_NameOsThreadA, FN(name_os_thread)},
  };
  static const slot core2[] = {
      {NVTX_CBID_CORE2_DomainMarkEx, FN(mark)},
      {NVTX_CBID_CORE2_DomainRangeStartEx, FN(range_start)},
      {NVTX_CBID_CORE2_DomainRangeEnd, FN(range_end)},
      {NVTX_CBID_CORE2_DomainRangePushEx, FN(range_push)},
      {NVTX_CBID_CORE2_DomainRangePop, FN(range_pop)},
      {NVTX_CBID_CORE2_DomainNameCategoryA, FN(name_category)},
      {NVTX_CBID_CORE2_DomainRegisterStringA, FN(register_string)},
      {NVTX_CBID_CORE2_DomainCreateA, FN(domain_create)},
      {NVTX_CBID_CORE2_DomainDestroy, FN(domain_destroy)},
      {NVTX_CBID_CORE2_Initialize, FN(initialize)},
  };
  static const slot cudart[] = {
      {NVTX_CBID_CUDART_NameCudaStreamA, FN(name_cuda_stream)},
  };
  if (!install(etc, NVTX_CB_MODULE_CORE, core, sizeof core / sizeof core[0]) ||
      !install(etc, NVTX_CB_MODULE_CORE2, core2, sizeof core2 / sizeof core2[0]) ||
      !install(etc, NVTX_CB_MODULE_CUDART, cudart, sizeof cudart / sizeof cudart[0])) {
    close(log_fd);
    log_fd = -1;
    return 0;
  }
  return 1;
}
