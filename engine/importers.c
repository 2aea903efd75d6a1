/* importers.c - real task graphs from files (see importers.h). */
#include "importers.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct stg_task {
  uint64_t time;
  uint32_t first_pred, npred; /* into the preds array */
  int line;
} stg_task;

/* Reads the next integer token of line `ln` at *p; 1 on success, 0 at the
 * end of the line, -1 on a non-numeric token (err set). */
static int next_int(const char *path, int ln, char **p, uint64_t *out, aatgs_err *err) {
  char *s = *p, *end;
  while (*s == ' ' || *s == '\t' || *s == '\r')
    s++;
  if (*s == '\0' || *s == '\n') return 0;
  errno = 0;
  unsigned long long v = strtoull(s, &end, 10);
  if (end == s || errno || (*end && !isspace((unsigned char)*end)) || *s == '-') {
    char tok[32];
    size_t n = strcspn(s, " \t\r\n");
    snprintf(tok, sizeof tok, "%.*s", (int)(n < 24 ? n : 24), s);
    aatgs_err_set(err, AATGS_EINVAL, "%s:%d: expected an integer, got \"%s\"", path, ln, tok);
    return -1;
  }
  *out = v;
  *p = end;
  return 1;
}

int aatgs_import_stg(aatgs_graph *g, const char *path, uint32_t type, aatgs_ns unit_ns,
                     aatgs_err *err) {
  FILE *f = fopen(path, "r");
  char *line = NULL;
  size_t cap = 0;
  int ln = 0, rc = AATGS_OK;
  uint64_t n = 0, seen = 0, v;
  stg_task *t = NULL;
  uint32_t *preds = NULL;
  size_t npreds = 0, preds_cap = 0;
  if (!f) return aatgs_err_set(err, AATGS_EIO, "cannot read '%s': %s", path, strerror(errno));
  int have_n = 0;
  while (getline(&line, &cap, f) != -1) {
    char *p = line;
    ln++;
    while (*p == ' ' || *p == '\t')
      p++;
    if (*p == '#' || *p == '\n' || *p == '\r' || *p == '\0') continue;
    if (!have_n) {
      int r = next_int(path, ln, &p, &n, err);
      if (r < 0) goto fail_rc;
      if (r == 0 || n == 0 || n > 100000000) {
        rc = aatgs_err_set(err, AATGS_EINVAL, "%s:%d: expected the number of tasks (1..1e8)", path,
                           ln);
        goto done;
      }
      /* Every task line takes at least 6 bytes ("0 0 0\n"): a count the
       * file cannot hold is an error now, not a huge allocation. */
      struct stat sb;
      if (fstat(fileno(f), &sb) == 0 && S_ISREG(sb.st_mode) &&
          (n + 2) * 6 > (uint64_t)sb.st_size + 6) {
        rc = aatgs_err_set(err, AATGS_EINVAL,
                           "%s:%d: declares %llu tasks, but the file (%lld bytes) cannot hold "
                           "%llu task lines",
                           path, ln, (unsigned long long)n, (long long)sb.st_size,
                           (unsigned long long)(n + 2));
        goto done;
      }
      t = calloc(n + 2, sizeof *t);
      if (!t) goto nomem;
      have_n = 1;
      continue;
    }
    uint64_t id, time, k;
    int r = next_int(path, ln, &p, &id, err);
    if (r < 0) goto fail_rc;
    if (r == 0) continue;
    if (id >= n + 2) {
      rc = aatgs_err_set(err, AATGS_EINVAL, "%s:%d: task id %llu is out of range 0..%llu", path, ln,
                         (unsigned long long)id, (unsigned long long)(n + 1));
      goto done;
    }
    if (t[id].line) {
      rc = aatgs_err_set(err, AATGS_EINVAL, "%s:%d: task %llu is defined twice (first at line %d)",
                         path, ln, (unsigned long long)id, t[id].line);
      goto done;
    }
    if ((r = next_int(path, ln, &p, &time, err)) <= 0 ||
        (r = next_int(path, ln, &p, &k, err)) <= 0) {
      if (r == 0)
        rc = aatgs_err_set(err, AATGS_EINVAL,
                           "%s:%d: task %llu: expected \"id time predecessors...\"", path, ln,
                           (unsigned long long)id);
      else
        rc = err ? err->code : AATGS_EINVAL;
      goto done;
    }
    t[id].line = ln;
    t[id].time = time;
    t[id].first_pred = (uint32_t)npreds;
    for (uint64_t j = 0; j < k; j++) {
      r = next_int(path, ln, &p, &v, err);
      if (r < 0) goto fail_rc;
      if (r == 0) {
        rc = aatgs_err_set(err, AATGS_EINVAL,
                           "%s:%d: task %llu lists %llu predecessors but has %llu", path, ln,
                           (unsigned long long)id, (unsigned long long)k, (unsigned long long)j);
        goto done;
      }
      if (v >= n + 2) {
        rc = aatgs_err_set(err, AATGS_ENOENT, "%s:%d: task %llu: unknown predecessor %llu", path,
                           ln, (unsigned long long)id, (unsigned long long)v);
        goto done;
      }
      if (npreds == preds_cap) {
        size_t c2 = preds_cap ? preds_cap * 2 : 1024;
        uint32_t *np2 = realloc(preds, c2 * sizeof *np2);
        if (!np2) goto nomem;
        preds = np2;
        preds_cap = c2;
      }
      preds[npreds++] = (uint32_t)v;
    }
    t[id].npred = (uint32_t)k;
    seen++;
  }
  if (!have_n) {
    rc = aatgs_err_set(err, AATGS_EINVAL, "%s:%d: empty file: no task count", path, ln);
    goto done;
  }
  if (seen != n + 2) {
    uint64_t missing = 0;
    while (missing < n + 2 && t[missing].line)
      missing++;
    rc = aatgs_err_set(
        err, AATGS_EINVAL, "%s:%d: truncated: %llu task lines of %llu (task %llu is missing)", path,
        ln, (unsigned long long)seen, (unsigned long long)(n + 2), (unsigned long long)missing);
    goto done;
  }
  /* Real tasks 1..n become graph tasks; the dummies 0 and n+1 are dropped. */
  uint32_t base = aatgs_graph_num_tasks(g);
  for (uint64_t i = 1; i <= n; i++) {
    uint32_t id;
    char label[32];
    aatgs_ns est = (aatgs_ns)t[i].time * unit_ns;
    rc = aatgs_graph_add_task(g, type, est > 0 ? est : 1, NULL, 0, &id, err);
    if (rc != AATGS_OK) goto done;
    snprintf(label, sizeof label, "t%llu", (unsigned long long)i);
    if (aatgs_graph_set_label(g, id, label) != AATGS_OK) goto nomem;
  }
  for (uint64_t i = 1; i <= n; i++)
    for (uint32_t j = 0; j < t[i].npred; j++) {
      uint32_t pr = preds[t[i].first_pred + j];
      if (pr == 0 || pr == n + 1) continue;
      rc = aatgs_graph_add_edge(g, base + pr - 1, base + (uint32_t)i - 1, err);
      if (rc != AATGS_OK) {
        aatgs_err_prefix(err, "%s:%d", path, t[i].line);
        goto done;
      }
    }
  goto done;
nomem:
  rc = aatgs_err_set(err, AATGS_ENOMEM, "%s: out of memory", path);
  goto done;
fail_rc:
  rc = err && err->code ? err->code : AATGS_EINVAL;
done:
  free(line);
  free(t);
  free(preds);
  fclose(f);
  return rc;
}
