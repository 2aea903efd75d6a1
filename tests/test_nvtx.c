/* test_nvtx.c - the NVTX sink, proved through an NVTX injection library
 * (tests/support/nvtx_inject.c) that logs every NVTX call to a file: no GPU
 * and no Nsight needed.
 *
 * NVTX reads NVTX_INJECTION64_PATH once, at a process's first NVTX call.
 * Criterion runs every test in its own process, and the suite's .init sets
 * the variable (and AATGS_NVTX_LOG, a fresh temporary file) before that first
 * call. Each test then runs real simulated runs through the dispatch loop
 * with the NVTX sink between a "tap" sink (what the loop emitted) and an
 * inner capture sink (what the wrapped sink received), and checks the log
 * against the events. The injection library's path comes from the build
 * (AATGS_NVTX_INJECT_PATH); when it is missing the tests fail, never skip.
 */
#define _DEFAULT_SOURCE /* syscall(SYS_gettid) */

#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(AATGS_NVTX_DISABLED)

Test(nvtx, not_built) { cr_skip_test("the NVTX layer is not built here (AATGS_NVTX=OFF)"); }

#elif !defined(AATGS_HAVE_NVTX) || !defined(AATGS_NVTX_INJECT_PATH)

Test(nvtx, built_without_the_nvtx_fragment) {
  cr_assert_fail("test_nvtx was built without cmake/nvtx.cmake (no AATGS_HAVE_NVTX or "
                 "AATGS_NVTX_INJECT_PATH): add include(cmake/nvtx.cmake) at the end of "
                 "CMakeLists.txt");
}

#else

#include "dispatch.h"
#include "nvtx_sink.h"

/* ---- Sinks: a capture that may forward to a next sink ---- */

typedef struct capture {
  aatgs_event *ev;
  size_t n, cap;
  int begun, ended;
  const aatgs_run_info *info; /* as received (compared by address) */
  aatgs_run_result res;
  char stream_name[16][32];
  uint32_t n_streams;
  const aatgs_sink *next;
  int fail_begin; /* run_begin returns AATGS_EIO */
  volatile sig_atomic_t *stop_flag;
  size_t stop_after_decisions, decisions;
} capture;

static int cap_begin(void *ctx, const aatgs_run_info *info, aatgs_err *err) {
  capture *c = ctx;
  c->begun++;
  c->info = info;
  c->n_streams = info->n_streams < 16 ? info->n_streams : 16;
  for (uint32_t i = 0; i < c->n_streams; i++)
    memcpy(c->stream_name[i], info->streams[i].name, sizeof c->stream_name[i]);
  if (c->fail_begin) return aatgs_err_set(err, AATGS_EIO, "capture: refused");
  return c->next ? c->next->run_begin(c->next->ctx, info, err) : AATGS_OK;
}

static int cap_emit(void *ctx, const aatgs_event *ev) {
  capture *c = ctx;
  if (c->n == c->cap) {
    c->cap = c->cap ? c->cap * 2 : 1024;
    c->ev = realloc(c->ev, c->cap * sizeof *c->ev);
    cr_assert_not_null(c->ev);
  }
  memcpy(&c->ev[c->n++], ev, sizeof *ev); /* padding too: compared with memcmp */
  if (ev->kind == AATGS_EV_DECISION && c->stop_flag && ++c->decisions >= c->stop_after_decisions)
    *c->stop_flag = 1;
  return c->next ? c->next->emit(c->next->ctx, ev) : AATGS_OK;
}

static int cap_end(void *ctx, const aatgs_run_result *res, aatgs_err *err) {
  capture *c = ctx;
  c->ended++;
  memcpy(&c->res, res, sizeof *res);
  return c->next ? c->next->run_end(c->next->ctx, res, err) : AATGS_OK;
}

/* ---- The log ---- */

static char log_path[64];

typedef struct nvlog {
  char **line;
  size_t n;
} nvlog;

static void log_load(nvlog *L) {
  FILE *f = fopen(log_path, "r");
  cr_assert_not_null(f, "cannot read the NVTX log %s", log_path);
  char buf[1200];
  size_t cap = 0;
  memset(L, 0, sizeof *L);
  while (fgets(buf, sizeof buf, f)) {
    buf[strcspn(buf, "\n")] = '\0';
    if (L->n == cap) {
      cap = cap ? cap * 2 : 256;
      L->line = realloc(L->line, cap * sizeof *L->line);
      cr_assert_not_null(L->line);
    }
    L->line[L->n] = strdup(buf);
    cr_assert_not_null(L->line[L->n]);
    L->n++;
  }
  fclose(f);
}

