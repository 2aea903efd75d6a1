/* generators_research.c - generators modelled on the scheduling literature and
 * on real workflows: heft_layered (the random graphs of the HEFT paper),
 * daggen (Suter & Hunold's DAGGEN) and workflow (Pegasus/WfCommons workflow
 * shapes). Registered in generators.c through generators_internal.h.
 *
 * Each random generator draws from independent streams (levels, edges,
 * costs, bytes), each seeded from (seed, generator, stream), so that changing
 * one parameter (say beta) leaves the draws of the others unchanged, and
 * aatgs__*_levels can recompute the level widths a build used. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generators_internal.h"
#include "yamlutil.h"

/* Draw streams of the random generators. */
enum { S_LEVELS = 1, S_EDGES = 2, S_COST = 3, S_BYTES = 4, S_HETERO = 5 };

static void stream(aatgs_rng *r, const aatgs_gen_args *a, uint64_t seed, uint64_t which) {
  aatgs__gen_seed_rng(r, a, aatgs_hash64(seed, which));
}

static uint64_t arg_u(const aatgs_gen_args *a, const char *name) {
  const aatgs_gen_value *v = aatgs_gen_args_get(a, name);
  return v ? v->u : 0;
}

static double arg_d(const aatgs_gen_args *a, const char *name) {
  const aatgs_gen_value *v = aatgs_gen_args_get(a, name);
  return v ? v->d : 0.0;
}

static aatgs_ns arg_ns(const aatgs_gen_args *a, const char *name) {
  const aatgs_gen_value *v = aatgs_gen_args_get(a, name);
  return v ? v->ns : 0;
}

static aatgs_ns to_ns(double x) {
  if (x > 1e17) x = 1e17;
  aatgs_ns ns = (aatgs_ns)llround(x);
  return ns < 1 ? 1 : ns;
}

static uint64_t to_bytes(double x) {
  if (!(x > 0.0)) return 0;
  if (x > 1e18) x = 1e18;
  return (uint64_t)llround(x);
}

/* ---- choice parameters ---- */

static const char *const workflow_shapes[] = {"montage",  "epigenomics", "cybershake",
                                              "inspiral", "seismology",  NULL};

const char *const *aatgs__param_choices(const aatgs_gen_param *p) {
  if (p == &aatgs__workflow_params[0]) return workflow_shapes;
  return NULL;
}

int aatgs__param_choice_value(const aatgs_gen_param *p, const char *text, aatgs_gen_value *v,
                              aatgs_err *err) {
  const char *const *w = aatgs__param_choices(p);
  char list[256];
  size_t used = 0;
  list[0] = '\0';
  for (size_t i = 0; w && w[i]; i++) {
    if (strcmp(text, w[i]) == 0) {
      snprintf(v->type, sizeof v->type, "%s", w[i]);
      v->u = i;
      return AATGS_OK;
    }
    int n = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "", w[i]);
    if (n > 0 && (size_t)n < sizeof list - used) used += (size_t)n;
  }
  return aatgs_err_set(err, AATGS_EINVAL, "%s: \"%s\" is not one of %s", p->name, text,
                       used ? list : "(no choices)");
}

/* Checks that a is for the named generator (the level functions are public
 * to the engine and may be handed anything). */
static int check_gen(const aatgs_gen_args *a, const char *name, aatgs_err *err) {
  if (!a || !a->gen || strcmp(a->gen->name, name) != 0)
    return aatgs_err_set(err, AATGS_EINVAL, "%s: arguments are for generator %s", name,
                         a && a->gen ? a->gen->name : "(none)");
  return AATGS_OK;
}

/* Floyd's sampling of k distinct values of [0, w) into out; stamp[0..w) marks
 * the values taken with `mark` (a value no earlier call used). */
static void sample_distinct(aatgs_rng *r, uint32_t w, uint32_t k, uint32_t *stamp, uint32_t mark,
                            uint32_t *out) {
  uint32_t n = 0;
  for (uint32_t t = w - k; t < w; t++) {
    uint32_t c = (uint32_t)aatgs_rng_below(r, (uint64_t)t + 1);
    if (stamp[c] == mark) c = t;
    stamp[c] = mark;
    out[n++] = c;
  }
}

/* ---- heft_layered ---- */

const aatgs_gen_param aatgs__heft_layered_params[] = {
    {"v", AATGS_PARAM_UINT, "100", 1, 1e7, "number of tasks"},
    {"alpha", AATGS_PARAM_DOUBLE, "1", 0.01, 100,
     "shape: ceil(sqrt(v)/alpha) levels of mean width v/levels (about alpha sqrt(v))"},
    {"out_degree", AATGS_PARAM_DOUBLE, "3", 1, 10000,
     "mean out-degree drawn per task above the last level (more where the next level is wider)"},
    {"ccr", AATGS_PARAM_DOUBLE, "1", 0, 1000,
     "communication to computation ratio: mean edge transfer time / mean task cost"},
    {"beta", AATGS_PARAM_DOUBLE, "0.5", 0, 2,
     "heterogeneity: a task costs its mean x uniform(1 - beta/2, 1 + beta/2)"},
    {"w_dag", AATGS_PARAM_DURATION, "1ms", 1, 1e12,
     "mean computation cost; per-task means are uniform on [0, 2 w_dag]"},
    {"bandwidth", AATGS_PARAM_DOUBLE, "10", 1e-6, 1e6,
     "bytes per ns that turn an edge's transfer time into bytes (10 = 10 GB/s)"},
    {"type", AATGS_PARAM_TYPE, "custom", 0, 0,
     "task type of every task (built-in or declared under types:)"},
};
_Static_assert(sizeof aatgs__heft_layered_params / sizeof aatgs__heft_layered_params[0] ==
                   AATGS__HEFT_LAYERED_NPARAMS,
               "AATGS__HEFT_LAYERED_NPARAMS");

