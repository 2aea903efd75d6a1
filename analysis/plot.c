/* plot.c - `aatgs plot`: the driver (plot.h). It resolves gnuplot and the
 * scripts, makes a temporary folder, asks plot_data.c for each figure's data
 * and runs gnuplot once per figure and format. */
#include "plot.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot_data.h"
#include "sqlite_sink.h"

#define DEFAULT_BASELINE "fifo"
#define INSTALL_HINT                                                                               \
  "install it with `apt-get install gnuplot-nox` (Debian/Ubuntu; any gnuplot >= 5.2 with the "     \
  "pngcairo and svg terminals will do) or set AATGS_GNUPLOT to its path"

const char *const aatgs_plot_figure_names[AATGS_PLOT_N_FIGURES] = {
    "makespan", "speedup", "gantt", "timeline", "decision-cost", "rings", "sim-vs-real"};

static const struct {
  const char *script;
  aatgs__plot_prepare_fn prepare;
} FIGURES[AATGS_PLOT_N_FIGURES] = {
    {"plot_makespan.gp", aatgs__plot_makespan},
    {"plot_speedup.gp", aatgs__plot_speedup},
    {"plot_gantt.gp", aatgs__plot_gantt},
    {"plot_timeline.gp", aatgs__plot_timeline},
    {"plot_decision_cost.gp", aatgs__plot_decision_cost},
    {"plot_rings.gp", aatgs__plot_rings},
    {"plot_sim_vs_real.gp", aatgs__plot_sim_vs_real},
};

/* ------------------------------------------------------------- utilities */

/* gp_string into a buffer (for the -e preamble). False when it does not fit. */
static bool quote_into(char *buf, size_t cap, size_t *len, const char *s) {
  if (*len + 3 > cap) return false;
  buf[(*len)++] = '\'';
  for (; *s; s++) {
    unsigned char ch = (unsigned char)*s;
    if (*len + 3 > cap) return false;
    if (ch == '\'') buf[(*len)++] = '\'';
    buf[(*len)++] = ch < 0x20 || ch == 0x7f ? '?' : (char)ch;
  }
  buf[(*len)++] = '\'';
  buf[*len] = '\0';
  return true;
}

static bool is_exec_file(const char *p) {
  struct stat st;
  return stat(p, &st) == 0 && S_ISREG(st.st_mode) && access(p, X_OK) == 0;
}

int aatgs_plot_find_gnuplot(const char *program, char *out, size_t cap, aatgs_err *err) {
  if (!program || !*program) program = "gnuplot";
  if (strchr(program, '/')) {
    if (is_exec_file(program) && strlen(program) < cap) {
      strcpy(out, program);
      return AATGS_OK;
    }
    return aatgs_err_set(err, AATGS_ENOENT,
                         "gnuplot not found: '%s' is not an executable file; `aatgs plot` draws "
                         "with gnuplot: " INSTALL_HINT,
                         program);
  }
  const char *path = getenv("PATH");
  if (!path) path = "/usr/bin:/bin";
  for (const char *p = path;;) {
    const char *c = strchr(p, ':');
    size_t len = c ? (size_t)(c - p) : strlen(p);
    char cand[PATH_MAX];
    int k = len ? snprintf(cand, sizeof cand, "%.*s/%s", (int)len, p, program)
                : snprintf(cand, sizeof cand, "./%s", program);
    if (k > 0 && (size_t)k < sizeof cand && is_exec_file(cand) && (size_t)k < cap) {
      strcpy(out, cand);
      return AATGS_OK;
    }
    if (!c) break;
    p = c + 1;
  }
  return aatgs_err_set(err, AATGS_ENOENT,
                       "gnuplot not found ('%s' is not in PATH); `aatgs plot` draws with gnuplot: "
                       "" INSTALL_HINT,
                       program);
}

/* Removes dir and the files in it and in its subfolders (two levels: the
 * temporary folder holds one folder per figure). */