static void log_free(nvlog *L) {
  for (size_t i = 0; i < L->n; i++)
    free(L->line[i]);
  free(L->line);
}

static int is(const char *line, const char *kind) {
  size_t k = strlen(kind);
  return !strncmp(line, kind, k) && (line[k] == ' ' || line[k] == '\0');
}

/* Value of " key=" in line: up to the next space, or (msg, name, str: the
 * last field) to the end of the line. "" when absent. */
static const char *field(const char *line, const char *key) {
  static char out[8][512];
  static int slot;
  char pat[32];
  snprintf(pat, sizeof pat, " %s=", key);
  char *o = out[slot++ % 8];
  o[0] = '\0';
  const char *p = strstr(line, pat);
  if (!p) return o;
  p += strlen(pat);
  int last = !strcmp(key, "msg") || !strcmp(key, "name") || !strcmp(key, "str");
  size_t len = last ? strlen(p) : strcspn(p, " ");
  if (len > 511) len = 511;
  memcpy(o, p, len);
  o[len] = '\0';
  return o;
}

static uint64_t ufield(const char *line, const char *key) {
  const char *v = field(line, key);
  cr_assert(*v, "no %s= in \"%s\"", key, line);
  return strtoull(v, NULL, 0);
}

static size_t count(const nvlog *L, const char *kind) {
  size_t k = 0;
  for (size_t i = 0; i < L->n; i++)
    k += is(L->line[i], kind);
  return k;
}

/* ---- Fixture ---- */

static void setup(void) {
  if (access(AATGS_NVTX_INJECT_PATH, R_OK) != 0)
    cr_assert_fail("the NVTX injection library %s is missing: build the target aatgs_nvtx_inject",
                   AATGS_NVTX_INJECT_PATH);
  snprintf(log_path, sizeof log_path, "/tmp/aatgs-nvtx-XXXXXX");
  int fd = mkstemp(log_path);
  cr_assert_geq(fd, 0, "mkstemp failed");
  close(fd);
  cr_assert_eq(setenv("NVTX_INJECTION64_PATH", AATGS_NVTX_INJECT_PATH, 1), 0);
  cr_assert_eq(setenv("AATGS_NVTX_LOG", log_path, 1), 0);
}

static void teardown(void) {
  if (log_path[0]) unlink(log_path);
}

TestSuite(nvtx, .init = setup, .fini = teardown, .timeout = 60);

/* ---- A small run ---- */

#define N_TASKS 30

/* 30 kernels of three types (whcr, quantum and a custom "gemm"), each after
 * the task three before it and, for odd ids, the one five before. */
static aatgs_graph *small_graph(void) {
  aatgs_graph *g;
  aatgs_err e;
  uint32_t gemm;
  cr_assert_eq(aatgs_graph_create(&g, N_TASKS, 0), AATGS_OK);
  cr_assert_eq(aatgs_graph_add_type(g, "gemm", 2 * AATGS_NS_PER_MS, AATGS_CLASS_KERNEL, &gemm),
               AATGS_OK);
  const uint32_t types[3] = {AATGS_TT_WHCR, AATGS_TT_QUANTUM, gemm};
  for (uint32_t i = 0; i < N_TASKS; i++) {
    uint32_t deps[2], nd = 0, id;
    if (i >= 3) deps[nd++] = i - 3;
    if (i >= 5 && i % 2) deps[nd++] = i - 5;
    aatgs_ns est = (aatgs_ns)(1 + (i * 7) % 5) * AATGS_NS_PER_MS;
    cr_assert_eq(aatgs_graph_add_task(g, types[i % 3], est, deps, nd, &id, &e), AATGS_OK);
  }
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK, "%s", e.msg);
  return g;
}

/* Runs g with fifo on sim (2 kernel streams, seed 7) through tap -> nv (and
 * nv's inner sink). Returns the loop's code. */