const char aatgs__heft_layered_doc[] =
    "The random graphs of Topcuoglu, Hariri & Wu (HEFT, IEEE TPDS 2002). h = ceil(sqrt(v) / "
    "alpha) levels (at most v); every level gets one task and the other v - h are spread over "
    "the levels in proportion to uniform(0, 1) weights, so level widths are random with mean "
    "v / h (about alpha sqrt(v)). Tasks are numbered level by level. Between levels l and "
    "l + 1: every task of l + 1 first draws one parent uniformly in l; then every task of l "
    "draws d = 1 + floor(U (2 out_degree - 1)) (mean out_degree) and, if it has fewer than d "
    "children so far, adds distinct random ones of l + 1 until it has d (or all). So its "
    "out-degree is max(d, the children that drew it), which is above out_degree only where a "
    "level is much wider than the one before. Every edge goes from level l to l + 1, every "
    "task of a level > 0 has a parent, the roots are exactly level 0 and the depth "
    "is h; there is no single entry or exit task. Costs: a per-task mean uniform on [0, 2 w_dag], "
    "times uniform(1 - beta/2, 1 + beta/2) (the paper's processor heterogeneity; AATGS streams "
    "are identical, so it becomes a spread of the cost itself). Edge transfer times are uniform "
    "on [0, 2 ccr w_dag] and carry time x bandwidth bytes, so the mean transfer time is ccr "
    "times the mean cost. Tasks: v. Edges: random, about out_degree x (v - v/h).";

static uint32_t heft_height(uint64_t v, double alpha) {
  double h = ceil(sqrt((double)v) / alpha - 1e-9);
  if (h < 1.0) h = 1.0;
  if (h > (double)v) h = (double)v;
  return (uint32_t)h;
}

void aatgs__heft_layered_size(const aatgs_gen_args *a, uint64_t *tasks, uint64_t *edges) {
  uint64_t v = arg_u(a, "v");
  double h = heft_height(v, arg_d(a, "alpha")), width = (double)v / h;
  double d = arg_d(a, "out_degree");
  if (d > width) d = width;
  *tasks = v;
  *edges = (uint64_t)((double)v * (1.0 - 1.0 / h) * d + 0.5);
}

int aatgs__heft_layered_levels(const aatgs_gen_args *a, uint64_t seed, uint32_t **widths,
                               uint32_t *nlevels, aatgs_err *err) {
  int rc = check_gen(a, "heft_layered", err);
  if (rc != AATGS_OK) return rc;
  uint64_t v = arg_u(a, "v");
  uint32_t h = heft_height(v, arg_d(a, "alpha"));
  uint32_t *w = malloc((size_t)h * sizeof *w);
  double *cum = malloc((size_t)h * sizeof *cum);
  if (!w || !cum) {
    free(w);
    free(cum);
    return aatgs_err_set(err, AATGS_ENOMEM, "heft_layered: out of memory");
  }
  aatgs_rng r;
  stream(&r, a, seed, S_LEVELS);
  double total = 0.0;
  for (uint32_t l = 0; l < h; l++) {
    total += aatgs_rng_uniform(&r);
    cum[l] = total;
  }
  /* Level l gets 1 + its share of the v - h extra tasks, rounded so that the
   * running sum of shares is exact: the widths add up to v. */
  uint64_t extra = v - h, given = 0;
  for (uint32_t l = 0; l < h; l++) {
    uint64_t upto = extra;
    if (l + 1 < h) upto = total > 0.0 ? (uint64_t)llround((double)extra * cum[l] / total) : 0;
    if (upto > extra) upto = extra;
    if (upto < given) upto = given;
    w[l] = (uint32_t)(1 + upto - given);
    given = upto;
  }
  free(cum);
  *widths = w;
  *nlevels = h;
  return AATGS_OK;
}

