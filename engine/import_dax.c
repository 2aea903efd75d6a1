/* import_dax.c - Pegasus DAX XML workflows, read with libxml2 (see importers.h). */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "importers.h"

typedef struct dax_job {
  char *id;
  uint32_t task;
} dax_job;

static int by_id(const void *a, const void *b) {
  return strcmp(((const dax_job *)a)->id, ((const dax_job *)b)->id);
}

static int is(const xmlNode *n, const char *name) {
  return n->type == XML_ELEMENT_NODE && strcmp((const char *)n->name, name) == 0;
}

static char *attr(const xmlNode *n, const char *name) {
  return (char *)xmlGetProp((xmlNode *)n, (const xmlChar *)name);
}

static uint32_t find_job(const dax_job *jobs, size_t n, const char *id) {
  dax_job key = {(char *)id, 0};
  const dax_job *j = bsearch(&key, jobs, n, sizeof *jobs, by_id);
  return j ? j->task : AATGS_TASK_NONE;
}

int aatgs_import_dax(aatgs_graph *g, const char *path, aatgs_ns unit_ns, aatgs_err *err) {
  xmlDoc *doc = xmlReadFile(path, NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  dax_job *jobs = NULL;
  size_t njobs = 0, cap = 0;
  int rc = AATGS_OK;
  if (!doc) {
    const xmlError *e = xmlGetLastError();
    if (e && e->line > 0)
      rc = aatgs_err_set(err, AATGS_EINVAL, "%s:%d: %s", path, e->line,
                         e->message ? e->message : "malformed XML");
    else
      rc = aatgs_err_set(err, AATGS_EIO, "cannot read '%s': %s", path,
                         e && e->message ? e->message : strerror(errno));
    /* libxml2 messages end with a newline */
    if (err) err->msg[strcspn(err->msg, "\n")] = '\0';
    return rc;
  }
  xmlNode *root = xmlDocGetRootElement(doc);
  if (!root || !is(root, "adag")) {
    rc = aatgs_err_set(err, AATGS_EINVAL, "%s:%d: expected an <adag> root element", path,
                       root ? (int)xmlGetLineNo(root) : 1);
    goto done;
  }
  /* Jobs first. */
  for (xmlNode *n = root->children; n; n = n->next) {
    if (!is(n, "job")) continue;
    int line = (int)xmlGetLineNo(n);
    char *id = attr(n, "id"), *name = attr(n, "name"), *rt = attr(n, "runtime"), *end = NULL;
    double runtime = rt ? strtod(rt, &end) : -1;
    uint32_t type = AATGS_TT_CUSTOM, task;
    if (!id)
      rc = aatgs_err_set(err, AATGS_EINVAL, "%s:%d: <job> without an id", path, line);
    else if (!rt || end == rt || *end || !(runtime >= 0) || !isfinite(runtime))
      rc = aatgs_err_set(err, AATGS_EINVAL, "%s:%d: job \"%s\": runtime \"%s\" is not a duration",
                         path, line, id, rt ? rt : "(missing)");
    if (rc == AATGS_OK && name) {
      char tname[AATGS_TYPE_NAME_MAX];
      snprintf(tname, sizeof tname, "%s", name);
      if (aatgs_graph_add_type(g, tname, unit_ns, AATGS_CLASS_KERNEL, &type) != AATGS_OK)
        rc = aatgs_err_set(err, AATGS_EFULL, "%s:%d: too many job types (at most %d)", path, line,
                           AATGS_MAX_TYPES);
    }
    if (rc == AATGS_OK) {
      double est = runtime * (double)unit_ns;
      rc = aatgs_graph_add_task(g, type, est >= 1.0 ? (aatgs_ns)llround(est) : 1, NULL, 0, &task,
                                err);
    }
    uint64_t out_bytes = 0;
    for (xmlNode *u = n->children; rc == AATGS_OK && u; u = u->next) {
      if (!is(u, "uses")) continue;
      char *link = attr(u, "link"), *size = attr(u, "size");
      if (link && size && strcmp(link, "output") == 0) out_bytes += strtoull(size, NULL, 10);
      xmlFree(link);
      xmlFree(size);
    }
    if (rc == AATGS_OK && (aatgs_graph_set_label(g, task, id) != AATGS_OK ||
                           aatgs_graph_set_bytes(g, task, out_bytes) != AATGS_OK))
      rc = aatgs_err_set(err, AATGS_ENOMEM, "%s: out of memory", path);
    if (rc == AATGS_OK && njobs == cap) {
      size_t c2 = cap ? 2 * cap : 64;
      dax_job *nj = realloc(jobs, c2 * sizeof *nj);
      if (!nj)
        rc = aatgs_err_set(err, AATGS_ENOMEM, "%s: out of memory", path);
      else {
        jobs = nj;
        cap = c2;
      }
    }
    if (rc == AATGS_OK) {
      jobs[njobs].id = id;
      jobs[njobs].task = task;
      njobs++;
      id = NULL; /* owned by jobs now */
    }
    xmlFree(id);
    xmlFree(name);
    xmlFree(rt);
    if (rc != AATGS_OK) goto done;
  }
  if (njobs == 0) {
    rc = aatgs_err_set(err, AATGS_EINVAL, "%s: no <job> element", path);
    goto done;
  }
  qsort(jobs, njobs, sizeof *jobs, by_id);
  for (size_t i = 1; i < njobs; i++)
    if (strcmp(jobs[i].id, jobs[i - 1].id) == 0) {
      rc = aatgs_err_set(err, AATGS_EINVAL, "%s: duplicate job id \"%s\"", path, jobs[i].id);
      goto done;
    }
  /* Then the dependencies: <child ref><parent ref/></child>. */
  for (xmlNode *n = root->children; n && rc == AATGS_OK; n = n->next) {
    if (!is(n, "child")) continue;
    char *cref = attr(n, "ref");
    uint32_t child = cref ? find_job(jobs, njobs, cref) : AATGS_TASK_NONE;
    if (child == AATGS_TASK_NONE)
      rc = aatgs_err_set(err, AATGS_ENOENT, "%s:%d: <child ref=\"%s\">: no such job", path,
                         (int)xmlGetLineNo(n), cref ? cref : "");
    for (xmlNode *p = n->children; rc == AATGS_OK && p; p = p->next) {
      if (!is(p, "parent")) continue;
      char *pref = attr(p, "ref");
      uint32_t parent = pref ? find_job(jobs, njobs, pref) : AATGS_TASK_NONE;
      if (parent == AATGS_TASK_NONE)
        rc = aatgs_err_set(err, AATGS_ENOENT, "%s:%d: <parent ref=\"%s\">: no such job", path,
                           (int)xmlGetLineNo(p), pref ? pref : "");
      else
        rc = aatgs_graph_add_edge(g, parent, child, err);
      xmlFree(pref);
    }
    xmlFree(cref);
  }
done:
  for (size_t i = 0; i < njobs; i++)
    xmlFree(jobs[i].id);
  free(jobs);
  xmlFreeDoc(doc);
  return rc;
}