static void remove_tree(const char *dir, int depth) {
  DIR *d = opendir(dir);
  struct dirent *e;
  if (!d) return;
  while ((e = readdir(d))) {
    char p[PATH_MAX];
    struct stat st;
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (snprintf(p, sizeof p, "%s/%s", dir, e->d_name) >= (int)sizeof p) continue;
    if (lstat(p, &st) != 0) continue;
    if (S_ISDIR(st.st_mode)) {
      if (depth > 0) remove_tree(p, depth - 1);
    } else {
      unlink(p);
    }
  }
  closedir(d);
  rmdir(dir);
}

/* Opens the database read-only and checks that it is an AATGS database. */
static int open_db(const char *path, sqlite3 **db, aatgs_err *err) {
  struct stat sb;
  *db = NULL;
  if (stat(path, &sb) != 0) {
    int e = errno;
    return aatgs_err_set(err, e == ENOENT ? AATGS_ENOENT : AATGS_EIO,
                         "cannot open database '%s': %s", path, strerror(e));
  }
  if (S_ISDIR(sb.st_mode))
    return aatgs_err_set(err, AATGS_EIO, "cannot open database '%s': %s", path, strerror(EISDIR));
  if (sqlite3_open_v2(path, db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    int rc = aatgs_err_set(err, AATGS_EDB, "cannot open database '%s': %s", path,
                           *db ? sqlite3_errmsg(*db) : "out of memory");
    sqlite3_close(*db);
    *db = NULL;
    return rc;
  }
  sqlite3_busy_timeout(*db, 5000);
  sqlite3_stmt *st = NULL;
  long version = -1;
  int rc =
      sqlite3_prepare_v2(*db, "SELECT value FROM meta WHERE key = 'schema_version'", -1, &st, NULL);
  if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
    version = strtol((const char *)sqlite3_column_text(st, 0), NULL, 10);
  sqlite3_finalize(st);
  if (version <= 0) {
    rc = aatgs_err_set(err, AATGS_EDB, "'%s' is not an AATGS database (%s)", path,
                       rc == SQLITE_OK ? "no schema version" : "no meta table");
    sqlite3_close(*db);
    *db = NULL;
    return rc;
  }
  if (version > AATGS_SQLITE_SCHEMA_VERSION) {
    sqlite3_close(*db);
    *db = NULL;
    return aatgs_err_set(err, AATGS_EDB,
                         "database '%s' has schema version %ld, newer than this build's %d", path,
                         version, AATGS_SQLITE_SCHEMA_VERSION);
  }
  return AATGS_OK;
}

/* The last line of gnuplot's log that says what went wrong. */
static void gnuplot_error(const char *log_path, char *out, size_t cap) {
  FILE *f = fopen(log_path, "r");
  char line[1024], last[1024] = "";
  bool no_term = false;
  out[0] = '\0';
  if (!f) return;
  while (fgets(line, sizeof line, f)) {
    size_t n = strlen(line);
    while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' '))
      line[--n] = '\0';
    if (strstr(line, "unknown or ambiguous terminal type")) no_term = true;
    if (n && strspn(line, " ^") != n && strncmp(line, "warning:", 8) != 0)
      snprintf(last, sizeof last, "%s", line);
  }
  fclose(f);
  if (no_term)
    snprintf(out, cap,
             "this gnuplot lacks the pngcairo or svg terminal (`gnuplot -e 'set terminal'` lists "
             "them); install gnuplot-nox (Debian 12) or gnuplot-qt");
  else
    snprintf(out, cap, "%s", last);
}