int aatgs__heft_layered_build(aatgs_graph *g, const aatgs_gen_args *a, uint64_t seed,
                              aatgs_err *err) {
  uint32_t type, h = 0, *w = NULL, *stamp = NULL, *kids = NULL, *start = NULL, maxw = 0;
  uint32_t *par = NULL, *off = NULL, *byparent = NULL;
  uint64_t v = arg_u(a, "v");
  double od = arg_d(a, "out_degree"), ccr = arg_d(a, "ccr"), beta = arg_d(a, "beta");
  double wdag = (double)arg_ns(a, "w_dag"), bw = arg_d(a, "bandwidth");
  aatgs_rng rmean, rhet, redge, rbytes;
  int rc = aatgs__gen_resolve_type(g, a, &type, err);
  if (rc != AATGS_OK) return rc;
  rc = aatgs__heft_layered_levels(a, seed, &w, &h, err);
  if (rc != AATGS_OK) return rc;
  start = malloc(((size_t)h + 1) * sizeof *start);
  if (!start) goto oom;
  start[0] = 0;
  for (uint32_t l = 0; l < h; l++) {
    start[l + 1] = start[l] + w[l];
    if (w[l] > maxw) maxw = w[l];
  }
  stamp = calloc(maxw, sizeof *stamp);
  kids = malloc((size_t)maxw * sizeof *kids);
  par = malloc((size_t)maxw * sizeof *par);
  off = malloc(((size_t)maxw + 1) * sizeof *off);
  byparent = malloc((size_t)maxw * sizeof *byparent);
  if (!stamp || !kids || !par || !off || !byparent) goto oom;

  /* Tasks first (estimates from two streams: the mean, then the spread). */
  stream(&rmean, a, seed, S_COST);
  stream(&rhet, a, seed, S_HETERO);
  for (uint64_t t = 0; t < v; t++) {
    double mean = aatgs_rng_uniform(&rmean) * 2.0 * wdag;
    double f = 1.0 + beta * (aatgs_rng_uniform(&rhet) - 0.5);
    rc = aatgs_graph_add_task(g, type, to_ns(mean * f), NULL, 0, NULL, err);
    if (rc != AATGS_OK) goto done;
  }

  /* Edges, level l -> l + 1. */
  stream(&redge, a, seed, S_EDGES);
  stream(&rbytes, a, seed, S_BYTES);
  uint32_t mark = 0;
  double span = 2.0 * od - 1.0, comm = 2.0 * ccr * wdag * bw;
#define EDGE(src, dst)                                                                             \
  do {                                                                                             \
    rc = aatgs_graph_add_edge_bytes(g, (src), (dst), to_bytes(aatgs_rng_uniform(&rbytes) * comm),  \
                                    err);                                                          \
    if (rc != AATGS_OK) goto done;                                                                 \
  } while (0)
  for (uint32_t l = 0; l + 1 < h; l++) {
    uint32_t cur = w[l], next = w[l + 1];
    /* Every task of level l + 1 draws one parent in level l; byparent lists
     * them by parent (counting sort, ascending within a parent). */
    memset(off, 0, ((size_t)cur + 1) * sizeof *off);
    for (uint32_t c = 0; c < next; c++) {
      par[c] = (uint32_t)aatgs_rng_below(&redge, cur);
      off[par[c] + 1]++;
    }
    for (uint32_t i = 0; i < cur; i++)
      off[i + 1] += off[i];
    for (uint32_t c = 0; c < next; c++)
      byparent[off[par[c]]++] = c;
    for (uint32_t i = cur; i > 0; i--) /* off[i] is now the end of i: shift back */
      off[i] = off[i - 1];
    off[0] = 0;
    /* Then each task of level l tops its children up to d distinct ones. */
    for (uint32_t i = 0; i < cur; i++) {
      const uint32_t *mine = byparent + off[i];
      uint32_t k = off[i + 1] - off[i], t = start[l] + i;
      uint64_t d = 1 + (uint64_t)floor(aatgs_rng_uniform(&redge) * span);
      uint32_t extra = d > k ? (uint32_t)(d - k) : 0;
      if (extra > next - k) extra = next - k;
      for (uint32_t j = 0; j < k; j++)
        EDGE(t, start[l + 1] + mine[j]);
      if (extra == 0) continue;
      if (++mark == 0) { /* stamps wrapped: clear them */
        memset(stamp, 0, (size_t)maxw * sizeof *stamp);
        mark = 1;
      }
      /* extra distinct ranks among the next - k tasks it has not got yet. */
      sample_distinct(&redge, next - k, extra, stamp, mark, kids);
      for (uint32_t j = 0; j < extra; j++) {
        uint32_t pos = kids[j];
        for (uint32_t q = 0; q < k && mine[q] <= pos; q++)
          pos++;
        EDGE(t, start[l + 1] + pos);
      }
    }
  }
#undef EDGE
  rc = AATGS_OK;
  goto done;
oom:
  rc = aatgs_err_set(err, AATGS_ENOMEM, "heft_layered: out of memory");
done:
  free(w);
  free(start);
  free(stamp);
  free(kids);
  free(par);
  free(off);
  free(byparent);
  return rc;
}

/* ---- daggen ---- */

