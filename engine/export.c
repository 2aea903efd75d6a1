/* export.c - writing a task graph out (see export.h). */
#include "export.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* 1 when every task has a label and no two labels are equal. */
static int labels_unique(const aatgs_graph *g) {
  uint32_t n = aatgs_graph_num_tasks(g);
  const char **v = malloc((n ? n : 1) * sizeof *v);
  int ok = v != NULL;
  for (uint32_t i = 0; ok && i < n; i++)
    ok = (v[i] = aatgs_graph_task_label(g, i)) != NULL;
  if (ok) {
    qsort(v, n, sizeof *v, cmp_str);
    for (uint32_t i = 1; ok && i < n; i++)
      ok = strcmp(v[i - 1], v[i]) != 0;
  }
  free(v);
  return ok;
}

static void put_name(FILE *f, const aatgs_graph *g, uint32_t t, int use_labels) {
  if (!use_labels) {
    fprintf(f, "\"t%u\"", t);
    return;
  }
  fputc('"', f);
  for (const char *p = aatgs_graph_task_label(g, t); *p; p++) {
    if (*p == '"' || *p == '\\') fputc('\\', f);
    fputc(*p, f);
  }
  fputc('"', f);
}

int aatgs_graph_write_dot(const aatgs_graph *g, FILE *f, aatgs_err *err) {
  if (!aatgs_graph_is_finalized(g))
    return aatgs_err_set(err, AATGS_ESTATE, "write dot: the graph is not finalized");
  uint32_t n = aatgs_graph_num_tasks(g);
  int use_labels = labels_unique(g);
  fprintf(f, "digraph aatgs {\n");
  for (uint32_t t = 0; t < n; t++) {
    fputs("  ", f);
    put_name(f, g, t, use_labels);
    fprintf(f, " [size=%lld, type=\"%s\", bytes=%llu];\n",
            (long long)aatgs_graph_task_estimate(g, t),
            aatgs_graph_type(g, aatgs_graph_task_type(g, t))->name,
            (unsigned long long)aatgs_graph_task_bytes(g, t));
  }
  for (uint32_t t = 0; t < n; t++) {
    uint32_t ns;
    const uint32_t *s = aatgs_graph_successors(g, t, &ns);
    for (uint32_t k = 0; k < ns; k++) {
      fputs("  ", f);
      put_name(f, g, t, use_labels);
      fputs(" -> ", f);
      put_name(f, g, s[k], use_labels);
      fputs(";\n", f);
    }
  }
  fputs("}\n", f);
  if (fflush(f) != 0 || ferror(f))
    return aatgs_err_set(err, AATGS_EIO, "write dot: %s", strerror(errno));
  return AATGS_OK;
}

/* ---- WfFormat 1.5 ---- */

/* Above this many distinct outgoing edge sizes a task's files are never
 * nested (a child would list up to that many files for one edge). */
#define WF_MAX_NESTED 256

/* A buffer in front of the FILE: few, large writes. */
typedef struct wbuf {
  FILE *f;
  size_t n;
  int failed;
  char b[1 << 16];
} wbuf;

static void wb_flush(wbuf *w) {
  if (w->n && fwrite(w->b, 1, w->n, w->f) != w->n) w->failed = 1;
  w->n = 0;
}

static void wb_put(wbuf *w, const char *s, size_t len) {
  if (len > sizeof w->b - w->n) {
    wb_flush(w);
    if (len > sizeof w->b) {
      if (fwrite(s, 1, len, w->f) != len) w->failed = 1;
      return;
    }
  }
  memcpy(w->b + w->n, s, len);
  w->n += len;
}

static void wb_str(wbuf *w, const char *s) { wb_put(w, s, strlen(s)); }

static void wb_u64(wbuf *w, uint64_t v) {
  char t[24];
  int k = (int)sizeof t;
  do {
    t[--k] = (char)('0' + v % 10);
    v /= 10;
  } while (v);
  wb_put(w, t + k, sizeof t - (size_t)k);
}

/* ns as seconds, the exact decimal (at most 9 fraction digits). */
static void wb_seconds(wbuf *w, aatgs_ns ns) {
  uint64_t u = ns < 0 ? 0 : (uint64_t)ns, frac = u % 1000000000u;
  wb_u64(w, u / 1000000000u);
  if (frac) {
    char t[9];
    size_t len = 9;
    for (int i = 8; i >= 0; i--) {
      t[i] = (char)('0' + frac % 10);
      frac /= 10;
    }
    while (t[len - 1] == '0')
      len--;
    wb_put(w, ".", 1);
    wb_put(w, t, len);
  }
}

/* The JSON text of s without its quotes, escaped by jansson (malloc'd). NULL
 * when s is not valid UTF-8 or memory runs out. */