static int run_through(aatgs_graph *g, aatgs_nvtx_sink *nv, capture *tap,
                       volatile sig_atomic_t *intr, aatgs_run_result *res) {
  aatgs_profile pf;
  aatgs_sink nv_sink, tap_sink = {tap, cap_begin, cap_emit, cap_end};
  aatgs_run_info info;
  aatgs_run_params p;
  aatgs_err e;
  aatgs_profile_default(&pf);
  aatgs_nvtx_sink_as_sink(nv, &nv_sink);
  tap->next = &nv_sink;
  memset(&info, 0, sizeof info);
  info.scenario = "nvtx-test";
  memset(&p, 0, sizeof p);
  p.graph = g;
  p.policy = &aatgs_policy_fifo;
  p.backend = &aatgs_backend_sim;
  p.profile = &pf;
  p.kernel_streams = 2;
  p.seed = 7;
  p.noise_cv = 0.2;
  p.sink = &tap_sink;
  p.info = &info;
  p.interrupt = intr;
  int rc = aatgs_run_graph(&p, res, &e);
  if (rc != AATGS_OK && rc != AATGS_EINTR) cr_log_info("run: %s", e.msg);
  aatgs_profile_free(&pf);
  return rc;
}

static aatgs_nvtx_sink *make_sink(capture *inner, int registered) {
  aatgs_nvtx_sink *nv = NULL;
  aatgs_nvtx_options opt = {registered};
  aatgs_sink in = {inner, cap_begin, cap_emit, cap_end};
  aatgs_err e;
  cr_assert_eq(aatgs_nvtx_sink_create(&nv, inner ? &in : NULL, &opt, &e), AATGS_OK);
  cr_assert(aatgs_nvtx_sink_active(nv), "no NVTX tool attached: was %s loaded?",
            AATGS_NVTX_INJECT_PATH);
  return nv;
}

/* The inner sink saw exactly what the loop emitted: same info, same events
 * byte for byte, same result. */
static void check_forwarded(const capture *tap, const capture *inner) {
  cr_assert_eq(inner->begun, 1);
  cr_assert_eq(inner->ended, tap->ended);
  cr_assert_eq(inner->info, tap->info, "run_begin's info was not forwarded as is");
  cr_assert_eq(inner->n, tap->n, "inner sink got %zu events, the loop emitted %zu", inner->n,
               tap->n);
  for (size_t i = 0; i < tap->n; i++)
    cr_assert(!memcmp(&inner->ev[i], &tap->ev[i], sizeof tap->ev[i]), "event %zu differs", i);
  if (tap->ended) cr_assert(!memcmp(&inner->res, &tap->res, sizeof tap->res));
}

/* Common log checks: one domain "aatgs" and every call in it; attributes
 * well formed; names registered; every range started is ended exactly once,
 * after its start; the run range ends last. Returns the run range's id. */
