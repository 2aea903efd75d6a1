/* backend.c - the backend registry: sim and host always, cuda where it is built
 * (AATGS_HAVE_CUDA). Built as its own library (aatgs_backends) so that
 * engine/ itself never depends on CUDA. */
#include "backend.h"

#include <string.h>

#ifdef AATGS_HAVE_CUDA
#include "backend_cuda.h"
#endif

static const aatgs_backend_ops *const registry[] = {
    &aatgs_backend_sim,
    &aatgs_backend_host,
#ifdef AATGS_HAVE_CUDA
    &aatgs_backend_cuda,
#endif
};

#define NREG (sizeof registry / sizeof registry[0])

const aatgs_backend_ops *aatgs_backend_find(const char *name) {
  if (name && strcmp(name, "auto") == 0) return aatgs_backend_auto();
  for (size_t i = 0; i < NREG; i++)
    if (name && strcmp(registry[i]->name, name) == 0) return registry[i];
  return NULL;
}

uint32_t aatgs_backend_count(void) { return (uint32_t)NREG; }

const aatgs_backend_ops *aatgs_backend_at(uint32_t i) { return i < NREG ? registry[i] : NULL; }

const aatgs_backend_ops *aatgs_backend_auto(void) {
  /* Prefer a real device; the simulator is always available. `host` is
   * always available too but is no device: it is only run by name. */
  for (size_t i = 0; i < NREG; i++)
    if (strcmp(registry[i]->name, "sim") != 0 && strcmp(registry[i]->name, "host") != 0 &&
        registry[i]->available && registry[i]->available())
      return registry[i];
  return &aatgs_backend_sim;
}
