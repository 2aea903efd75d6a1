/* cmd_run.c - `aatgs run`: scenarios and suites x seeds x reps x policies on a
 * backend, recorded to SQLite, then the comparison report.
 *
 * The arguments expand into units: one per scenario file, one per variant of
 * a suite (engine/suite.h). Each unit carries its policies, seeds and reps;
 * the plan is the cross product per unit. With resume (the default when a
 * suite is given) the plan drops every run the database already holds
 * completed (traces/resume.h), before anything runs. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "dispatch.h"
#include "profile.h"
#include "report.h"
#include "resume.h"
#include "scenario.h"
#include "sqlite_sink.h"
#include "suite.h"
#ifdef AATGS_HAVE_CUDA
#include "backend_cuda.h"
#endif
#if defined(AATGS_HAVE_NVTX)
#include "nvtx_sink.h"
#endif

#ifndef AATGS_GIT_VERSION
#define AATGS_GIT_VERSION "unknown"
#endif

static volatile sig_atomic_t interrupted = 0;

static void on_sigint(int sig) {
  (void)sig;
  interrupted = 1;
}

static void usage(FILE *f) {
  fputs("usage: aatgs run [SCENARIO|SUITE|DIR ...] [options]\n"
        "  Runs every scenario (default: the default suite) under every policy and\n"
        "  seed, records everything to the database, then prints the report. A suite\n"
        "  file (top-level key `suite:`) expands into its grid of scenario variants.\n"
        "options:\n"
        "  --policy LIST    comma-separated policies (default: the suite's, else all;\n"
        "                   see `aatgs list policies`)\n"
        "  --seeds N        seeds 1..N (default: the suite's, else the scenario's, usually 3)\n"
        "  --reps N         repetitions of each (scenario, seed, policy) (default: the\n"
        "                   suite's, else 1)\n"
        "  --db FILE        SQLite database (default aatgs.db)\n"
        "  --backend NAME   auto, sim, cuda, host (default auto: cuda when a GPU is present,\n"
        "                   else sim; host: CPU threads as streams, tasks busy-wait)\n"
        "  --profile FILE   machine profile YAML (default scenarios/profiles/h100.yaml)\n"
        "  --streams N      kernel streams (default: the scenario's, else the profile's)\n"
        "  --candidates K   decision provenance: record the top K (0..8) ready tasks each\n"
        "                   decision ranked, with their scores (default 4; 0: off)\n"
        "  --resume         skip runs the database holds completed (default for suites)\n"
        "  --no-resume      run everything again\n"
        "  --dry-run        list the runs (and which resume skips) without running\n"
        "  --quiet          no progress line and no report\n",
        f);
}

/* One scenario (or suite variant) to run, with its own plan. */
typedef struct unit {
  aatgs_scenario *scen; /* owned when `owned`, else the suite's */
  int owned;
  const aatgs_policy_ops **pols; /* borrowed */
  size_t npol;
  unsigned seeds, reps;
  unsigned streams; /* kernel streams the runs use */
  int resume;
  unsigned char *skip; /* seeds x reps x npol: 1 = already completed */
} unit;

/* Everything loaded from the arguments. */
typedef struct plan {
  unit *units;
  size_t nunits, cap;
  aatgs_suite **suites;
  const aatgs_policy_ops ***suite_pols; /* one policy array per suite that names policies */
  size_t nsuites;
  int any_suite;
  uint64_t total, skipped;
} plan;

static void plan_free(plan *pl) {
  for (size_t i = 0; i < pl->nunits; i++) {
    if (pl->units[i].owned) aatgs_scenario_destroy(pl->units[i].scen);
    free(pl->units[i].skip);
  }
  free(pl->units);
  for (size_t i = 0; i < pl->nsuites; i++) {
    aatgs_suite_destroy(pl->suites[i]);
    free(pl->suite_pols[i]);
  }
  free(pl->suites);
  free(pl->suite_pols);
}

