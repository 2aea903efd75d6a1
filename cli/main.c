/* main.c - `aatgs`: subcommand dispatch and shared helpers. */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cli.h"
#if defined(AATGS_HAVE_NVTX)
#include "nvtx_sink.h"
#endif

#ifndef AATGS_SOURCE_DIR
#define AATGS_SOURCE_DIR "."
#endif

static void usage(FILE *f) {
  fputs("usage: aatgs <command> [options]\n"
        "\n"
        "commands:\n"
        "  run [SCENARIO|DIR ...]   run scenarios under every policy and record to SQLite\n"
        "                           (no argument: the default suite)\n"
        "  report [--db FILE]       comparison table of the runs in a database\n"
        "  plot [--db FILE] [FIGURE ...]  figures of a database (gnuplot; PNG and SVG)\n"
        "  gate --baseline A --candidate B   performance gate: fails on a regression (CI)\n"
        "  list policies|scenarios|backends|generators\n"
        "  graph SCENARIO           statistics of a scenario's task graph\n"
        "  calibrate [-o FILE]      measure a machine profile on the GPU (needs CUDA)\n"
        "  trace --run ID [--out FILE]   one run as Chrome/Perfetto trace JSON (ui.perfetto.dev)\n"
        "  merge OUT.db IN.db...    combine databases without duplicating runs\n"
        "  explain --run ID --task T   why a task ran when it did: the decisions around it\n"
        "\n"
        "Run `aatgs <command> --help` for a command's options.\n",
        f);
}

int main(int argc, char **argv) {
#if defined(AATGS_HAVE_NVTX)
  aatgs_nvtx_initialize(); /* load an NVTX tool (Nsight Systems) now, not inside the first run */
  aatgs_nvtx_name_thread("aatgs");
#endif
  if (argc < 2) {
    usage(stderr);
    return 2;
  }
  const char *cmd = argv[1];
  if (!strcmp(cmd, "run")) return aatgs__cmd_run(argc - 1, argv + 1);
  if (!strcmp(cmd, "report")) return aatgs__cmd_report(argc - 1, argv + 1);
  if (!strcmp(cmd, "plot")) return aatgs__cmd_plot(argc - 1, argv + 1);
  if (!strcmp(cmd, "gate")) return aatgs__cmd_gate(argc - 1, argv + 1);
  if (!strcmp(cmd, "list")) return aatgs__cmd_list(argc - 1, argv + 1);
  if (!strcmp(cmd, "graph")) return aatgs__cmd_graph(argc - 1, argv + 1);
  if (!strcmp(cmd, "calibrate")) return aatgs__cmd_calibrate(argc - 1, argv + 1);
  if (!strcmp(cmd, "trace")) return aatgs__cmd_trace(argc - 1, argv + 1);
  if (!strcmp(cmd, "merge")) return aatgs__cmd_merge(argc - 1, argv + 1);
  if (!strcmp(cmd, "explain")) return aatgs__cmd_explain(argc - 1, argv + 1);
  if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
    usage(stdout);
    return 0;
  }
  fprintf(stderr, "aatgs: unknown command '%s'\n\n", cmd);
  usage(stderr);
  return 2;
}

const char *aatgs__default_suite_dir(void) {
  const char *env = getenv("AATGS_SCENARIO_DIR");
  return env && *env ? env : AATGS_SOURCE_DIR "/scenarios/default";
}

const char *aatgs__default_profile_path(void) {
  struct stat st;
  const char *env = getenv("AATGS_PROFILE");
  if (env && *env) return env;
  if (stat(AATGS_SOURCE_DIR "/scenarios/profiles/h100.yaml", &st) == 0)
    return AATGS_SOURCE_DIR "/scenarios/profiles/h100.yaml";
  return NULL;
}

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static int push_path(char ***v, size_t *n, size_t *cap, const char *p) {
  if (*n == *cap) {
    size_t c = *cap ? *cap * 2 : 16;
    char **nv = realloc(*v, c * sizeof *nv);
    if (!nv) return -1;
    *v = nv;
    *cap = c;
  }
  if (!((*v)[*n] = strdup(p))) return -1;
  (*n)++;
  return 0;
}

int aatgs__expand_scenarios(char **args, int nargs, char ***out, size_t *n) {
  char **v = NULL;
  size_t cnt = 0, cap = 0;
  for (int i = 0; i < nargs; i++) {
    struct stat st;
    if (stat(args[i], &st) != 0) {
      fprintf(stderr, "aatgs: cannot read scenario '%s': %s\n", args[i], strerror(errno));
      goto fail;
    }
    if (!S_ISDIR(st.st_mode)) {
      if (push_path(&v, &cnt, &cap, args[i])) goto nomem;
      continue;
    }
    DIR *d = opendir(args[i]);
    struct dirent *e;
    size_t first = cnt;
    if (!d) {
      fprintf(stderr, "aatgs: cannot open directory '%s': %s\n", args[i], strerror(errno));
      goto fail;
    }
    while ((e = readdir(d))) {
      size_t len = strlen(e->d_name);
      if (len > 5 && !strcmp(e->d_name + len - 5, ".yaml")) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", args[i], e->d_name);
        if (push_path(&v, &cnt, &cap, path)) {
          closedir(d);
          goto nomem;
        }
      }
    }
    closedir(d);
    if (cnt == first) {
      fprintf(stderr, "aatgs: no *.yaml scenario in directory '%s'\n", args[i]);
      goto fail;
    }
    qsort(v + first, cnt - first, sizeof *v, cmp_str);
  }
  *out = v;
  *n = cnt;
  return 0;
nomem:
  fprintf(stderr, "aatgs: out of memory\n");
fail:
  aatgs__free_paths(v, cnt);
  return -1;
}

void aatgs__free_paths(char **paths, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(paths[i]);
  free(paths);
}

int aatgs__parse_u32(const char *opt, const char *s, unsigned long max, unsigned *out) {
  char *end;
  errno = 0;
  unsigned long v = s ? strtoul(s, &end, 10) : 0;
  if (!s || !*s || *end || errno || v > max || s[0] == '-') {
    fprintf(stderr, "aatgs: %s expects an integer in 0..%lu, got '%s'\n", opt, max, s ? s : "");
    return -1;
  }
  *out = (unsigned)v;
  return 0;
}
