/* simgrid_peer.h - the AATGS side of the comparison with SimGrid, shared by
 * bench/bench_simgrid.c and tests/test_simgrid_peer.c (header only: every
 * function is static inline, so a file that includes it pays for what it
 * calls).
 *
 * The model both simulators are given: P identical workers, a task takes its
 * duration, no communication, no overheads. On the AATGS side that is the
 * real dispatch loop and sim backend with sgp_ideal_profile (every pipeline
 * cost zero, no noise, SM sharing never slows a kernel, edges free); P
 * kernel streams are the P workers. The schedule AATGS produces (each task's
 * stream and start, from the run's task events) is handed to SimGrid with
 * the DAG: sgp_write_dax writes the DAG as Pegasus DAX 2.1 for SimGrid's
 * create_DAG_from_DAX, sgp_write_schedule the per-host order, and
 * sgp_run_peer runs bench/peers/simgrid_dag.cpp on them and reads back its
 * JSON line.
 */
#ifndef AATGS_SIMGRID_PEER_H
#define AATGS_SIMGRID_PEER_H

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "dispatch.h"

/* The ideal machine: the built-in profile with every cost of the pipeline
 * set to zero (launch, host submit and complete, copies, edges), no noise,
 * and more block slots than any graph asks for. */
static inline void sgp_ideal_profile(aatgs_profile *p) {
  aatgs_profile_default(p);
  snprintf(p->name, sizeof p->name, "ideal");
  snprintf(p->gpu, sizeof p->gpu, "P identical workers");
  snprintf(p->source, sizeof p->source, "zero overheads, for the comparison with SimGrid");
  p->launch_ns = p->graph_node_ns = p->event_ns = 0;
  p->host_submit_ns = p->host_complete_ns = 0;
  p->h2d_latency_ns = p->d2h_latency_ns = 0;
  p->h2d_gbps = p->d2h_gbps = 1e5;
  p->block_slots = 100000000;
  p->noise_cv = 0.0;
  p->edge_latency_ns = 0;
  p->edge_gbps = 0.0;
}

/* A schedule: per task its kernel stream, start and end (ns from the run's
 * start), and the tasks in completion order (per stream, that is the order
 * they ran in). */
typedef struct sgp_sched {
  uint32_t n, seen, bad;
  uint32_t *stream, *order;
  aatgs_ns *start, *end;
} sgp_sched;

static inline void sgp_sched_free(sgp_sched *s) {
  if (!s) return;
  free(s->stream);
  free(s->order);
  free(s->start);
  free(s->end);
  memset(s, 0, sizeof *s);
}

static inline int sgp_sched_init(sgp_sched *s, uint32_t n, aatgs_err *err) {
  memset(s, 0, sizeof *s);
  s->n = n;
  s->stream = malloc(((size_t)n + 1) * sizeof *s->stream);
  s->order = malloc(((size_t)n + 1) * sizeof *s->order);
  s->start = malloc(((size_t)n + 1) * sizeof *s->start);
  s->end = malloc(((size_t)n + 1) * sizeof *s->end);
  if (!s->stream || !s->order || !s->start || !s->end) {
    sgp_sched_free(s);
    return aatgs_err_set(err, AATGS_ENOMEM, "schedule: out of memory for %u tasks", n);
  }
  return AATGS_OK;
}

static inline int sgp_sink_begin(void *ctx, const aatgs_run_info *info, aatgs_err *err) {
  sgp_sched *s = ctx;
  (void)info;
  (void)err;
  s->seen = s->bad = 0;
  return AATGS_OK;
}

/* Keeps task events only: the rest of the record is not needed here. */
static inline int sgp_sink_emit(void *ctx, const aatgs_event *ev) {
  sgp_sched *s = ctx;
  if (ev->kind != AATGS_EV_TASK) return AATGS_OK;
  const aatgs_task_rec *t = &ev->u.task;
  if (t->task >= s->n || s->seen >= s->n || t->status != AATGS_OK) {
    s->bad++;
    return AATGS_OK;
  }
  s->stream[t->task] = t->stream;
  s->start[t->task] = t->start_ns;
  s->end[t->task] = t->end_ns;
  s->order[s->seen++] = t->task;
  return AATGS_OK;
}

static inline int sgp_sink_end(void *ctx, const aatgs_run_result *res, aatgs_err *err) {
  (void)ctx;
  (void)res;
  (void)err;
  return AATGS_OK;
}