/* Runs `gnuplot -e PREAMBLE SCRIPT` with stdout and stderr into dir/gnuplot.log. */
static int run_gnuplot(const char *gnuplot, const char *preamble, const char *script,
                       const char *dir, aatgs_err *err) {
  char log_path[PATH_MAX];
  if (snprintf(log_path, sizeof log_path, "%s/gnuplot.log", dir) >= (int)sizeof log_path)
    return aatgs_err_set(err, AATGS_EIO, "temporary folder path too long");
  int fd = open(log_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0)
    return aatgs_err_set(err, AATGS_EIO, "cannot create '%s': %s", log_path, strerror(errno));
  fflush(NULL);
  pid_t pid = fork();
  if (pid < 0) {
    close(fd);
    return aatgs_err_set(err, AATGS_EIO, "cannot start gnuplot: %s", strerror(errno));
  }
  if (pid == 0) {
    int nul = open("/dev/null", O_RDONLY);
    if (nul >= 0) dup2(nul, STDIN_FILENO);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    execl(gnuplot, gnuplot, "-e", preamble, script, (char *)NULL);
    dprintf(fd, "cannot execute %s: %s\n", gnuplot, strerror(errno));
    _exit(127);
  }
  close(fd);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR)
      return aatgs_err_set(err, AATGS_EIO, "waiting for gnuplot: %s", strerror(errno));
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return AATGS_OK;
  char why[600];
  gnuplot_error(log_path, why, sizeof why);
  if (WIFSIGNALED(status))
    return aatgs_err_set(err, AATGS_EIO, "gnuplot (%s) was killed by signal %d", gnuplot,
                         WTERMSIG(status));
  return aatgs_err_set(err, AATGS_EIO, "gnuplot (%s) failed on %s: %s", gnuplot, script,
                       why[0] ? why : "no message");
}

/* --------------------------------------------------------------- driver */

/* Parses the figure list into want[]. */
static int parse_figures(const char *list, bool want[AATGS_PLOT_N_FIGURES], bool *named,
                         aatgs_err *err) {
  memset(want, 0, AATGS_PLOT_N_FIGURES * sizeof *want);
  *named = list && *list;
  if (!*named) {
    for (int i = 0; i < AATGS_PLOT_N_FIGURES; i++)
      want[i] = true;
    return AATGS_OK;
  }
  for (const char *p = list;;) {
    const char *c = strchr(p, ',');
    size_t len = c ? (size_t)(c - p) : strlen(p);
    while (len && *p == ' ')
      p++, len--;
    while (len && p[len - 1] == ' ')
      len--;
    int k = -1;
    if (len == 3 && !strncmp(p, "all", 3)) {
      for (int i = 0; i < AATGS_PLOT_N_FIGURES; i++)
        want[i] = true;
      k = 0;
    }
    for (int i = 0; i < AATGS_PLOT_N_FIGURES && k < 0; i++)
      if (strlen(aatgs_plot_figure_names[i]) == len && !strncmp(p, aatgs_plot_figure_names[i], len))
        want[k = i] = true;
    if (k < 0)
      return aatgs_err_set(err, AATGS_EINVAL,
                           "unknown figure \"%.*s\" (expected all, makespan, speedup, gantt, "
                           "timeline, decision-cost, rings or sim-vs-real)",
                           (int)len, p);
    if (!c) break;
    p = c + 1;
  }
  return AATGS_OK;
}

static int check_options(const aatgs_plot_options *o, aatgs_err *err) {
  if (!o->db_path || !*o->db_path)
    return aatgs_err_set(err, AATGS_EINVAL, "no database path given");
  if (!o->script_dir || !*o->script_dir)
    return aatgs_err_set(err, AATGS_EINVAL, "no plot script folder given");
  if (o->run_id < 0)
    return aatgs_err_set(err, AATGS_EINVAL, "run id %lld is negative", (long long)o->run_id);
  if ((o->width && (o->width < 200 || o->width > 10000)) ||
      (o->height && (o->height < 150 || o->height > 10000)))
    return aatgs_err_set(err, AATGS_EINVAL,
                         "image size %ux%u out of range (width 200..10000, height 150..10000)",
                         o->width, o->height);
  bool f = !isnan(o->from_ms), t = !isnan(o->to_ms);
  if ((f && (o->from_ms < 0 || !isfinite(o->from_ms))) || (t && !isfinite(o->to_ms)) ||
      (f && t && o->to_ms <= o->from_ms) || (t && o->to_ms <= 0))
    return aatgs_err_set(err, AATGS_EINVAL,
                         "bad time window %g:%g ms (expected 0 <= FROM < TO, in ms)", o->from_ms,
                         o->to_ms);
  return AATGS_OK;
}

