/* fuzz_wfcommons.c - libFuzzer target: the wfcommons importer on arbitrary bytes, then
 * finalize (cycles) and a reset of the graph. Any crash, leak or sanitizer
 * report is a bug. */
#include "fuzz_common.h"
#include "importers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const char *path = fuzz_file(data, size, ".json");
  aatgs_graph *g = NULL;
  aatgs_err e;
  if (aatgs_graph_create(&g, 0, 0) != AATGS_OK) return 0;
  if (aatgs_import_wfcommons(g, path, AATGS_NS_PER_S, &e) == AATGS_OK &&
      aatgs_graph_finalize(g, &e) == AATGS_OK)
    aatgs_graph_reset(g);
  aatgs_graph_destroy(g);
  return 0;
}
