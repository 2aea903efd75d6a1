/* suite.h - suite files: a named sweep over scenarios, expanded into scenario
 * variants (YAML, read with libyaml; every error names path:line:column).
 *
 *   suite: ccr-sweep
 *   description: CCR x size x streams on layered DAGs
 *   policies: [adaptive, heft, critical_path, fifo]   # default: all (or --policy)
 *   seeds: 5                                          # default: each scenario's
 *   reps: 1                                           # default: 1
 *   runs:
 *     - scenario: ../heft-layered.yaml                # relative to the suite file
 *       grid: {params.ccr: [0.1, 1, 10], params.v: [100, 1000], streams: [2, 4]}
 *     - scenario: ../default/chain.yaml               # no grid: the scenario as it is
 *       name: chain-base                              # optional: the variants' base name
 *
 * A file is a suite when its top-level mapping has the key `suite`. Each run
 * entry expands into the cross product of its grid's value lists (a scalar
 * is a list of one); each point is a variant: the scenario file parsed anew
 * with the point's overrides applied (aatgs_scenario_override: a top-level
 * key, params.NAME or estimates.TYPE), in key order so that the hash does
 * not depend on how the grid is written. A variant is named
 * "base[ccr=0.1 v=100 streams=2]" (the last component of each key, in the
 * grid's order, with the value as written; the full key where two keys end
 * alike). Every variant is built and checked at load: an unknown key or
 * parameter, a bad value, two entries that give the same variant, or one name
 * for two different variants is an error at the suite line that caused it.
 *
 * A loaded suite is immutable and owns its variants; not thread-safe to
 * destroy while in use.
 */
#ifndef AATGS_SUITE_H
#define AATGS_SUITE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "scenario.h"

/* Most variants one suite may expand to. */
#define AATGS_SUITE_MAX_VARIANTS 100000

typedef struct aatgs_suite aatgs_suite;

/* Whether text is a suite: a YAML mapping whose top level has the key
 * `suite`. Malformed YAML is not a suite (the scenario reader reports it). */
int aatgs_suite_is_suite(const char *text, size_t len);
/* Reads the file at path and sets *is_suite. AATGS_EIO "path: reason" when it
 * cannot be read. */
int aatgs_suite_sniff(const char *path, int *is_suite, aatgs_err *err);

/* Reads, parses and expands a suite file; scenario paths are relative to its
 * folder. */
int aatgs_suite_load(aatgs_suite **out, const char *path, aatgs_err *err);
/* Parses suite text; `origin` names it in errors and its folder anchors the
 * relative scenario paths. */
int aatgs_suite_parse(aatgs_suite **out, const char *origin, const char *text, size_t len,
                      aatgs_err *err);
void aatgs_suite_destroy(aatgs_suite *s); /* NULL is a no-op */

const char *aatgs_suite_name(const aatgs_suite *s);
const char *aatgs_suite_description(const aatgs_suite *s); /* "" if none */
const char *aatgs_suite_path(const aatgs_suite *s);        /* origin */
/* Policies the suite names (checked against the registry), in its order;
 * count 0 when it names none. */
size_t aatgs_suite_policy_count(const aatgs_suite *s);
const char *aatgs_suite_policy(const aatgs_suite *s, size_t i);
uint32_t aatgs_suite_seeds(const aatgs_suite *s); /* 0: not given (each scenario's) */
uint32_t aatgs_suite_reps(const aatgs_suite *s);  /* 0: not given (1) */
/* The expanded variants, run entries in file order, each entry's grid points
 * with its last key varying fastest. Owned by the suite. */
size_t aatgs_suite_variant_count(const aatgs_suite *s);
aatgs_scenario *aatgs_suite_variant(const aatgs_suite *s, size_t i);

#endif
