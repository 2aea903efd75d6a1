/* perturb.h - perturbations of a run: the conditions under which adaptive
 * scheduling has something to adapt to.
 *
 * A scenario's `perturb:` mapping parses into an aatgs_perturb (a plain value,
 * no heap), which reaches the backend through aatgs_backend_config.perturb
 * (NULL: none) and the run's params_json (aatgs_perturb_json), so a run can be
 * reproduced from the database. Every draw is seeded from the run seed and is
 * a function of (seed, task) or of (seed, burst index) only, so every policy
 * meets the same perturbation. Times are relative to the run start (the
 * backend's clock when it was opened).
 *
 *   perturb:
 *     misestimate: {factor: 2.0, dist: "lognormal(1, 0.5)", types: {quantum: 3.0}}
 *     interference: {every: 50ms, duration: 10ms, slowdown: 3, at: 20ms, gaps: exponential}
 *     slow_stream: {stream: 1, factor: 2}        # or a list of such mappings
 *     config_storm: {at: 100ms, count: 64, every: 0}
 *     telemetry_flood: {at: 0, duration: 200ms, per_kernel: 20}
 *
 * misestimate: a task's actual work is its unperturbed work (the estimate x
 *   noise_cv noise, or its fixed actual) x factor (its type's entry under
 *   types, else factor; default 1) x a draw from dist (mean-1 noise by
 *   convention; default none). Policies still see the estimate.
 * interference: bursts of `duration` during which every kernel runs
 *   `slowdown` times slower; burst starts are `at` (default: one drawn gap
 *   after the run start) and then one gap apart, a gap being exponential with
 *   mean `every` (gaps: exponential, the default) or exactly `every`
 *   (gaps: fixed). Overlapping bursts merge (the slowdown does not stack).
 * slow_stream: kernels on kernel stream `stream` run `factor` times slower.
 * config_storm: `count` extra config uploads arrive at the upload engine,
 *   the first at `at`, then one every `every` (0: all at once); each takes
 *   the engine's copy time and pushes a config into the device config ring
 *   (overflows counted). Arrivals after the last task ended are dropped.
 * telemetry_flood: every kernel that ends in [at, at + duration) writes
 *   `per_kernel` extra records into the device telemetry ring (overflows
 *   counted; the download engine moves them, the host collector drops them).
 */
#ifndef AATGS_PERTURB_H
#define AATGS_PERTURB_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "graph.h"
#include "rng.h"

#define AATGS_PERTURB_MAX_TYPES 32
#define AATGS_PERTURB_MAX_SLOW 16

/* A dimensionless random factor: "2" (fixed), "uniform(0.5, 1.5)",
 * "normal(1, 0.2)" (values below 0.001 become 0.001), "lognormal(1, 0.5)"
 * (mean, cv), "bimodal(1, 4, 0.1)" (a, else b with probability p). */
typedef enum aatgs_factor_kind {
  AATGS_FACTOR_FIXED = 0,
  AATGS_FACTOR_UNIFORM,
  AATGS_FACTOR_NORMAL,
  AATGS_FACTOR_LOGNORMAL,
  AATGS_FACTOR_BIMODAL
} aatgs_factor_kind;

typedef struct aatgs_factor_dist {
  aatgs_factor_kind kind;
  double a, b, p; /* fixed: a; uniform: [a, b]; normal: mean a, sd b; lognormal: mean a, cv b;
                     bimodal: a, or b with probability p */
} aatgs_factor_dist;

typedef struct aatgs_perturb_type {
  char type[AATGS_TYPE_NAME_MAX];
  double factor;
} aatgs_perturb_type;

typedef struct aatgs_perturb_slow {
  uint32_t stream; /* kernel stream index */
  double factor;
} aatgs_perturb_slow;

