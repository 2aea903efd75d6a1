/* yamlutil.h - internal helpers shared by the YAML readers (scenario.c,
 * profile.c) and the generators: loading a libyaml document with positioned
 * errors, scalar parsers (durations, integers, reals), file reading and a
 * growable string buffer for writing YAML/JSON.
 *
 * Errors are reported as "origin:line:col: message" with 1-based line and
 * column, taken from the node's start mark (or the parser's problem mark for
 * syntax errors). Internal to the engine: names are aatgs__*.
 */
#ifndef AATGS_YAMLUTIL_H
#define AATGS_YAMLUTIL_H

#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

#include "error.h"
#include "graph.h"

/* A loaded YAML document and the name used for it in errors. */
typedef struct aatgs__ydoc {
  yaml_document_t doc;
  const char *origin; /* borrowed; must outlive the document */
  int loaded;
} aatgs__ydoc;

/* Parses the first document of text. A syntax error, an empty text (no
 * document or an empty one) and a second document are errors (AATGS_EINVAL)
 * that name origin:line:col. On failure nothing needs freeing. */
int aatgs__ydoc_load(aatgs__ydoc *d, const char *origin, const char *text, size_t len,
                     aatgs_err *err);
/* Frees the document; a zeroed or failed one is a no-op. */
void aatgs__ydoc_free(aatgs__ydoc *d);
yaml_node_t *aatgs__ydoc_root(aatgs__ydoc *d);
yaml_node_t *aatgs__ydoc_node(aatgs__ydoc *d, int id);

/* 1-based line and column of a node. */
int aatgs__ynode_line(const yaml_node_t *n);
int aatgs__ynode_col(const yaml_node_t *n);
/* Sets err to "origin:line:col: <fmt...>" at node n (n may be NULL: "origin: ...").
 * Returns code. */
int aatgs__yerr(aatgs_err *err, int code, const char *origin, const yaml_node_t *n, const char *fmt,
                ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 5, 6)))
#endif
    ;
/* Prefixes an existing message in err with "origin:line:col: ". Returns err's code. */
int aatgs__yerr_at(aatgs_err *err, const char *origin, const yaml_node_t *n);

/* The NUL-terminated text of a scalar node, NULL when n is not a scalar. */
const char *aatgs__yscalar(const yaml_node_t *n);
/* "a mapping", "a sequence" or "a scalar": for "expected X, got Y" messages. */
const char *aatgs__ykind(const yaml_node_t *n);
/* Checks that a mapping has scalar keys and no key twice (libyaml accepts
 * both); the error names the offending key. */
int aatgs__ymap_check(aatgs__ydoc *d, const yaml_node_t *map, aatgs_err *err);

/* Scalar parsers; each returns 0 on success and -1 when the text is not of
 * that form (callers write the message). */
/* Duration: a non-negative decimal number with a unit suffix ns, us (or µs),
 * ms or s, optionally separated by spaces; a bare number is nanoseconds.
 * Fractions round to the nearest ns ("1.5us" = 1500). */
int aatgs__parse_duration(const char *text, aatgs_ns *out);
/* Unsigned decimal integer (digits only). */
int aatgs__parse_uint(const char *text, uint64_t *out);
/* Finite real number (decimal, optional exponent). */
int aatgs__parse_double(const char *text, double *out);

/* Reads a whole file into a malloc'd NUL-terminated buffer. AATGS_EIO with
 * "path: strerror" on failure. */
int aatgs__read_file(const char *path, char **text, size_t *len, aatgs_err *err);

/* FNV-1a 64 of a byte string. */
uint64_t aatgs__fnv1a64(const void *data, size_t len);

/* Growable string. On allocation failure `oom` is set and later appends do
 * nothing; aatgs__sb_take then returns NULL. */
typedef struct aatgs__sb {
  char *p;
  size_t len, cap;
  int oom;
} aatgs__sb;

void aatgs__sb_printf(aatgs__sb *b, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;
/* Appends s as a double-quoted JSON string (also a valid YAML double-quoted scalar). */
void aatgs__sb_quoted(aatgs__sb *b, const char *s);
/* Appends a real in the shortest "%.Ng" form that reads back exactly. */
void aatgs__sb_double(aatgs__sb *b, double v);
/* Returns the malloc'd text (caller frees) or NULL after an allocation failure. */
char *aatgs__sb_take(aatgs__sb *b);

#endif
