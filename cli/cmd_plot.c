/* cmd_plot.c - `aatgs plot`: figures of a database, drawn by gnuplot. */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "plot.h"

#ifndef AATGS_SOURCE_DIR
#define AATGS_SOURCE_DIR "."
#endif

static void usage(FILE *f) {
  fputs("usage: aatgs plot [--db FILE] [--out DIR] [--format png,svg] [--size WxH]\n"
        "                  [--run ID] [--window FROM:TO] [--baseline POLICY]\n"
        "                  [--scenario LIST] [--policy LIST] [--backend LIST] [--keep-data]\n"
        "                  [FIGURE ...]\n"
        "  Draws figures of a database with gnuplot into DIR (default plots/), as\n"
        "  DIR/FIGURE.png and DIR/FIGURE.svg. FIGURE is one of (default: every one that\n"
        "  applies):\n"
        "    makespan       median makespan per policy and scenario, 95% bootstrap CI\n"
        "    speedup        heatmap scenario x policy of the speedup over the baseline\n"
        "    gantt          one run: a row per stream, a box per task colored by type\n"
        "    timeline       one run: stream utilization and ready tasks over time\n"
        "    decision-cost  CDF of the decision cost per policy (log axis)\n"
        "    rings          one run: config/telemetry ring utilization and overflows\n"
        "    sim-vs-real    sim against real makespan (needs sim and cuda runs)\n"
        "  --format         png, svg or png,svg (default png,svg)\n"
        "  --size WxH       image size in pixels (default: per figure)\n"
        "  --run ID         run of gantt, timeline and rings (default: the first\n"
        "                   completed run that the filters keep)\n"
        "  --window A:B     time window of those figures, ms since the run's start\n"
        "                   (A: or :B leave one side open)\n"
        "  --baseline P     policy the speedups are relative to (default fifo)\n"
        "  --scenario, --policy, --backend LIST  comma-separated names to keep\n"
        "  --keep-data      keep the data files and gnuplot logs (path printed)\n"
        "  --quiet          print nothing but errors\n"
        "Environment: AATGS_GNUPLOT (gnuplot program, default gnuplot in PATH),\n"
        "AATGS_PLOT_DIR (folder of the plot_*.gp scripts, default the source tree's\n"
        "analysis/).\n",
        f);
}

static int parse_formats(const char *v, aatgs_plot_options *o) {
  o->png = o->svg = false;
  for (const char *p = v;;) {
    const char *c = strchr(p, ',');
    size_t len = c ? (size_t)(c - p) : strlen(p);
    if (len == 3 && !strncmp(p, "png", 3))
      o->png = true;
    else if (len == 3 && !strncmp(p, "svg", 3))
      o->svg = true;
    else {
      fprintf(stderr,
              "aatgs plot: unknown format \"%.*s\" in --format (expected png, svg or "
              "png,svg)\n",
              (int)len, p);
      return -1;
    }
    if (!c) return 0;
    p = c + 1;
  }
}

static int parse_size(const char *v, aatgs_plot_options *o) {
  unsigned w, h;
  char tail;
  if (sscanf(v, "%ux%u%c", &w, &h, &tail) != 2 || w < 200 || w > 10000 || h < 150 || h > 10000) {
    fprintf(stderr,
            "aatgs plot: --size expects WIDTHxHEIGHT in pixels (200..10000 x 150..10000), got "
            "'%s'\n",
            v);
    return -1;
  }
  o->width = w;
  o->height = h;
  return 0;
}

/* One side of --window: "" is open (NAN). */
static int parse_ms(const char *s, size_t len, double *out) {
  char buf[64], *end;
  if (!len) {
    *out = NAN;
    return 0;
  }
  if (len >= sizeof buf) return -1;
  memcpy(buf, s, len);
  buf[len] = '\0';
  errno = 0;
  *out = strtod(buf, &end);
  return *end || errno || !isfinite(*out) || *out < 0 ? -1 : 0;
}

static int parse_window(const char *v, aatgs_plot_options *o) {
  const char *c = strchr(v, ':');
  if (!c || parse_ms(v, (size_t)(c - v), &o->from_ms) ||
      parse_ms(c + 1, strlen(c + 1), &o->to_ms) || (isnan(o->from_ms) && isnan(o->to_ms)) ||
      (!isnan(o->from_ms) && !isnan(o->to_ms) && o->to_ms <= o->from_ms)) {
    fprintf(stderr,
            "aatgs plot: --window expects FROM:TO in ms with 0 <= FROM < TO (one side may be "
            "empty), got '%s'\n",
            v);
    return -1;
  }
  return 0;
}

int aatgs__cmd_plot(int argc, char **argv) {
  aatgs_plot_options o;
  aatgs_err e;
  char figures[512] = "";
  bool quiet = false;
  memset(&o, 0, sizeof o);
  o.db_path = "aatgs.db";
  o.out_dir = "plots";
  o.png = o.svg = true;
  o.from_ms = o.to_ms = NAN;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      return 0;
    }
    if (a[0] != '-') {
      size_t n = strlen(figures);
      if (n + strlen(a) + 2 > sizeof figures) {
        fprintf(stderr, "aatgs plot: too many figure names\n");
        return 2;
      }
      snprintf(figures + n, sizeof figures - n, "%s%s", n ? "," : "", a);
      continue;
    }
    if (!strcmp(a, "--keep-data")) {
      o.keep_data = true;
      continue;
    }
    if (!strcmp(a, "--quiet")) {
      quiet = true;
      continue;
    }
    if (!v) {
      fprintf(stderr, "aatgs plot: option '%s' needs a value (or is unknown)\n", a);
      usage(stderr);
      return 2;
    }
    i++;
    if (!strcmp(a, "--db"))
      o.db_path = v;
    else if (!strcmp(a, "--out"))
      o.out_dir = v;
    else if (!strcmp(a, "--format")) {
      if (parse_formats(v, &o)) return 2;
    } else if (!strcmp(a, "--size")) {
      if (parse_size(v, &o)) return 2;
    } else if (!strcmp(a, "--run")) {
      unsigned id;
      if (aatgs__parse_u32("--run", v, 0xffffffffUL, &id)) return 2;
      if (!id) {
        fprintf(stderr, "aatgs plot: --run expects a run id >= 1, got '%s'\n", v);
        return 2;
      }
      o.run_id = id;
    } else if (!strcmp(a, "--window")) {
      if (parse_window(v, &o)) return 2;
    } else if (!strcmp(a, "--baseline"))
      o.baseline = v;
    else if (!strcmp(a, "--scenario"))
      o.scenario = v;
    else if (!strcmp(a, "--policy"))
      o.policy = v;
    else if (!strcmp(a, "--backend"))
      o.backend = v;
    else {
      fprintf(stderr, "aatgs plot: unknown option '%s'\n", a);
      usage(stderr);
      return 2;
    }
  }
  const char *gp = getenv("AATGS_GNUPLOT"), *dir = getenv("AATGS_PLOT_DIR");
  o.gnuplot = gp && *gp ? gp : "gnuplot";
  o.script_dir = dir && *dir ? dir : AATGS_SOURCE_DIR "/analysis";
  o.figures = figures;
  o.log = quiet ? NULL : stdout;
  int rc = aatgs_plot_run(&o, &e);
  if (rc != AATGS_OK) {
    fprintf(stderr, "aatgs plot: %s\n", e.msg);
    return rc == AATGS_EINVAL ? 2 : 1;
  }
  return 0;
}
