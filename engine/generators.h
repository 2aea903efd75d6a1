/* generators.h - synthetic task-graph generators, a registry by name.
 *
 * A generator is a const table: a name, a documented parameter table (name,
 * kind, default, range, one line of doc), a size function (task and edge
 * counts) and a build function that adds tasks and edges to a graph. Given the
 * same arguments and seed a generator always builds the same graph: all
 * randomness comes from an aatgs_rng seeded from (seed, generator).
 *
 * Arguments (aatgs_gen_args) start from the table's defaults
 * (aatgs_gen_args_init) and are set by name from text ("5ms", "1000",
 * "uniform(1ms, 9ms)") or, for duration models, from a parsed aatgs_dist.
 * scenario.c maps YAML onto these calls; the CLI can do the same from
 * `--param name=value`.
 *
 * Registered: chain, fork_join, layered, phase_pipeline, cholesky, erdos_renyi,
 * stencil, fft, lu, gaussian_elimination, and (generators_research.c)
 * heft_layered, daggen, workflow. scenarios/README.md
 * documents each one's parameters, structure and exact counts.
 */
#ifndef AATGS_GENERATORS_H
#define AATGS_GENERATORS_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "graph.h"
#include "rng.h"

/* ---- duration models ---- */

typedef enum aatgs_dist_kind {
  AATGS_DIST_TYPE = 0,  /* no draw: tasks take their type's estimate */
  AATGS_DIST_FIXED,     /* value */
  AATGS_DIST_UNIFORM,   /* uniform on [min, max] */
  AATGS_DIST_NORMAL,    /* normal(mean, sd), redrawn below min (truncated) */
  AATGS_DIST_LOGNORMAL, /* lognormal with this mean and coefficient of variation */
  AATGS_DIST_BIMODAL,   /* long with probability p_long, else short */
  AATGS_DIST_EMPIRICAL, /* uniform draw among the durations of a file */
  AATGS_DIST_COUNT
} aatgs_dist_kind;

/* The durations of an empirical model's file (owned by the model). */
typedef struct aatgs_dist_table {
  char *file;    /* the path as written (points into this allocation) */
  uint64_t hash; /* FNV-1a 64 of the values, for provenance */
  uint32_t n;    /* >= 1 */
  aatgs_ns v[];  /* in file order, each >= 1 ns */
} aatgs_dist_table;

typedef struct aatgs_dist {
  aatgs_dist_kind kind;
  aatgs_ns value;    /* fixed */
  aatgs_ns min, max; /* uniform bounds; normal: min is the truncation floor (default 1us) */
  aatgs_ns mean;     /* normal, lognormal */
  aatgs_ns sd;       /* normal */
  double cv;         /* lognormal */
  aatgs_ns short_ns; /* bimodal "short" */
  aatgs_ns long_ns;  /* bimodal "long" */
  double p_long;     /* bimodal */
  /* empirical: owned; aatgs_dist_free releases it */
  aatgs_dist_table *table;
} aatgs_dist;

/* Empirical models read a file of durations, one per line, each with a unit
 * suffix or bare ns; '#' starts a comment; blank lines are skipped. A path is
 * taken as written when absolute, expanded when it starts with
 * $AATGS_DATA_DIR, else resolved against the folder of the origin (the
 * scenario file; the working directory when there is none) and then, when
 * not found there, against $AATGS_DATA_DIR. Errors name file:line. A model
 * that holds a table owns it: copies of the struct share it, and exactly one
 * of them is freed with aatgs_dist_free. */

/* Name of a kind: "type", "fixed", "uniform", "normal", "lognormal", "bimodal",
 * "empirical". */
const char *aatgs_dist_kind_name(aatgs_dist_kind k);
/* Starts a model of the named kind with its field defaults (all zero except
 * normal's min = 1us, lognormal's cv = 0.5, bimodal's p_long = 0.5).
 * AATGS_ENOENT listing the known kinds when the name is unknown. */
int aatgs_dist_init(aatgs_dist *d, const char *kind, aatgs_err *err);
/* Sets one field of the model from text. Fields by kind: fixed {value};
 * uniform {min, max}; normal {mean, sd, min}; lognormal {mean, cv};
 * bimodal {short, long, p_long}; empirical {file} (read now). Durations take
 * unit suffixes. AATGS_ENOENT listing the valid fields, AATGS_EINVAL on a
 * malformed value, AATGS_EIO / AATGS_ENODATA for an unreadable file. */
int aatgs_dist_set_field(aatgs_dist *d, const char *field, const char *text, aatgs_err *err);
/* The same, with an empirical file resolved against origin's folder (NULL:
 * the working directory). */
int aatgs_dist_set_field_at(aatgs_dist *d, const char *field, const char *text, const char *origin,
                            aatgs_err *err);
/* Reads an empirical model from path (resolved as above) into d, replacing
 * (and freeing) what d held. On failure d is unchanged. */
int aatgs_dist_load_empirical(aatgs_dist *d, const char *path, const char *origin, aatgs_err *err);
/* Frees an empirical model's table and zeroes the pointer; other kinds and
 * NULL are no-ops. */
void aatgs_dist_free(aatgs_dist *d);
/* Checks a model's consistency (positive durations where required,
 * min <= max, 0 <= p_long <= 1, ...). AATGS_EINVAL with the reason. */
int aatgs_dist_check(const aatgs_dist *d, aatgs_err *err);
/* Parses the text form: a duration ("5ms", a fixed model), "type", or
 * kind(args) with positional fields in the order listed above, e.g.
 * "uniform(1ms, 9ms)", "lognormal(5ms, 0.5)", "normal(5ms, 1ms)",
 * "bimodal(300us, 15ms, 0.3)", "empirical(durations/kernels.txt)". Checks the
 * result. d is overwritten, not freed; on failure it holds no table. */
