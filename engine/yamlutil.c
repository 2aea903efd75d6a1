/* yamlutil.c - libyaml document loading with positioned errors, scalar
 * parsers, file reading and a string buffer. */
#include "yamlutil.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- documents ---- */

/* 1-based line and column of a byte offset (for reader errors, which carry
 * an offset but no mark). */
static void offset_to_linecol(const char *text, size_t len, size_t off, int *line, int *col) {
  int l = 1, c = 1;
  for (size_t i = 0; i < off && i < len; i++) {
    if (text[i] == '\n') {
      l++;
      c = 1;
    } else {
      c++;
    }
  }
  *line = l;
  *col = c;
}

static int syntax_error(aatgs_err *err, const char *origin, const yaml_parser_t *p,
                        const char *text, size_t len) {
  int line, col;
  if (p->error == YAML_READER_ERROR) {
    offset_to_linecol(text, len, p->problem_offset, &line, &col);
  } else {
    line = (int)p->problem_mark.line + 1;
    col = (int)p->problem_mark.column + 1;
  }
  const char *problem = p->problem ? p->problem : "malformed input";
  if (p->context)
    return aatgs_err_set(err, AATGS_EINVAL, "%s:%d:%d: YAML syntax error: %s (%s)", origin, line,
                         col, problem, p->context);
  return aatgs_err_set(err, AATGS_EINVAL, "%s:%d:%d: YAML syntax error: %s", origin, line, col,
                       problem);
}

static int is_empty_root(const yaml_node_t *root) {
  return root == NULL || (root->type == YAML_SCALAR_NODE && root->data.scalar.length == 0 &&
                          root->data.scalar.style == YAML_PLAIN_SCALAR_STYLE);
}

int aatgs__ydoc_load(aatgs__ydoc *d, const char *origin, const char *text, size_t len,
                     aatgs_err *err) {
  yaml_parser_t parser;
  yaml_document_t extra;
  int rc = AATGS_OK;
  memset(d, 0, sizeof *d);
  d->origin = origin;
  if (!yaml_parser_initialize(&parser)) return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
  yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
  if (!yaml_parser_load(&parser, &d->doc)) {
    rc = parser.error == YAML_MEMORY_ERROR
             ? aatgs_err_set(err, AATGS_ENOMEM, "%s: out of memory", origin)
             : syntax_error(err, origin, &parser, text, len);
    goto fail;
  }
  d->loaded = 1;
  if (is_empty_root(yaml_document_get_root_node(&d->doc))) {
    rc = aatgs_err_set(err, AATGS_EINVAL, "%s:1:1: empty file (expected a mapping)", origin);
    goto fail;
  }
  /* A second document is an error: a file holds one scenario or profile. */
  if (!yaml_parser_load(&parser, &extra)) {
    rc = syntax_error(err, origin, &parser, text, len);
    goto fail;
  }
  yaml_node_t *extra_root = yaml_document_get_root_node(&extra);
  if (extra_root) {
    rc = aatgs_err_set(err, AATGS_EINVAL, "%s:%d:%d: more than one YAML document in the file",
                       origin, (int)extra.start_mark.line + 1, (int)extra.start_mark.column + 1);
    yaml_document_delete(&extra);
    goto fail;
  }
  yaml_document_delete(&extra);
  yaml_parser_delete(&parser);
  return AATGS_OK;
fail:
  if (d->loaded) yaml_document_delete(&d->doc);
  d->loaded = 0;
  yaml_parser_delete(&parser);
  return rc;
}

void aatgs__ydoc_free(aatgs__ydoc *d) {
  if (d && d->loaded) {
    yaml_document_delete(&d->doc);
    d->loaded = 0;
  }
}

yaml_node_t *aatgs__ydoc_root(aatgs__ydoc *d) { return yaml_document_get_root_node(&d->doc); }

yaml_node_t *aatgs__ydoc_node(aatgs__ydoc *d, int id) {
  return yaml_document_get_node(&d->doc, id);
}

int aatgs__ynode_line(const yaml_node_t *n) { return n ? (int)n->start_mark.line + 1 : 1; }
int aatgs__ynode_col(const yaml_node_t *n) { return n ? (int)n->start_mark.column + 1 : 1; }