static uint64_t check_log_shape(const nvlog *L, const aatgs_graph *g, const capture *tap) {
  cr_assert_eq(count(L, "domain_create"), 1, "expected one domain");
  for (size_t i = 0; i < L->n; i++) {
    const char *ln = L->line[i];
    if (is(ln, "domain_create")) cr_assert_str_eq(field(ln, "name"), "aatgs");
    if (*field(ln, "domain"))
      cr_assert_str_eq(field(ln, "domain"), "1", "outside the domain: %s", ln);
    cr_assert(!is(ln, "bad_attr"), "%s", ln);
    cr_assert(strncmp(ln, "core_", 5), "a call outside the domain: %s", ln);
  }
  /* Names: every type (string + category), every stream, the two fixed categories. */
  for (uint32_t t = 0; t < aatgs_graph_num_types(g); t++) {
    const char *name = aatgs_graph_type(g, t)->name;
    int reg = 0, cat = 0;
    for (size_t i = 0; i < L->n; i++) {
      if (is(L->line[i], "register_string") && !strcmp(field(L->line[i], "str"), name)) reg = 1;
      if (is(L->line[i], "name_category") && ufield(L->line[i], "category") == t + 1 &&
          !strcmp(field(L->line[i], "name"), name))
        cat = 1;
    }
    cr_assert(reg, "type name %s not registered", name);
    cr_assert(cat, "no category %u named %s", t + 1, name);
  }
  for (uint32_t s = 0; s < tap->n_streams; s++) {
    int reg = 0;
    for (size_t i = 0; i < L->n; i++)
      if (is(L->line[i], "register_string") &&
          !strcmp(field(L->line[i], "str"), tap->stream_name[s]))
        reg = 1;
    cr_assert(reg, "stream name %s not registered", tap->stream_name[s]);
  }
  int dec = 0, run = 0;
  for (size_t i = 0; i < L->n; i++)
    if (is(L->line[i], "name_category")) {
      uint64_t c = ufield(L->line[i], "category");
      if (c == AATGS_NVTX_CATEGORY_DECISION) dec = !strcmp(field(L->line[i], "name"), "decision");
      if (c == AATGS_NVTX_CATEGORY_RUN) run = !strcmp(field(L->line[i], "name"), "run");
    }
  cr_assert(dec && run, "decision and run categories not named");

  /* Ranges balanced; the run range is the only one in its category. */
  size_t starts = count(L, "range_start"), ends = count(L, "range_end");
  cr_assert_eq(starts, ends, "%zu ranges started, %zu ended", starts, ends);
  uint64_t run_id = 0;
  size_t run_start = 0, last_end = 0;
  for (size_t i = 0; i < L->n; i++) {
    if (!is(L->line[i], "range_start")) continue;
    uint64_t id = ufield(L->line[i], "id");
    if (ufield(L->line[i], "category") == AATGS_NVTX_CATEGORY_RUN) {
      cr_assert_eq(run_id, 0, "two run ranges");
      run_id = id;
      run_start = i;
      cr_assert_str_eq(field(L->line[i], "msg"), "run nvtx-test fifo seed 7");
      cr_assert_str_eq(field(L->line[i], "payload"), "u64:7");
    }
    size_t ended = 0;
    for (size_t j = 0; j < L->n; j++)
      if (is(L->line[j], "range_end") && ufield(L->line[j], "id") == id) {
        cr_assert_gt(j, i, "range %llu ended before it started", (unsigned long long)id);
        ended++;
      }
    cr_assert_eq(ended, 1, "range %llu (%s) ended %zu times", (unsigned long long)id,
                 field(L->line[i], "msg"), ended);
  }
  cr_assert_neq(run_id, 0, "no run range");
  for (size_t i = 0; i < L->n; i++)
    if (is(L->line[i], "range_end")) last_end = i;
  cr_assert_eq(ufield(L->line[last_end], "id"), run_id, "the run range is not the last to end");
  for (size_t i = 0; i < run_start; i++)
    cr_assert(!is(L->line[i], "range_start") && !is(L->line[i], "mark"),
              "an event before the run range: %s", L->line[i]);
  return run_id;
}

/* Walks the loop's events: DECISION t must give range_start (payload t,
 * message, category, colour of t's type) then mark (payload t); TASK t must
 * give range_end of t's range; all in the same order in the log. Returns the
 * index in the log after the last task-related line. Fills open_after with
 * the ranges still open at the end of the events (by task id). */