/* One run of g on the sim backend with `streams` kernel streams, the given
 * policy and profile, seed 1, no noise; nothing is recorded, except the
 * schedule into *capture when it is not NULL. */
static inline int sgp_run(aatgs_graph *g, const aatgs_policy_ops *pol, const aatgs_profile *pf,
                          uint32_t streams, sgp_sched *capture, aatgs_run_result *res,
                          aatgs_err *err) {
  aatgs_run_params p;
  aatgs_sink sink = {capture, sgp_sink_begin, sgp_sink_emit, sgp_sink_end};
  memset(&p, 0, sizeof p);
  p.graph = g;
  p.policy = pol;
  p.backend = &aatgs_backend_sim;
  p.profile = pf;
  p.kernel_streams = streams;
  p.seed = 1;
  p.noise_cv = 0.0;
  p.sink = capture ? &sink : NULL;
  p.candidates = -1;
  int rc = aatgs_run_graph(&p, res, err);
  if (rc != AATGS_OK) return rc;
  if (capture && (capture->bad || capture->seen != aatgs_graph_num_tasks(g)))
    return aatgs_err_set(err, AATGS_ESTATE, "schedule: %u task events for %u tasks (%u bad)",
                         capture->seen, aatgs_graph_num_tasks(g), capture->bad);
  return AATGS_OK;
}

/* Writes g as Pegasus DAX 2.1: job "t<id>" with runtime = its duration in
 * seconds (exact: ns / 1e9 to 9 decimals; the sim's duration when the task
 * has a fixed actual duration, else its estimate, as the sim without noise
 * uses), then each task's parents. */
static inline int sgp_write_dax(const aatgs_graph *g, const char *path, aatgs_err *err) {
  FILE *f = fopen(path, "w");
  uint32_t n = aatgs_graph_num_tasks(g);
  if (!f) return aatgs_err_set(err, AATGS_EIO, "%s: %s", path, strerror(errno));
  setvbuf(f, NULL, _IOFBF, 1 << 20);
  fprintf(f,
          "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!-- AATGS task graph: %u tasks, "
          "%" PRIu64 " edges; runtime = duration in s -->\n<adag version=\"2.1\" "
          "jobCount=\"%u\">\n",
          n, aatgs_graph_num_edges(g), n);
  for (uint32_t t = 0; t < n; t++) {
    aatgs_ns d = aatgs_backend_task_work(g, t, 1, 0.0);
    fprintf(f, "<job id=\"t%u\" name=\"k\" runtime=\"%lld.%09lld\"/>\n", t,
            (long long)(d / AATGS_NS_PER_S), (long long)(d % AATGS_NS_PER_S));
  }
  for (uint32_t t = 0; t < n; t++) {
    uint32_t np;
    const uint32_t *pred = aatgs_graph_predecessors(g, t, &np);
    if (np == 0) continue;
    fprintf(f, "<child ref=\"t%u\">", t);
    for (uint32_t k = 0; k < np; k++)
      fprintf(f, "<parent ref=\"t%u\"/>", pred[k]);
    fputs("</child>\n", f);
  }
  fputs("</adag>\n", f);
  if (ferror(f) | fclose(f)) return aatgs_err_set(err, AATGS_EIO, "%s: write failed", path);
  return AATGS_OK;
}

/* Writes "hosts P", "tasks N", then per host its tasks in the order they ran:
 * "<task> <host> <start_ns>". Every task must be on a kernel stream < P. */
static inline int sgp_write_schedule(const sgp_sched *s, uint32_t streams, const char *path,
                                     aatgs_err *err) {
  FILE *f;
  for (uint32_t i = 0; i < s->n; i++)
    if (s->stream[s->order[i]] >= streams)
      return aatgs_err_set(err, AATGS_EINVAL, "schedule: task %u ran on stream %u, not a worker",
                           s->order[i], s->stream[s->order[i]]);
  if (!(f = fopen(path, "w")))
    return aatgs_err_set(err, AATGS_EIO, "%s: %s", path, strerror(errno));
  setvbuf(f, NULL, _IOFBF, 1 << 20);
  fprintf(f, "hosts %u\ntasks %u\n", streams, s->n);
  for (uint32_t h = 0; h < streams; h++)
    for (uint32_t i = 0; i < s->n; i++) {
      uint32_t t = s->order[i];
      if (s->stream[t] == h) fprintf(f, "%u %u %lld\n", t, h, (long long)s->start[t]);
    }
  if (ferror(f) | fclose(f)) return aatgs_err_set(err, AATGS_EIO, "%s: write failed", path);
  return AATGS_OK;
}

