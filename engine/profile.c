/* profile.c - the machine profile: the built-in H100 values, a YAML loader
 * (flat mapping of the struct's field names) and a writer that round-trips
 * through the loader. One table of fields drives both directions. */
#include "profile.h"

#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yamlutil.h"

typedef enum field_kind { F_STR, F_NS, F_REAL, F_U32 } field_kind;

typedef struct field {
  const char *name;
  field_kind kind;
  size_t offset;
  size_t size;   /* F_STR: buffer size */
  double lo, hi; /* inclusive range for numbers */
} field;

#define FLD(name, kind, lo, hi)                                                                    \
  { #name, kind, offsetof(aatgs_profile, name), sizeof(((aatgs_profile *)0)->name), lo, hi }

static const field fields[] = {
    FLD(name, F_STR, 0, 0),
    FLD(gpu, F_STR, 0, 0),
    FLD(source, F_STR, 0, 0),
    FLD(launch_ns, F_NS, 0, 1e9),
    FLD(graph_node_ns, F_NS, 0, 1e9),
    FLD(event_ns, F_NS, 0, 1e9),
    FLD(host_submit_ns, F_NS, 0, 1e9),
    FLD(host_complete_ns, F_NS, 0, 1e9),
    FLD(h2d_latency_ns, F_NS, 0, 1e9),
    FLD(h2d_gbps, F_REAL, 1e-6, 1e5),
    FLD(d2h_latency_ns, F_NS, 0, 1e9),
    FLD(d2h_gbps, F_REAL, 1e-6, 1e5),
    FLD(sm_count, F_U32, 1, 1e5),
    FLD(block_slots, F_U32, 0, 1e8),
    FLD(kernel_streams, F_U32, 1, 256),
    FLD(noise_cv, F_REAL, 0, 10),
    FLD(config_slots, F_U32, 1, 1048576),
    FLD(config_slot_bytes, F_U32, 1, 1048576),
    FLD(telemetry_slots, F_U32, 1, 1048576),
    FLD(telemetry_slot_bytes, F_U32, 1, 1048576),
    FLD(telemetry_watermark, F_REAL, 0.01, 1),
    FLD(edge_latency_ns, F_NS, 0, 1e9),
    FLD(edge_gbps, F_REAL, 0, 1e5),
};
#define NUM_FIELDS (sizeof fields / sizeof fields[0])

void aatgs_profile_default(aatgs_profile *p) {
  memset(p, 0, sizeof *p);
  snprintf(p->name, sizeof p->name, "h100-sxm");
  snprintf(p->gpu, sizeof p->gpu, "NVIDIA H100 80GB HBM3");
  snprintf(p->source, sizeof p->source,
           "aatgs calibrate on an H100 80GB HBM3, 2026-11-27 (driver 580.159.04, CUDA 13.0)");
  p->launch_ns = 4327;         /* back-to-back empty kernels on one stream */
  p->graph_node_ns = 784;      /* CUDA Graph replay, per node */
  p->event_ns = 1835;          /* cudaEventRecord + cudaEventQuery, host */
  p->host_submit_ns = 7263;    /* event + launch + event, host */
  p->host_complete_ns = 10552; /* per completion, the dispatch loop included */
  p->h2d_latency_ns = 2528;    /* 256 B pinned H2D copy, back to back */
  p->h2d_gbps = 52.59;         /* 256 MiB pinned H2D copy */
  p->d2h_latency_ns = 2255;    /* 256 B pinned D2H copy, back to back */
  p->d2h_gbps = 55.04;         /* 256 MiB pinned D2H copy */
  p->sm_count = 132;
  p->block_slots = 4224; /* resident 32-thread blocks of the task kernel */
  p->kernel_streams = 4;
  p->noise_cv = 0.05;
  p->config_slots = 16;
  p->config_slot_bytes = 256;
  p->telemetry_slots = 64;
  p->telemetry_slot_bytes = 64;
  p->telemetry_watermark = 0.75;
  p->edge_latency_ns = 0; /* edges between streams are free on one GPU */
  p->edge_gbps = 0;
  p->text = NULL;
}

static void valid_keys(char *buf, size_t cap) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < NUM_FIELDS; i++) {
    int n = snprintf(buf + used, cap - used, "%s%s", i ? ", " : "", fields[i].name);
    if (n < 0 || (size_t)n >= cap - used) return;
    used += (size_t)n;
  }
}