static unit *plan_add(plan *pl) {
  if (pl->nunits == pl->cap) {
    size_t cap = pl->cap ? 2 * pl->cap : 16;
    unit *u = realloc(pl->units, cap * sizeof *u);
    if (!u) return NULL;
    pl->units = u;
    pl->cap = cap;
  }
  unit *u = &pl->units[pl->nunits++];
  memset(u, 0, sizeof *u);
  return u;
}

static size_t skip_index(const unit *u, unsigned seed, unsigned rep, size_t k) {
  return ((size_t)(seed - 1) * u->reps + rep) * u->npol + k;
}

/* ---- progress ---- */

typedef struct progress {
  int tty;
  char label[256];
  uint64_t done, total; /* runs finished, runs planned (resume skips excluded) */
  struct timespec t0;   /* when the first run started */
} progress;

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* "ETA 1h02m", "ETA 3m05s", "ETA 12s", or "" before there is a basis. */
static void format_eta(char *buf, size_t cap, double elapsed, double done, double total) {
  buf[0] = '\0';
  if (done <= 0.0 || elapsed < 0.5 || done >= total) return;
  double left = elapsed / done * (total - done);
  unsigned long s = (unsigned long)(left + 0.5);
  if (s >= 3600)
    snprintf(buf, cap, " ETA %luh%02lum", s / 3600, s / 60 % 60);
  else if (s >= 60)
    snprintf(buf, cap, " ETA %lum%02lus", s / 60, s % 60);
  else
    snprintf(buf, cap, " ETA %lus", s);
}

