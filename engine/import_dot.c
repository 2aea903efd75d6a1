/* import_dot.c - Graphviz DOT task graphs through cgraph (see importers.h).
 *
 * Every node becomes a kernel task of type `custom` labelled with its name;
 * its `size` attribute (DAGGEN: cost in flops) times unit_ns is its estimate
 * (rounded, at least 1 ns; 1 x unit_ns without one). Every edge src -> dst
 * becomes an edge; its `size` (bytes) adds to the source task's bytes.
 *
 * cgraph reports parse errors through a global callback, so this importer is
 * not thread-safe (neither is cgraph's parser). */
#include "importers.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <graphviz/cgraph.h>

/* cgraph hands a message to the callback in pieces ("Error", ": ",
 * "syntax error in line 4 near '->'\n"), so the pieces are collected here and
 * the first error line is picked out after agread. */
static char dot_errbuf[4 * AATGS_ERR_MSG_MAX];
static size_t dot_errlen;

static int dot_errf(char *msg) {
  size_t n = strlen(msg), room = sizeof dot_errbuf - 1 - dot_errlen;
  if (n > room) n = room;
  memcpy(dot_errbuf + dot_errlen, msg, n);
  dot_errlen += n;
  dot_errbuf[dot_errlen] = '\0';
  return 0;
}

/* Copies the first "Error: ..." line collected (without its prefix) to out;
 * returns 1 when there is one. */
static int dot_first_error(char *out, size_t cap) {
  for (const char *p = dot_errbuf; *p;) {
    size_t len = strcspn(p, "\n");
    if (strncmp(p, "Error", 5) == 0) {
      const char *m = p + 5;
      while (*m == ':' || *m == ' ')
        m++;
      size_t mlen = len - (size_t)(m - p);
      while (mlen > 0 && (m[mlen - 1] == '\r' || m[mlen - 1] == ' '))
        mlen--;
      snprintf(out, cap, "%.*s", (int)mlen, m);
      return 1;
    }
    p += len;
    if (*p == '\n') p++;
  }
  return 0;
}

typedef struct dot_rec {
  Agrec_t h;
  uint32_t id;
} dot_rec;

static char dot_rec_name[] = "aatgs_task";
static char dot_size_attr[] = "size";

/* Parses a size value: a finite, non-negative decimal (integer or floating
 * point, such as "9.09e+09"). Returns 0 and *out on success, -1 otherwise. */
static int parse_size(const char *s, double *out) {
  char *end;
  while (*s == ' ' || *s == '\t')
    s++;
  if (*s == '\0') return -1;
  errno = 0;
  double v = strtod(s, &end);
  if (end == s || errno == ERANGE) return -1;
  while (*end == ' ' || *end == '\t')
    end++;
  if (*end != '\0' || !isfinite(v) || v < 0) return -1;
  *out = v;
  return 0;
}

