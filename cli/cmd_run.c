/* cmd_run.c - `aatgs run`: scenarios x seeds x policies on a backend, recorded
 * to SQLite, then the comparison report. */
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
#include "scenario.h"
#include "sqlite_sink.h"
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
  fputs("usage: aatgs run [SCENARIO|DIR ...] [options]\n"
        "  Runs every scenario (default: the default suite) under every policy and\n"
        "  seed, records everything to the database, then prints the report.\n"
        "options:\n"
        "  --policy LIST    comma-separated policies (default: all; see `aatgs list policies`)\n"
        "  --seeds N        seeds 1..N per scenario (default: the scenario's, usually 3)\n"
        "  --reps N         repetitions of each (scenario, seed, policy) (default 1)\n"
        "  --db FILE        SQLite database (default aatgs.db)\n"
        "  --backend NAME   auto, sim, cuda (default auto: cuda when a GPU is present)\n"
        "  --profile FILE   machine profile YAML (default scenarios/profiles/h100.yaml)\n"
        "  --streams N      kernel streams (default: the scenario's, else the profile's)\n"
        "  --quiet          no progress line and no report\n",
        f);
}

typedef struct progress {
  int tty;
  char label[160];
  time_t last;
} progress;

static void on_progress(void *ctx, uint32_t done, uint32_t total) {
  progress *pr = ctx;
  if (!pr->tty) return;
  fprintf(stderr, "\r\033[K%s %3u%%", pr->label, total ? (unsigned)(100.0 * done / total) : 100);
  fflush(stderr);
}

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