static double elapsed_s(const progress *pr) {
  struct timespec ts = pr->t0;
  return now_s() - ((double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec);
}

static void on_progress(void *ctx, uint32_t done, uint32_t total) {
  progress *pr = ctx;
  char eta[48];
  if (!pr->tty) return;
  double frac = total ? (double)done / total : 1.0;
  format_eta(eta, sizeof eta, elapsed_s(pr), (double)pr->done + frac, (double)pr->total);
  fprintf(stderr, "\r\033[K%s %3u%%%s", pr->label, (unsigned)(100.0 * frac), eta);
  fflush(stderr);
}

/* ---- arguments ---- */

/* Splits a comma-separated policy list and resolves every name. */
static int parse_policies(const char *list, const aatgs_policy_ops ***out, size_t *n) {
  const aatgs_policy_ops **v = calloc(aatgs_policy_count() + 1, sizeof *v);
  size_t k = 0;
  if (!v) return -1;
  if (!list) {
    for (uint32_t i = 0; i < aatgs_policy_count(); i++)
      v[k++] = aatgs_policy_at(i);
  } else {
    char *copy = strdup(list), *save = NULL;
    for (char *tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
      const aatgs_policy_ops *p = aatgs_policy_find(tok);
      if (!p) {
        char names[256];
        aatgs_policy_names(names, sizeof names);
        fprintf(stderr, "aatgs run: unknown policy '%s' (known: %s)\n", tok, names);
        free(copy);
        free(v);
        return -1;
      }
      int dup = 0;
      for (size_t j = 0; j < k; j++)
        dup |= v[j] == p;
      if (!dup && k < aatgs_policy_count()) v[k++] = p;
    }
    free(copy);
  }
  if (k == 0) {
    fprintf(stderr, "aatgs run: --policy lists no policy\n");
    free(v);
    return -1;
  }
  *out = v;
  *n = k;
  return 0;
}

typedef struct opts {
  const aatgs_policy_ops **pols; /* --policy, else all */
  size_t npol;
  int policy_given;
  unsigned seeds, reps, streams; /* 0: not given */
  int resume;                    /* -1: default (suites yes, scenarios no) */
  uint32_t profile_streams;
  int candidates; /* run params' candidates: 0 default, < 0 none */
} opts;

/* Loads one suite file into units. Returns 0 or prints the error and returns -1. */
static int add_suite(plan *pl, const char *path, const opts *o) {
  aatgs_suite *s = NULL;
  aatgs_err e;
  const aatgs_policy_ops **sp = NULL;
  aatgs_err_clear(&e);
  if (aatgs_suite_load(&s, path, &e) != AATGS_OK) {
    fprintf(stderr, "aatgs: %s\n", e.msg);
    return -1;
  }
  aatgs_suite **ns = realloc(pl->suites, (pl->nsuites + 1) * sizeof *ns);
  const aatgs_policy_ops ***np =
      ns ? realloc(pl->suite_pols, (pl->nsuites + 1) * sizeof *np) : NULL;
  if (ns) pl->suites = ns;
  if (np) pl->suite_pols = np;
  size_t npol = aatgs_suite_policy_count(s);
  if (!ns || !np || (npol && !(sp = calloc(npol, sizeof *sp)))) {
    aatgs_suite_destroy(s);
    fprintf(stderr, "aatgs: out of memory\n");
    return -1;
  }
  for (size_t i = 0; i < npol; i++)
    sp[i] = aatgs_policy_find(aatgs_suite_policy(s, i)); /* checked at load */
  pl->suites[pl->nsuites] = s;
  pl->suite_pols[pl->nsuites++] = sp;
  pl->any_suite = 1;
  for (size_t i = 0; i < aatgs_suite_variant_count(s); i++) {
    unit *u = plan_add(pl);
    if (!u) {
      fprintf(stderr, "aatgs: out of memory\n");
      return -1;
    }
    u->scen = aatgs_suite_variant(s, i);
    if (!o->policy_given && npol) {
      u->pols = sp;
      u->npol = npol;
    } else {
      u->pols = o->pols;
      u->npol = o->npol;
    }
    u->seeds = o->seeds               ? o->seeds
               : aatgs_suite_seeds(s) ? aatgs_suite_seeds(s)
                                      : aatgs_scenario_seeds(u->scen);
    u->reps = o->reps ? o->reps : aatgs_suite_reps(s) ? aatgs_suite_reps(s) : 1;
    u->resume = o->resume != 0;
  }
  return 0;
}

/* Loads one scenario file into a unit. A scenario whose real data set is not
 * present (AATGS_ENODATA) is skipped with a note. */
static int add_scenario(plan *pl, const char *path, const opts *o) {
  aatgs_scenario *sc = NULL;
  aatgs_err e;
  aatgs_err_clear(&e);
  int rc = aatgs_scenario_load(&sc, path, &e);
  if (rc == AATGS_ENODATA) {
    fprintf(stderr, "aatgs: skipping %s\n", e.msg);
    return 0;
  }
  if (rc != AATGS_OK) {
    fprintf(stderr, "aatgs: %s\n", e.msg);
    return -1;
  }
  unit *u = plan_add(pl);
  if (!u) {
    aatgs_scenario_destroy(sc);
    fprintf(stderr, "aatgs: out of memory\n");
    return -1;
  }
  u->scen = sc;
  u->owned = 1;
  u->pols = o->pols;
  u->npol = o->npol;
  u->seeds = o->seeds ? o->seeds : aatgs_scenario_seeds(sc);
  u->reps = o->reps ? o->reps : 1;
  u->resume = o->resume > 0;
  return 0;
}

/* Marks the runs the database already holds completed. */
static int mark_completed(plan *pl, const char *db_path, const char *backend,
                          const aatgs_profile *prof, const char *profile_text) {
  aatgs_resume *r = NULL;
  aatgs_err e;
  int any = 0;
  for (size_t i = 0; i < pl->nunits; i++)
    any |= pl->units[i].resume;
  if (!any) return 0;
  aatgs_err_clear(&e);
  if (aatgs_resume_load(&r, db_path, backend, prof->name, profile_text, &e) != AATGS_OK) {
    fprintf(stderr, "aatgs: --resume: %s\n", e.msg);
    return -1;
  }
  for (size_t i = 0; i < pl->nunits; i++) {
    unit *u = &pl->units[i];
    if (!u->resume) continue;
    for (unsigned sd = 1; sd <= u->seeds; sd++)
      for (unsigned rep = 0; rep < u->reps; rep++)
        for (size_t k = 0; k < u->npol; k++)
          if (aatgs_resume_has(r, aatgs_scenario_hash(u->scen), u->pols[k]->name, sd, rep,
                               u->streams)) {
            u->skip[skip_index(u, sd, rep, k)] = 1;
            pl->skipped++;
          }
  }
  aatgs_resume_free(r);
  return 0;
}

/* --dry-run: the plan, one run a line. */
static void print_plan(const plan *pl, const char *db_path) {
  int w = 8;
  uint64_t n = 0;
  for (size_t i = 0; i < pl->nunits; i++) {
    int l = (int)strlen(aatgs_scenario_name(pl->units[i].scen));
    if (l > w) w = l;
  }
  printf("%6s  %-*s  %-14s %6s %4s %7s  %s\n", "run", w, "scenario", "policy", "seed", "rep",
         "streams", "scenario_hash");
  for (size_t i = 0; i < pl->nunits; i++) {
    const unit *u = &pl->units[i];
    for (unsigned sd = 1; sd <= u->seeds; sd++)
      for (unsigned rep = 0; rep < u->reps; rep++)
        for (size_t k = 0; k < u->npol; k++) {
          int done = u->skip[skip_index(u, sd, rep, k)];
          printf("%6llu  %-*s  %-14s %6u %4u %7u  %-16s  %s\n", (unsigned long long)++n, w,
                 aatgs_scenario_name(u->scen), u->pols[k]->name, sd, rep, u->streams,
                 aatgs_scenario_hash(u->scen), done ? "skip (completed)" : "");
        }
  }
  printf("\n%llu runs; %llu already completed in %s (skipped); %llu to run\n",
         (unsigned long long)pl->total, (unsigned long long)pl->skipped, db_path,
         (unsigned long long)(pl->total - pl->skipped));
}

int aatgs__cmd_run(int argc, char **argv) {
  const char *db_path = "aatgs.db", *policy_list = NULL, *backend_name = "auto";
  const char *profile_path = NULL;
  int quiet = 0, dry_run = 0, status = 1;
  char **args = calloc((size_t)argc + 1, sizeof *args), **paths = NULL;
  int nargs = 0;
  size_t npaths = 0;
  opts o;
  plan pl;
  aatgs_sqlite_sink *db = NULL;
  char *profile_text = NULL;
#if defined(AATGS_HAVE_NVTX)
  aatgs_nvtx_sink *nvtx = NULL;
#endif
  aatgs_profile prof;
  aatgs_err e;
  int prof_loaded = 0;

  memset(&o, 0, sizeof o);
  memset(&pl, 0, sizeof pl);
  o.resume = -1;
  aatgs_err_clear(&e);
  if (!args) return 1;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    const char *val = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      free(args);
      return 0;
    } else if (!strcmp(a, "--quiet") || !strcmp(a, "-q")) {
      quiet = 1;
    } else if (!strcmp(a, "--resume")) {
      o.resume = 1;
    } else if (!strcmp(a, "--no-resume")) {
      o.resume = 0;
    } else if (!strcmp(a, "--dry-run")) {
      dry_run = 1;
    } else if (a[0] == '-' && a[1] == '-' && !val) {
      fprintf(stderr, "aatgs run: option %s needs a value\n", a);
      goto usage_error;
    } else if (!strcmp(a, "--policy")) {
      policy_list = argv[++i];
      o.policy_given = 1;
    } else if (!strcmp(a, "--db")) {
      db_path = argv[++i];
    } else if (!strcmp(a, "--backend")) {
      backend_name = argv[++i];
    } else if (!strcmp(a, "--profile")) {
      profile_path = argv[++i];
    } else if (!strcmp(a, "--seeds")) {
      if (aatgs__parse_u32(a, argv[++i], 100000, &o.seeds) || o.seeds == 0) goto usage_error;
    } else if (!strcmp(a, "--reps")) {
      if (aatgs__parse_u32(a, argv[++i], 100000, &o.reps) || o.reps == 0) goto usage_error;
    } else if (!strcmp(a, "--streams")) {
      if (aatgs__parse_u32(a, argv[++i], 1024, &o.streams) || o.streams == 0) goto usage_error;
    } else if (!strcmp(a, "--candidates")) {
      unsigned k;
      if (aatgs__parse_u32(a, argv[++i], AATGS_MAX_CANDIDATES, &k)) goto usage_error;
      o.candidates = k ? (int)k : -1;
    } else if (a[0] == '-') {
      fprintf(stderr, "aatgs run: unknown option '%s'\n", a);
      goto usage_error;
    } else {
      args[nargs++] = argv[i];
    }
  }

  /* Everything that can be checked is checked before any work starts. */
  if (parse_policies(policy_list, &o.pols, &o.npol)) goto usage_error;
  const aatgs_backend_ops *backend = aatgs_backend_find(backend_name);
  if (!backend) {
    char names[128] = "auto";
    for (uint32_t i = 0; i < aatgs_backend_count(); i++) {
      strncat(names, ", ", sizeof names - strlen(names) - 1);
      strncat(names, aatgs_backend_at(i)->name, sizeof names - strlen(names) - 1);
    }
    fprintf(stderr, "aatgs run: unknown backend '%s' (known: %s)\n", backend_name, names);
    goto usage_error;
  }
  if (!backend->available()) {
    fprintf(stderr, "aatgs run: backend '%s' is not available on this machine\n", backend_name);
    goto done;
  }
  aatgs_profile_default(&prof);
  prof_loaded = 1;
  if (!profile_path) profile_path = aatgs__default_profile_path();
  if (profile_path && aatgs_profile_load(&prof, profile_path, &e) != AATGS_OK) {
    fprintf(stderr, "aatgs: %s\n", e.msg);
    goto done;
  }
  if (nargs == 0) {
    args[nargs++] = (char *)aatgs__default_suite_dir();
  }
  if (aatgs__expand_scenarios(args, nargs, &paths, &npaths)) goto done;
  for (size_t i = 0; i < npaths; i++) {
    int is_suite = 0;
    if (aatgs_suite_sniff(paths[i], &is_suite, &e) != AATGS_OK) {
      fprintf(stderr, "aatgs: %s\n", e.msg);
      goto done;
    }
    if ((is_suite ? add_suite : add_scenario)(&pl, paths[i], &o)) goto done;
  }
  if (pl.nunits == 0) {
    fprintf(stderr, "aatgs: nothing to run\n");
    goto done;
  }
  for (size_t i = 0; i < pl.nunits; i++) {
    unit *u = &pl.units[i];
    u->streams = o.streams                         ? o.streams
                 : aatgs_scenario_streams(u->scen) ? aatgs_scenario_streams(u->scen)
                                                   : prof.kernel_streams;
    size_t n = (size_t)u->seeds * u->reps * u->npol;
    if (!(u->skip = calloc(n ? n : 1, 1))) {
      fprintf(stderr, "aatgs: out of memory\n");
      goto done;
    }
    pl.total += n;
  }
  profile_text = prof.text ? NULL : aatgs_profile_to_yaml(&prof);
  const char *prof_text = prof.text ? prof.text : profile_text;
  if (mark_completed(&pl, db_path, backend->name, &prof, prof_text)) goto done;
  if (dry_run) {
    print_plan(&pl, db_path);
    status = 0;
    goto done;
  }
  int resuming = 0;
  for (size_t i = 0; i < pl.nunits; i++)
    resuming |= pl.units[i].resume;
  if (!quiet && pl.any_suite)
    for (size_t i = 0; i < pl.nsuites; i++)
      fprintf(stderr, "aatgs: suite %s (%s): %zu variants\n", aatgs_suite_name(pl.suites[i]),
              aatgs_suite_path(pl.suites[i]), aatgs_suite_variant_count(pl.suites[i]));
  if (!quiet && resuming)
    fprintf(stderr,
            "aatgs: resume: %llu of %llu runs already completed in %s, skipped; %llu to run\n",
            (unsigned long long)pl.skipped, (unsigned long long)pl.total, db_path,
            (unsigned long long)(pl.total - pl.skipped));
  if (aatgs_sqlite_sink_open(&db, db_path, NULL, &e) != AATGS_OK) {
    fprintf(stderr, "aatgs: %s\n", e.msg);
    goto done;
  }

  struct utsname un;
  char host[300];
  if (uname(&un) == 0)
    snprintf(host, sizeof host, "%s (%s %s %s)", un.nodename, un.sysname, un.release, un.machine);
  else
    snprintf(host, sizeof host, "unknown");
  char gpu[160], driver[64] = "none (simulated)";
  if (!strcmp(backend->name, "sim")) {
    snprintf(gpu, sizeof gpu, "simulated: %s", prof.gpu);
  } else if (!strcmp(backend->name, "host")) {
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    snprintf(gpu, sizeof gpu, "none: host threads on %ld cores (profile %s)", cores, prof.name);
    snprintf(driver, sizeof driver, "none (host)");
  } else {
    snprintf(gpu, sizeof gpu, "device 0 (profile %s)", prof.name);
    driver[0] = '\0';
#ifdef AATGS_HAVE_CUDA
    aatgs_err de;
    if (!strcmp(backend->name, "cuda") &&
        aatgs_cuda_describe(gpu, sizeof gpu, driver, sizeof driver, &de) != AATGS_OK)
      fprintf(stderr, "aatgs: cannot describe the GPU: %s\n", de.msg);
#endif
  }

  uint64_t failed = 0;
  progress pr;
  memset(&pr, 0, sizeof pr);
  pr.tty = isatty(STDERR_FILENO) && !quiet;
  pr.total = pl.total - pl.skipped;
  /* Off a terminal, a suite logs one line per run (long sweeps run unattended). */
  int log_lines = !pr.tty && !quiet && pl.any_suite;
  struct sigaction sa, old_sa, old_term;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_sa);
  sigaction(SIGTERM, &sa, &old_term);

  aatgs_sink sink;
  aatgs_sqlite_sink_as_sink(db, &sink);