int aatgs__yerr(aatgs_err *err, int code, const char *origin, const yaml_node_t *n, const char *fmt,
                ...) {
  char msg[AATGS_ERR_MSG_MAX];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  if (n)
    return aatgs_err_set(err, code, "%s:%d:%d: %s", origin, aatgs__ynode_line(n),
                         aatgs__ynode_col(n), msg);
  return aatgs_err_set(err, code, "%s: %s", origin, msg);
}

int aatgs__yerr_at(aatgs_err *err, const char *origin, const yaml_node_t *n) {
  if (!err) return AATGS_EINVAL;
  if (n)
    return aatgs_err_prefix(err, "%s:%d:%d", origin, aatgs__ynode_line(n), aatgs__ynode_col(n));
  return aatgs_err_prefix(err, "%s", origin);
}

const char *aatgs__yscalar(const yaml_node_t *n) {
  return (n && n->type == YAML_SCALAR_NODE) ? (const char *)n->data.scalar.value : NULL;
}

const char *aatgs__ykind(const yaml_node_t *n) {
  if (!n) return "nothing";
  switch (n->type) {
  case YAML_MAPPING_NODE: return "a mapping";
  case YAML_SEQUENCE_NODE: return "a sequence";
  case YAML_SCALAR_NODE: return "a scalar";
  default: return "nothing";
  }
}

int aatgs__ymap_check(aatgs__ydoc *d, const yaml_node_t *map, aatgs_err *err) {
  const yaml_node_pair_t *start = map->data.mapping.pairs.start;
  const yaml_node_pair_t *top = map->data.mapping.pairs.top;
  for (const yaml_node_pair_t *p = start; p < top; p++) {
    yaml_node_t *k = aatgs__ydoc_node(d, p->key);
    const char *ks = aatgs__yscalar(k);
    if (!ks)
      return aatgs__yerr(err, AATGS_EINVAL, d->origin, k, "expected a plain key, got %s",
                         aatgs__ykind(k));
    for (const yaml_node_pair_t *q = start; q < p; q++) {
      const char *qs = aatgs__yscalar(aatgs__ydoc_node(d, q->key));
      if (qs && strcmp(qs, ks) == 0)
        return aatgs__yerr(err, AATGS_EINVAL, d->origin, k, "duplicate key \"%s\"", ks);
    }
  }
  return AATGS_OK;
}

/* ---- scalar parsers ---- */

static int is_digit(char c) { return c >= '0' && c <= '9'; }

/* Scans an unsigned decimal number with optional fraction and exponent at s;
 * returns its length (0 when there is none). */
static size_t scan_number(const char *s) {
  size_t i = 0, digits = 0;
  while (is_digit(s[i]))
    i++, digits++;
  if (s[i] == '.') {
    i++;
    while (is_digit(s[i]))
      i++, digits++;
  }
  if (digits == 0) return 0;
  if (s[i] == 'e' || s[i] == 'E') {
    size_t j = i + 1;
    if (s[j] == '+' || s[j] == '-') j++;
    if (is_digit(s[j])) {
      while (is_digit(s[j]))
        j++;
      i = j;
    }
  }
  return i;
}

static int number_value(const char *s, size_t n, double *out) {
  char buf[64];
  if (n == 0 || n >= sizeof buf) return -1;
  memcpy(buf, s, n);
  buf[n] = '\0';
  errno = 0;
  double v = strtod(buf, NULL);
  if (errno == ERANGE || !isfinite(v)) return -1;
  *out = v;
  return 0;
}

int aatgs__parse_duration(const char *text, aatgs_ns *out) {
  if (!text) return -1;
  size_t n = scan_number(text);
  double v, mult;
  if (number_value(text, n, &v) != 0) return -1;
  const char *u = text + n;
  while (*u == ' ')
    u++;
  if (*u == '\0' && u == text + n)
    mult = 1.0; /* bare number: ns */
  else if (strcmp(u, "ns") == 0)
    mult = 1.0;
  else if (strcmp(u, "us") == 0 || strcmp(u, "\xc2\xb5s") == 0)
    mult = 1e3;
  else if (strcmp(u, "ms") == 0)
    mult = 1e6;
  else if (strcmp(u, "s") == 0)
    mult = 1e9;
  else
    return -1;
  double ns = v * mult;
  if (!(ns < 9.0e18)) return -1;
  *out = (aatgs_ns)llround(ns);
  return 0;
}