static char *json_escape(const char *s) {
  json_t *j = json_string(s);
  if (!j) return NULL;
  char *t = json_dumps(j, JSON_ENCODE_ANY);
  json_decref(j);
  if (!t) return NULL;
  size_t len = strlen(t);
  memmove(t, t + 1, len - 2);
  t[len - 2] = '\0';
  return t;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

typedef struct wf_writer {
  const aatgs_graph *g;
  wbuf *w;
  uint32_t n;
  /* task ids: escaped labels in one arena (NULL: "t<id>") */
  char *ids;
  size_t *id_off;
  char *type_names[AATGS_MAX_TYPES]; /* escaped */
  /* outgoing edges, ascending destination, from the predecessor lists */
  uint64_t *off;
  uint32_t *dst;
  uint64_t *eb; /* bytes per outgoing edge; NULL when no edge carries bytes */
  /* distinct non-zero sizes of each task's outgoing edges, ascending */
  uint64_t *soff, *sz;
  uint8_t *nested;
} wf_writer;

static void wf_free(wf_writer *x) {
  free(x->ids);
  free(x->id_off);
  for (uint32_t i = 0; i < AATGS_MAX_TYPES; i++)
    free(x->type_names[i]);
  free(x->off);
  free(x->dst);
  free(x->eb);
  free(x->soff);
  free(x->sz);
  free(x->nested);
}

/* Escaped labels of every task when they are unique and valid UTF-8. */
static int wf_ids(wf_writer *x) {
  if (!labels_unique(x->g)) return AATGS_OK;
  size_t cap = 1024, used = 0;
  x->id_off = malloc(((size_t)x->n + 1) * sizeof *x->id_off);
  x->ids = malloc(cap);
  if (!x->id_off || !x->ids) return AATGS_ENOMEM;
  for (uint32_t t = 0; t < x->n; t++) {
    char *e = json_escape(aatgs_graph_task_label(x->g, t));
    if (!e) { /* not UTF-8 (or no memory): fall back to t<id> */
      free(x->ids);
      free(x->id_off);
      x->ids = NULL;
      x->id_off = NULL;
      return AATGS_OK;
    }
    size_t len = strlen(e);
    if (used + len > cap) {
      while (used + len > cap)
        cap *= 2;
      char *b = realloc(x->ids, cap);
      if (!b) {
        free(e);
        return AATGS_ENOMEM;
      }
      x->ids = b;
    }
    memcpy(x->ids + used, e, len);
    free(e);
    x->id_off[t] = used;
    used += len;
  }
  x->id_off[x->n] = used;
  return AATGS_OK;
}

static int wf_edges(wf_writer *x) {
  const aatgs_graph *g = x->g;
  uint32_t n = x->n;
  uint64_t m = aatgs_graph_num_edges(g);
  uint64_t *cur = NULL;
  int has_bytes = n > 0 && aatgs_graph_predecessor_bytes(g, 0) != NULL;
  x->off = calloc((size_t)n + 1, sizeof *x->off);
  x->dst = malloc((m ? m : 1) * sizeof *x->dst);
  x->soff = calloc((size_t)n + 1, sizeof *x->soff);
  x->nested = calloc(n ? n : 1, 1);
  cur = malloc(((size_t)n + 1) * sizeof *cur);
  if (has_bytes) {
    x->eb = malloc((m ? m : 1) * sizeof *x->eb);
    x->sz = malloc((m ? m : 1) * sizeof *x->sz);
  }
  if (!x->off || !x->dst || !x->soff || !x->nested || !cur || (has_bytes && (!x->eb || !x->sz))) {
    free(cur);
    return AATGS_ENOMEM;
  }
  for (uint32_t v = 0; v < n; v++) {
    uint32_t np;
    const uint32_t *p = aatgs_graph_predecessors(g, v, &np);
    for (uint32_t k = 0; k < np; k++)
      x->off[p[k] + 1]++;
  }
  for (uint32_t u = 0; u < n; u++)
    x->off[u + 1] += x->off[u];
  memcpy(cur, x->off, ((size_t)n + 1) * sizeof *cur);
  for (uint32_t v = 0; v < n; v++) {
    uint32_t np;
    const uint32_t *p = aatgs_graph_predecessors(g, v, &np);
    const uint64_t *pb = aatgs_graph_predecessor_bytes(g, v);
    for (uint32_t k = 0; k < np; k++) {
      uint64_t i = cur[p[k]]++;
      x->dst[i] = v;
      if (x->eb) x->eb[i] = pb ? pb[k] : 0;
    }
  }
  free(cur);
  if (!x->eb) return AATGS_OK;
  uint64_t used = 0;
  for (uint32_t u = 0; u < n; u++) {
    uint64_t first = used, sum = 0;
    for (uint64_t i = x->off[u]; i < x->off[u + 1]; i++)
      if (x->eb[i]) x->sz[used++] = x->eb[i];
    qsort(x->sz + first, used - first, sizeof *x->sz, cmp_u64);
    uint64_t k = first;
    for (uint64_t i = first; i < used; i++)
      if (i == first || x->sz[i] != x->sz[k - 1]) x->sz[k++] = x->sz[i];
    used = k;
    x->soff[u + 1] = used;
    for (uint64_t i = first; i < used; i++)
      sum = sum + x->sz[i] < sum ? UINT64_MAX : sum + x->sz[i];
    x->nested[u] = aatgs_graph_task_bytes(g, u) < sum && used - first <= WF_MAX_NESTED;
  }
  return AATGS_OK;
}

static void wf_id(wf_writer *x, uint32_t t) {
  if (x->ids) {
    wb_put(x->w, x->ids + x->id_off[t], x->id_off[t + 1] - x->id_off[t]);
  } else {
    wb_put(x->w, "t", 1);
    wb_u64(x->w, t);
  }
}

/* "<id>.e<j>" or "<id>.out" (j = 0), quoted. */
static void wf_file(wf_writer *x, uint32_t t, uint64_t j) {
  wb_put(x->w, "\"", 1);
  wf_id(x, t);
  if (j) {
    wb_put(x->w, ".e", 2);
    wb_u64(x->w, j);
  } else {
    wb_put(x->w, ".out", 4);
  }
  wb_put(x->w, "\"", 1);
}

/* Bytes of task t that go into its "<id>.out" file (0: none). */
static uint64_t wf_rest(const wf_writer *x, uint32_t t) {
  uint64_t bytes = aatgs_graph_task_bytes(x->g, t), sum = 0;
  if (!x->sz) return bytes;
  uint64_t a = x->soff[t], b = x->soff[t + 1];
  if (x->nested[t]) return a < b && bytes > x->sz[b - 1] ? bytes - x->sz[b - 1] : 0;
  for (uint64_t i = a; i < b; i++)
    sum = sum + x->sz[i] < sum ? UINT64_MAX : sum + x->sz[i];
  return bytes > sum ? bytes - sum : 0;
}

static void wf_spec_task(wf_writer *x, uint32_t t) {
  wbuf *w = x->w;
  char num[16];
  uint32_t np;
  const uint32_t *p = aatgs_graph_predecessors(x->g, t, &np);
  const uint64_t *pb = aatgs_graph_predecessor_bytes(x->g, t);
  wb_str(w, "{\"name\":\"");
  wb_str(w, x->type_names[aatgs_graph_task_type(x->g, t)]);
  snprintf(num, sizeof num, "_ID%07u", t);
  wb_str(w, num);
  wb_str(w, "\",\"id\":\"");
  wf_id(x, t);
  wb_str(w, "\",\"parents\":[");
  for (uint32_t k = 0; k < np; k++) {
    wb_put(w, k ? ",\"" : "\"", k ? 2 : 1);
    wf_id(x, p[k]);
    wb_put(w, "\"", 1);
  }
  wb_str(w, "],\"children\":[");
  for (uint64_t i = x->off[t]; i < x->off[t + 1]; i++) {
    wb_put(w, i > x->off[t] ? ",\"" : "\"", i > x->off[t] ? 2 : 1);
    wf_id(x, x->dst[i]);
    wb_put(w, "\"", 1);
  }
  wb_str(w, "],\"inputFiles\":[");
  int first = 1;
  for (uint32_t k = 0; pb && k < np; k++) {
    if (!pb[k]) continue;
    const uint64_t *s = x->sz + x->soff[p[k]];
    uint64_t lo = 0, hi = x->soff[p[k] + 1] - x->soff[p[k]];
    while (lo < hi) { /* lower bound of the edge's size among the parent's sizes */
      uint64_t mid = lo + (hi - lo) / 2;
      if (s[mid] < pb[k])
        lo = mid + 1;
      else
        hi = mid;
    }
    for (uint64_t j = x->nested[p[k]] ? 1 : lo + 1; j <= lo + 1; j++) {
      if (!first) wb_put(w, ",", 1);
      first = 0;
      wf_file(x, p[k], j);
    }
  }
  wb_str(w, "],\"outputFiles\":[");
  uint64_t k = x->sz ? x->soff[t + 1] - x->soff[t] : 0;
  for (uint64_t j = 1; j <= k; j++) {
    if (j > 1) wb_put(w, ",", 1);
    wf_file(x, t, j);
  }
  if (wf_rest(x, t)) {
    if (k) wb_put(w, ",", 1);
    wf_file(x, t, 0);
  }
  wb_str(w, "]}");
}

/* The file entries of task t; *first tracks the comma. */
static void wf_files_of(wf_writer *x, uint32_t t, int *first) {
  wbuf *w = x->w;
  uint64_t a = x->sz ? x->soff[t] : 0, b = x->sz ? x->soff[t + 1] : 0, rest = wf_rest(x, t);
  for (uint64_t i = a; i < b; i++) {
    wb_str(w, *first ? "\n        {\"id\":" : ",\n        {\"id\":");
    *first = 0;
    wf_file(x, t, i - a + 1);
    wb_str(w, ",\"sizeInBytes\":");
    wb_u64(w, x->nested[t] && i > a ? x->sz[i] - x->sz[i - 1] : x->sz[i]);
    wb_put(w, "}", 1);
  }
  if (rest) {
    wb_str(w, *first ? "\n        {\"id\":" : ",\n        {\"id\":");
    *first = 0;
    wf_file(x, t, 0);
    wb_str(w, ",\"sizeInBytes\":");
    wb_u64(w, rest);
    wb_put(w, "}", 1);
  }
}

int aatgs_graph_write_wfformat(const aatgs_graph *g, FILE *f, const char *name, aatgs_err *err) {
  if (!aatgs_graph_is_finalized(g))
    return aatgs_err_set(err, AATGS_ESTATE, "write wfformat: the graph is not finalized");
  wf_writer x;
  int rc = AATGS_ENOMEM;
  char *ename = json_escape(name ? name : "aatgs");
  memset(&x, 0, sizeof x);
  x.g = g;
  x.n = aatgs_graph_num_tasks(g);
  x.w = malloc(sizeof *x.w);
  if (!ename) {
    free(x.w);
    return aatgs_err_set(err, AATGS_EINVAL, "write wfformat: the name is not valid UTF-8");
  }
  if (!x.w || wf_ids(&x) != AATGS_OK || wf_edges(&x) != AATGS_OK) goto fail;
  for (uint32_t i = 0; i < aatgs_graph_num_types(g); i++)
    if (!(x.type_names[i] = json_escape(aatgs_graph_type(g, i)->name))) goto fail;
  wbuf *w = x.w;
  w->f = f;
  w->n = 0;
  w->failed = 0;
  wb_str(w, "{\n  \"name\": \"");
  wb_str(w, ename);
  wb_str(w, "\",\n  \"description\": \"Task graph written by aatgs: runtimeInSeconds are the "
            "tasks' estimates, command.program their types; a file that a parent writes and a "
            "child reads carries the edge's bytes, and the files a task writes add up to its "
            "bytes.\",\n  \"schemaVersion\": \"1.5\",\n  \"workflow\": {\n"
            "    \"specification\": {\n      \"tasks\": [");
  for (uint32_t t = 0; t < x.n; t++) {
    wb_str(w, t ? ",\n        " : "\n        ");
    wf_spec_task(&x, t);
  }
  wb_str(w, "\n      ],\n      \"files\": [");
  int first = 1;
  for (uint32_t t = 0; t < x.n; t++)
    wf_files_of(&x, t, &first);
  wb_str(w, "\n      ]\n    },\n    \"execution\": {\n      \"makespanInSeconds\": ");
  wb_seconds(w, aatgs_graph_critical_path(g));
  wb_str(w, ",\n      \"executedAt\": \"1970-01-01T00:00:00Z\",\n"
            "      \"machines\": [{\"nodeName\": \"aatgs\"}],\n      \"tasks\": [");
  for (uint32_t t = 0; t < x.n; t++) {
    wb_str(w, t ? ",\n        {\"id\":\"" : "\n        {\"id\":\"");
    wf_id(&x, t);
    wb_str(w, "\",\"runtimeInSeconds\":");
    wb_seconds(w, aatgs_graph_task_estimate(g, t));
    wb_str(w, ",\"command\":{\"program\":\"");
    wb_str(w, x.type_names[aatgs_graph_task_type(g, t)]);
    wb_str(w, "\"}}");
  }
  wb_str(w, "\n      ]\n    }\n  }\n}\n");
  wb_flush(w);
  rc = w->failed || fflush(f) != 0 || ferror(f) ? AATGS_EIO : AATGS_OK;
  if (rc == AATGS_EIO) aatgs_err_set(err, rc, "write wfformat: %s", strerror(errno));
  free(ename);
  free(x.w);
  wf_free(&x);
  return rc;
fail:
  free(ename);
  free(x.w);
  wf_free(&x);
  return aatgs_err_set(err, AATGS_ENOMEM, "write wfformat: out of memory (%u tasks)", x.n);
}
