/* export.c - writing a task graph out (see export.h). */
#include "export.h"

#include <errno.h>
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
