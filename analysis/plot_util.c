/* plot_util.c - helpers shared by the figures of `aatgs plot` (plot_data.h):
 * strings, data files, gnuplot variables, SQLite statements. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "plot_data.h"

/* ------------------------------------------------------------- helpers */

bool aatgs__plot_matches(const char *filter, const char *s) {
  if (!filter || !*filter) return true;
  size_t n = strlen(s);
  const char *p = filter;
  for (;;) {
    const char *c = strchr(p, ',');
    size_t len = c ? (size_t)(c - p) : strlen(p);
    while (len && *p == ' ')
      p++, len--;
    while (len && p[len - 1] == ' ')
      len--;
    if (len == n && strncmp(p, s, n) == 0) return true;
    if (!c) return false;
    p = c + 1;
  }
}

void aatgs__plot_gp_string(FILE *f, const char *s) {
  fputc('\'', f);
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (ch == '\'')
      fputs("''", f);
    else
      fputc(ch < 0x20 || ch == 0x7f ? '?' : ch, f);
  }
  fputc('\'', f);
}

char *aatgs__plot_strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *d = malloc(n);
  if (d) memcpy(d, s, n);
  return d;
}

const char *aatgs__plot_col_text(sqlite3_stmt *st, int i) {
  const unsigned char *t = sqlite3_column_text(st, i);
  return t ? (const char *)t : "";
}

int aatgs__plot_db_error(aatgs__plot_ctx *c, const char *what, aatgs_err *err) {
  return aatgs_err_set(err, AATGS_EDB, "database '%s': cannot read %s: %s", c->opt->db_path, what,
                       sqlite3_errmsg(c->db));
}

int aatgs__plot_prepare(aatgs__plot_ctx *c, const char *sql, sqlite3_stmt **st, const char *what,
                        aatgs_err *err) {
  if (sqlite3_prepare_v2(c->db, sql, -1, st, NULL) != SQLITE_OK) {
    *st = NULL;
    return aatgs__plot_db_error(c, what, err);
  }
  return AATGS_OK;
}

/* Opens dir/name for writing. */
FILE *aatgs__plot_open(const char *dir, const char *name, aatgs_err *err) {
  char p[4096];
  FILE *f = NULL;
  if (snprintf(p, sizeof p, "%s/%s", dir, name) < (int)sizeof p) f = fopen(p, "w");
  if (!f) aatgs_err_set(err, AATGS_EIO, "cannot write '%s/%s'", dir, name);
  return f;
}

/* Closes *fp and sets it to NULL; AATGS_EIO when any write failed. NULL is a no-op. */
int aatgs__plot_close(FILE **fp, const char *dir, aatgs_err *err) {
  FILE *f = *fp;
  *fp = NULL;
  if (!f) return AATGS_OK;
  bool bad = ferror(f) != 0;
  if (fclose(f) != 0 || bad)
    return aatgs_err_set(err, AATGS_EIO, "writing data files in '%s' failed", dir);
  return AATGS_OK;
}

void aatgs__plot_gp_num(FILE *f, const char *name, double v) {
  if (isnan(v))
    fprintf(f, "%s = NaN\n", name);
  else
    fprintf(f, "%s = %.9g\n", name, v);
}

void aatgs__plot_gp_str(FILE *f, const char *name, const char *v) {
  fprintf(f, "%s = ", name);
  aatgs__plot_gp_string(f, v);
  fputc('\n', f);
}

/* TITLE as two lines (narrow figures cut one long line). */
void aatgs__plot_gp_title(FILE *f, const char *line1, const char *line2) {
  fputs("TITLE = ", f);
  aatgs__plot_gp_string(f, line1);
  fputs(".\"\\n\".", f);
  aatgs__plot_gp_string(f, line2);
  fputc('\n', f);
}

/* `array NAME[n]` with string items (n >= 1; an empty list gets one ""). */
void aatgs__plot_gp_str_array(FILE *f, const char *name, char *const *v, size_t n) {
  fprintf(f, "array %s[%zu]\n", name, n ? n : 1);
  if (!n) fprintf(f, "%s[1] = ''\n", name);
  for (size_t i = 0; i < n; i++) {
    fprintf(f, "%s[%zu] = ", name, i + 1);
    aatgs__plot_gp_string(f, v[i]);
    fputc('\n', f);
  }
}

void aatgs__plot_gp_num_array(FILE *f, const char *name, const double *v, size_t n) {
  fprintf(f, "array %s[%zu]\n", name, n ? n : 1);
  if (!n) fprintf(f, "%s[1] = NaN\n", name);
  for (size_t i = 0; i < n; i++) {
    char item[64];
    snprintf(item, sizeof item, "%s[%zu]", name, i + 1);
    aatgs__plot_gp_num(f, item, v[i]);
  }
}

size_t aatgs__plot_strlist_find(const aatgs__plot_strlist *l, const char *s) {
  for (size_t i = 0; i < l->n; i++)
    if (!strcmp(l->v[i], s)) return i;
  return SIZE_MAX;
}

/* Adds s unless present; returns its index, SIZE_MAX when out of memory. */
size_t aatgs__plot_strlist_add(aatgs__plot_strlist *l, const char *s) {
  size_t i = aatgs__plot_strlist_find(l, s);
  if (i != SIZE_MAX) return i;
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 8;
    char **v = realloc(l->v, cap * sizeof *v);
    if (!v) return SIZE_MAX;
    l->v = v;
    l->cap = cap;
  }
  if (!(l->v[l->n] = aatgs__plot_strdup(s))) return SIZE_MAX;
  return l->n++;
}

void aatgs__plot_strlist_free(aatgs__plot_strlist *l) {
  for (size_t i = 0; i < l->n; i++)
    free(l->v[i]);
  free(l->v);
  memset(l, 0, sizeof *l);
}

int aatgs__plot_cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

int aatgs__plot_cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

int aatgs__plot_no_runs(aatgs__plot_ctx *c, aatgs_err *err) {
  const aatgs_plot_options *o = c->opt;
  bool filtered =
      (o->scenario && *o->scenario) || (o->policy && *o->policy) || (o->backend && *o->backend);
  aatgs_err_set(err, AATGS__PLOT_SKIP, "no completed runs in '%s'%s", o->db_path,
                filtered ? " match the --scenario/--policy/--backend filters" : "");
  return AATGS__PLOT_SKIP;
}
