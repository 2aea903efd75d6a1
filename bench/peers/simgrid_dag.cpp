/* simgrid_dag.cpp - replays an AATGS schedule of a DAG in SimGrid (the peer
 * that bench/bench_simgrid.c and tests/test_simgrid_peer.c measure against).
 *
 * Usage: simgrid_dag DAX SCHEDULE [--cfg=...]
 *
 *   DAX       the DAG in Pegasus DAX 2.1, loaded with SimGrid's own loader
 *             (simgrid::s4u::create_DAG_from_DAX). Job ids are "t<task>"; a
 *             job's runtime is its duration in seconds (the loader turns it
 *             into runtime x 4.2e9 flops, and the hosts run 4.2e9 flop/s, so
 *             a task takes exactly its duration). No <uses> files: no
 *             communication. (SimGrid's DOT loader would do as well, but
 *             Debian's SimGrid 3.32 is built without Graphviz and its
 *             create_DAG_from_dot only aborts.)
 *   SCHEDULE  text: "hosts P", "tasks N", then N lines "<task> <host>
 *             <start_ns>", each host's tasks in the order they run (the
 *             start is only compared with SimGrid's). Each task is pinned to
 *             its host; consecutive tasks of one host get an extra
 *             dependency, so a host runs its tasks one at a time in that
 *             order (SimGrid's DAG loaders take no per-task host or order in
 *             3.32).
 *
 * Builds P identical hosts in a full zone (no links are used), runs, and
 * prints one JSON line: tasks, hosts, makespan_s (the clock when the last
 * exec ended), load_s (the platform and create_DAG_from_DAX), assign_s (reading the schedule,
 * adding the order dependencies, setting hosts), sim_s (Engine::run), and
 * max_start_err_s (largest |SimGrid start - schedule start| over the tasks).
 * Exits 1 with a message on stderr when the inputs do not match.
 *
 * Scale: in 3.32, Engine::run costs O(unfinished execs) per finished exec (a
 * std::list removal in ExecImpl::post), so N tasks take time ~N^2: about
 * 0.2 s for 10^4 tasks and 40-80 s for 10^5 on a 2-core VM.
 */
#include <simgrid/s4u.hpp>
#include <simgrid/version.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace sg4 = simgrid::s4u;

static double wall() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

__attribute__((format(printf, 1, 2))) static int fail(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  std::fprintf(stderr, "simgrid_dag: ");
  std::vfprintf(stderr, fmt, ap);
  std::fprintf(stderr, "\n");
  va_end(ap);
  return 1;
}

/* "t123@name" -> 123; -1 when the name is not one of ours. */
static long task_of(const std::string &name) {
  if (name.size() < 2 || name[0] != 't') return -1;
  char *end = nullptr;
  long v = std::strtol(name.c_str() + 1, &end, 10);
  if (end == name.c_str() + 1 || *end != '@' || v < 0) return -1;
  return v;
}

int main(int argc, char **argv) {
  sg4::Engine e(&argc, argv);
  if (argc != 3) {
    std::fprintf(stderr, "usage: simgrid_dag DAX SCHEDULE [--cfg=...]\n");
    return 2;
  }
  const char *dax_path = argv[1];
  const char *sched_path = argv[2];

  FILE *sf = std::fopen(sched_path, "r");
  if (!sf) return fail("cannot open the schedule %s", sched_path);
  long hosts = 0;
  long tasks = 0;
  if (std::fscanf(sf, " hosts %ld tasks %ld", &hosts, &tasks) != 2 || hosts < 1 || hosts > 65536 ||
      tasks < 0 || tasks > 100000000L) {
    std::fclose(sf);
    return fail("%s: expected \"hosts P\" and \"tasks N\" first", sched_path);
  }

  /* The platform: P hosts of 4.2 Gflop/s, the rate the DAX loader assumes. */
  double t0 = wall();
  auto *zone = sg4::create_full_zone("aatgs");
  std::vector<sg4::Host *> host(hosts);
  for (long h = 0; h < hosts; h++)
    host[h] = zone->create_host("h" + std::to_string(h), 4.2e9);
  zone->seal();

  std::vector<sg4::ActivityPtr> dag = sg4::create_DAG_from_DAX(dax_path);
  double t1 = wall();
  if (dag.empty()) {
    std::fclose(sf);
    return fail("%s: SimGrid loaded no DAG (syntax error or cycle)", dax_path);
  }

  std::vector<sg4::Exec *> exec(tasks, nullptr);
  std::vector<sg4::Exec *> extra; /* root and end */
  for (const auto &a : dag) {
    auto *x = dynamic_cast<sg4::Exec *>(a.get());
    if (!x)
      return fail("%s: activity %s is a transfer; expected no files", dax_path, a->get_cname());
    long t = task_of(x->get_name());
    if (t < 0) {
      extra.push_back(x);
      continue;
    }
    if (t >= tasks || exec[t]) return fail("%s: task %ld is out of range or repeated", dax_path, t);
    exec[t] = x;
  }
  for (long t = 0; t < tasks; t++)
    if (!exec[t]) return fail("%s: task %ld is missing", dax_path, t);

  std::vector<double> start(tasks, -1.0);
  std::vector<sg4::Exec *> last(hosts, nullptr);
  for (long i = 0; i < tasks; i++) {
    long t = 0;
    long h = 0;
    long long s = 0;
    if (std::fscanf(sf, "%ld %ld %lld", &t, &h, &s) != 3 || t < 0 || t >= tasks || h < 0 ||
        h >= hosts || s < 0 || start[t] >= 0)
      return fail("%s: bad or repeated schedule line (entry %ld)", sched_path, i + 1);
    start[t] = (double)s * 1e-9;
    if (last[h]) {
      const auto &succ = last[h]->get_successors();
      if (std::none_of(succ.begin(), succ.end(),
                       [&](const sg4::ActivityPtr &p) { return p.get() == exec[t]; }))
        last[h]->add_successor(exec[t]);
    }
    last[h] = exec[t];
    exec[t]->set_host(host[h]); /* nothing starts yet: every task waits on root */
  }
  std::fclose(sf);
  for (auto *x : extra) /* root and end: 0 flops */
    x->set_host(host[0]);
  double t2 = wall();

  e.run();
  double t3 = wall();

  double makespan = 0;
  double max_err = 0;
  long done = 0;
  for (long t = 0; t < tasks; t++) {
    if (exec[t]->get_state() != sg4::Activity::State::FINISHED) continue;
    done++;
    makespan = std::max(makespan, exec[t]->get_finish_time());
    max_err = std::max(max_err, std::fabs(exec[t]->get_start_time() - start[t]));
  }
  if (done != tasks) return fail("%s: only %ld tasks finished", dax_path, done);
  std::printf("{\"tasks\":%ld,\"hosts\":%ld,\"makespan_s\":%.12f,\"load_s\":%.6f,\"assign_s\":%.6f,"
              "\"sim_s\":%.6f,\"max_start_err_s\":%.3e,\"simgrid\":\"%d.%d\"}\n",
              tasks, hosts, makespan, t1 - t0, t2 - t1, t3 - t2, max_err, SIMGRID_VERSION_MAJOR,
              SIMGRID_VERSION_MINOR);
  return 0;
}