/* Makes the output folder, and its missing parents. */
static int make_out_dir(const char *dir, aatgs_err *err) {
  struct stat st;
  char path[PATH_MAX];
  if (strlen(dir) >= sizeof path)
    return aatgs_err_set(err, AATGS_EINVAL, "output folder path too long");
  strcpy(path, dir);
  /* Each missing folder of the path in turn (mkdir -p). */
  for (char *p = path + 1;; p++) {
    bool last = *p == '\0';
    if (*p != '/' && !last) continue;
    *p = '\0';
    if (stat(path, &st) != 0 && mkdir(path, 0777) != 0 && errno != EEXIST)
      return aatgs_err_set(err, AATGS_EIO, "cannot create output folder '%s': %s", path,
                           strerror(errno));
    if (last) break;
    *p = '/';
  }
  if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
    return aatgs_err_set(err, AATGS_EIO, "output folder '%s' is not a folder", dir);
  if (access(dir, W_OK) != 0)
    return aatgs_err_set(err, AATGS_EIO, "cannot write to output folder '%s': %s", dir,
                         strerror(errno));
  return AATGS_OK;
}

/* Draws figure i in the given format. */
static int draw(const aatgs_plot_options *o, const char *gnuplot, const char *fig_dir, int i,
                const char *fmt, unsigned w, unsigned h, aatgs_err *err) {
  char out[PATH_MAX], script[PATH_MAX], pre[3 * PATH_MAX + 512];
  const char *out_dir = o->out_dir && *o->out_dir ? o->out_dir : ".";
  if (snprintf(out, sizeof out, "%s/%s.%s", out_dir, aatgs_plot_figure_names[i], fmt) >=
          (int)sizeof out ||
      snprintf(script, sizeof script, "%s/%s", o->script_dir, FIGURES[i].script) >=
          (int)sizeof script)
    return aatgs_err_set(err, AATGS_EINVAL, "path too long");
  /* SVG: same pixel size; cairo's font is given in points, so one size reads alike. */
  size_t n = (size_t)snprintf(pre, sizeof pre,
                              !strcmp(fmt, "png")
                                  ? "set terminal pngcairo size %u,%u font 'DejaVu Sans,10' "
                                    "noenhanced background rgb 'white'; set output "
                                  : "set terminal svg size %u,%u font 'DejaVu Sans,10' "
                                    "noenhanced background rgb 'white'; set output ",
                              w, h);
  bool ok = quote_into(pre, sizeof pre, &n, out);
  ok = ok && n + 16 < sizeof pre;
  if (ok) n += (size_t)snprintf(pre + n, sizeof pre - n, "; datadir = ");
  ok = ok && quote_into(pre, sizeof pre, &n, fig_dir);
  ok = ok && n + 16 < sizeof pre;
  if (ok) n += (size_t)snprintf(pre + n, sizeof pre - n, "; scriptdir = ");
  ok = ok && quote_into(pre, sizeof pre, &n, o->script_dir);
  ok = ok && n + 64 < sizeof pre;
  if (ok) snprintf(pre + n, sizeof pre - n, "; W = %u; H = %u; load datadir.'/vars.gp'", w, h);
  if (!ok) return aatgs_err_set(err, AATGS_EINVAL, "path too long");
  int rc = run_gnuplot(gnuplot, pre, script, fig_dir, err);
  if (rc != AATGS_OK) {
    unlink(out); /* no half-written figure */
    return aatgs_err_prefix(err, "%s", aatgs_plot_figure_names[i]);
  }
  if (o->log) fprintf(o->log, "wrote %s\n", out);
  return AATGS_OK;
}