const aatgs_gen_param aatgs__daggen_params[] = {
    {"n", AATGS_PARAM_UINT, "100", 1, 1e7, "number of tasks"},
    {"fat", AATGS_PARAM_DOUBLE, "0.5", 0, 1,
     "width: about n^fat tasks per level (0: a chain, 1: one level of n tasks)"},
    {"regular", AATGS_PARAM_DOUBLE, "0.9", 0, 1,
     "regularity: a level has n^fat x (1 + r) tasks, r uniform on +-(1 - regular)"},
    {"density", AATGS_PARAM_DOUBLE, "0.5", 0, 1,
     "parents per task: 1 + floor(U x density x width of the previous level)"},
    {"jump", AATGS_PARAM_UINT, "1", 1, 1000, "an edge spans 1 to jump levels"},
    {"ccr", AATGS_PARAM_DOUBLE, "1", 0, 1000,
     "communication to computation ratio (a ratio, not DAGGEN's cost-model number)"},
    {"min_cost", AATGS_PARAM_DURATION, "1ms", 1, 1e12, "smallest task cost"},
    {"max_cost", AATGS_PARAM_DURATION, "10ms", 1, 1e12,
     "largest task cost (costs are uniform on [min_cost, max_cost])"},
    {"bandwidth", AATGS_PARAM_DOUBLE, "10", 1e-6, 1e6,
     "bytes per ns that turn a transfer time into bytes (10 = 10 GB/s)"},
    {"type", AATGS_PARAM_TYPE, "custom", 0, 0,
     "task type of every task (built-in or declared under types:)"},
};
_Static_assert(sizeof aatgs__daggen_params / sizeof aatgs__daggen_params[0] ==
                   AATGS__DAGGEN_NPARAMS,
               "AATGS__DAGGEN_NPARAMS");

const char aatgs__daggen_doc[] =
    "After Suter & Hunold's DAGGEN. Levels: p = floor(n^fat) (at least 1); each level gets "
    "max(1, floor(p (1 + r))) tasks, r uniform on [-(1 - regular), 1 - regular], until n tasks "
    "(the last level takes what is left). Tasks are numbered level by level. A task of level "
    "i > 0 wants min(1 + floor(U density w(i-1)), w(i-1)) parents, w(i-1) the width of level "
    "i-1; for each, a level i - j with j uniform on 1..jump (clamped at level 0) and a random "
    "task there, moving to the next task of that level when it is already a parent (given up "
    "when the level has none left). So every task of a level > 0 has a parent and no edge "
    "spans more than jump levels. Costs are uniform on [min_cost, max_cost]. Like DAGGEN, all "
    "the out-edges of a task carry the same bytes (its output): a transfer time uniform on "
    "[0, 2 ccr mean_cost] times bandwidth, so mean transfer time / mean cost = ccr. DAGGEN's "
    "ccr picks a flop model and its costs come from matrix sizes; here ccr is the ratio and "
    "costs are durations; DAGGEN's Amdahl alpha is not modelled. Tasks: n. Edges: random, "
    "about (n - p)(0.5 + density p / 2).";

static uint64_t daggen_perfect(uint64_t n, double fat) {
  double p = floor(pow((double)n, fat) + 1e-9);
  return p < 1.0 ? 1 : (uint64_t)p;
}

void aatgs__daggen_size(const aatgs_gen_args *a, uint64_t *tasks, uint64_t *edges) {
  uint64_t n = arg_u(a, "n"), p = daggen_perfect(n, arg_d(a, "fat"));
  double per = 0.5 + arg_d(a, "density") * (double)p / 2.0;
  if (per < 1.0) per = 1.0;
  if (per > (double)p) per = (double)p;
  *tasks = n;
  *edges = n > p ? (uint64_t)((double)(n - p) * per + 0.5) : 0;
}

int aatgs__daggen_levels(const aatgs_gen_args *a, uint64_t seed, uint32_t **widths,
                         uint32_t *nlevels, aatgs_err *err) {
  int rc = check_gen(a, "daggen", err);
  if (rc != AATGS_OK) return rc;
  uint64_t n = arg_u(a, "n"), p = daggen_perfect(n, arg_d(a, "fat")), total = 0;
  double spread = 1.0 - arg_d(a, "regular");
  uint32_t *w = NULL, count = 0, cap = 0;
  aatgs_rng r;
  stream(&r, a, seed, S_LEVELS);
  while (total < n) {
    double x = (double)p * (1.0 + spread * (2.0 * aatgs_rng_uniform(&r) - 1.0));
    uint64_t k = x < 1.0 ? 1 : (uint64_t)x;
    if (k > n - total) k = n - total;
    if (count == cap) {
      uint32_t ncap = cap ? 2 * cap : 64;
      uint32_t *nw = realloc(w, (size_t)ncap * sizeof *nw);
      if (!nw) {
        free(w);
        return aatgs_err_set(err, AATGS_ENOMEM, "daggen: out of memory");
      }
      w = nw;
      cap = ncap;
    }
    w[count++] = (uint32_t)k;
    total += k;
  }
  *widths = w;
  *nlevels = count;
  return AATGS_OK;
}

