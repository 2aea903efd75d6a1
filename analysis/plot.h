/* plot.h - `aatgs plot`: figures of a trace database, drawn by gnuplot.
 *
 * Each figure is a gnuplot script in a script folder (the source tree's
 * analysis/plot_*.gp) plus the data this module queries from the database and
 * writes, with a vars.gp of names and labels, into a fresh temporary folder.
 * gnuplot runs once per figure and format, with the terminal, size and output
 * file set before the script; the temporary folder is removed afterwards
 * unless keep_data is set. Figures:
 *
 *   makespan      per scenario, the median makespan of each policy over its
 *                 completed runs with its 95% bootstrap CI (report.h)
 *   speedup       heatmap scenario x policy: the report's speedup over the
 *                 baseline (median / median) and its 95% bootstrap CI
 *   gantt         one run: a row per stream (upload and download streams
 *                 included), a box per task colored by task type
 *   timeline      one run: busy fraction of the streams and ready tasks over time
 *   decision-cost CDF of decisions.cost_ns per policy, log x axis
 *   rings         one run: config, telemetry (and collector) ring utilization
 *                 and cumulative overflows over time
 *   sim-vs-real   mean makespan under sim against a real backend, y = x line
 *
 * The per-run figures draw opt->run_id, or when it is 0 the first completed
 * run (lowest run_id) that the scenario/policy/backend filters keep. The
 * database is opened read-only. Not thread-safe across calls that share an
 * out_dir.
 */
#ifndef AATGS_PLOT_H
#define AATGS_PLOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"

#define AATGS_PLOT_N_FIGURES 7

/* Figure names in their default order ("makespan", "speedup", ...). */
extern const char *const aatgs_plot_figure_names[AATGS_PLOT_N_FIGURES];

typedef struct aatgs_plot_options {
  const char *db_path;
  const char *out_dir; /* created with its parents when missing; NULL: "." */
  bool png, svg;       /* formats to write; neither: png */
  /* Figures by name, comma-separated; NULL or "": every figure that applies
   * (one that does not, e.g. sim-vs-real without real runs, is skipped with a
   * note). A named figure that cannot be drawn is an error. */
  const char *figures;
  int64_t run_id;       /* per-run figures: this run; 0: first completed run kept by the filters */
  const char *baseline; /* speedup baseline policy; NULL: "fifo" */
  /* Filters as in `aatgs report`: NULL or "" keeps everything, else a
   * comma-separated list of exact names. They choose the default run too. */
  const char *scenario, *policy, *backend;
  unsigned width, height; /* image size in pixels; 0: each figure's default */
  double from_ms, to_ms;  /* per-run figures: time window in ms; NAN: the whole run */
  const char *gnuplot;    /* gnuplot program (name looked up in PATH, or a path); NULL: "gnuplot" */
  const char *script_dir; /* folder of the plot_*.gp scripts (required) */
  bool keep_data;         /* keep the temporary data folder (its path goes to log) */
  FILE *log;              /* one line per file written and per skipped figure; NULL: silent */
} aatgs_plot_options;

/* Draws the figures. Every file written is <out_dir>/<figure>.<png|svg>.
 * The message of every failure names the figure, file or run at fault:
 * AATGS_EINVAL (unknown figure, bad window or size), AATGS_ENOENT (missing
 * database, script or gnuplot program, whose message says how to install it;
 * unknown run id; no task of the run in the window), AATGS_EDB (not an AATGS
 * database; a named figure without data, e.g. sim-vs-real without real
 * runs; no figure drawable at all), AATGS_EIO (temporary or output folder;
 * gnuplot failed: its last error line is quoted and the partial file is
 * removed). A figure drawn before a failure stays. */
int aatgs_plot_run(const aatgs_plot_options *opt, aatgs_err *err);

/* Resolves the gnuplot program: a name containing '/' must be an executable
 * file, any other name is searched in $PATH. Writes the path into out (cap
 * bytes). AATGS_ENOENT, with a message saying how to install gnuplot. */
int aatgs_plot_find_gnuplot(const char *program, char *out, size_t cap, aatgs_err *err);

#endif
