/* cmd_calibrate.c - `aatgs calibrate [-o FILE]`: measure a machine profile on
 * the GPU and write it as YAML (stdout by default). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "profile.h"
#ifdef AATGS_HAVE_CUDA
#include "calibrate.h"
#endif

int aatgs__cmd_calibrate(int argc, char **argv) {
  const char *out = NULL;
  for (int i = 1; i < argc; i++) {
    if ((!strcmp(argv[i], "-o") || !strcmp(argv[i], "--output")) && i + 1 < argc) {
      out = argv[++i];
    } else if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
      printf("usage: aatgs calibrate [-o profile.yaml]\n"
             "  Measures launch, submit, CUDA Graph, event and copy costs on GPU 0 and writes\n"
             "  a machine profile for the simulator (stdout by default).\n");
      return 0;
    } else {
      fprintf(stderr, "aatgs calibrate: unexpected argument '%s'\n", argv[i]);
      return 2;
    }
  }
#ifndef AATGS_HAVE_CUDA
  (void)out;
  fprintf(stderr, "aatgs calibrate: this build has no CUDA backend (nvcc was not found when it was "
                  "configured); build on a machine with the CUDA toolkit\n");
  return 1;
#else
  aatgs_profile p;
  aatgs_err e;
  if (aatgs_cuda_calibrate(&p, stderr, &e) != AATGS_OK) {
    fprintf(stderr, "aatgs: %s\n", e.msg);
    return 1;
  }
  char *yaml = aatgs_profile_to_yaml(&p);
  if (!yaml) {
    fprintf(stderr, "aatgs: out of memory\n");
    return 1;
  }
  FILE *f = out ? fopen(out, "w") : stdout;
  if (!f) {
    fprintf(stderr, "aatgs calibrate: cannot write '%s'\n", out);
    free(yaml);
    return 1;
  }
  fputs(yaml, f);
  free(yaml);
  if (out && fclose(f) != 0) {
    fprintf(stderr, "aatgs calibrate: cannot write '%s'\n", out);
    return 1;
  }
  if (out) fprintf(stderr, "aatgs calibrate: wrote %s\n", out);
  return 0;
#endif
}
