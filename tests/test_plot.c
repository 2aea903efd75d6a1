/* test_plot.c - `aatgs plot` (analysis/plot.h) on a real database.
 *
 * The database is recorded by the aatgs binary from two small scenarios (a
 * phase pipeline, whose graph has config-upload and telemetry-download tasks,
 * and a fork-join) under three policies and three seeds. The real gnuplot
 * draws every figure: each PNG must carry the PNG signature and an IHDR with
 * the requested width and height, each SVG an <svg> element of that size. The
 * data files gnuplot reads (kept with keep_data) are checked against plain SQL
 * on the same file: one Gantt box per task, busy time per stream class,
 * decision counts, sim-against-real means. Errors: gnuplot missing (from
 * PATH or AATGS_GNUPLOT) says how to install it, a bad --run names the run
 * ids, a failing script quotes gnuplot and leaves no half-written file.
 * Tests that need gnuplot skip, saying so, where it is not installed. */
#include <criterion/criterion.h>
#include <math.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot.h"
#include "support/cli.h"

#define SCRIPTS AATGS_SOURCE_DIR "/analysis"

static char g_dir[64];
static char g_db[128];
static char g_out[128];

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f, "cannot write %s", path);
  fputs(text, f);
  cr_assert_eq(fclose(f), 0);
}

/* The whole file, NUL-terminated (caller frees); NULL when unreadable. */
static char *slurp(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  char *b = malloc((size_t)n + 1);
  cr_assert_not_null(b);
  cr_assert_eq(fread(b, 1, (size_t)n, f), (size_t)n);
  b[n] = '\0';
  fclose(f);
  if (len) *len = (size_t)n;
  return b;
}

static void setup(void) {
  char pp[128], fj[128], out[8192];
  struct stat st;
  strcpy(g_dir, "/tmp/aatgs-plot-test-XXXXXX");
  cr_assert_not_null(mkdtemp(g_dir));
  snprintf(g_db, sizeof g_db, "%s/runs.db", g_dir);
  snprintf(g_out, sizeof g_out, "%s/out", g_dir);
  snprintf(pp, sizeof pp, "%s/pp.yaml", g_dir);
  snprintf(fj, sizeof fj, "%s/fj.yaml", g_dir);
  write_file(pp, "name: pp\ngenerator: phase_pipeline\n"
                 "params: {iterations: 6, replicas: 2, transition_every: 3}\n"
                 "seeds: 3\nnoise_cv: 0.1\n");
  write_file(fj, "name: fj\ngenerator: fork_join\nparams: {width: 8, stages: 5}\n"
                 "seeds: 3\nnoise_cv: 0.1\n");
  cr_assert_eq(stat(bin(), &st), 0, "the aatgs binary is not at %s (set AATGS_BIN)", bin());
  cr_assert_eq(sh(out, sizeof out,
                  "%s run %s %s --db %s --backend sim --policy fifo,heft,sjf --quiet", bin(), pp,
                  fj, g_db),
               0, "%s", out);
}

static void teardown(void) {
  char cmd[128], out[256];
  snprintf(cmd, sizeof cmd, "rm -rf %s", g_dir);
  sh(out, sizeof out, "%s", cmd);
}

static bool have_gnuplot(void) {
  char path[4096];
  const char *g = getenv("AATGS_GNUPLOT");
  return aatgs_plot_find_gnuplot(g && *g ? g : "gnuplot", path, sizeof path, NULL) == AATGS_OK;
}

#define NEED_GNUPLOT()                                                                             \
  do {                                                                                             \
    if (!have_gnuplot())                                                                           \
      cr_skip_test("gnuplot is not installed (apt-get install gnuplot-nox): the figures cannot "   \
                   "be drawn here");                                                               \
  } while (0)

static aatgs_plot_options base_options(void) {
  aatgs_plot_options o;
  const char *g = getenv("AATGS_GNUPLOT");
  memset(&o, 0, sizeof o);
  o.db_path = g_db;
  o.out_dir = g_out;
  o.png = true;
  o.from_ms = o.to_ms = NAN;
  o.gnuplot = g && *g ? g : "gnuplot";
  o.script_dir = SCRIPTS;
  return o;
}

/* Runs the plot with the log captured into *log (caller frees). */
static int plot(const aatgs_plot_options *o, char **log, aatgs_err *err) {
  size_t n;
  aatgs_plot_options c = *o;
  FILE *f = open_memstream(log, &n);
  cr_assert_not_null(f);
  c.log = f;
  aatgs_err_clear(err);
  int rc = aatgs_plot_run(&c, err);
  fclose(f);
  return rc;
}

/* The folder named in "data and gnuplot logs kept in DIR". */
static void kept_dir(const char *log, char *out, size_t cap) {
  const char *k = strstr(log, "kept in ");
  cr_assert_not_null(k, "no kept folder in the log: %s", log);
  k += strlen("kept in ");
  size_t n = strcspn(k, "\n");
  cr_assert_lt(n, cap);
  memcpy(out, k, n);
  out[n] = '\0';
}

