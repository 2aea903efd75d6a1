/* fuzz_common.h - helpers for the libFuzzer targets: the importers read files,
 * so each input is written to a per-process temporary file first. */
#ifndef AATGS_FUZZ_COMMON_H
#define AATGS_FUZZ_COMMON_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* Writes data to this process's scratch file and returns its path. */
static const char *fuzz_file(const uint8_t *data, size_t size, const char *suffix) {
  static char path[128];
  snprintf(path, sizeof path, "/tmp/aatgs-fuzz-%d%s", (int)getpid(), suffix);
  FILE *f = fopen(path, "wb");
  if (!f) abort();
  if (size && fwrite(data, 1, size, f) != size) abort();
  fclose(f);
  return path;
}

#endif