int aatgs_plot_run(const aatgs_plot_options *o, aatgs_err *err) {
  bool want[AATGS_PLOT_N_FIGURES], named;
  char gnuplot[PATH_MAX], tmp[PATH_MAX];
  aatgs__plot_ctx c;
  aatgs_err local;
  int rc;
  memset(&c, 0, sizeof c);
  if (!err) err = &local;
  tmp[0] = '\0';
  if (!o) return aatgs_err_set(err, AATGS_EINVAL, "aatgs_plot_run: no options");
  if ((rc = check_options(o, err)) != AATGS_OK) return rc;
  if ((rc = parse_figures(o->figures, want, &named, err)) != AATGS_OK) return rc;
  if ((rc = aatgs_plot_find_gnuplot(o->gnuplot, gnuplot, sizeof gnuplot, err)) != AATGS_OK)
    return rc;
  for (int i = 0; i < AATGS_PLOT_N_FIGURES; i++) {
    char script[PATH_MAX];
    struct stat st;
    snprintf(script, sizeof script, "%s/%s", o->script_dir, FIGURES[i].script);
    if (want[i] && stat(script, &st) != 0)
      return aatgs_err_set(err, AATGS_ENOENT,
                           "plot script '%s' not found (set AATGS_PLOT_DIR to the folder of "
                           "the plot_*.gp scripts, analysis/ in the source tree)",
                           script);
  }
  if ((rc = open_db(o->db_path, &c.db, err)) != AATGS_OK) return rc;
  c.opt = o;
  c.baseline = o->baseline && *o->baseline ? o->baseline : DEFAULT_BASELINE;
  if ((rc = make_out_dir(o->out_dir && *o->out_dir ? o->out_dir : ".", err)) != AATGS_OK) goto done;
  const char *tdir = getenv("TMPDIR");
  if (snprintf(tmp, sizeof tmp, "%s/aatgs-plot-XXXXXX", tdir && *tdir ? tdir : "/tmp") >=
          (int)sizeof tmp ||
      !mkdtemp(tmp)) {
    rc = aatgs_err_set(err, AATGS_EIO, "cannot create a temporary folder '%s': %s", tmp,
                       strerror(errno));
    tmp[0] = '\0';
    goto done;
  }
  int drawn = 0;
  for (int i = 0; i < AATGS_PLOT_N_FIGURES; i++) {
    char dir[PATH_MAX];
    if (!want[i]) continue;
    if (snprintf(dir, sizeof dir, "%s/%s", tmp, aatgs_plot_figure_names[i]) >= (int)sizeof dir ||
        mkdir(dir, 0700) != 0) {
      rc = aatgs_err_set(err, AATGS_EIO, "cannot create '%s': %s", dir, strerror(errno));
      goto done;
    }
    c.width = c.height = 0;
    rc = FIGURES[i].prepare(&c, dir, err);
    if (rc == AATGS__PLOT_SKIP) {
      if (named) {
        rc = AATGS_EDB;
        aatgs_err_prefix(err, "%s", aatgs_plot_figure_names[i]);
        err->code = rc;
        goto done;
      }
      if (o->log) fprintf(o->log, "skipped %s: %s\n", aatgs_plot_figure_names[i], err->msg);
      aatgs_err_clear(err);
      rc = AATGS_OK;
      continue;
    }
    if (rc != AATGS_OK) {
      aatgs_err_prefix(err, "%s", aatgs_plot_figure_names[i]);
      goto done;
    }
    unsigned w = o->width ? o->width : c.width, h = o->height ? o->height : c.height;
    if ((o->png || !o->svg) && (rc = draw(o, gnuplot, dir, i, "png", w, h, err)) != AATGS_OK)
      goto done;
    if (o->svg && (rc = draw(o, gnuplot, dir, i, "svg", w, h, err)) != AATGS_OK) goto done;
    drawn++;
  }
  if (!drawn) rc = aatgs_err_set(err, AATGS_EDB, "no figure could be drawn from '%s'", o->db_path);
done:
  if (tmp[0]) {
    if (o->keep_data) {
      if (o->log) fprintf(o->log, "data and gnuplot logs kept in %s\n", tmp);
    } else {
      remove_tree(tmp, 1);
    }
  }
  aatgs__plot_ctx_free(&c);
  sqlite3_close(c.db);
  return rc;
}