static uint32_t be32(const unsigned char *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static void check_png(const char *path, unsigned w, unsigned h) {
  static const unsigned char SIG[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
  size_t n;
  unsigned char *b = (unsigned char *)slurp(path, &n);
  cr_assert_not_null(b, "%s was not written", path);
  cr_assert_gt(n, 1000, "%s is only %zu bytes", path, n);
  cr_assert_eq(memcmp(b, SIG, 8), 0, "%s has no PNG signature", path);
  cr_assert_eq(be32(b + 8), 13u, "%s: IHDR length", path);
  cr_assert_eq(memcmp(b + 12, "IHDR", 4), 0, "%s: first chunk is not IHDR", path);
  cr_assert_eq(be32(b + 16), w, "%s: width %u, expected %u", path, be32(b + 16), w);
  cr_assert_eq(be32(b + 20), h, "%s: height %u, expected %u", path, be32(b + 20), h);
  cr_assert_eq(memcmp(b + n - 8, "IEND", 4), 0, "%s does not end with IEND", path);
  free(b);
}

/* The value of attribute name in the tag that starts at tag. */
static bool attr(const char *tag, const char *name, char *out, size_t cap) {
  const char *end = strchr(tag, '>');
  char key[64];
  snprintf(key, sizeof key, " %s=\"", name);
  const char *k = strstr(tag, key);
  if (!k || !end || k > end) {
    snprintf(key, sizeof key, "\n%s=\"", name);
    k = strstr(tag, key);
    if (!k || k > end) return false;
  }
  k += strlen(key);
  size_t n = strcspn(k, "\"");
  if (n >= cap) return false;
  memcpy(out, k, n);
  out[n] = '\0';
  return true;
}

static void check_svg(const char *path, unsigned w, unsigned h) {
  char v[64], want[64];
  char *b = slurp(path, NULL);
  cr_assert_not_null(b, "%s was not written", path);
  cr_assert_eq(strncmp(b, "<?xml", 5), 0, "%s does not start with an XML declaration", path);
  const char *svg = strstr(b, "<svg");
  cr_assert_not_null(svg, "%s has no <svg> element", path);
  cr_assert(attr(svg, "width", v, sizeof v), "%s: <svg> has no width", path);
  cr_assert_eq(strtoul(v, NULL, 10), w, "%s: width %s, expected %u", path, v, w);
  cr_assert(attr(svg, "height", v, sizeof v), "%s: <svg> has no height", path);
  cr_assert_eq(strtoul(v, NULL, 10), h, "%s: height %s, expected %u", path, v, h);
  cr_assert(attr(svg, "viewBox", v, sizeof v), "%s: <svg> has no viewBox", path);
  snprintf(want, sizeof want, "0 0 %u %u", w, h);
  cr_assert_str_eq(v, want, "%s: viewBox", path);
  cr_assert_not_null(strstr(svg, "</svg>"), "%s is not closed", path);
  free(b);
}

static sqlite3 *open_db(void) {
  sqlite3 *db;
  cr_assert_eq(sqlite3_open(g_db, &db), SQLITE_OK);
  return db;
}

static double sql_num(sqlite3 *db, const char *fmt, ...) {
  char q[1024];
  va_list ap;
  sqlite3_stmt *st;
  va_start(ap, fmt);
  vsnprintf(q, sizeof q, fmt, ap);
  va_end(ap);
  cr_assert_eq(sqlite3_prepare_v2(db, q, -1, &st, NULL), SQLITE_OK, "%s: %s", q,
               sqlite3_errmsg(db));
  cr_assert_eq(sqlite3_step(st), SQLITE_ROW, "%s", q);
  double v = sqlite3_column_double(st, 0);
  sqlite3_finalize(st);
  return v;
}

static const char *const FIGS[] = {"makespan", "speedup",       "gantt",
                                   "timeline", "decision-cost", "rings"};

TestSuite(plot, .init = setup, .fini = teardown, .timeout = 240);

Test(plot, every_figure_png_and_svg_at_the_requested_size) {
  NEED_GNUPLOT();
  aatgs_plot_options o = base_options();
  aatgs_err err;
  char *log = NULL, p[256];
  o.svg = true;
  o.width = 640;
  o.height = 480;
  cr_assert_eq(plot(&o, &log, &err), AATGS_OK, "%s", err.msg);
  for (size_t i = 0; i < sizeof FIGS / sizeof *FIGS; i++) {
    snprintf(p, sizeof p, "%s/%s.png", g_out, FIGS[i]);
    check_png(p, 640, 480);
    snprintf(p, sizeof p, "%s/%s.svg", g_out, FIGS[i]);
    check_svg(p, 640, 480);
    snprintf(p, sizeof p, "wrote %s/%s.png\n", g_out, FIGS[i]);
    cr_assert_not_null(strstr(log, p), "log lacks '%s': %s", p, log);
  }
  /* Only sim runs: sim-vs-real is skipped with the reason, not drawn. */
  snprintf(p, sizeof p, "%s/sim-vs-real.png", g_out);
  cr_assert_neq(access(p, F_OK), 0, "sim-vs-real.png drawn without real runs");
  cr_assert_not_null(strstr(log, "skipped sim-vs-real: "), "%s", log);
  cr_assert_not_null(strstr(log, "--backend cuda"), "%s", log);
  free(log);
}

Test(plot, other_sizes_and_svg_only) {
  NEED_GNUPLOT();
  aatgs_plot_options o = base_options();
  aatgs_err err;
  char *log = NULL, p[256];
  o.png = false;
  o.svg = true;
  o.width = 1111;
  o.height = 333;
  o.figures = "speedup,gantt";
  cr_assert_eq(plot(&o, &log, &err), AATGS_OK, "%s", err.msg);
  snprintf(p, sizeof p, "%s/speedup.svg", g_out);
  check_svg(p, 1111, 333);
  snprintf(p, sizeof p, "%s/gantt.svg", g_out);
  check_svg(p, 1111, 333);
  snprintf(p, sizeof p, "%s/gantt.png", g_out);
  cr_assert_neq(access(p, F_OK), 0, "a PNG was written with svg only");
  snprintf(p, sizeof p, "%s/makespan.svg", g_out);
  cr_assert_neq(access(p, F_OK), 0, "a figure that was not asked for was drawn");
  free(log);
  /* Through the command line: the positional figure names and --size. */
  char out[4096];
  cr_assert_eq(sh(out, sizeof out,
                  "%s plot --db %s --out %s/cli/a/b --format png --size 800x450 rings", bin(), g_db,
                  g_dir),
               0, "%s", out);
  snprintf(p, sizeof p, "%s/cli/a/b/rings.png", g_dir); /* missing parents are made */
  check_png(p, 800, 450);
}

/* Lines of a data file that are not comments. */
static size_t data_lines(const char *path) {
  char *b = slurp(path, NULL), *save = NULL;
  size_t n = 0;
  cr_assert_not_null(b, "%s is missing", path);
  for (char *l = strtok_r(b, "\n", &save); l; l = strtok_r(NULL, "\n", &save))
    n += l[0] != '#';
  free(b);
  return n;
}

Test(plot, gantt_has_one_box_per_task_on_every_stream) {
  NEED_GNUPLOT();
  aatgs_plot_options o = base_options();
  aatgs_err err;
  char *log = NULL, kept[256], p[512];
  o.figures = "gantt";
  o.scenario = "pp";
  o.policy = "heft";
  o.keep_data = true;
  cr_assert_eq(plot(&o, &log, &err), AATGS_OK, "%s", err.msg);
  kept_dir(log, kept, sizeof kept);
  sqlite3 *db = open_db();
  /* The default run: the first completed run that the filters keep. */
  long run = (long)sql_num(db, "SELECT MIN(run_id) FROM runs WHERE scenario = 'pp' AND "
                               "policy = 'heft' AND status = 'completed'");
  cr_assert_gt(run, 0);
  snprintf(p, sizeof p, "%s/gantt/vars.gp", kept);
  char *vars = slurp(p, NULL);
  cr_assert_not_null(vars);
  char want[128];
  snprintf(want, sizeof want, "of run %ld: pp, policy heft", run);
  cr_assert_not_null(strstr(vars, want), "title lacks '%s': %s", want, vars);
  /* Every stream of the run has a row, the copy streams included. */
  long streams = (long)sql_num(db, "SELECT COUNT(*) FROM streams WHERE run_id = %ld", run);
  cr_assert_eq(streams, 6);
  snprintf(want, sizeof want, "NST = %ld\n", streams);
  cr_assert_not_null(strstr(vars, want), "%s", vars);
  cr_assert_not_null(strstr(vars, "'config-upload'"), "%s", vars);
  cr_assert_not_null(strstr(vars, "'telemetry-download'"), "%s", vars);
  cr_assert_not_null(strstr(vars, "'config_upload'"), "%s", vars);
  cr_assert_not_null(strstr(vars, "'telemetry_download'"), "%s", vars);
  /* One box per task, and the boxes' total length is the tasks' busy time. */
  size_t boxes = 0;
  double total = 0;
  for (int k = 0; k < 32; k++) {
    snprintf(p, sizeof p, "%s/gantt/g_%d.dat", kept, k);
    FILE *f = fopen(p, "r");
    if (!f) continue;
    double a, b;
    int row, failed;
    while (fscanf(f, "%lf %lf %d %d", &a, &b, &row, &failed) == 4) {
      cr_assert_geq(b, a);
      cr_assert(row >= 0 && row < streams, "row %d", row);
      cr_assert_eq(failed, 0);
      total += b - a;
      boxes++;
    }
    fclose(f);
  }
  long tasks = (long)sql_num(db, "SELECT COUNT(*) FROM task_events WHERE run_id = %ld", run);
  double busy =
      sql_num(db, "SELECT SUM(end_ns - start_ns) / 1e6 FROM task_events WHERE run_id = %ld", run);
  cr_assert_eq((long)boxes, tasks);
  cr_assert_eq((long)boxes, (long)sql_num(db, "SELECT n_tasks FROM runs WHERE run_id = %ld", run));
  cr_assert(fabs(total - busy) < 1e-3, "boxes %.6f ms, tasks %.6f ms", total, busy);
  free(vars);
  free(log);
  sqlite3_close(db);
  snprintf(p, sizeof p, "rm -rf %s", kept);
  char out[256];
  sh(out, sizeof out, "%s", p);
}

Test(plot, window_keeps_the_tasks_that_overlap_it) {
  NEED_GNUPLOT();
  aatgs_plot_options o = base_options();
  aatgs_err err;
  char *log = NULL, kept[256], p[512], out[256];
  sqlite3 *db = open_db();
  long run = (long)sql_num(db, "SELECT MIN(run_id) FROM runs WHERE scenario = 'fj'");
  double end = sql_num(db, "SELECT MAX(end_ns) / 1e6 FROM task_events WHERE run_id = %ld", run);
  o.figures = "gantt";
  o.run_id = run;
  o.from_ms = end / 4;
  o.to_ms = end / 2;
  o.keep_data = true;
  cr_assert_eq(plot(&o, &log, &err), AATGS_OK, "%s", err.msg);
  kept_dir(log, kept, sizeof kept);
  size_t boxes = 0;
  for (int k = 0; k < 32; k++) {
    snprintf(p, sizeof p, "%s/gantt/g_%d.dat", kept, k);
    if (access(p, F_OK) == 0) boxes += data_lines(p);
  }
  long want = (long)sql_num(db,
                            "SELECT COUNT(*) FROM task_events WHERE run_id = %ld AND "
                            "end_ns >= %.0f AND start_ns <= %.0f",
                            run, o.from_ms * 1e6, o.to_ms * 1e6);
  long all = (long)sql_num(db, "SELECT COUNT(*) FROM task_events WHERE run_id = %ld", run);
  cr_assert_eq((long)boxes, want);
  cr_assert_lt(want, all, "the window should leave tasks out");
  cr_assert_gt(want, 0);
  /* A window after the run's end is an error, not an empty figure. */
  free(log);
  o.from_ms = end * 10;
  o.to_ms = end * 11;
  o.keep_data = false;
  cr_assert_eq(plot(&o, &log, &err), AATGS_ENOENT);
  cr_assert_not_null(strstr(err.msg, "has no task in the window"), "%s", err.msg);
  free(log);
  sqlite3_close(db);
  snprintf(p, sizeof p, "rm -rf %s", kept);
  sh(out, sizeof out, "%s", p);
}

Test(plot, timeline_busy_time_and_ready_counts_match_the_database) {
  NEED_GNUPLOT();
  aatgs_plot_options o = base_options();
  aatgs_err err;
  char *log = NULL, kept[256], p[512], out[256];
  sqlite3 *db = open_db();
  long run = (long)sql_num(db, "SELECT MIN(run_id) FROM runs WHERE scenario = 'pp' AND "
                               "policy = 'sjf'");
  o.figures = "timeline";
  o.run_id = run;
  o.keep_data = true;
  cr_assert_eq(plot(&o, &log, &err), AATGS_OK, "%s", err.msg);
  kept_dir(log, kept, sizeof kept);
  /* util.dat: bin start, then the busy fraction of the kernel, upload and
   * download streams; 200 bins and a closing row. */
  snprintf(p, sizeof p, "%s/timeline/util.dat", kept);
  FILE *f = fopen(p, "r");
  cr_assert_not_null(f);
  char line[256];
  double t[202], u[202][3];
  int n = 0;
  while (fgets(line, sizeof line, f))
    if (line[0] != '#') {
      cr_assert_lt(n, 202);
      cr_assert_eq(sscanf(line, "%lf %lf %lf %lf", &t[n], &u[n][0], &u[n][1], &u[n][2]), 4);
      for (int k = 0; k < 3; k++)
        cr_assert(u[n][k] >= 0 && u[n][k] <= 1 + 1e-9, "busy fraction %f", u[n][k]);
      n++;
    }
  fclose(f);
  cr_assert_eq(n, 201);
  double width = t[1] - t[0];
  const char *cls[3] = {"kernel", "upload", "download"};
  for (int k = 0; k < 3; k++) {
    double streams = sql_num(db, "SELECT COUNT(*) FROM streams WHERE run_id = %ld AND class = '%s'",
                             run, cls[k]);
    double busy = sql_num(db,
                          "SELECT COALESCE(SUM(e.end_ns - e.start_ns), 0) / 1e6 FROM task_events e "
                          "JOIN streams s ON s.run_id = e.run_id AND s.stream = e.stream "
                          "WHERE e.run_id = %ld AND s.class = '%s'",
                          run, cls[k]);
    double sum = 0;
    for (int i = 0; i < 200; i++)
      sum += u[i][k] * width * streams;
    cr_assert(fabs(sum - busy) <= 1e-4 * (busy > 1 ? busy : 1), "%s: bins %.6f ms, tasks %.6f ms",
              cls[k], sum, busy);
    cr_assert_gt(busy, 0, "%s streams never busy", cls[k]);
  }
  /* ready.dat: counts never negative, all zero at the end, and the largest
   * count of ready config uploads is reached (the graph starts with them). */
  snprintf(p, sizeof p, "%s/timeline/ready.dat", kept);
  f = fopen(p, "r");
  cr_assert_not_null(f);
  long last[3] = {-1, -1, -1}, peak_up = 0;
  while (fgets(line, sizeof line, f))
    if (line[0] != '#') {
      double tt;
      cr_assert_eq(sscanf(line, "%lf %ld %ld %ld", &tt, &last[0], &last[1], &last[2]), 4);
      for (int k = 0; k < 3; k++)
        cr_assert_geq(last[k], 0);
      if (last[1] > peak_up) peak_up = last[1];
    }
  fclose(f);
  for (int k = 0; k < 3; k++)
    cr_assert_eq(last[k], 0);
  long waited = (long)sql_num(db,
                              "SELECT COUNT(*) FROM task_events e JOIN streams s ON s.run_id = "
                              "e.run_id AND s.stream = e.stream WHERE e.run_id = %ld AND "
                              "s.class = 'upload' AND e.submit_ns > e.ready_ns",
                              run);
  cr_assert_eq(peak_up > 0, waited > 0);
  free(log);
  sqlite3_close(db);
  snprintf(p, sizeof p, "rm -rf %s", kept);
  sh(out, sizeof out, "%s", p);
}

Test(plot, decision_cost_cdf_counts_every_decision) {
  NEED_GNUPLOT();
  aatgs_plot_options o = base_options();
  aatgs_err err;
  char *log = NULL, kept[256], p[512], out[256];
  o.figures = "decision-cost";
  o.keep_data = true;
  cr_assert_eq(plot(&o, &log, &err), AATGS_OK, "%s", err.msg);
  kept_dir(log, kept, sizeof kept);
  sqlite3 *db = open_db();
  snprintf(p, sizeof p, "%s/decision-cost/vars.gp", kept);
  char *vars = slurp(p, NULL);
  cr_assert_not_null(vars);
  cr_assert_not_null(strstr(vars, "NP = 3\n"), "%s", vars);
  const char *pol[3] = {"fifo", "heft", "sjf"}; /* name order: dc_1, dc_2, dc_3 */
  for (int i = 0; i < 3; i++) {
    long n = (long)sql_num(db,
                           "SELECT COUNT(*) FROM decisions d JOIN runs r ON r.run_id = d.run_id "
                           "WHERE r.policy = '%s' AND r.status = 'completed'",
                           pol[i]);
    double mx = sql_num(db,
                        "SELECT MAX(cost_ns) FROM decisions d JOIN runs r ON r.run_id = d.run_id "
                        "WHERE r.policy = '%s' AND r.status = 'completed'",
                        pol[i]);
    char want[160];
    snprintf(want, sizeof want, "'%s: median ", pol[i]);
    cr_assert_not_null(strstr(vars, want), "%s", vars);
    snprintf(want, sizeof want, "max %.0f ns (%ld decisions)'", mx, n);
    cr_assert_not_null(strstr(vars, want), "lacks %s: %s", want, vars);
    /* The CDF rises to 1 at the largest cost, and never falls. */
    snprintf(p, sizeof p, "%s/decision-cost/dc_%d.dat", kept, i + 1);
    FILE *f = fopen(p, "r");
    cr_assert_not_null(f);
    char line[128];
    double x = 0, y = 0, px = 0, py = 0;
    while (fgets(line, sizeof line, f))
      if (line[0] != '#') {
        cr_assert_eq(sscanf(line, "%lf %lf", &x, &y), 2);
        cr_assert_geq(x, px);
        cr_assert_geq(y, py);
        px = x;
        py = y;
      }
    fclose(f);
    cr_assert_float_eq(y, 1.0, 1e-9);
    cr_assert_float_eq(x, mx < 1 ? 1 : mx, 1e-9);
  }
  free(vars);
  free(log);
  sqlite3_close(db);
  snprintf(p, sizeof p, "rm -rf %s", kept);
  sh(out, sizeof out, "%s", p);
}

Test(plot, sim_vs_real_pairs_the_mean_makespans) {
  NEED_GNUPLOT();
  /* A real backend's runs: every completed fifo and heft run again as
   * 'cuda', 3% slower (the database is this test's own copy). */
  sqlite3 *db = open_db();
  cr_assert_eq(sqlite3_exec(db,
                            "INSERT INTO runs (graph_id, scenario, policy, backend, seed, rep, "
                            "status, makespan_ns, lower_bound_ns, n_tasks) SELECT graph_id, "
                            "scenario, policy, 'cuda', seed, rep, status, makespan_ns * 103 / 100, "
                            "lower_bound_ns, n_tasks FROM runs WHERE policy IN ('fifo', 'heft') "
                            "AND status = 'completed'",
                            NULL, NULL, NULL),
               SQLITE_OK, "%s", sqlite3_errmsg(db));
  aatgs_plot_options o = base_options();
  aatgs_err err;
  char *log = NULL, kept[256], p[512], out[256];
  o.figures = "sim-vs-real";
  o.keep_data = true;
  o.width = 900;
  o.height = 700;
  cr_assert_eq(plot(&o, &log, &err), AATGS_OK, "%s", err.msg);
  snprintf(p, sizeof p, "%s/sim-vs-real.png", g_out);
  check_png(p, 900, 700);
  kept_dir(log, kept, sizeof kept);
  snprintf(p, sizeof p, "%s/sim-vs-real/points.dat", kept);
  FILE *f = fopen(p, "r");
  cr_assert_not_null(f);
  char line[256];
  int rows = 0;
  while (fgets(line, sizeof line, f)) {
    if (line[0] == '#') continue;
    double real, sim;
    int s, pol;
    cr_assert_eq(sscanf(line, "%lf %lf %d %d", &real, &sim, &s, &pol), 4);
    /* Scenarios fj, pp and policies fifo, heft, in name order. */
    const char *sc = s == 1 ? "fj" : "pp", *po = pol == 1 ? "fifo" : "heft";
    cr_assert(s == 1 || s == 2);
    cr_assert(pol == 1 || pol == 2);
    double want_real = sql_num(db,
                               "SELECT AVG(makespan_ns) / 1e6 FROM runs WHERE scenario = '%s' AND "
                               "policy = '%s' AND backend = 'cuda' AND status = 'completed'",
                               sc, po);
    double want_sim = sql_num(db,
                              "SELECT AVG(makespan_ns) / 1e6 FROM runs WHERE scenario = '%s' AND "
                              "policy = '%s' AND backend = 'sim' AND status = 'completed'",
                              sc, po);
    cr_assert(fabs(real - want_real) < 1e-5, "%s/%s real %f, SQL %f", sc, po, real, want_real);
    cr_assert(fabs(sim - want_sim) < 1e-5, "%s/%s sim %f, SQL %f", sc, po, sim, want_sim);
    cr_assert(fabs(sim / real - 1 / 1.03) < 1e-3, "ratio %f", sim / real);
    rows++;
  }
  fclose(f);
  cr_assert_eq(rows, 4); /* sjf has no real runs */
  snprintf(p, sizeof p, "%s/sim-vs-real/vars.gp", kept);
  char *vars = slurp(p, NULL);
  cr_assert_not_null(vars);
  cr_assert_not_null(strstr(vars, "REAL = 'cuda'"), "%s", vars);
  cr_assert_not_null(strstr(vars, "4 scenario x policy pairs: |sim / real - 1| median 2.9"), "%s",
                     vars);
  free(vars);
  free(log);
  sqlite3_close(db);
  snprintf(p, sizeof p, "rm -rf %s", kept);
  sh(out, sizeof out, "%s", p);
}

Test(plot, missing_gnuplot_says_how_to_install_it) {
  char out[4096];
  /* No gnuplot in PATH (the binary is found by its full path). */
  int rc = sh(out, sizeof out, "env -u AATGS_GNUPLOT PATH=%s/nowhere %s plot --db %s --out %s",
              g_dir, bin(), g_db, g_out);
  cr_assert_eq(rc, 1, "%s", out);
  cr_assert_not_null(strstr(out, "gnuplot not found ('gnuplot' is not in PATH)"), "%s", out);
  cr_assert_not_null(strstr(out, "apt-get install gnuplot-nox"), "%s", out);
  cr_assert_not_null(strstr(out, "AATGS_GNUPLOT"), "%s", out);
  /* AATGS_GNUPLOT naming a file that is not there. */
  rc = sh(out, sizeof out, "AATGS_GNUPLOT=%s/no/gnuplot %s plot --db %s --out %s", g_dir, bin(),
          g_db, g_out);
  cr_assert_eq(rc, 1, "%s", out);
  cr_assert_not_null(strstr(out, "/no/gnuplot' is not an executable file"), "%s", out);
  cr_assert_not_null(strstr(out, "apt-get install gnuplot-nox"), "%s", out);
  /* Nothing was written. */
  cr_assert_neq(access(g_out, F_OK), 0, "the output folder was created");
  /* The library call says the same. */
  char path[256];
  aatgs_err err;
  cr_assert_eq(aatgs_plot_find_gnuplot("/nonexistent/gnuplot", path, sizeof path, &err),
               AATGS_ENOENT);
  cr_assert_not_null(strstr(err.msg, "apt-get install gnuplot-nox"), "%s", err.msg);
}

Test(plot, bad_run_and_bad_arguments_are_clear_errors) {
  char out[4096];
  sqlite3 *db = open_db();
  long runs = (long)sql_num(db, "SELECT MAX(run_id) FROM runs");
  sqlite3_close(db);
  /* The run check comes before gnuplot draws anything, so /bin/true stands
   * in for gnuplot and the test runs without it. */
  int rc = sh(out, sizeof out, "AATGS_GNUPLOT=/bin/true %s plot --db %s --out %s --run 9999 gantt",
              bin(), g_db, g_out);
  cr_assert_eq(rc, 1, "%s", out);
  char want[256];
  snprintf(want, sizeof want, "gantt: run 9999 not found in '%s' (its run ids: 1..%ld)", g_db,
           runs);
  cr_assert_not_null(strstr(out, want), "wanted '%s' in: %s", want, out);
  /* Every per-run figure reports it, even when not named one by one. */
  rc = sh(out, sizeof out, "AATGS_GNUPLOT=/bin/true %s plot --db %s --out %s --run 9999 rings",
          bin(), g_db, g_out);
  cr_assert_eq(rc, 1, "%s", out);
  cr_assert_not_null(strstr(out, "rings: run 9999 not found"), "%s", out);
  static const struct {
    const char *args, *msg;
  } BAD[] = {
      {"--run 0", "--run expects a run id >= 1"},
      {"--run x", "--run expects an integer"},
      {"pie", "unknown figure \"pie\" (expected all, makespan"},
      {"--format jpg", "unknown format \"jpg\" in --format"},
      {"--size 10x10", "--size expects WIDTHxHEIGHT"},
      {"--window 9:3", "--window expects FROM:TO in ms"},
      {"--window :", "--window expects FROM:TO in ms"},
      {"--bogus 1", "unknown option '--bogus'"},
  };
  for (size_t i = 0; i < sizeof BAD / sizeof *BAD; i++) {
    rc = sh(out, sizeof out, "AATGS_GNUPLOT=/bin/true %s plot --db %s --out %s %s", bin(), g_db,
            g_out, BAD[i].args);
    cr_assert_eq(rc, 2, "%s: exit %d: %s", BAD[i].args, rc, out);
    cr_assert_not_null(strstr(out, BAD[i].msg), "%s: wanted '%s' in: %s", BAD[i].args, BAD[i].msg,
                       out);
  }
  /* An output "folder" that is a file. */
  snprintf(want, sizeof want, "%s/plain-file", g_dir);
  write_file(want, "x\n");
  rc = sh(out, sizeof out, "AATGS_GNUPLOT=/bin/true %s plot --db %s --out %s", bin(), g_db, want);
  cr_assert_eq(rc, 1, "%s", out);
  cr_assert_not_null(strstr(out, "plain-file' is not a folder"), "%s", out);
  /* --help lists every figure. */
  rc = sh(out, sizeof out, "%s plot --help", bin());
  cr_assert_eq(rc, 0, "%s", out);
  for (size_t i = 0; i < AATGS_PLOT_N_FIGURES; i++)
    cr_assert_not_null(strstr(out, aatgs_plot_figure_names[i]), "%s", out);
  /* A missing database and a file that is not one. */
  rc = sh(out, sizeof out, "AATGS_GNUPLOT=/bin/true %s plot --db %s/none.db --out %s", bin(), g_dir,
          g_out);
  cr_assert_eq(rc, 1, "%s", out);
  cr_assert_not_null(strstr(out, "none.db': No such file or directory"), "%s", out);
  snprintf(want, sizeof want, "%s/text.db", g_dir);
  write_file(want, "not a database\n");
  rc = sh(out, sizeof out, "AATGS_GNUPLOT=/bin/true %s plot --db %s --out %s", bin(), want, g_out);
  cr_assert_eq(rc, 1, "%s", out);
  cr_assert_not_null(strstr(out, "is not an AATGS database"), "%s", out);
}

Test(plot, failing_script_quotes_gnuplot_and_leaves_no_file) {
  NEED_GNUPLOT();
  char scripts[256], out[4096], p[512];
  snprintf(scripts, sizeof scripts, "%s/scripts", g_dir);
  cr_assert_eq(sh(out, sizeof out,
                  "mkdir %s && cp %s/plot_*.gp %s/ && echo 'plot no_such_fn(x)' "
                  ">> %s/plot_speedup.gp",
                  scripts, SCRIPTS, scripts, scripts),
               0, "%s", out);
  aatgs_plot_options o = base_options();
  aatgs_err err;
  char *log = NULL;
  o.script_dir = scripts;
  o.figures = "makespan,speedup";
  cr_assert_eq(plot(&o, &log, &err), AATGS_EIO);
  cr_assert_not_null(strstr(err.msg, "speedup: gnuplot ("), "%s", err.msg);
  cr_assert_not_null(strstr(err.msg, "plot_speedup.gp"), "%s", err.msg);
  cr_assert_not_null(strstr(err.msg, "undefined function"), "%s", err.msg);
  snprintf(p, sizeof p, "%s/makespan.png", g_out);
  cr_assert_eq(access(p, F_OK), 0, "makespan was drawn before the failure");
  snprintf(p, sizeof p, "%s/speedup.png", g_out);
  cr_assert_neq(access(p, F_OK), 0, "a half-written speedup.png was left");
  free(log);
  /* A missing script is named, with where the scripts are looked for. */
  o.script_dir = g_dir;
  cr_assert_eq(plot(&o, &log, &err), AATGS_ENOENT);
  cr_assert_not_null(strstr(err.msg, "plot_makespan.gp' not found"), "%s", err.msg);
  cr_assert_not_null(strstr(err.msg, "AATGS_PLOT_DIR"), "%s", err.msg);
  free(log);
}

typedef struct box {
  double a, b;
  int row;
} box;

static int cmp_box(const void *x, const void *y) {
  const box *p = x, *q = y;
  if (p->row != q->row) return p->row - q->row;
  return (p->a > q->a) - (p->a < q->a);
}

Test(plot, large_gantt_merges_boxes_closer_than_a_pixel) {
  NEED_GNUPLOT();
  /* 25 000 tasks of 10-90 us in 0.5 s: more than the 20 000 boxes drawn one
   * per task, and many tasks per pixel. */
  char yaml[128], db_path[128], out[4096], kept[256], p[512], *log = NULL;
  snprintf(yaml, sizeof yaml, "%s/big.yaml", g_dir);
  snprintf(db_path, sizeof db_path, "%s/big.db", g_dir);
  write_file(yaml, "name: big\ngenerator: layered\n"
                   "params: {layers: 250, width: 100, degree: 3, est: {dist: uniform, min: 10us, "
                   "max: 90us}}\nseeds: 1\nnoise_cv: 0.1\n");
  cr_assert_eq(sh(out, sizeof out, "%s run %s --db %s --policy fifo --quiet", bin(), yaml, db_path),
               0, "%s", out);
  aatgs_plot_options o = base_options();
  aatgs_err err;
  o.db_path = db_path;
  o.figures = "gantt";
  o.keep_data = true;
  o.width = 1000;
  o.height = 400;
  cr_assert_eq(plot(&o, &log, &err), AATGS_OK, "%s", err.msg);
  snprintf(p, sizeof p, "%s/gantt.png", g_out);
  check_png(p, 1000, 400);
  kept_dir(log, kept, sizeof kept);
  sqlite3 *db;
  cr_assert_eq(sqlite3_open(db_path, &db), SQLITE_OK);
  long tasks = (long)sql_num(db, "SELECT COUNT(*) FROM task_events WHERE run_id = 1");
  cr_assert_eq(tasks, 25000);
  snprintf(p, sizeof p, "%s/gantt/vars.gp", kept);
  char *vars = slurp(p, NULL), want[64];
  cr_assert_not_null(vars);
  snprintf(want, sizeof want, "TASKS = %ld\n", tasks);
  cr_assert_not_null(strstr(vars, want), "%s", vars);
  const char *bp = strstr(vars, "BOXES = ");
  cr_assert_not_null(bp);
  long boxes = strtol(bp + 8, NULL, 10);
  cr_assert(boxes > 0 && boxes < tasks / 10, "%ld boxes for %ld tasks", boxes, tasks);
  cr_assert_not_null(strstr(vars, "drawn as one box"), "%s", vars);
  /* Read the boxes (one type here): they do not overlap on a row, and every
   * task lies inside a box of its stream's row. */
  box *bx = malloc((size_t)boxes * sizeof *bx);
  cr_assert_not_null(bx);
  long nb = 0;
  const char *tyf = strstr(vars, "TYF[1] = '"); /* the one type's data file */
  cr_assert_not_null(tyf, "%s", vars);
  cr_assert_null(strstr(vars, "TYF[2]"), "one task type expected: %s", vars);
  tyf += strlen("TYF[1] = '");
  snprintf(p, sizeof p, "%s/gantt/%.*s", kept, (int)strcspn(tyf, "'"), tyf);
  FILE *f = fopen(p, "r");
  cr_assert_not_null(f, "%s", p);
  double a, b;
  int row, failed;
  while (fscanf(f, "%lf %lf %d %d", &a, &b, &row, &failed) == 4) {
    cr_assert_lt(nb, boxes);
    bx[nb++] = (box){a, b, row};
  }
  fclose(f);
  cr_assert_eq(nb, boxes);
  qsort(bx, (size_t)nb, sizeof *bx, cmp_box);
  for (long i = 1; i < nb; i++)
    if (bx[i].row == bx[i - 1].row)
      cr_assert_geq(bx[i].a, bx[i - 1].b, "boxes overlap on row %d", bx[i].row);
  sqlite3_stmt *st;
  cr_assert_eq(sqlite3_prepare_v2(db,
                                  "SELECT stream, start_ns / 1e6, end_ns / 1e6 FROM task_events "
                                  "WHERE run_id = 1 ORDER BY stream, start_ns",
                                  -1, &st, NULL),
               SQLITE_OK);
  /* One pixel of the 1000-pixel image over the whole run: tasks of a box are
   * at most this far apart, tasks of two boxes more. */
  double px = sql_num(db, "SELECT MAX(end_ns) / 1e6 FROM task_events WHERE run_id = 1") / 1000;
  long covered = 0, prev_box = -1;
  double prev_end = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    int s = sqlite3_column_int(st, 0); /* streams 0..5 are rows 0..5 */
    double ta = sqlite3_column_double(st, 1), tb = sqlite3_column_double(st, 2);
    long lo = 0, hi = nb - 1, hit = -1;
    while (lo <= hi) { /* last box of row s starting at or before ta */
      long mid = (lo + hi) / 2;
      if (bx[mid].row < s || (bx[mid].row == s && bx[mid].a <= ta + 1e-6))
        hit = mid, lo = mid + 1;
      else
        hi = mid - 1;
    }
    cr_assert(hit >= 0 && bx[hit].row == s && tb <= bx[hit].b + 1e-6,
              "task on stream %d at %.6f..%.6f ms is not inside a box", s, ta, tb);
    if (prev_box == hit)
      cr_assert_leq(ta - prev_end, px + 1e-6, "a box spans a gap wider than a pixel");
    else if (prev_box >= 0 && bx[prev_box].row == s)
      cr_assert_gt(ta - prev_end, px - 1e-6, "tasks a pixel apart were left in two boxes");
    prev_box = hit;
    prev_end = tb;
    covered++;
  }
  sqlite3_finalize(st);
  cr_assert_eq(covered, tasks);
  free(bx);
  free(vars);
  free(log);
  sqlite3_close(db);
  snprintf(p, sizeof p, "rm -rf %s", kept);
  sh(out, sizeof out, "%s", p);
}

Test(plot, failed_tasks_are_marked_in_the_gantt_chart) {
  NEED_GNUPLOT();
  sqlite3 *db = open_db();
  long run = (long)sql_num(db, "SELECT MIN(run_id) FROM runs WHERE scenario = 'pp'");
  char q[256];
  snprintf(q, sizeof q,
           "UPDATE task_events SET status = -9 WHERE run_id = %ld AND task_id IN (1, 2, 5)", run);
  cr_assert_eq(sqlite3_exec(db, q, NULL, NULL, NULL), SQLITE_OK, "%s", sqlite3_errmsg(db));
  aatgs_plot_options o = base_options();
  aatgs_err err;
  char *log = NULL, kept[256], p[512], out[256];
  o.figures = "gantt";
  o.run_id = run;
  o.keep_data = true;
  o.svg = true;
  cr_assert_eq(plot(&o, &log, &err), AATGS_OK, "%s", err.msg);
  snprintf(p, sizeof p, "%s/gantt.png", g_out);
  check_png(p, 1200, 170 + 42 * 6 + 22 * 2); /* the default size: 6 streams, 7 types */
  kept_dir(log, kept, sizeof kept);
  snprintf(p, sizeof p, "%s/gantt/vars.gp", kept);
  char *vars = slurp(p, NULL);
  cr_assert_not_null(vars);
  cr_assert_not_null(strstr(vars, "FAILED = 3\n"), "%s", vars);
  long flagged = 0, boxes = 0;
  for (int k = 0; k < 32; k++) {
    snprintf(p, sizeof p, "%s/gantt/g_%d.dat", kept, k);
    FILE *f = fopen(p, "r");
    if (!f) continue;
    double a, b;
    int row, failed;
    while (fscanf(f, "%lf %lf %d %d", &a, &b, &row, &failed) == 4) {
      flagged += failed;
      boxes++;
    }
    fclose(f);
  }
  cr_assert_eq(flagged, 3);
  cr_assert_eq(boxes,
               (long)sql_num(db, "SELECT COUNT(*) FROM task_events WHERE run_id = %ld", run));
  /* The SVG legend names them. */
  snprintf(p, sizeof p, "%s/gantt.svg", g_out);
  char *svg = slurp(p, NULL);
  cr_assert_not_null(svg);
  cr_assert_not_null(strstr(svg, "failed (3)"), "no 'failed (3)' key in the SVG");
  free(svg);
  free(vars);
  free(log);
  sqlite3_close(db);
  snprintf(p, sizeof p, "rm -rf %s", kept);
  sh(out, sizeof out, "%s", p);
}