int aatgs__cmd_run(int argc, char **argv) {
  const char *db_path = "aatgs.db", *policy_list = NULL, *backend_name = "auto";
  const char *profile_path = NULL;
  unsigned seeds = 0, reps = 1, streams = 0;
  int quiet = 0, status = 1;
  char **args = calloc((size_t)argc + 1, sizeof *args), **paths = NULL;
  int nargs = 0;
  size_t npaths = 0, npol = 0;
  const aatgs_policy_ops **pols = NULL;
  aatgs_scenario **scen = NULL;
  aatgs_sqlite_sink *db = NULL;
#if defined(AATGS_HAVE_NVTX)
  aatgs_nvtx_sink *nvtx = NULL;
#endif
  aatgs_profile prof;
  aatgs_err e;
  int prof_loaded = 0;

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
    } else if (a[0] == '-' && a[1] == '-' && !val) {
      fprintf(stderr, "aatgs run: option %s needs a value\n", a);
      goto usage_error;
    } else if (!strcmp(a, "--policy")) {
      policy_list = argv[++i];
    } else if (!strcmp(a, "--db")) {
      db_path = argv[++i];
    } else if (!strcmp(a, "--backend")) {
      backend_name = argv[++i];
    } else if (!strcmp(a, "--profile")) {
      profile_path = argv[++i];
    } else if (!strcmp(a, "--seeds")) {
      if (aatgs__parse_u32(a, argv[++i], 100000, &seeds) || seeds == 0) goto usage_error;
    } else if (!strcmp(a, "--reps")) {
      if (aatgs__parse_u32(a, argv[++i], 100000, &reps) || reps == 0) goto usage_error;
    } else if (!strcmp(a, "--streams")) {
      if (aatgs__parse_u32(a, argv[++i], 1024, &streams) || streams == 0) goto usage_error;
    } else if (a[0] == '-') {
      fprintf(stderr, "aatgs run: unknown option '%s'\n", a);
      goto usage_error;
    } else {
      args[nargs++] = argv[i];
    }
  }

  /* Everything that can be checked is checked before any work starts. */
  if (parse_policies(policy_list, &pols, &npol)) goto usage_error;
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
  scen = calloc(npaths, sizeof *scen);
  if (!scen) goto done;
  for (size_t i = 0; i < npaths; i++)
    if (aatgs_scenario_load(&scen[i], paths[i], &e) != AATGS_OK) {
      fprintf(stderr, "aatgs: %s\n", e.msg);
      goto done;
    }
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
  char *profile_text = prof.text ? NULL : aatgs_profile_to_yaml(&prof);
  char gpu[160];
  if (!strcmp(backend->name, "sim"))
    snprintf(gpu, sizeof gpu, "simulated: %s", prof.gpu);
  else
    snprintf(gpu, sizeof gpu, "device 0 (profile %s)", prof.name);

  uint64_t total = 0, done_runs = 0, failed = 0;
  for (size_t i = 0; i < npaths; i++)
    total += (uint64_t)(seeds ? seeds : aatgs_scenario_seeds(scen[i])) * reps * npol;

  progress pr = {isatty(STDERR_FILENO) && !quiet, "", 0};
  struct sigaction sa, old_sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_sigint;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, &old_sa);
  sigaction(SIGTERM, &sa, NULL);

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
  for (size_t i = 0; i < npaths && !interrupted; i++) {
    unsigned ns = seeds ? seeds : aatgs_scenario_seeds(scen[i]);
    for (unsigned sd = 1; sd <= ns && !interrupted; sd++) {
      aatgs_graph *g = NULL;
      if (aatgs_scenario_build(scen[i], sd, &g, &e) != AATGS_OK) {
        fprintf(stderr, "%saatgs: %s\n", pr.tty ? "\r\033[K" : "", e.msg);
        failed++;
        continue;
      }
      for (unsigned rep = 0; rep < reps && !interrupted; rep++)
        for (size_t k = 0; k < npol && !interrupted; k++) {
          aatgs_run_info info;
          aatgs_run_params p;
          aatgs_run_result res;
          memset(&info, 0, sizeof info);
          info.scenario = aatgs_scenario_name(scen[i]);
          info.scenario_path = aatgs_scenario_path(scen[i]);
          info.scenario_text = aatgs_scenario_text(scen[i]);
          info.scenario_hash = aatgs_scenario_hash(scen[i]);
          info.params_json = aatgs_scenario_params_json(scen[i]);
          info.rep = rep;
          info.policy = pols[k]->name;
          info.backend = backend->name;
          info.profile_name = prof.name;
          info.profile_text = prof.text ? prof.text : profile_text;
          info.host = host;
          info.gpu = gpu;
          info.driver = !strcmp(backend->name, "sim") ? "none (simulated)" : "";
          info.code_version = AATGS_GIT_VERSION;
          memset(&p, 0, sizeof p);
          p.graph = g;
          p.policy = pols[k];
          p.backend = backend;
          p.profile = &prof;
          p.kernel_streams = streams ? streams : aatgs_scenario_streams(scen[i]);
          p.seed = sd;
          p.noise_cv = aatgs_scenario_noise_cv(scen[i]);
          p.sink = &sink;
          p.info = &info;
          p.interrupt = &interrupted;
          p.progress = on_progress;
          p.progress_ctx = &pr;
          snprintf(pr.label, sizeof pr.label, "[%llu/%llu] %s seed %u %s",
                   (unsigned long long)done_runs + 1, (unsigned long long)total,
                   aatgs_scenario_name(scen[i]), sd, pols[k]->name);
          int rc = aatgs_run_graph(&p, &res, &e);
          done_runs++;
          if (rc == AATGS_EINTR) break;
          if (rc != AATGS_OK) {
            fprintf(stderr, "%saatgs: %s seed %u %s: %s\n", pr.tty ? "\r\033[K" : "",
                    aatgs_scenario_name(scen[i]), sd, pols[k]->name, e.msg);
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
  free(profile_text);
  if (aatgs_sqlite_sink_close(db, &e) != AATGS_OK) {
    fprintf(stderr, "aatgs: %s\n", e.msg);
    db = NULL;
    goto done;
  }
  db = NULL;
  if (interrupted) {
    fprintf(stderr,
            "aatgs: interrupted; %s keeps every run recorded so far (the last one is marked "
            "interrupted)\n",
            db_path);
    status = 130;
    goto done;
  }
  if (!quiet) {
    aatgs_report_options ro;
    memset(&ro, 0, sizeof ro);
    if (aatgs_report_run(db_path, &ro, stdout, &e) != AATGS_OK)
      fprintf(stderr, "aatgs: %s\n", e.msg);
    fprintf(stdout, "\n%llu runs recorded in %s\n", (unsigned long long)done_runs, db_path);
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
  if (scen)
    for (size_t i = 0; i < npaths; i++)
      aatgs_scenario_destroy(scen[i]);
  free(scen);
  aatgs__free_paths(paths, npaths);
  free(pols);
  if (prof_loaded) aatgs_profile_free(&prof);
  free(args);
  return status;
}