int aatgs__daggen_build(aatgs_graph *g, const aatgs_gen_args *a, uint64_t seed, aatgs_err *err) {
  uint32_t type, nl = 0, *w = NULL, *start = NULL, *stamp = NULL;
  uint64_t *out = NULL;
  uint64_t n = arg_u(a, "n"), jump = arg_u(a, "jump");
  double density = arg_d(a, "density"), ccr = arg_d(a, "ccr"), bw = arg_d(a, "bandwidth");
  aatgs_ns cmin = arg_ns(a, "min_cost"), cmax = arg_ns(a, "max_cost");
  aatgs_rng redge, rcost, rbytes;
  if (cmin > cmax)
    return aatgs_err_set(err, AATGS_EINVAL, "daggen: min_cost must not exceed max_cost");
  int rc = aatgs__gen_resolve_type(g, a, &type, err);
  if (rc != AATGS_OK) return rc;
  rc = aatgs__daggen_levels(a, seed, &w, &nl, err);
  if (rc != AATGS_OK) return rc;
  start = malloc(((size_t)nl + 1) * sizeof *start);
  stamp = calloc((size_t)n, sizeof *stamp); /* stamp[p] = child + 1: p is already its parent */
  out = malloc((size_t)n * sizeof *out);    /* bytes every out-edge of a task carries */
  if (!start || !stamp || !out) {
    rc = aatgs_err_set(err, AATGS_ENOMEM, "daggen: out of memory");
    goto done;
  }
  start[0] = 0;
  for (uint32_t l = 0; l < nl; l++)
    start[l + 1] = start[l] + w[l];
  stream(&redge, a, seed, S_EDGES);
  stream(&rcost, a, seed, S_COST);
  stream(&rbytes, a, seed, S_BYTES);
  double comm = 2.0 * ccr * 0.5 * ((double)cmin + (double)cmax) * bw;
  for (uint32_t l = 0; l < nl; l++) {
    for (uint32_t id = start[l]; id < start[l + 1]; id++) {
      aatgs_ns est = cmin + (aatgs_ns)aatgs_rng_below(&rcost, (uint64_t)(cmax - cmin) + 1);
      out[id] = to_bytes(aatgs_rng_uniform(&rbytes) * comm);
      rc = aatgs_graph_add_task(g, type, est, NULL, 0, NULL, err);
      if (rc != AATGS_OK) goto done;
      if (l == 0) continue;
      uint32_t prev = w[l - 1];
      uint64_t want = 1 + (uint64_t)floor(aatgs_rng_uniform(&redge) * density * prev);
      if (want > prev) want = prev;
      for (uint64_t k = 0; k < want; k++) {
        uint64_t j = 1 + aatgs_rng_below(&redge, jump);
        uint32_t pl = j > l ? 0 : l - (uint32_t)j;
        uint32_t pw = w[pl], first = (uint32_t)aatgs_rng_below(&redge, pw);
        for (uint32_t m = 0; m < pw; m++) {
          uint32_t p = start[pl] + (first + m) % pw;
          if (stamp[p] == id + 1) continue;
          stamp[p] = id + 1;
          rc = aatgs_graph_add_edge_bytes(g, p, id, out[p], err);
          if (rc != AATGS_OK) goto done;
          break;
        }
      }
    }
  }
done:
  free(w);
  free(start);
  free(stamp);
  free(out);
  return rc;
}

/* ---- workflow ---- */

const aatgs_gen_param aatgs__workflow_params[] = {
    {"shape", AATGS_PARAM_CHOICE, "montage", 0, 0,
     "montage, epigenomics, cybershake, inspiral or seismology"},
    {"width", AATGS_PARAM_UINT, "10", 2, 1e7,
     "parallel width: images (montage), read chunks (epigenomics), seismograms (cybershake), "
     "templates (inspiral), stations (seismology)"},
    {"group", AATGS_PARAM_UINT, "0", 0, 1e7,
     "cybershake: seismograms per ExtractSGT (0: 6); inspiral: templates per Thinca block "
     "(0: 7); ignored by the other shapes"},
    {"scale", AATGS_PARAM_DOUBLE, "0.001", 1e-9, 1000,
     "multiplies the instances' runtimes (s) and file sizes (bytes): 0.001 makes 1 s 1 ms"},
    {"cv", AATGS_PARAM_DOUBLE, "0", 0, 10,
     "lognormal spread of each task's estimate around its type's mean (0: the mean)"},
};
_Static_assert(sizeof aatgs__workflow_params / sizeof aatgs__workflow_params[0] ==
                   AATGS__WORKFLOW_NPARAMS,
               "AATGS__WORKFLOW_NPARAMS");

const char aatgs__workflow_doc[] =
    "Scientific workflows shaped like the Pegasus instances of shared/data, w = width, g = "
    "group. Task types are kernel types named after the programs, with the instances' mean "
    "runtimes; edges carry the instances' mean bytes; both times scale. montage (Montage_25 "
    "DAX): w mProjectPP; 2w-3 mDiffFit, one per overlapping pair (i, i+1) and (i, i+2), each "
    "after its two projections; mConcatFit after all diffs; mBgModel; w mBackground, each after "
    "its projection and mBgModel; mImgTbl after all backgrounds; mAdd; mShrink; mJPEG. Tasks "
    "4w+3, edges 9w-5. epigenomics (Epigenomics_24 DAX): fastqSplit -> w chains filterContams "
    "-> sol2sanger -> fastq2bfq -> map -> mapMerge -> maqindex -> pileup. Tasks 4w+4, edges "
    "5w+2. cybershake (CyberShake_100 DAX): s = ceil(w/g) ExtractSGT; w SeismogramSynthesis, "
    "number i after ExtractSGT floor(i/g); w PeakValCalcOkaya, one per synthesis; ZipSeis after "
    "all syntheses, ZipPSA after all peaks. Tasks 2w+s+2, edges 4w. inspiral (Inspiral_30 DAX): "
    "b = ceil(w/g) blocks of k <= g templates: k TmpltBank -> k Inspiral -> Thinca -> k TrigBank "
    "-> k Inspiral -> Thinca. Tasks 4w+2b, edges 5w. seismology (WfCommons seismology 1000p): "
    "w sG1IterDecon -> wrapper_siftSTFByMisfit. Tasks w+1, edges w.";

