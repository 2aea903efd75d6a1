/* fuzz_scenario.c - libFuzzer target: the scenario parser (YAML, libyaml) on
 * arbitrary bytes. Parsing only: building a parsed scenario is generator
 * code, and a fuzzer would ask for graphs of 10^8 tasks. Any crash, leak or
 * sanitizer report is a bug. */
#include "scenario.h"

#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  aatgs_scenario *s = NULL;
  aatgs_err e;
  if (aatgs_scenario_parse(&s, "fuzz.yaml", (const char *)data, size, &e) == AATGS_OK)
    aatgs_scenario_destroy(s);
  return 0;
}