#if defined(AATGS_HAVE_NVTX)
  /* NVTX ranges for the run, every task and every decision (Nsight Systems). */
  if (aatgs_nvtx_sink_create(&nvtx, &sink, NULL, &e) != AATGS_OK) {
    fprintf(stderr, "aatgs: %s\n", e.msg);
    goto done;
  }
  aatgs_nvtx_sink_as_sink(nvtx, &sink);
#endif
  clock_gettime(CLOCK_MONOTONIC, &pr.t0);
  for (size_t i = 0; i < pl.nunits && !interrupted; i++) {
    const unit *u = &pl.units[i];
    aatgs_scenario *sc = u->scen;
    for (unsigned sd = 1; sd <= u->seeds && !interrupted; sd++) {
      size_t todo = 0;
      for (unsigned rep = 0; rep < u->reps; rep++)
        for (size_t k = 0; k < u->npol; k++)
          todo += !u->skip[skip_index(u, sd, rep, k)];
      if (todo == 0) continue;
      aatgs_graph *g = NULL;
      if (aatgs_scenario_build(sc, sd, &g, &e) != AATGS_OK) {
        fprintf(stderr, "%saatgs: %s\n", pr.tty ? "\r\033[K" : "", e.msg);
        failed += todo;
        pr.done += todo;
        continue;
      }
      for (unsigned rep = 0; rep < u->reps && !interrupted; rep++)
        for (size_t k = 0; k < u->npol && !interrupted; k++) {
          if (u->skip[skip_index(u, sd, rep, k)]) continue;
          aatgs_run_info info;
          aatgs_run_params p;
          aatgs_run_result res;
          memset(&info, 0, sizeof info);
          info.scenario = aatgs_scenario_name(sc);
          info.scenario_path = aatgs_scenario_path(sc);
          info.scenario_text = aatgs_scenario_text(sc);
          info.scenario_hash = aatgs_scenario_hash(sc);
          info.params_json = aatgs_scenario_params_json(sc);
          info.rep = rep;
          info.policy = u->pols[k]->name;
          info.backend = backend->name;
          info.profile_name = prof.name;
          info.profile_text = prof_text;
          info.host = host;
          info.gpu = gpu;
          info.driver = driver;
          info.code_version = AATGS_GIT_VERSION;
          memset(&p, 0, sizeof p);
          p.graph = g;
          p.policy = u->pols[k];
          p.backend = backend;
          aatgs_profile sprof = prof; /* with the scenario's edge_gbps / edge_latency */
          aatgs_scenario_apply_profile(sc, &sprof);
          p.profile = &sprof;
          p.kernel_streams = u->streams;
          p.seed = sd;
          p.noise_cv = aatgs_scenario_noise_cv(sc);
          p.perturb = aatgs_scenario_perturb(sc);
          p.sink = &sink;
          p.candidates = o.candidates;
          p.info = &info;
          p.interrupt = &interrupted;
          p.progress = on_progress;
          p.progress_ctx = &pr;
          char repbuf[24] = "";
          if (u->reps > 1) snprintf(repbuf, sizeof repbuf, " rep %u", rep);
          snprintf(pr.label, sizeof pr.label, "[%llu/%llu] %s %s seed %u%s",
                   (unsigned long long)pr.done + 1, (unsigned long long)pr.total,
                   aatgs_scenario_name(sc), u->pols[k]->name, sd, repbuf);
          if (log_lines) {
            char eta[48];
            format_eta(eta, sizeof eta, elapsed_s(&pr), (double)pr.done, (double)pr.total);
            fprintf(stderr, "%s%s\n", pr.label, eta);
          }
          int rc = aatgs_run_graph(&p, &res, &e);
          pr.done++;
          if (rc == AATGS_EINTR) break;
          if (rc != AATGS_OK) {
            fprintf(stderr, "%saatgs: %s seed %u %s: %s\n", pr.tty ? "\r\033[K" : "",
                    aatgs_scenario_name(sc), sd, u->pols[k]->name, e.msg);
            failed++;
            if (rc == AATGS_EDB) {
              aatgs_graph_destroy(g);
              goto finish;
            }
          }
        }
      aatgs_graph_destroy(g);
    }
  }