enum { WF_MONTAGE, WF_EPIGENOMICS, WF_CYBERSHAKE, WF_INSPIRAL, WF_SEISMOLOGY };

typedef struct wf_type {
  const char *name;
  double runtime_s; /* mean runtime in the instance, seconds */
} wf_type;

#define WF_MAX_TYPES 9

/* Mean runtimes per program, from the instances named in the doc. */
static const wf_type wf_types[5][WF_MAX_TYPES + 1] = {
    [WF_MONTAGE] = {{"mProjectPP", 13.592},
                    {"mDiffFit", 10.5967},
                    {"mConcatFit", 0.72},
                    {"mBgModel", 1.42},
                    {"mBackground", 10.71},
                    {"mImgTbl", 1.39},
                    {"mAdd", 3.03},
                    {"mShrink", 3.86},
                    {"mJPEG", 0.45},
                    {NULL, 0}},
    [WF_EPIGENOMICS] = {{"fastqSplit", 103.52},
                        {"filterContams", 8.906},
                        {"sol2sanger", 3.448},
                        {"fastq2bfq", 4.814},
                        {"map", 3227.658},
                        {"mapMerge", 17.23},
                        {"maqindex", 0.05},
                        {"pileup", 1375.22},
                        {NULL, 0}},
    [WF_CYBERSHAKE] = {{"ExtractSGT", 152.2512},
                       {"SeismogramSynthesis", 43.2887},
                       {"PeakValCalcOkaya", 1.0802},
                       {"ZipSeis", 0.80},
                       {"ZipPSA", 0.34},
                       {NULL, 0}},
    [WF_INSPIRAL] = {{"TmpltBank", 17.86},
                     {"Inspiral", 460.3293},
                     {"Thinca", 5.23},
                     {"TrigBank", 5.2829},
                     {NULL, 0}},
    [WF_SEISMOLOGY] = {{"sG1IterDecon", 0.5381}, {"wrapper_siftSTFByMisfit", 0.352}, {NULL, 0}},
};

/* Type indices within each shape's row above. */
enum { M_PROJECT, M_DIFF, M_CONCAT, M_BGMODEL, M_BACKGROUND, M_IMGTBL, M_ADD, M_SHRINK, M_JPEG };
enum { E_SPLIT, E_FILTER, E_SOL2SANGER, E_FASTQ2BFQ, E_MAP, E_MERGE, E_MAQINDEX, E_PILEUP };
enum { C_SGT, C_SYNTH, C_PEAK, C_ZIPSEIS, C_ZIPPSA };
enum { I_TMPLT, I_INSPIRAL, I_THINCA, I_TRIGBANK };
enum { S_DECON, S_WRAPPER };

/* Mean bytes per edge, by (producer, consumer) program, from the same
 * instances (the sizes of the files the producer writes and the consumer
 * reads). */
#define B_PROJ_DIFF 8323131.0
#define B_DIFF_CONCAT 408676.0
#define B_CONCAT_BGMODEL 1889.0
#define B_BGMODEL_BACKGROUND 265.0
#define B_PROJ_BACKGROUND 8334297.0
#define B_BACKGROUND_IMGTBL 8334297.0
#define B_IMGTBL_ADD 1599.0
#define B_ADD_SHRINK 93019228.0
#define B_SHRINK_JPEG 1861129.0
#define B_SPLIT_FILTER 89371871.0
#define B_FILTER_SOL2SANGER 44302427.0
#define B_SOL2SANGER_FASTQ2BFQ 33669689.0
#define B_FASTQ2BFQ_MAP 8250848.0
#define B_MAP_MERGE 8968312.0
#define B_MERGE_MAQINDEX 42303358.0
#define B_MAQINDEX_PILEUP 641552.0
#define B_SGT_SYNTH 461649286.0
#define B_SYNTH_PEAK 24000.0
#define B_SYNTH_ZIPSEIS 24000.0
#define B_PEAK_ZIPPSA 216.0
#define B_TMPLT_INSPIRAL 990289.0
#define B_INSPIRAL_THINCA 324970.0
#define B_THINCA_TRIGBANK 28646.0
#define B_TRIGBANK_INSPIRAL 11003.0
#define B_DECON_WRAPPER 6320.0

static uint64_t wf_group(uint64_t shape, uint64_t group) {
  if (group) return group;
  return shape == WF_CYBERSHAKE ? 6 : 7;
}

static uint64_t ceil_div(uint64_t a, uint64_t b) { return a / b + (a % b != 0); }

void aatgs__workflow_size(const aatgs_gen_args *a, uint64_t *tasks, uint64_t *edges) {
  uint64_t shape = arg_u(a, "shape"), w = arg_u(a, "width");
  uint64_t g = wf_group(shape, arg_u(a, "group"));
  switch (shape) {
  case WF_MONTAGE:
    *tasks = 4 * w + 3;
    *edges = 9 * w - 5;
    return;
  case WF_EPIGENOMICS:
    *tasks = 4 * w + 4;
    *edges = 5 * w + 2;
    return;
  case WF_CYBERSHAKE:
    *tasks = 2 * w + ceil_div(w, g) + 2;
    *edges = 4 * w;
    return;
  case WF_INSPIRAL:
    *tasks = 4 * w + 2 * ceil_div(w, g);
    *edges = 5 * w;
    return;
  default:
    *tasks = w + 1;
    *edges = w;
    return;
  }
}

