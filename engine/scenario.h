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
/* Resolved parameters (defaults filled in) as a JSON object text. */
const char *aatgs_scenario_params_json(const aatgs_scenario *s);
uint32_t aatgs_scenario_streams(const aatgs_scenario *s); /* 0: use the profile's */
uint32_t aatgs_scenario_seeds(const aatgs_scenario *s);   /* >= 1 */
double aatgs_scenario_noise_cv(const aatgs_scenario *s);  /* < 0: use the profile's */

/* Builds and finalizes the task graph. Generators that draw random structure
 * or estimates use `seed`, so (scenario, seed) always gives the same graph.
 * Errors (e.g. a cycle among explicit tasks) name the file and the tasks. */
int aatgs_scenario_build(const aatgs_scenario *s, uint64_t seed, aatgs_graph **out, aatgs_err *err);

#endif