static int set_field(aatgs__ydoc *d, aatgs_profile *p, const field *f, const yaml_node_t *v,
                     aatgs_err *err) {
  const char *o = d->origin, *text = aatgs__yscalar(v);
  char *at = (char *)p + f->offset;
  if (!text)
    return aatgs__yerr(err, AATGS_EINVAL, o, v, "%s: expected a single value, got %s", f->name,
                       aatgs__ykind(v));
  switch (f->kind) {
  case F_STR:
    if (strlen(text) >= f->size)
      return aatgs__yerr(err, AATGS_EINVAL, o, v, "%s: longer than %zu characters", f->name,
                         f->size - 1);
    memcpy(at, text, strlen(text) + 1);
    return AATGS_OK;
  case F_NS: {
    aatgs_ns ns;
    if (aatgs__parse_duration(text, &ns) != 0)
      return aatgs__yerr(err, AATGS_EINVAL, o, v,
                         "%s: expected a duration like 3300ns or 3.3us, got \"%s\"", f->name, text);
    if ((double)ns < f->lo || (double)ns > f->hi)
      return aatgs__yerr(err, AATGS_EINVAL, o, v, "%s: %s is out of range [0, 1s]", f->name, text);
    memcpy(at, &ns, sizeof ns);
    return AATGS_OK;
  }
  case F_REAL: {
    double x;
    if (aatgs__parse_double(text, &x) != 0)
      return aatgs__yerr(err, AATGS_EINVAL, o, v, "%s: expected a number, got \"%s\"", f->name,
                         text);
    if (x < f->lo || x > f->hi)
      return aatgs__yerr(err, AATGS_EINVAL, o, v, "%s: %s is out of range [%g, %g]", f->name, text,
                         f->lo, f->hi);
    memcpy(at, &x, sizeof x);
    return AATGS_OK;
  }
  case F_U32: {
    uint64_t u;
    if (aatgs__parse_uint(text, &u) != 0)
      return aatgs__yerr(err, AATGS_EINVAL, o, v, "%s: expected an unsigned integer, got \"%s\"",
                         f->name, text);
    if ((double)u < f->lo || (double)u > f->hi)
      return aatgs__yerr(err, AATGS_EINVAL, o, v, "%s: %s is out of range [%.0f, %.0f]", f->name,
                         text, f->lo, f->hi);
    uint32_t x = (uint32_t)u;
    memcpy(at, &x, sizeof x);
    return AATGS_OK;
  }
  }
  return AATGS_EINVAL;
}

int aatgs_profile_load(aatgs_profile *p, const char *path, aatgs_err *err) {
  aatgs__ydoc d;
  char *text = NULL;
  size_t len = 0;
  int rc;
  memset(&d, 0, sizeof d);
  aatgs_profile_default(p);
  rc = aatgs__read_file(path, &text, &len, err);
  if (rc != AATGS_OK) return rc;
  rc = aatgs__ydoc_load(&d, path, text, len, err);
  if (rc != AATGS_OK) goto fail;
  yaml_node_t *root = aatgs__ydoc_root(&d);
  if (root->type != YAML_MAPPING_NODE) {
    rc = aatgs__yerr(err, AATGS_EINVAL, path, root, "expected a mapping of profile keys, got %s",
                     aatgs__ykind(root));
    goto fail;
  }
  rc = aatgs__ymap_check(&d, root, err);
  if (rc != AATGS_OK) goto fail;
  for (yaml_node_pair_t *q = root->data.mapping.pairs.start; q < root->data.mapping.pairs.top;
       q++) {
    yaml_node_t *k = aatgs__ydoc_node(&d, q->key), *v = aatgs__ydoc_node(&d, q->value);
    const char *key = aatgs__yscalar(k);
    const field *f = NULL;
    for (size_t i = 0; i < NUM_FIELDS && !f; i++)
      if (strcmp(fields[i].name, key) == 0) f = &fields[i];
    if (!f) {
      char valid[400];
      valid_keys(valid, sizeof valid);
      rc = aatgs__yerr(err, AATGS_EINVAL, path, k, "unknown key \"%s\" (valid: %s)", key, valid);
      goto fail;
    }
    rc = set_field(&d, p, f, v, err);
    if (rc != AATGS_OK) goto fail;
  }
  aatgs__ydoc_free(&d);
  p->text = text;
  return AATGS_OK;
fail:
  aatgs__ydoc_free(&d);
  free(text);
  aatgs_profile_default(p);
  return rc;
}

char *aatgs_profile_to_yaml(const aatgs_profile *p) {
  aatgs__sb b = {0};
  aatgs__sb_printf(&b, "# aatgs machine profile. Durations in ns (suffixes us, ms, s accepted), "
                       "bandwidths in GB/s.\n");
  for (size_t i = 0; i < NUM_FIELDS; i++) {
    const field *f = &fields[i];
    const char *at = (const char *)p + f->offset;
    aatgs__sb_printf(&b, "%s: ", f->name);
    switch (f->kind) {
    case F_STR: aatgs__sb_quoted(&b, at); break;
    case F_NS: {
      aatgs_ns ns;
      memcpy(&ns, at, sizeof ns);
      aatgs__sb_printf(&b, "%lld", (long long)ns);
      break;
    }
    case F_REAL: {
      double x;
      memcpy(&x, at, sizeof x);
      aatgs__sb_double(&b, x);
      break;
    }
    case F_U32: {
      uint32_t x;
      memcpy(&x, at, sizeof x);
      aatgs__sb_printf(&b, "%u", x);
      break;
    }
    }
    aatgs__sb_printf(&b, "\n");
  }
  return aatgs__sb_take(&b);
}

void aatgs_profile_free(aatgs_profile *p) {
  if (!p) return;
  free(p->text);
  p->text = NULL;
}
