/* scenario.h - scenario files: a human format (YAML, read with libyaml) that
 * names a generator and its parameters, or lists tasks explicitly, and says
 * how to run it (streams, seeds, noise, per-type estimates).
 *
 *   name: phase-pipeline
 *   description: the report's six-phase pipeline
 *   generator: phase_pipeline        # or: tasks: [...] (explicit list)
 *   params: {iterations: 200, replicas: 4}
 *   streams: 4                       # kernel streams (default: the profile's)
 *   seeds: 3                         # default number of seeds for `aatgs run`
 *   noise_cv: 0.1                    # actual = estimate x lognormal(mean 1, cv)
 *   estimates: {whcr: 5ms, quantum: 15ms}
 *   perturb: {misestimate: {types: {quantum: 3}}}   # perturb.h
 *   edge_gbps: 25                    # transfers between kernel streams (profile.h)
 *   edge_latency: 5us
 *
 * Explicit tasks: `tasks: [{id: a, type: whcr, est: 2ms, deps: [b]}]`; ids
 * are strings, deps may name tasks defined later (a cycle is then reported by
 * name). Durations accept ns, us, ms, s suffixes (a bare number is ns).
 * Every error names path:line:column.
 */
#ifndef AATGS_SCENARIO_H
#define AATGS_SCENARIO_H

#include <stdint.h>

#include "error.h"
#include "graph.h"
#include "perturb.h"
#include "profile.h"

typedef struct aatgs_scenario aatgs_scenario;

/* Reads and parses a scenario file. */
int aatgs_scenario_load(aatgs_scenario **out, const char *path, aatgs_err *err);
/* Parses scenario text; `origin` names it in errors (a path or "<string>"). */
int aatgs_scenario_parse(aatgs_scenario **out, const char *origin, const char *text, size_t len,
                         aatgs_err *err);
void aatgs_scenario_destroy(aatgs_scenario *s); /* NULL is a no-op */

const char *aatgs_scenario_name(const aatgs_scenario *s);
const char *aatgs_scenario_description(const aatgs_scenario *s); /* "" if none */
const char *aatgs_scenario_path(const aatgs_scenario *s);        /* origin */
const char *aatgs_scenario_text(const aatgs_scenario *s);
const char *aatgs_scenario_hash(const aatgs_scenario *s); /* 16 hex digits, FNV-1a 64 */
/* Resolved parameters (defaults filled in) as a JSON object text; with the
 * run model the file gives appended: "perturb" (perturb.h's JSON),
 * "edge_gbps", "edge_latency" (ns). Valid until the next call or destroy. */
const char *aatgs_scenario_params_json(const aatgs_scenario *s);
/* The file's perturb: (perturb.h), NULL when it perturbs nothing. Owned by s;
 * pass it to aatgs_run_params.perturb. */
const aatgs_perturb *aatgs_scenario_perturb(const aatgs_scenario *s);
/* Applies the file's edge_gbps / edge_latency (transfers between kernel
 * streams) over a profile; keys the file does not give leave p as it is. */
void aatgs_scenario_apply_profile(const aatgs_scenario *s, aatgs_profile *p);
uint32_t aatgs_scenario_streams(const aatgs_scenario *s); /* 0: use the profile's */
uint32_t aatgs_scenario_seeds(const aatgs_scenario *s);   /* >= 1 */
double aatgs_scenario_noise_cv(const aatgs_scenario *s);  /* < 0: use the profile's */

/* Builds and finalizes the task graph. Generators that draw random structure
 * or estimates use `seed`, so (scenario, seed) always gives the same graph.
 * Errors (e.g. a cycle among explicit tasks) name the file and the tasks. */
int aatgs_scenario_build(const aatgs_scenario *s, uint64_t seed, aatgs_graph **out, aatgs_err *err);

/* Sets one key of a loaded scenario from text, checked as the file's own
 * value would be (suite variants, engine/suite.h): streams, seeds, noise_cv,
 * params.NAME (a generator parameter; a missing one is added) or
 * estimates.TYPE. The text gains a line "# override: KEY = VALUE" and the
 * hash is recomputed over it, so every variant hashes apart; params_json
 * shows the new value. AATGS_ENOENT for an unknown key or parameter (the
 * message lists the valid ones) or params.* without a generator,
 * AATGS_EINVAL for a bad value; messages start
 * with the key and carry no position; on failure s is unchanged. */
int aatgs_scenario_override(aatgs_scenario *s, const char *key, const char *value, aatgs_err *err);
/* Renames the scenario (the name runs are recorded under). AATGS_ENOMEM. */
int aatgs_scenario_set_name(aatgs_scenario *s, const char *name, aatgs_err *err);

#endif
