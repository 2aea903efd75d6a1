/* policy.c - the registry of built-in policies and the init/fini wrappers. */
#include "policy.h"

#include <stdio.h>
#include <string.h>

/* Order of `aatgs list policies` and of aatgs_policy_names. */
static const aatgs_policy_ops *const registry[] = {
    &aatgs_policy_adaptive,      &aatgs_policy_fifo, &aatgs_policy_sjf,
    &aatgs_policy_critical_path, &aatgs_policy_heft, &aatgs_policy_random,
};

#define REGISTRY_COUNT ((uint32_t)(sizeof registry / sizeof registry[0]))

const aatgs_policy_ops *aatgs_policy_find(const char *name) {
  if (!name) return NULL;
  for (uint32_t i = 0; i < REGISTRY_COUNT; i++) {
    if (strcmp(registry[i]->name, name) == 0) return registry[i];
  }
  return NULL;
}

uint32_t aatgs_policy_count(void) { return REGISTRY_COUNT; }

const aatgs_policy_ops *aatgs_policy_at(uint32_t i) {
  return i < REGISTRY_COUNT ? registry[i] : NULL;
}

void aatgs_policy_names(char *buf, size_t cap) {
  if (!buf || cap == 0) return;
  size_t len = 0;
  buf[0] = '\0';
  for (uint32_t i = 0; i < REGISTRY_COUNT && len < cap; i++) {
    int w = snprintf(buf + len, cap - len, "%s%s", i ? ", " : "", registry[i]->name);
    if (w < 0) break;
    len += (size_t)w; /* past cap on truncation: the loop stops, buf stays terminated */
  }
}

int aatgs_policy_init(aatgs_policy *p, const aatgs_policy_ops *ops, const aatgs_policy_ctx *ctx,
                      aatgs_err *err) {
  if (!p) return aatgs_err_set(err, AATGS_EINVAL, "policy: no policy object");
  p->ops = NULL;
  p->impl = NULL;
  if (!ops) return aatgs_err_set(err, AATGS_EINVAL, "policy: no policy operations");
  if (ops->version < 1 || !ops->name || !ops->init || !ops->on_ready || !ops->pick)
    return aatgs_err_set(err, AATGS_EINVAL, "policy %s: incomplete operations table",
                         ops->name ? ops->name : "(unnamed)");
  p->ops = ops;
  int rc = ops->init(p, ctx, err);
  if (rc != AATGS_OK) {
    if (p->impl && ops->destroy) ops->destroy(p);
    p->ops = NULL;
    p->impl = NULL;
  }
  return rc;
}

void aatgs_policy_fini(aatgs_policy *p) {
  if (!p) return;
  if (p->ops && p->ops->destroy) p->ops->destroy(p);
  p->ops = NULL;
  p->impl = NULL;
}