finish:
  if (pr.tty) fprintf(stderr, "\r\033[K");
  sigaction(SIGINT, &old_sa, NULL);
  sigaction(SIGTERM, &old_term, NULL);
  if (aatgs_sqlite_sink_close(db, &e) != AATGS_OK) {
    fprintf(stderr, "aatgs: %s\n", e.msg);
    db = NULL;
    goto done;
  }
  db = NULL;
  if (interrupted) {
    fprintf(stderr,
            "aatgs: interrupted; %s keeps every run recorded so far (the last one is marked "
            "interrupted)%s\n",
            db_path, resuming ? "; run the same command again to resume" : "");
    status = 130;
    goto done;
  }
  if (!quiet) {
    aatgs_report_options ro;
    memset(&ro, 0, sizeof ro);
    if (aatgs_report_run(db_path, &ro, stdout, &e) != AATGS_OK)
      fprintf(stderr, "aatgs: %s\n", e.msg);
    fprintf(stdout, "\n%llu runs recorded in %s", (unsigned long long)pr.done, db_path);
    if (resuming)
      fprintf(stdout, " (%llu skipped: already completed)", (unsigned long long)pl.skipped);
    fprintf(stdout, "\n");
  }
  status = failed ? 1 : 0;
  goto done;
usage_error:
  status = 2;
done:
#if defined(AATGS_HAVE_NVTX)
  aatgs_nvtx_sink_destroy(nvtx);
#endif
  if (db) aatgs_sqlite_sink_close(db, &e);
  free(profile_text);
  plan_free(&pl);
  aatgs__free_paths(paths, npaths);
  free(o.pols);
  if (prof_loaded) aatgs_profile_free(&prof);
  free(args);
  return status;
}