int aatgs_dist_parse(aatgs_dist *d, const char *text, aatgs_err *err);
/* The same, with an empirical file resolved against origin's folder. */
int aatgs_dist_parse_at(aatgs_dist *d, const char *text, const char *origin, aatgs_err *err);
/* Draws one estimate (>= 1 ns) from r; AATGS_DIST_TYPE returns 0 (the graph
 * then uses the type's estimate) and draws nothing; empirical draws one of
 * the file's values uniformly. */
aatgs_ns aatgs_dist_sample(const aatgs_dist *d, aatgs_rng *r);
/* The model's mean in ns (normal: the untruncated mean; type: 0). */
double aatgs_dist_mean(const aatgs_dist *d);

/* ---- parameters ---- */

typedef enum aatgs_param_kind {
  AATGS_PARAM_UINT = 0, /* unsigned integer within [min, max] */
  AATGS_PARAM_DOUBLE,   /* real within [min, max] */
  AATGS_PARAM_DURATION, /* ns within [min, max], text with unit suffixes */
  AATGS_PARAM_DIST,     /* a duration model (aatgs_dist) */
  AATGS_PARAM_TYPE,     /* a task type name (built-in or the scenario's own) */
  AATGS_PARAM_CHOICE    /* one word of a fixed list (value.type holds it, value.u its index) */
} aatgs_param_kind;

typedef struct aatgs_gen_param {
  const char *name;
  aatgs_param_kind kind;
  const char *def; /* the default, in the text form aatgs_gen_args_set accepts */
  double min, max; /* inclusive range for UINT, DOUBLE and DURATION (ns) */
  const char *doc; /* one line */
} aatgs_gen_param;

#define AATGS_GEN_MAX_PARAMS 12
/* Largest graph a generator may be asked for (tasks). */
#define AATGS_GEN_MAX_TASKS UINT64_C(100000000)

typedef struct aatgs_gen_value {
  uint64_t u;
  double d;
  aatgs_ns ns;
  aatgs_dist dist;
  char type[AATGS_TYPE_NAME_MAX];
} aatgs_gen_value;

typedef struct aatgs_generator aatgs_generator;

/* A generator's resolved arguments: one value per parameter, table order. */
typedef struct aatgs_gen_args {
  const aatgs_generator *gen;
  aatgs_gen_value v[AATGS_GEN_MAX_PARAMS];
  unsigned char given[AATGS_GEN_MAX_PARAMS]; /* set explicitly, not a default */
  const char *origin; /* borrowed, may be NULL: the folder of this path anchors the
                         relative files of empirical models set from text */
} aatgs_gen_args;

struct aatgs_generator {
  const char *name;
  const char *summary; /* one line */
  const char *doc;     /* structure, and the exact task and edge counts */
  const aatgs_gen_param *params;
  size_t nparams;
  /* Task and edge counts for these arguments: exact, except layered's edges,
   * which are random (its expected count, a sizing hint). */
  void (*size)(const aatgs_gen_args *a, uint64_t *tasks, uint64_t *edges);
  /* Adds the tasks and edges to g (not finalized). Type names in the
   * arguments must resolve in g (register custom types first). */
  int (*build)(aatgs_graph *g, const aatgs_gen_args *a, uint64_t seed, aatgs_err *err);
};

/* Registry (a const array; safe from any thread). */
size_t aatgs_generator_count(void);
const aatgs_generator *aatgs_generator_at(size_t i);           /* NULL past the end */
const aatgs_generator *aatgs_generator_find(const char *name); /* NULL if unknown */
/* Writes "chain, fork_join, ..." into buf (for error messages). */
void aatgs_generator_names(char *buf, size_t cap);
/* The parameter of that name and its index, or NULL. */
const aatgs_gen_param *aatgs_generator_param(const aatgs_generator *g, const char *name,
                                             size_t *index);

/* Fills a with gen's defaults (every default parses; a test checks it). */
void aatgs_gen_args_init(aatgs_gen_args *a, const aatgs_generator *gen);
/* Sets a parameter from text. AATGS_ENOENT "unknown parameter "x" for
 * generator g (valid: ...)"; AATGS_EINVAL "expected a duration like 5ms,
 * got "x"" or "... out of range [lo, hi]". Messages carry no position. */
int aatgs_gen_args_set(aatgs_gen_args *a, const char *name, const char *text, aatgs_err *err);
/* Sets a duration-model parameter from a parsed model (checked here). On
 * success the arguments take over d's empirical table (do not free d). */
int aatgs_gen_args_set_dist(aatgs_gen_args *a, const char *name, const aatgs_dist *d,
                            aatgs_err *err);
/* Frees the empirical tables the arguments own (setting a model frees the
 * one it replaces); a copy of the struct shares them. NULL is a no-op. */
void aatgs_gen_args_free(aatgs_gen_args *a);
/* The value of a parameter by name, NULL if the generator has none. */
const aatgs_gen_value *aatgs_gen_args_get(const aatgs_gen_args *a, const char *name);
/* Resolved arguments as a compact JSON object, keys "generator" then the
 * parameters in table order; durations in ns, models as
 * {"dist":"uniform","min":..,"max":..}. malloc'd; NULL on out of memory. */
char *aatgs_gen_args_json(const aatgs_gen_args *a);

/* Creates a graph sized for a, builds it with seed and finalizes it. */
int aatgs_gen_generate(const aatgs_gen_args *a, uint64_t seed, aatgs_graph **out, aatgs_err *err);

#endif