int aatgs_import_dot(aatgs_graph *g, const char *path, aatgs_ns unit_ns, aatgs_err *err) {
  FILE *f = fopen(path, "r");
  if (!f) return aatgs_err_set(err, AATGS_EIO, "cannot read '%s': %s", path, strerror(errno));
  if (unit_ns <= 0) {
    fclose(f);
    return aatgs_err_set(err, AATGS_EINVAL, "%s: unit must be positive, got %lld ns", path,
                         (long long)unit_ns);
  }

  dot_errbuf[0] = '\0';
  dot_errlen = 0;
  agusererrf old_errf = agseterrf(dot_errf);
  agreseterrors();
  agreadline(1); /* cgraph counts lines on from the previous read otherwise */
  Agraph_t *dg = agread(f, NULL);
  int nerr = agreseterrors();
  if (dg && nerr == 0) {
    /* A successful parse stops at the closing brace and leaves the rest of
     * the file in cgraph's lexer buffer, where the next read would count its
     * newlines; read on to the end so that the next file starts clean. Any
     * further graph in the file is ignored. */
    Agraph_t *more;
    while ((more = agread(f, NULL)) != NULL)
      agclose(more);
    agreseterrors();
    dot_errbuf[0] = '\0';
    dot_errlen = 0;
  }
  agseterrf(old_errf);
  fclose(f);

  char emsg[AATGS_ERR_MSG_MAX];
  int have_err = dot_first_error(emsg, sizeof emsg);
  if (!dg || nerr > 0 || have_err) {
    int rc;
    if (have_err)
      rc = aatgs_err_set(err, AATGS_EINVAL, "%s: %s", path, emsg);
    else if (!dg)
      rc = aatgs_err_set(err, AATGS_EINVAL, "%s: no graph in file", path);
    else
      rc = aatgs_err_set(err, AATGS_EINVAL, "%s: syntax error", path);
    if (dg) agclose(dg);
    return rc;
  }
  if (!agisdirected(dg)) {
    int rc = aatgs_err_set(err, AATGS_EINVAL, "%s: graph \"%s\" is undirected; expected a digraph",
                           path, agnameof(dg));
    agclose(dg);
    return rc;
  }

  int rc = AATGS_OK;
  /* Nodes, in the file's order. */
  for (Agnode_t *n = agfstnode(dg); n; n = agnxtnode(dg, n)) {
    const char *name = agnameof(n);
    const char *sz = agget(n, dot_size_attr);
    double units = 1.0;
    if (sz && *sz && parse_size(sz, &units) != 0) {
      rc = aatgs_err_set(err, AATGS_EINVAL, "%s: node \"%s\": size \"%s\" is not a number", path,
                         name, sz);
      goto done;
    }
    double est = nearbyint(units * (double)unit_ns);
    if (est >= 9.2e18) {
      rc = aatgs_err_set(err, AATGS_EINVAL, "%s: node \"%s\": size \"%s\" is too large", path, name,
                         sz ? sz : "");
      goto done;
    }
    aatgs_ns est_ns = (aatgs_ns)est;
    if (est_ns < 1) est_ns = 1;
    uint32_t id;
    rc = aatgs_graph_add_task(g, AATGS_TT_CUSTOM, est_ns, NULL, 0, &id, err);
    if (rc != AATGS_OK) {
      aatgs_err_prefix(err, "%s: node \"%s\"", path, name);
      goto done;
    }
    if (aatgs_graph_set_label(g, id, name) != AATGS_OK) {
      rc = aatgs_err_set(err, AATGS_ENOMEM, "%s: out of memory", path);
      goto done;
    }
    dot_rec *r = agbindrec(n, dot_rec_name, sizeof *r, 0);
    if (!r) {
      rc = aatgs_err_set(err, AATGS_ENOMEM, "%s: out of memory", path);
      goto done;
    }
    r->id = id;
  }
  /* Edges: out-edges of every node. */
  for (Agnode_t *n = agfstnode(dg); n; n = agnxtnode(dg, n)) {
    uint32_t src = ((dot_rec *)aggetrec(n, dot_rec_name, 0))->id;
    for (Agedge_t *e = agfstout(dg, n); e; e = agnxtout(dg, e)) {
      uint32_t dst = ((dot_rec *)aggetrec(aghead(e), dot_rec_name, 0))->id;
      const char *sz = agget(e, dot_size_attr);
      if (sz && *sz) {
        double bytes;
        if (parse_size(sz, &bytes) != 0 || bytes >= 1.8e19) {
          rc = aatgs_err_set(err, AATGS_EINVAL,
                             "%s: edge \"%s\" -> \"%s\": size \"%s\" is not a number", path,
                             agnameof(n), agnameof(aghead(e)), sz);
          goto done;
        }
        uint64_t b = (uint64_t)nearbyint(bytes);
        uint64_t cur = aatgs_graph_task_bytes(g, src);
        rc = aatgs_graph_set_bytes(g, src, cur + b < cur ? UINT64_MAX : cur + b);
        if (rc != AATGS_OK) {
          aatgs_err_set(err, rc, "%s: node \"%s\": cannot set bytes", path, agnameof(n));
          goto done;
        }
      }
      rc = aatgs_graph_add_edge(g, src, dst, err);
      if (rc != AATGS_OK) {
        aatgs_err_prefix(err, "%s: edge \"%s\" -> \"%s\"", path, agnameof(n), agnameof(aghead(e)));
        goto done;
      }
    }
  }
done:
  agclose(dg);
  return rc;
}