/* What simgrid_dag printed. wall_s: the whole process, as seen from here. */
typedef struct sgp_peer_out {
  double tasks, hosts, makespan_s, load_s, assign_s, sim_s, max_start_err_s, wall_s;
} sgp_peer_out;

static inline int sgp_json_num(const char *line, const char *key, double *out) {
  char pat[64];
  snprintf(pat, sizeof pat, "\"%s\":", key);
  const char *p = strstr(line, pat);
  char *end;
  if (!p) return -1;
  *out = strtod(p + strlen(pat), &end);
  return end == p + strlen(pat) ? -1 : 0;
}

static inline double sgp_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Runs `peer dax sched` and parses its JSON line. When it runs longer than
 * timeout_s (> 0) it is killed and AATGS_EINTR returned; AATGS_EBACKEND when it
 * fails or prints no result (its stderr goes to ours). */
static inline int sgp_run_peer(const char *peer, const char *dax, const char *sched,
                               double timeout_s, sgp_peer_out *out, aatgs_err *err) {
  int fd[2], status = 0, timed_out = 0;
  char buf[1024];
  size_t len = 0;
  pid_t pid;
  double t0 = sgp_now();
  memset(out, 0, sizeof *out);
  if (pipe(fd) != 0) return aatgs_err_set(err, AATGS_EIO, "pipe: %s", strerror(errno));
  fflush(stdout);
  fflush(stderr);
  pid = fork();
  if (pid < 0) {
    close(fd[0]);
    close(fd[1]);
    return aatgs_err_set(err, AATGS_EIO, "fork: %s", strerror(errno));
  }
  if (pid == 0) {
    char *args[4] = {(char *)peer, (char *)dax, (char *)sched, NULL};
    dup2(fd[1], STDOUT_FILENO);
    close(fd[0]);
    close(fd[1]);
    execv(peer, args);
    fprintf(stderr, "%s: %s\n", peer, strerror(errno));
    _exit(127);
  }
  close(fd[1]);
  for (;;) {
    struct pollfd pf = {fd[0], POLLIN, 0};
    int wait_ms = -1;
    if (timeout_s > 0) {
      double left = timeout_s - (sgp_now() - t0);
      if (left <= 0) {
        timed_out = 1;
        break;
      }
      wait_ms = (int)(left * 1000) + 1;
    }
    int r = poll(&pf, 1, wait_ms);
    if (r < 0 && errno == EINTR) continue;
    if (r == 0) continue; /* the deadline is checked above */
    ssize_t k = read(fd[0], buf + len, sizeof buf - 1 - len);
    if (k < 0 && errno == EINTR) continue;
    if (k <= 0) break;
    len += (size_t)k;
    if (len == sizeof buf - 1) break; /* more than one line: keep the start */
  }
  close(fd[0]);
  buf[len] = '\0';
  if (timed_out) kill(pid, SIGKILL);
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  out->wall_s = sgp_now() - t0;
  if (timed_out)
    return aatgs_err_set(err, AATGS_EINTR, "%s ran longer than %.0f s and was stopped", peer,
                         timeout_s);
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
    return aatgs_err_set(err, AATGS_EBACKEND, "%s %s %s failed (%s %d)", peer, dax, sched,
                         WIFEXITED(status) ? "exit status" : "signal",
                         WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
  if (sgp_json_num(buf, "tasks", &out->tasks) || sgp_json_num(buf, "hosts", &out->hosts) ||
      sgp_json_num(buf, "makespan_s", &out->makespan_s) ||
      sgp_json_num(buf, "load_s", &out->load_s) || sgp_json_num(buf, "assign_s", &out->assign_s) ||
      sgp_json_num(buf, "sim_s", &out->sim_s) ||
      sgp_json_num(buf, "max_start_err_s", &out->max_start_err_s))
    return aatgs_err_set(err, AATGS_EBACKEND, "%s printed no result line (got \"%.200s\")", peer,
                         buf);
  return AATGS_OK;
}

/* |simgrid - aatgs| / aatgs for a makespan. */
static inline double sgp_rel_err(double simgrid_s, aatgs_ns aatgs) {
  return aatgs > 0 ? fabs(simgrid_s * 1e9 - (double)aatgs) / (double)aatgs : fabs(simgrid_s);
}

#endif