typedef struct aatgs_perturb {
  struct {
    int on;
    double factor;          /* every task without a type entry; 1 by default */
    int has_dist;           /* noise drawn per task from dist */
    aatgs_factor_dist dist; /* mean 1 by convention */
    uint32_t ntypes;
    aatgs_perturb_type types[AATGS_PERTURB_MAX_TYPES];
  } misestimate;
  struct {
    int on;
    aatgs_ns at; /* first burst start; < 0: one drawn gap after the run start */
    aatgs_ns every, duration;
    double slowdown; /* >= 1 */
    int fixed_gaps;  /* gaps of exactly `every` (else exponential, mean `every`) */
  } interference;
  uint32_t nslow;
  aatgs_perturb_slow slow[AATGS_PERTURB_MAX_SLOW];
  struct {
    int on;
    aatgs_ns at, every;
    uint32_t count;
  } config_storm;
  struct {
    int on;
    aatgs_ns at, duration;
    uint32_t per_kernel;
  } telemetry_flood;
} aatgs_perturb;

/* No perturbation. */
void aatgs_perturb_init(aatgs_perturb *p);
/* 1 when p is non-NULL and perturbs something. */
int aatgs_perturb_any(const aatgs_perturb *p);

/* Parses a YAML mapping with the keys above (the value of a scenario's
 * perturb:), e.g. "misestimate: {factor: 2}". `origin` names it in errors
 * (origin:line:col). Type names are not checked (no graph yet). */
int aatgs_perturb_parse(aatgs_perturb *p, const char *origin, const char *text, size_t len,
                        aatgs_err *err);
/* The same from a node of a loaded document (scenario.c); type names under
 * misestimate.types must resolve in `types` (NULL: unchecked). */
struct aatgs__ydoc;
struct yaml_node_s;
int aatgs__perturb_parse_node(aatgs_perturb *p, struct aatgs__ydoc *doc, struct yaml_node_s *map,
                              const aatgs_graph *types, aatgs_err *err);
/* Parses a factor model's text form (see aatgs_factor_dist). */
int aatgs_factor_parse(aatgs_factor_dist *d, const char *text, aatgs_err *err);
/* The resolved perturbation as a compact JSON object (only what is on, e.g.
 * {"misestimate":{"factor":2,...}}); "{}" for none. malloc'd; NULL on out of
 * memory. */
char *aatgs_perturb_json(const aatgs_perturb *p);

/* Checks p against a run: misestimated types exist in g, slowed streams are
 * < kernel_streams. AATGS_EINVAL / AATGS_ENOENT naming the key. NULL is OK. */
int aatgs_perturb_check(const aatgs_perturb *p, const aatgs_graph *g, uint32_t kernel_streams,
                        aatgs_err *err);

/* Misestimation factor of a task (type factor x its noise draw); 1.0 when p
 * is NULL or has no misestimate. Depends on (seed, task) only. */
double aatgs_perturb_task_factor(const aatgs_perturb *p, const aatgs_graph *g, uint32_t task,
                                 uint64_t seed);
/* Slowdown of a kernel stream (1.0 unless slowed). */
double aatgs_perturb_stream_factor(const aatgs_perturb *p, uint32_t stream);
/* Extra telemetry records per kernel ending at t (0 outside the flood). */
uint32_t aatgs_perturb_flood(const aatgs_perturb *p, aatgs_ns t);
/* Arrival time of config-storm upload i (< count). */
aatgs_ns aatgs_perturb_storm_time(const aatgs_perturb *p, uint32_t i);

/* Interference bursts, generated lazily in time order. */
typedef struct aatgs_bursts {
  const aatgs_perturb *p;
  aatgs_rng rng;
  aatgs_ns start, end; /* the current merged burst [start, end); INT64_MAX: none */
  aatgs_ns next;       /* start of the burst after it */
} aatgs_bursts;

void aatgs_bursts_init(aatgs_bursts *b, const aatgs_perturb *p, uint64_t seed);
/* The slowdown at time t (1.0 outside bursts) and, in *change, when it next
 * changes (INT64_MAX: never). t must not decrease from call to call. */
double aatgs_bursts_at(aatgs_bursts *b, aatgs_ns t, aatgs_ns *change);

#endif