typedef struct wf_ctx {
  aatgs_graph *g;
  aatgs_err *err;
  const wf_type *types;
  uint32_t type_id[WF_MAX_TYPES];
  double scale, cv;
  uint64_t noise_seed;
  uint32_t next; /* id of the next task */
} wf_ctx;

/* Adds a task of the shape's type t; its id is c->next before the call. */
static int wf_task(wf_ctx *c, int t) {
  double f = aatgs_noise_lognormal(c->noise_seed, c->next, c->cv);
  aatgs_ns est = to_ns(c->types[t].runtime_s * c->scale * 1e9 * f);
  int rc = aatgs_graph_add_task(c->g, c->type_id[t], est, NULL, 0, NULL, c->err);
  if (rc == AATGS_OK) c->next++;
  return rc;
}

static int wf_edge(wf_ctx *c, uint32_t src, uint32_t dst, double bytes) {
  return aatgs_graph_add_edge_bytes(c->g, src, dst, to_bytes(bytes * c->scale), c->err);
}

#define TRY(x)                                                                                     \
  do {                                                                                             \
    int rc_ = (x);                                                                                 \
    if (rc_ != AATGS_OK) return rc_;                                                               \
  } while (0)

/* Ids: projections 0..n-1, diffs n..n+d-1, concat, bgmodel, backgrounds,
 * imgtbl, add, shrink, jpeg. */
static int wf_montage(wf_ctx *c, uint32_t n) {
  uint32_t d = 2 * n - 3;
  for (uint32_t i = 0; i < n; i++)
    TRY(wf_task(c, M_PROJECT));
  for (uint32_t step = 1; step <= 2; step++) {
    for (uint32_t i = 0; i + step < n; i++) {
      uint32_t id = c->next;
      TRY(wf_task(c, M_DIFF));
      TRY(wf_edge(c, i, id, B_PROJ_DIFF));
      TRY(wf_edge(c, i + step, id, B_PROJ_DIFF));
    }
  }
  uint32_t concat = c->next;
  TRY(wf_task(c, M_CONCAT));
  for (uint32_t k = 0; k < d; k++)
    TRY(wf_edge(c, n + k, concat, B_DIFF_CONCAT));
  uint32_t bgmodel = c->next;
  TRY(wf_task(c, M_BGMODEL));
  TRY(wf_edge(c, concat, bgmodel, B_CONCAT_BGMODEL));
  uint32_t bg0 = c->next;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t id = c->next;
    TRY(wf_task(c, M_BACKGROUND));
    TRY(wf_edge(c, i, id, B_PROJ_BACKGROUND));
    TRY(wf_edge(c, bgmodel, id, B_BGMODEL_BACKGROUND));
  }
  uint32_t imgtbl = c->next;
  TRY(wf_task(c, M_IMGTBL));
  for (uint32_t i = 0; i < n; i++)
    TRY(wf_edge(c, bg0 + i, imgtbl, B_BACKGROUND_IMGTBL));
  TRY(wf_task(c, M_ADD));
  TRY(wf_edge(c, imgtbl, imgtbl + 1, B_IMGTBL_ADD));
  TRY(wf_task(c, M_SHRINK));
  TRY(wf_edge(c, imgtbl + 1, imgtbl + 2, B_ADD_SHRINK));
  TRY(wf_task(c, M_JPEG));
  TRY(wf_edge(c, imgtbl + 2, imgtbl + 3, B_SHRINK_JPEG));
  return AATGS_OK;
}

/* Ids: fastqSplit 0, then stage by stage (w filterContams, w sol2sanger, w
 * fastq2bfq, w map), mapMerge, maqindex, pileup. */
static int wf_epigenomics(wf_ctx *c, uint32_t w) {
  static const double in_bytes[4] = {B_SPLIT_FILTER, B_FILTER_SOL2SANGER, B_SOL2SANGER_FASTQ2BFQ,
                                     B_FASTQ2BFQ_MAP};
  TRY(wf_task(c, E_SPLIT));
  for (int s = 0; s < 4; s++) {
    for (uint32_t i = 0; i < w; i++) {
      uint32_t id = c->next, parent = s == 0 ? 0 : 1 + (uint32_t)(s - 1) * w + i;
      TRY(wf_task(c, E_FILTER + s));
      TRY(wf_edge(c, parent, id, in_bytes[s]));
    }
  }
  uint32_t merge = c->next;
  TRY(wf_task(c, E_MERGE));
  for (uint32_t i = 0; i < w; i++)
    TRY(wf_edge(c, 1 + 3 * w + i, merge, B_MAP_MERGE));
  TRY(wf_task(c, E_MAQINDEX));
  TRY(wf_edge(c, merge, merge + 1, B_MERGE_MAQINDEX));
  TRY(wf_task(c, E_PILEUP));
  TRY(wf_edge(c, merge + 1, merge + 2, B_MAQINDEX_PILEUP));
  return AATGS_OK;
}