static size_t check_task_sequence(const nvlog *L, const aatgs_graph *g, const capture *tap,
                                  uint64_t run_id, int registered, uint64_t *range_of,
                                  uint8_t *open_after) {
  size_t li = 0;
  memset(open_after, 0, N_TASKS);
  for (size_t k = 0; k < tap->n; k++) {
    const aatgs_event *ev = &tap->ev[k];
    if (ev->kind != AATGS_EV_DECISION && ev->kind != AATGS_EV_TASK) continue;
    /* Next task-related line (range_start / mark / range_end, not the run's). */
    while (li < L->n && !((is(L->line[li], "range_start") &&
                           ufield(L->line[li], "category") != AATGS_NVTX_CATEGORY_RUN) ||
                          is(L->line[li], "mark") ||
                          (is(L->line[li], "range_end") && ufield(L->line[li], "id") != run_id)))
      li++;
    if (ev->kind == AATGS_EV_DECISION) {
      const aatgs_decision_rec *d = &ev->u.decision;
      uint32_t type = aatgs_graph_task_type(g, d->task);
      const char *tname = aatgs_graph_type(g, type)->name;
      char want[128], payload[32], color[16];
      snprintf(payload, sizeof payload, "u64:%u", d->task);
      snprintf(color, sizeof color, "0x%08x", aatgs_nvtx_type_color(type));
      cr_assert_lt(li + 1, L->n, "log ends before the decision of task %u", d->task);
      const char *rs = L->line[li], *mk = L->line[li + 1];
      cr_assert(is(rs, "range_start"), "decision of task %u: expected range_start, got %s", d->task,
                rs);
      cr_assert_str_eq(field(rs, "payload"), payload, "%s", rs);
      cr_assert_eq(ufield(rs, "category"), type + 1, "%s", rs);
      cr_assert_str_eq(field(rs, "color"), color, "%s", rs);
      if (registered) {
        cr_assert_str_eq(field(rs, "msg_type"), "registered", "%s", rs);
        cr_assert_str_eq(field(rs, "msg"), tname, "%s", rs);
      } else {
        snprintf(want, sizeof want, "%s #%u", tname, d->task);
        cr_assert_str_eq(field(rs, "msg_type"), "ascii", "%s", rs);
        cr_assert_str_eq(field(rs, "msg"), want, "%s", rs);
      }
      range_of[d->task] = ufield(rs, "id");
      open_after[d->task] = 1;

      cr_assert(is(mk, "mark"), "decision of task %u: expected a mark, got %s", d->task, mk);
      cr_assert_str_eq(field(mk, "payload"), payload, "%s", mk);
      cr_assert_eq(ufield(mk, "category"), AATGS_NVTX_CATEGORY_DECISION, "%s", mk);
      cr_assert_lt(d->stream, tap->n_streams);
      if (registered) {
        cr_assert_str_eq(field(mk, "msg_type"), "registered", "%s", mk);
        cr_assert_str_eq(field(mk, "msg"), tap->stream_name[d->stream], "%s", mk);
      } else {
        snprintf(want, sizeof want, "decide #%u -> %s (ready %u)", d->task,
                 tap->stream_name[d->stream], d->ready_size);
        cr_assert_str_eq(field(mk, "msg"), want, "%s", mk);
      }
      li += 2;
    } else {
      uint32_t t = ev->u.task.task;
      cr_assert(open_after[t], "task %u ended without a decision", t);
      cr_assert_lt(li, L->n, "log ends before the end of task %u", t);
      cr_assert(is(L->line[li], "range_end"), "end of task %u: expected range_end, got %s", t,
                L->line[li]);
      cr_assert_eq(ufield(L->line[li], "id"), range_of[t], "end of task %u: wrong range", t);
      open_after[t] = 0;
      li++;
    }
  }
  return li;
}

static size_t count_kind(const capture *c, aatgs_event_kind kind) {
  size_t k = 0;
  for (size_t i = 0; i < c->n; i++)
    k += c->ev[i].kind == kind;
  return k;
}

Test(nvtx, a_complete_run_gives_one_range_and_one_marker_per_task) {
  aatgs_graph *g = small_graph();
  capture tap = {0}, inner = {0};
  aatgs_run_result res;
  aatgs_nvtx_initialize();
  aatgs_nvtx_sink *nv = make_sink(&inner, 0);
  cr_assert_eq(run_through(g, nv, &tap, NULL, &res), AATGS_OK);
  cr_assert_eq(res.status, AATGS_RUN_COMPLETED);
  cr_assert_eq(res.tasks_completed, N_TASKS);
  aatgs_nvtx_sink_destroy(nv);
  check_forwarded(&tap, &inner);
  cr_assert_eq(count_kind(&tap, AATGS_EV_DECISION), N_TASKS);
  cr_assert_eq(count_kind(&tap, AATGS_EV_TASK), N_TASKS);
  cr_assert_eq(tap.n_streams, 4, "2 kernel streams + upload + download");

  nvlog L;
  log_load(&L);
  cr_assert_eq(count(&L, "initialize"), 1);
  uint64_t run_id = check_log_shape(&L, g, &tap);
  uint64_t range_of[N_TASKS];
  uint8_t open_after[N_TASKS];
  check_task_sequence(&L, g, &tap, run_id, 0, range_of, open_after);
  cr_assert_eq(count(&L, "range_start"), N_TASKS + 1);
  cr_assert_eq(count(&L, "mark"), N_TASKS);
  for (uint32_t t = 0; t < N_TASKS; t++)
    cr_assert_eq(open_after[t], 0, "task %u left open", t);
  cr_assert(is(L.line[L.n - 1], "domain_destroy"), "last call: %s", L.line[L.n - 1]);
  log_free(&L);
  free(tap.ev);
  free(inner.ev);
  aatgs_graph_destroy(g);
}