int aatgs__parse_uint(const char *text, uint64_t *out) {
  uint64_t v = 0;
  if (!text || !is_digit(*text)) return -1;
  for (const char *p = text; *p; p++) {
    if (!is_digit(*p)) return -1;
    uint64_t d = (uint64_t)(*p - '0');
    if (v > (UINT64_MAX - d) / 10) return -1;
    v = v * 10 + d;
  }
  *out = v;
  return 0;
}

int aatgs__parse_double(const char *text, double *out) {
  if (!text) return -1;
  const char *s = text;
  int neg = 0;
  if (*s == '-' || *s == '+') neg = (*s++ == '-');
  size_t n = scan_number(s);
  double v;
  if (number_value(s, n, &v) != 0 || s[n] != '\0') return -1;
  *out = neg ? -v : v;
  return 0;
}

/* ---- files and hashes ---- */

int aatgs__read_file(const char *path, char **text, size_t *len, aatgs_err *err) {
  FILE *f = fopen(path, "rb");
  char *buf = NULL;
  size_t n = 0, cap = 0;
  if (!f) return aatgs_err_set(err, AATGS_EIO, "%s: %s", path, strerror(errno));
  for (;;) {
    if (cap - n < 4096) {
      size_t ncap = cap ? cap * 2 : 8192;
      char *nb = realloc(buf, ncap);
      if (!nb) {
        free(buf);
        fclose(f);
        return aatgs_err_set(err, AATGS_ENOMEM, "%s: out of memory", path);
      }
      buf = nb;
      cap = ncap;
    }
    size_t got = fread(buf + n, 1, cap - n - 1, f);
    n += got;
    if (got == 0) break;
  }
  if (ferror(f)) {
    int e = errno;
    free(buf);
    fclose(f);
    return aatgs_err_set(err, AATGS_EIO, "%s: %s", path, strerror(e));
  }
  fclose(f);
  buf[n] = '\0';
  *text = buf;
  *len = n;
  return AATGS_OK;
}

uint64_t aatgs__fnv1a64(const void *data, size_t len) {
  const unsigned char *p = data;
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < len; i++) {
    h ^= p[i];
    h *= 0x100000001b3ULL;
  }
  return h;
}

/* ---- string buffer ---- */

static int sb_reserve(aatgs__sb *b, size_t extra) {
  if (b->oom) return -1;
  if (b->len + extra + 1 <= b->cap) return 0;
  size_t ncap = b->cap ? b->cap : 256;
  while (ncap < b->len + extra + 1)
    ncap *= 2;
  char *np = realloc(b->p, ncap);
  if (!np) {
    b->oom = 1;
    return -1;
  }
  b->p = np;
  b->cap = ncap;
  return 0;
}

void aatgs__sb_printf(aatgs__sb *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  if (n < 0 || sb_reserve(b, (size_t)n) != 0) return;
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, b->cap - b->len, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

void aatgs__sb_quoted(aatgs__sb *b, const char *s) {
  aatgs__sb_printf(b, "\"");
  for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
    if (*p == '"' || *p == '\\')
      aatgs__sb_printf(b, "\\%c", *p);
    else if (*p == '\n')
      aatgs__sb_printf(b, "\\n");
    else if (*p == '\t')
      aatgs__sb_printf(b, "\\t");
    else if (*p < 0x20)
      aatgs__sb_printf(b, "\\u%04x", *p);
    else
      aatgs__sb_printf(b, "%c", *p);
  }
  aatgs__sb_printf(b, "\"");
}

void aatgs__sb_double(aatgs__sb *b, double v) {
  char buf[40];
  for (int prec = 15; prec <= 17; prec++) {
    snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (strtod(buf, NULL) == v) break;
  }
  aatgs__sb_printf(b, "%s", buf);
}

char *aatgs__sb_take(aatgs__sb *b) {
  char *p;
  if (b->oom || sb_reserve(b, 0) != 0) {
    free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
    return NULL;
  }
  p = b->p;
  b->p = NULL;
  b->len = b->cap = 0;
  return p;
}