/* Ids: s ExtractSGT, w SeismogramSynthesis, w PeakValCalcOkaya, ZipSeis, ZipPSA. */
static int wf_cybershake(wf_ctx *c, uint32_t w, uint32_t g) {
  uint32_t s = (uint32_t)ceil_div(w, g);
  for (uint32_t j = 0; j < s; j++)
    TRY(wf_task(c, C_SGT));
  for (uint32_t i = 0; i < w; i++) {
    TRY(wf_task(c, C_SYNTH));
    TRY(wf_edge(c, i / g, s + i, B_SGT_SYNTH));
  }
  for (uint32_t i = 0; i < w; i++) {
    TRY(wf_task(c, C_PEAK));
    TRY(wf_edge(c, s + i, s + w + i, B_SYNTH_PEAK));
  }
  uint32_t zipseis = c->next;
  TRY(wf_task(c, C_ZIPSEIS));
  for (uint32_t i = 0; i < w; i++)
    TRY(wf_edge(c, s + i, zipseis, B_SYNTH_ZIPSEIS));
  TRY(wf_task(c, C_ZIPPSA));
  for (uint32_t i = 0; i < w; i++)
    TRY(wf_edge(c, s + w + i, zipseis + 1, B_PEAK_ZIPPSA));
  return AATGS_OK;
}

/* Ids block by block: k TmpltBank, k Inspiral, Thinca, k TrigBank, k Inspiral,
 * Thinca. */
static int wf_inspiral(wf_ctx *c, uint32_t w, uint32_t g) {
  for (uint32_t done = 0; done < w;) {
    uint32_t k = w - done < g ? w - done : g, b = c->next;
    for (uint32_t i = 0; i < k; i++)
      TRY(wf_task(c, I_TMPLT));
    for (uint32_t i = 0; i < k; i++) {
      TRY(wf_task(c, I_INSPIRAL));
      TRY(wf_edge(c, b + i, b + k + i, B_TMPLT_INSPIRAL));
    }
    uint32_t thinca1 = c->next;
    TRY(wf_task(c, I_THINCA));
    for (uint32_t i = 0; i < k; i++)
      TRY(wf_edge(c, b + k + i, thinca1, B_INSPIRAL_THINCA));
    for (uint32_t i = 0; i < k; i++) {
      TRY(wf_task(c, I_TRIGBANK));
      TRY(wf_edge(c, thinca1, thinca1 + 1 + i, B_THINCA_TRIGBANK));
    }
    for (uint32_t i = 0; i < k; i++) {
      TRY(wf_task(c, I_INSPIRAL));
      TRY(wf_edge(c, thinca1 + 1 + i, thinca1 + 1 + k + i, B_TRIGBANK_INSPIRAL));
    }
    uint32_t thinca2 = c->next;
    TRY(wf_task(c, I_THINCA));
    for (uint32_t i = 0; i < k; i++)
      TRY(wf_edge(c, thinca1 + 1 + k + i, thinca2, B_INSPIRAL_THINCA));
    done += k;
  }
  return AATGS_OK;
}

static int wf_seismology(wf_ctx *c, uint32_t w) {
  for (uint32_t i = 0; i < w; i++)
    TRY(wf_task(c, S_DECON));
  TRY(wf_task(c, S_WRAPPER));
  for (uint32_t i = 0; i < w; i++)
    TRY(wf_edge(c, i, w, B_DECON_WRAPPER));
  return AATGS_OK;
}

#undef TRY

int aatgs__workflow_build(aatgs_graph *g, const aatgs_gen_args *a, uint64_t seed, aatgs_err *err) {
  uint64_t shape = arg_u(a, "shape"), w = arg_u(a, "width");
  uint64_t group = wf_group(shape, arg_u(a, "group"));
  wf_ctx c = {.g = g, .err = err, .scale = arg_d(a, "scale"), .cv = arg_d(a, "cv")};
  if (shape > WF_SEISMOLOGY)
    return aatgs_err_set(err, AATGS_EINVAL, "workflow: invalid shape %llu",
                         (unsigned long long)shape);
  c.types = wf_types[shape];
  c.noise_seed = aatgs_hash64(seed, aatgs__fnv1a64("workflow", 8));
  for (int t = 0; c.types[t].name; t++) {
    aatgs_ns est = to_ns(c.types[t].runtime_s * c.scale * 1e9);
    if (aatgs_graph_add_type(g, c.types[t].name, est, AATGS_CLASS_KERNEL, &c.type_id[t]) !=
        AATGS_OK)
      return aatgs_err_set(err, AATGS_EFULL, "workflow: cannot register task type %s",
                           c.types[t].name);
  }
  c.next = aatgs_graph_num_tasks(g);
  if (c.next != 0) return aatgs_err_set(err, AATGS_EINVAL, "workflow: the graph must be empty");
  switch (shape) {
  case WF_MONTAGE: return wf_montage(&c, (uint32_t)w);
  case WF_EPIGENOMICS: return wf_epigenomics(&c, (uint32_t)w);
  case WF_CYBERSHAKE: return wf_cybershake(&c, (uint32_t)w, (uint32_t)group);
  case WF_INSPIRAL: return wf_inspiral(&c, (uint32_t)w, (uint32_t)group);
  default: return wf_seismology(&c, (uint32_t)w);
  }
}