Test(nvtx, an_interrupted_run_ends_every_open_range) {
  aatgs_graph *g = small_graph();
  capture tap = {0}, inner = {0};
  volatile sig_atomic_t stop = 0;
  aatgs_run_result res;
  tap.stop_flag = &stop;
  tap.stop_after_decisions = 10;
  aatgs_nvtx_sink *nv = make_sink(&inner, 0);
  cr_assert_eq(run_through(g, nv, &tap, &stop, &res), AATGS_EINTR);
  cr_assert_eq(res.status, AATGS_RUN_INTERRUPTED);
  check_forwarded(&tap, &inner);

  nvlog L;
  log_load(&L);
  uint64_t run_id = check_log_shape(&L, g, &tap);
  uint64_t range_of[N_TASKS];
  uint8_t open_after[N_TASKS];
  size_t li = check_task_sequence(&L, g, &tap, run_id, 0, range_of, open_after);
  size_t decided = count_kind(&tap, AATGS_EV_DECISION), ended = count_kind(&tap, AATGS_EV_TASK);
  cr_assert_lt(decided, N_TASKS, "the run was not interrupted early");
  cr_assert_gt(decided, ended, "no task was running at the interruption: nothing to check");
  /* After the last event: the open task ranges end in task id order, then the run range. */
  for (uint32_t t = 0; t < N_TASKS; t++) {
    if (!open_after[t]) continue;
    while (li < L.n && !is(L.line[li], "range_end"))
      li++;
    cr_assert_lt(li, L.n, "task %u's range never ended", t);
    cr_assert_eq(ufield(L.line[li], "id"), range_of[t], "open ranges not ended in task order");
    li++;
  }
  while (li < L.n && !is(L.line[li], "range_end"))
    li++;
  cr_assert_lt(li, L.n);
  cr_assert_eq(ufield(L.line[li], "id"), run_id);
  log_free(&L);
  aatgs_nvtx_sink_destroy(nv);
  free(tap.ev);
  free(inner.ev);
  aatgs_graph_destroy(g);
}

Test(nvtx, registered_messages_carry_the_task_id_in_the_payload) {
  aatgs_graph *g = small_graph();
  capture tap = {0}, inner = {0};
  aatgs_run_result res;
  aatgs_nvtx_sink *nv = make_sink(&inner, 1);
  cr_assert_eq(run_through(g, nv, &tap, NULL, &res), AATGS_OK);
  check_forwarded(&tap, &inner);
  nvlog L;
  log_load(&L);
  uint64_t run_id = check_log_shape(&L, g, &tap);
  uint64_t range_of[N_TASKS];
  uint8_t open_after[N_TASKS];
  check_task_sequence(&L, g, &tap, run_id, 1, range_of, open_after);
  cr_assert_eq(count(&L, "mark"), N_TASKS);
  log_free(&L);
  aatgs_nvtx_sink_destroy(nv);
  free(tap.ev);
  free(inner.ev);
  aatgs_graph_destroy(g);
}

Test(nvtx, without_an_inner_sink_ranges_still_balance) {
  aatgs_graph *g = small_graph();
  capture tap = {0};
  aatgs_run_result res;
  aatgs_nvtx_sink *nv = make_sink(NULL, 0);
  cr_assert_eq(run_through(g, nv, &tap, NULL, &res), AATGS_OK);
  nvlog L;
  log_load(&L);
  uint64_t run_id = check_log_shape(&L, g, &tap);
  uint64_t range_of[N_TASKS];
  uint8_t open_after[N_TASKS];
  check_task_sequence(&L, g, &tap, run_id, 0, range_of, open_after);
  log_free(&L);
  aatgs_nvtx_sink_destroy(nv);
  free(tap.ev);
  aatgs_graph_destroy(g);
}

Test(nvtx, a_refused_run_begin_closes_the_run_range) {
  aatgs_graph *g = small_graph();
  capture tap = {0}, inner = {0};
  aatgs_run_result res;
  inner.fail_begin = 1;
  aatgs_nvtx_sink *nv = make_sink(&inner, 0);
  cr_assert_eq(run_through(g, nv, &tap, NULL, &res), AATGS_EIO);
  cr_assert_eq(inner.begun, 1);
  cr_assert_eq(inner.ended, 0);
  cr_assert_eq(tap.n, 0);
  nvlog L;
  log_load(&L);
  cr_assert_eq(count(&L, "range_start"), 1);
  cr_assert_eq(count(&L, "range_end"), 1);
  cr_assert_eq(count(&L, "mark"), 0);
  log_free(&L);
  aatgs_nvtx_sink_destroy(nv);
  aatgs_graph_destroy(g);
}

