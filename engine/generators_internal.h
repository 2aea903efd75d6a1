/* generators_internal.h - what the generator files share (private to engine/).
 *
 * generators.c holds the registry, the parameter handling and the classic
 * generators; generators_research.c holds the generators modelled on the
 * scheduling literature and on real workflows (heft_layered, daggen,
 * workflow). This header gives the second file the helpers of the first, and
 * gives the registry table the entries of the second (AATGS__GEN_* below).
 * Nothing here is part of the public API.
 */
#ifndef AATGS_GENERATORS_INTERNAL_H
#define AATGS_GENERATORS_INTERNAL_H

#include <stdint.h>

#include "generators.h"

/* ---- from generators.c ---- */

/* Seeds r from (seed, generator name): the stream every generator draws from. */
void aatgs__gen_seed_rng(aatgs_rng *r, const aatgs_gen_args *a, uint64_t seed);
/* Resolves the "type" parameter (default "custom") in g; AATGS_ENOENT naming
 * the generator and the type when g has no such type. */
int aatgs__gen_resolve_type(aatgs_graph *g, const aatgs_gen_args *a, uint32_t *type,
                            aatgs_err *err);

/* ---- from generators_research.c ---- */

/* The valid words of a choice parameter (AATGS_PARAM_CHOICE), NULL-terminated,
 * or NULL when p is not one. The first word is the default. */
const char *const *aatgs__param_choices(const aatgs_gen_param *p);
/* Sets v from text for a choice parameter: v->type gets the word, v->u its
 * index. AATGS_EINVAL "shape: "x" is not one of montage, ..." otherwise. */
int aatgs__param_choice_value(const aatgs_gen_param *p, const char *text, aatgs_gen_value *v,
                              aatgs_err *err);

/* Level widths of a generated heft_layered or daggen graph for these
 * arguments and seed: tasks are numbered level by level, level 0 first, so
 * task t is in the level l where widths[0] + .. + widths[l-1] <= t <
 * widths[0] + .. + widths[l]. *widths is malloc'd (the caller frees it).
 * AATGS_ENOMEM, or AATGS_EINVAL when a is for another generator. The build
 * functions call these too, so a test can check edges against levels. */
int aatgs__heft_layered_levels(const aatgs_gen_args *a, uint64_t seed, uint32_t **widths,
                               uint32_t *nlevels, aatgs_err *err);
int aatgs__daggen_levels(const aatgs_gen_args *a, uint64_t seed, uint32_t **widths,
                         uint32_t *nlevels, aatgs_err *err);

#define AATGS__HEFT_LAYERED_NPARAMS 8
#define AATGS__DAGGEN_NPARAMS 10
#define AATGS__WORKFLOW_NPARAMS 5
extern const aatgs_gen_param aatgs__heft_layered_params[];
extern const aatgs_gen_param aatgs__daggen_params[];
extern const aatgs_gen_param aatgs__workflow_params[];
extern const char aatgs__heft_layered_doc[];
extern const char aatgs__daggen_doc[];
extern const char aatgs__workflow_doc[];
void aatgs__heft_layered_size(const aatgs_gen_args *a, uint64_t *tasks, uint64_t *edges);
void aatgs__daggen_size(const aatgs_gen_args *a, uint64_t *tasks, uint64_t *edges);
void aatgs__workflow_size(const aatgs_gen_args *a, uint64_t *tasks, uint64_t *edges);
int aatgs__heft_layered_build(aatgs_graph *g, const aatgs_gen_args *a, uint64_t seed,
                              aatgs_err *err);
int aatgs__daggen_build(aatgs_graph *g, const aatgs_gen_args *a, uint64_t seed, aatgs_err *err);
int aatgs__workflow_build(aatgs_graph *g, const aatgs_gen_args *a, uint64_t seed, aatgs_err *err);

/* Registry entries (aatgs_generator initializers) for the table in generators.c. */
#define AATGS__GEN_HEFT_LAYERED                                                                    \
  {                                                                                                \
    "heft_layered", "random layered DAG of the HEFT paper (Topcuoglu, Hariri & Wu, TPDS 2002)",    \
        aatgs__heft_layered_doc, aatgs__heft_layered_params, AATGS__HEFT_LAYERED_NPARAMS,          \
        aatgs__heft_layered_size, aatgs__heft_layered_build                                        \
  }
#define AATGS__GEN_DAGGEN                                                                          \
  {                                                                                                \
    "daggen", "DAGGEN-style random DAG (Suter & Hunold): fat, regular, density, jump",             \
        aatgs__daggen_doc, aatgs__daggen_params, AATGS__DAGGEN_NPARAMS, aatgs__daggen_size,        \
        aatgs__daggen_build                                                                        \
  }
#define AATGS__GEN_WORKFLOW                                                                        \
  {                                                                                                \
    "workflow", "scientific workflow shapes (Montage, Epigenomics, CyberShake, ...)",              \
        aatgs__workflow_doc, aatgs__workflow_params, AATGS__WORKFLOW_NPARAMS,                      \
        aatgs__workflow_size, aatgs__workflow_build                                                \
  }

#endif