Test(nvtx, destroy_inside_a_run_ends_its_ranges) {
  aatgs_graph *g = small_graph();
  aatgs_nvtx_sink *nv = make_sink(NULL, 0);
  aatgs_sink s;
  aatgs_stream_info streams[1] = {{0, AATGS_CLASS_KERNEL, "kernel-0"}};
  aatgs_run_info info;
  aatgs_event ev;
  aatgs_err e;
  memset(&info, 0, sizeof info);
  info.graph = g;
  info.streams = streams;
  info.n_streams = 1;
  aatgs_nvtx_sink_as_sink(nv, &s);
  cr_assert_eq(s.run_begin(s.ctx, &info, &e), AATGS_OK);
  cr_assert_eq(s.run_begin(s.ctx, &info, &e), AATGS_ESTATE, "run_begin twice");
  memset(&ev, 0, sizeof ev);
  ev.kind = AATGS_EV_DECISION;
  ev.u.decision.task = 4;
  cr_assert_eq(s.emit(s.ctx, &ev), AATGS_OK);
  ev.u.decision.task = N_TASKS + 5; /* out of range: forwarded, not annotated */
  cr_assert_eq(s.emit(s.ctx, &ev), AATGS_OK);
  aatgs_nvtx_sink_destroy(nv);
  nvlog L;
  log_load(&L);
  cr_assert_eq(count(&L, "range_start"), 2, "the run and task 4");
  cr_assert_eq(count(&L, "range_end"), 2);
  cr_assert(is(L.line[L.n - 1], "domain_destroy"));
  log_free(&L);
  aatgs_graph_destroy(g);
}

Test(nvtx, names_threads_and_streams) {
  aatgs_nvtx_initialize();
  aatgs_nvtx_name_thread("aatgs-test");
  aatgs_nvtx_name_thread(NULL);
  aatgs_nvtx_name_stream((struct CUstream_st *)(uintptr_t)0x1234, "kernel-0");
  nvlog L;
  log_load(&L);
  char want[64];
  snprintf(want, sizeof want, "name_thread tid=%ld name=aatgs-test", (long)syscall(SYS_gettid));
  cr_assert_eq(count(&L, "name_thread"), 1);
  int found = 0;
  for (size_t i = 0; i < L.n; i++)
    found |= !strcmp(L.line[i], want);
  cr_assert(found, "no \"%s\" in the log", want);
#if defined(AATGS_NVTX_HAVE_CUDART)
  found = 0;
  for (size_t i = 0; i < L.n; i++)
    found |= !strcmp(L.line[i], "name_cuda_stream stream=0x1234 name=kernel-0");
  cr_assert(found, "the CUDA stream was not named");
#endif
  log_free(&L);
}

Test(nvtx, api_contracts) {
  aatgs_err e;
  cr_assert_eq(aatgs_nvtx_sink_create(NULL, NULL, NULL, &e), AATGS_EINVAL);
  aatgs_nvtx_sink_destroy(NULL);
  cr_assert_eq(aatgs_nvtx_sink_active(NULL), 0);
  cr_assert_neq(aatgs_nvtx_type_color(0), aatgs_nvtx_type_color(1));
  cr_assert_eq(aatgs_nvtx_type_color(3) >> 24, 0xff, "opaque colours");
}

/* Without a tool (no NVTX_INJECTION64_PATH) the sink only forwards. */
static void setup_no_tool(void) {
  unsetenv("NVTX_INJECTION64_PATH");
  unsetenv("NVTX_INJECTION32_PATH");
}

Test(nvtx_no_tool, the_sink_only_forwards, .init = setup_no_tool) {
  aatgs_graph *g = small_graph();
  capture tap = {0}, inner = {0};
  aatgs_run_result res;
  aatgs_nvtx_sink *nv = NULL;
  aatgs_sink in = {&inner, cap_begin, cap_emit, cap_end};
  aatgs_err e;
  aatgs_nvtx_initialize();
  cr_assert_eq(aatgs_nvtx_sink_create(&nv, &in, NULL, &e), AATGS_OK);
  cr_assert_eq(aatgs_nvtx_sink_active(nv), 0);
  cr_assert_eq(run_through(g, nv, &tap, NULL, &res), AATGS_OK);
  cr_assert_eq(res.tasks_completed, N_TASKS);
  check_forwarded(&tap, &inner);
  aatgs_nvtx_sink_destroy(nv);
  free(tap.ev);
  free(inner.ev);
  aatgs_graph_destroy(g);
}

#endif
