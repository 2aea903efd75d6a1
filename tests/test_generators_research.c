/* test_generators_research.c - heft_layered, daggen and workflow: closed
 * forms, level structure, CCR and beta, determinism, and the workflow shapes
 * against the real Pegasus instances in $AATGS_DATA_DIR. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "generators.h"
#include "generators_internal.h"
#include "graph.h"
#include "importers.h"

static aatgs_gen_args args_for(const char *gen) {
  aatgs_gen_args a;
  const aatgs_generator *g = aatgs_generator_find(gen);
  cr_assert_not_null(g, "generator %s", gen);
  aatgs_gen_args_init(&a, g);
  return a;
}

static void set(aatgs_gen_args *a, const char *name, const char *text) {
  aatgs_err err = {0};
  int rc = aatgs_gen_args_set(a, name, text, &err);
  cr_assert_eq(rc, AATGS_OK, "%s=%s: %s", name, text, err.msg);
}

static void setu(aatgs_gen_args *a, const char *name, unsigned long long v) {
  char buf[32];
  snprintf(buf, sizeof buf, "%llu", v);
  set(a, name, buf);
}

static aatgs_graph *generate(const aatgs_gen_args *a, uint64_t seed) {
  aatgs_err err = {0};
  aatgs_graph *g = NULL;
  int rc = aatgs_gen_generate(a, seed, &g, &err);
  cr_assert_eq(rc, AATGS_OK, "%s", err.msg);
  return g;
}

/* level[t] from level widths (tasks numbered level by level). */
static uint32_t *levels_of(const uint32_t *w, uint32_t nl, uint32_t n) {
  uint32_t *lv = malloc((size_t)n * sizeof *lv), t = 0;
  cr_assert_not_null(lv);
  for (uint32_t l = 0; l < nl; l++)
    for (uint32_t k = 0; k < w[l]; k++) {
      cr_assert_lt(t, n, "level widths add up to more than %u tasks", n);
      lv[t++] = l;
    }
  cr_assert_eq(t, n, "level widths add up to %u, not %u", t, n);
  return lv;
}

/* Same structure, estimates and edge bytes. */
static int same_graph(aatgs_graph *a, aatgs_graph *b) {
  uint32_t n = aatgs_graph_num_tasks(a);
  if (n != aatgs_graph_num_tasks(b) || aatgs_graph_num_edges(a) != aatgs_graph_num_edges(b))
    return 0;
  for (uint32_t t = 0; t < n; t++) {
    uint32_t na, nb;
    const uint32_t *pa = aatgs_graph_predecessors(a, t, &na),
                   *pb = aatgs_graph_predecessors(b, t, &nb);
    const uint64_t *ba = aatgs_graph_predecessor_bytes(a, t),
                   *bb = aatgs_graph_predecessor_bytes(b, t);
    if (aatgs_graph_task_estimate(a, t) != aatgs_graph_task_estimate(b, t) || na != nb) return 0;
    if ((ba == NULL) != (bb == NULL)) return 0;
    for (uint32_t k = 0; k < na; k++)
      if (pa[k] != pb[k] || (ba && ba[k] != bb[k])) return 0;
  }
  return 1;
}

/* Mean transfer time (bytes / bandwidth) over edges divided by mean estimate. */
static double measured_ccr(aatgs_graph *g, double bandwidth) {
  double bytes = 0, work = 0;
  uint64_t edges = 0;
  uint32_t n = aatgs_graph_num_tasks(g);
  for (uint32_t t = 0; t < n; t++) {
    uint32_t np;
    aatgs_graph_predecessors(g, t, &np);
    const uint64_t *pb = aatgs_graph_predecessor_bytes(g, t);
    for (uint32_t k = 0; k < np; k++)
      bytes += pb ? (double)pb[k] : 0.0;
    edges += np;
    work += (double)aatgs_graph_task_estimate(g, t);
  }
  cr_assert_gt(edges, 0);
  return (bytes / bandwidth / (double)edges) / (work / n);
}

Test(generators_research, registered_with_documented_defaults) {
  const char *names[] = {"heft_layered", "daggen", "workflow"};
  for (size_t i = 0; i < 3; i++) {
    const aatgs_generator *g = aatgs_generator_find(names[i]);
    cr_assert_not_null(g, "%s", names[i]);
    cr_assert(g->summary && *g->summary && g->doc && strlen(g->doc) > 200);
    cr_assert(g->nparams > 0 && g->nparams <= AATGS_GEN_MAX_PARAMS);
    for (size_t j = 0; j < g->nparams; j++) {
      aatgs_gen_args a = args_for(names[i]);
      aatgs_err err = {0};
      cr_assert(g->params[j].name && g->params[j].doc && *g->params[j].doc);
      cr_assert_eq(aatgs_gen_args_set(&a, g->params[j].name, g->params[j].def, &err), AATGS_OK,
                   "%s.%s default \"%s\": %s", names[i], g->params[j].name, g->params[j].def,
                   err.msg);
    }
    /* The defaults build. */
    aatgs_gen_args a = args_for(names[i]);
    aatgs_graph *gr = generate(&a, 1);
    cr_assert_gt(aatgs_graph_num_tasks(gr), 1);
    aatgs_graph_destroy(gr);
  }
  char list[512];
  aatgs_generator_names(list, sizeof list);
  cr_assert(strstr(list, "heft_layered, daggen, workflow"), "%s", list);
}

Test(generators_research, shape_is_a_checked_choice) {
  aatgs_gen_args a = args_for("workflow");
  aatgs_err err = {0};
  cr_assert_str_eq(aatgs_gen_args_get(&a, "shape")->type, "montage");
  cr_assert_eq(aatgs_gen_args_get(&a, "shape")->u, 0);
  cr_assert_eq(aatgs_gen_args_set(&a, "shape", "montag", &err), AATGS_EINVAL);
  cr_assert(strstr(err.msg, "\"montag\" is not one of montage, epigenomics, cybershake, inspiral"),
            "%s", err.msg);
  set(&a, "shape", "inspiral");
  cr_assert_eq(aatgs_gen_args_get(&a, "shape")->u, 3);
  char *json = aatgs_gen_args_json(&a);
  cr_assert_not_null(json);
  cr_assert(strstr(json, "\"shape\":\"inspiral\""), "%s", json);
  free(json);
  cr_assert_null(aatgs__param_choices(&aatgs__heft_layered_params[0]));
  cr_assert_eq(aatgs_gen_args_set(&a, "width", "1", &err), AATGS_EINVAL);
}

/* ---- workflow ---- */

typedef struct shape_case {
  const char *shape;
  const char *types[10];
  uint32_t depth;
} shape_case;

static const shape_case SHAPES[] = {
    {"montage",
     {"mProjectPP", "mDiffFit", "mConcatFit", "mBgModel", "mBackground", "mImgTbl", "mAdd",
      "mShrink", "mJPEG"},
     9},
    {"epigenomics",
     {"fastqSplit", "filterContams", "sol2sanger", "fastq2bfq", "map", "mapMerge", "maqindex",
      "pileup"},
     8},
    {"cybershake",
     {"ExtractSGT", "SeismogramSynthesis", "PeakValCalcOkaya", "ZipSeis", "ZipPSA"},
     4},
    {"inspiral", {"TmpltBank", "Inspiral", "Thinca", "TrigBank"}, 6},
    {"seismology", {"sG1IterDecon", "wrapper_siftSTFByMisfit"}, 2},
};

static uint64_t cdiv(uint64_t a, uint64_t b) { return (a + b - 1) / b; }

/* Expected count of each of the shape's types (SHAPES order), and totals. */
static void expected(size_t s, uint64_t w, uint64_t g, uint64_t cnt[10], uint64_t *tasks,
                     uint64_t *edges) {
  memset(cnt, 0, 10 * sizeof cnt[0]);
  switch (s) {
  case 0:
    cnt[0] = w, cnt[1] = 2 * w - 3, cnt[2] = cnt[3] = 1, cnt[4] = w;
    cnt[5] = cnt[6] = cnt[7] = cnt[8] = 1;
    *tasks = 4 * w + 3, *edges = 9 * w - 5;
    break;
  case 1:
    cnt[0] = 1, cnt[1] = cnt[2] = cnt[3] = cnt[4] = w, cnt[5] = cnt[6] = cnt[7] = 1;
    *tasks = 4 * w + 4, *edges = 5 * w + 2;
    break;
  case 2:
    g = g ? g : 6;
    cnt[0] = cdiv(w, g), cnt[1] = cnt[2] = w, cnt[3] = cnt[4] = 1;
    *tasks = 2 * w + cdiv(w, g) + 2, *edges = 4 * w;
    break;
  case 3:
    g = g ? g : 7;
    cnt[0] = w, cnt[1] = 2 * w, cnt[2] = 2 * cdiv(w, g), cnt[3] = w;
    *tasks = 4 * w + 2 * cdiv(w, g), *edges = 5 * w;
    break;
  default: cnt[0] = w, cnt[1] = 1; *tasks = w + 1, *edges = w;
  }
}

static uint64_t count_type(aatgs_graph *g, const char *name) {
  uint32_t type;
  uint64_t c = 0;
  if (aatgs_graph_find_type(g, name, &type) != AATGS_OK) return 0;
  for (uint32_t t = 0; t < aatgs_graph_num_tasks(g); t++)
    c += aatgs_graph_task_type(g, t) == type;
  return c;
}

Test(generators_research, workflow_closed_forms) {
  const uint64_t widths[] = {2, 3, 5, 7, 13, 45, 100, 1000};
  const uint64_t groups[] = {0, 1, 4};
  for (size_t s = 0; s < sizeof SHAPES / sizeof SHAPES[0]; s++) {
    for (size_t wi = 0; wi < sizeof widths / sizeof widths[0]; wi++) {
      for (size_t gi = 0; gi < 3; gi++) {
        aatgs_gen_args a = args_for("workflow");
        uint64_t cnt[10], tasks, edges, st, se;
        set(&a, "shape", SHAPES[s].shape);
        setu(&a, "width", widths[wi]);
        setu(&a, "group", groups[gi]);
        expected(s, widths[wi], groups[gi], cnt, &tasks, &edges);
        a.gen->size(&a, &st, &se);
        cr_assert_eq(st, tasks, "%s w=%llu size tasks", SHAPES[s].shape,
                     (unsigned long long)widths[wi]);
        cr_assert_eq(se, edges, "%s w=%llu size edges", SHAPES[s].shape,
                     (unsigned long long)widths[wi]);
        aatgs_graph *g = generate(&a, 1);
        cr_assert_eq(aatgs_graph_num_tasks(g), tasks, "%s w=%llu g=%llu: %u tasks, want %llu",
                     SHAPES[s].shape, (unsigned long long)widths[wi],
                     (unsigned long long)groups[gi], aatgs_graph_num_tasks(g),
                     (unsigned long long)tasks);
        cr_assert_eq(aatgs_graph_num_edges(g), edges, "%s w=%llu g=%llu: %llu edges, want %llu",
                     SHAPES[s].shape, (unsigned long long)widths[wi],
                     (unsigned long long)groups[gi], (unsigned long long)aatgs_graph_num_edges(g),
                     (unsigned long long)edges);
        for (size_t k = 0; SHAPES[s].types[k]; k++)
          cr_assert_eq(count_type(g, SHAPES[s].types[k]), cnt[k], "%s w=%llu: %s %llu, want %llu",
                       SHAPES[s].shape, (unsigned long long)widths[wi], SHAPES[s].types[k],
                       (unsigned long long)count_type(g, SHAPES[s].types[k]),
                       (unsigned long long)cnt[k]);
        cr_assert_eq(aatgs_graph_depth(g), SHAPES[s].depth, "%s depth %u", SHAPES[s].shape,
                     aatgs_graph_depth(g));
        aatgs_graph_destroy(g);
      }
    }
  }
}

Test(generators_research, workflow_estimates_and_bytes_follow_scale_and_cv) {
  aatgs_gen_args a = args_for("workflow");
  set(&a, "shape", "epigenomics");
  set(&a, "width", "400");
  set(&a, "scale", "0.001");
  aatgs_graph *g = generate(&a, 3);
  uint32_t map_t, merge_t, np;
  cr_assert_eq(aatgs_graph_find_type(g, "map", &map_t), AATGS_OK);
  cr_assert_eq(aatgs_graph_find_type(g, "mapMerge", &merge_t), AATGS_OK);
  cr_assert_eq(aatgs_graph_type(g, map_t)->cls, AATGS_CLASS_KERNEL);
  /* cv 0: every map task takes the instance's mean, 3227.658 s x 0.001. */
  for (uint32_t t = 0; t < aatgs_graph_num_tasks(g); t++)
    if (aatgs_graph_task_type(g, t) == map_t)
      cr_assert_eq(aatgs_graph_task_estimate(g, t), 3227658000);
  /* mapMerge reads every map's 8968312 bytes x 0.001. */
  uint32_t merge = 1 + 4 * 400;
  cr_assert_eq(aatgs_graph_task_type(g, merge), merge_t);
  const uint32_t *p = aatgs_graph_predecessors(g, merge, &np);
  const uint64_t *pb = aatgs_graph_predecessor_bytes(g, merge);
  cr_assert_eq(np, 400);
  cr_assert_not_null(pb);
  for (uint32_t k = 0; k < np; k++) {
    cr_assert_eq(aatgs_graph_task_type(g, p[k]), map_t);
    cr_assert_eq(pb[k], 8968);
  }
  aatgs_graph_destroy(g);

  /* cv 0.3: estimates vary around the mean, deterministically per seed. */
  set(&a, "cv", "0.3");
  aatgs_graph *g1 = generate(&a, 3), *g2 = generate(&a, 3), *g3 = generate(&a, 4);
  cr_assert(same_graph(g1, g2));
  cr_assert_not(same_graph(g1, g3));
  double sum = 0, sum2 = 0;
  uint32_t n = 0;
  for (uint32_t t = 0; t < aatgs_graph_num_tasks(g1); t++) {
    if (aatgs_graph_task_type(g1, t) != map_t) continue;
    double x = (double)aatgs_graph_task_estimate(g1, t) / 3227658000.0;
    sum += x, sum2 += x * x, n++;
  }
  double mean = sum / n, sd = sqrt(sum2 / n - mean * mean);
  cr_assert(fabs(mean - 1.0) < 0.06, "mean factor %f", mean);
  cr_assert(sd > 0.2 && sd < 0.4, "sd of factor %f", sd);
  aatgs_graph_destroy(g1);
  aatgs_graph_destroy(g2);
  aatgs_graph_destroy(g3);
}

/* ---- workflow shapes against the real instances ---- */

/* A type name without the instance's decorations: "map_chr21" -> "map",
 * "sG1IterDecon_ID0000001" -> "sG1IterDecon". */
static void base_name(const char *in, char *out, size_t cap) {
  snprintf(out, cap, "%s", in);
  char *p = strstr(out, "_chr21");
  if (p) *p = '\0';
  p = strstr(out, "_ID");
  if (p) *p = '\0';
}

#define MAX_PAIRS 64
typedef struct profile {
  size_t ntypes, npairs;
  char type[16][48];
  uint64_t count[16];
  double runtime[16]; /* mean estimate, ns */
  char pair[MAX_PAIRS][100];
  uint64_t pair_count[MAX_PAIRS];
} profile;

static size_t profile_type(profile *p, const char *name) {
  for (size_t i = 0; i < p->ntypes; i++)
    if (!strcmp(p->type[i], name)) return i;
  cr_assert_lt(p->ntypes, 16);
  snprintf(p->type[p->ntypes], sizeof p->type[0], "%s", name);
  return p->ntypes++;
}

/* Per-type counts and mean estimates, and edge counts per (parent type, child type). */
static void profile_graph(aatgs_graph *g, profile *p) {
  memset(p, 0, sizeof *p);
  for (uint32_t t = 0; t < aatgs_graph_num_tasks(g); t++) {
    char name[48], pname[48], key[100];
    uint32_t np;
    base_name(aatgs_graph_type(g, aatgs_graph_task_type(g, t))->name, name, sizeof name);
    size_t i = profile_type(p, name);
    p->count[i]++;
    p->runtime[i] += (double)aatgs_graph_task_estimate(g, t);
    const uint32_t *pr = aatgs_graph_predecessors(g, t, &np);
    for (uint32_t k = 0; k < np; k++) {
      base_name(aatgs_graph_type(g, aatgs_graph_task_type(g, pr[k]))->name, pname, sizeof pname);
      snprintf(key, sizeof key, "%s->%s", pname, name);
      size_t j = 0;
      while (j < p->npairs && strcmp(p->pair[j], key))
        j++;
      if (j == p->npairs) {
        cr_assert_lt(p->npairs, MAX_PAIRS);
        snprintf(p->pair[p->npairs++], sizeof p->pair[0], "%s", key);
      }
      p->pair_count[j]++;
    }
  }
  for (size_t i = 0; i < p->ntypes; i++)
    p->runtime[i] /= (double)p->count[i];
}

static int involves(const char *s, const char *skip) { return skip && strstr(s, skip) != NULL; }

/* Compares two profiles; types or pairs whose name contains `skip` are not compared. */
static void compare_profiles(const char *what, const profile *real, const profile *gen,
                             const char *skip, int runtimes) {
  size_t compared = 0;
  for (size_t i = 0; i < real->ntypes; i++) {
    size_t j = 0;
    while (j < gen->ntypes && strcmp(gen->type[j], real->type[i]))
      j++;
    cr_assert_lt(j, gen->ntypes, "%s: type %s of the instance is not generated", what,
                 real->type[i]);
    /* Mean runtimes: the generator's tables are the instance's means. */
    if (runtimes)
      cr_assert(fabs(gen->runtime[j] - real->runtime[i]) <= 1e-3 * real->runtime[i] + 1e6,
                "%s: %s mean %.0f ns, instance %.0f ns", what, real->type[i], gen->runtime[j],
                real->runtime[i]);
    if (involves(real->type[i], skip)) continue;
    cr_assert_eq(gen->count[j], real->count[i], "%s: %llu %s, instance %llu", what,
                 (unsigned long long)gen->count[j], real->type[i],
                 (unsigned long long)real->count[i]);
    compared++;
  }
  cr_assert_eq(gen->ntypes, real->ntypes, "%s: %zu types, instance %zu", what, gen->ntypes,
               real->ntypes);
  for (size_t i = 0; i < real->npairs; i++) {
    size_t j = 0;
    while (j < gen->npairs && strcmp(gen->pair[j], real->pair[i]))
      j++;
    cr_assert_lt(j, gen->npairs, "%s: no %s edges generated", what, real->pair[i]);
    if (involves(real->pair[i], skip)) continue;
    cr_assert_eq(gen->pair_count[j], real->pair_count[i], "%s: %llu %s edges, instance %llu", what,
                 (unsigned long long)gen->pair_count[j], real->pair[i],
                 (unsigned long long)real->pair_count[i]);
    compared++;
  }
  cr_assert_eq(gen->npairs, real->npairs, "%s: %zu kinds of edges, instance %zu", what, gen->npairs,
               real->npairs);
  cr_assert_gt(compared, 0);
}

static const char *data_dir(void) {
  const char *d = getenv("AATGS_DATA_DIR");
  if (!d || !*d) cr_skip_test("AATGS_DATA_DIR is not set (CI sets it to ../shared/data)");
  return d;
}

static void check_instance(const char *file, int dax, const char *shape, const char *width,
                           const char *group, const char *skip, int runtimes) {
  char path[1024];
  aatgs_err err = {0};
  aatgs_graph *real;
  profile pr, pg;
  snprintf(path, sizeof path, "%s/%s", data_dir(), file);
  cr_assert_eq(aatgs_graph_create(&real, 0, 0), AATGS_OK);
  int rc = dax ? aatgs_import_dax(real, path, AATGS_NS_PER_S, &err)
               : aatgs_import_wfcommons(real, path, AATGS_NS_PER_S, &err);
  cr_assert_eq(rc, AATGS_OK, "%s", err.msg);
  cr_assert_eq(aatgs_graph_finalize(real, &err), AATGS_OK, "%s", err.msg);
  aatgs_gen_args a = args_for("workflow");
  set(&a, "shape", shape);
  set(&a, "width", width);
  set(&a, "group", group);
  set(&a, "scale", "1"); /* estimates in ns of the instance's seconds */
  aatgs_graph *g = generate(&a, 1);
  profile_graph(real, &pr);
  profile_graph(g, &pg);
  compare_profiles(file, &pr, &pg, skip, runtimes);
  if (!skip) {
    cr_assert_eq(aatgs_graph_num_tasks(g), aatgs_graph_num_tasks(real), "%s", file);
    cr_assert_eq(aatgs_graph_num_edges(g), aatgs_graph_num_edges(real), "%s", file);
    cr_assert_eq(aatgs_graph_depth(g), aatgs_graph_depth(real), "%s", file);
  }
  aatgs_graph_destroy(real);
  aatgs_graph_destroy(g);
}

Test(generators_research, epigenomics_matches_the_dax) {
  check_instance("pegasus-dax/Epigenomics_24.xml", 1, "epigenomics", "5", "0", NULL, 1);
}

Test(generators_research, cybershake_matches_the_daxes) {
  check_instance("pegasus-dax/CyberShake_100.xml", 1, "cybershake", "45", "0", NULL, 1);
  check_instance("pegasus-dax/CyberShake_30.xml", 1, "cybershake", "13", "7", NULL,
                 0); /* runtimes: from CyberShake_100 */
}

Test(generators_research, inspiral_matches_the_dax) {
  check_instance("pegasus-dax/Inspiral_30.xml", 1, "inspiral", "7", "0", NULL, 1);
}

Test(generators_research, seismology_matches_the_wfcommons_trace) {
  check_instance("wfcommons/pegasus/seismology-chameleon-1000p-001.json", 0, "seismology", "1000",
                 "0", NULL, 1);
}

/* Montage_25 has 5 images; its 9 mDiffFit come from the sky geometry (one
 * pair twice, one diff with a single image), where the generator has 2w - 3
 * = 7 overlaps. Every other type and every edge kind not touching mDiffFit
 * matches exactly; mDiffFit must still sit between mProjectPP and mConcatFit. */
Test(generators_research, montage_matches_the_dax_but_for_the_overlaps) {
  check_instance("pegasus-dax/Montage_25.xml", 1, "montage", "5", "0", "mDiffFit", 1);
}

/* ---- heft_layered ---- */

Test(generators_research, heft_layered_levels_and_structure) {
  const char *vs[] = {"1", "2", "10", "50", "100", "1000", "5000"};
  const char *alphas[] = {"0.5", "1", "2", "0.1"};
  for (size_t i = 0; i < sizeof vs / sizeof vs[0]; i++) {
    for (size_t j = 0; j < sizeof alphas / sizeof alphas[0]; j++) {
      aatgs_gen_args a = args_for("heft_layered");
      aatgs_err err = {0};
      uint32_t *w, nl;
      set(&a, "v", vs[i]);
      set(&a, "alpha", alphas[j]);
      set(&a, "out_degree", "2.5");
      uint64_t v = strtoull(vs[i], NULL, 10);
      double h = ceil(sqrt((double)v) / strtod(alphas[j], NULL));
      if (h > (double)v) h = (double)v;
      aatgs_graph *g = generate(&a, 7);
      uint32_t n = aatgs_graph_num_tasks(g);
      cr_assert_eq(n, v, "v=%s: %u tasks", vs[i], n);
      cr_assert_eq(aatgs__heft_layered_levels(&a, 7, &w, &nl, &err), AATGS_OK, "%s", err.msg);
      cr_assert_eq(nl, (uint32_t)h, "v=%s alpha=%s: %u levels, want %.0f", vs[i], alphas[j], nl, h);
      /* The depth is the number of levels: every task of level l has a parent in l-1. */
      cr_assert_eq(aatgs_graph_depth(g), nl, "v=%s alpha=%s depth %u", vs[i], alphas[j],
                   aatgs_graph_depth(g));
      uint32_t *lv = levels_of(w, nl, n);
      for (uint32_t l = 0; l < nl; l++)
        cr_assert_geq(w[l], 1);
      for (uint32_t t = 0; t < n; t++) {
        uint32_t np;
        const uint32_t *p = aatgs_graph_predecessors(g, t, &np);
        if (lv[t] == 0)
          cr_assert_eq(np, 0, "task %u of level 0 has parents", t);
        else
          cr_assert_geq(np, 1, "task %u of level %u has no parent", t, lv[t]);
        for (uint32_t k = 0; k < np; k++)
          cr_assert_eq(lv[p[k]] + 1, lv[t], "edge %u -> %u spans levels %u -> %u", p[k], t,
                       lv[p[k]], lv[t]);
      }
      free(lv);
      free(w);
      aatgs_graph_destroy(g);
    }
  }
}

Test(generators_research, heft_layered_widths_have_mean_alpha_sqrt_v) {
  aatgs_gen_args a = args_for("heft_layered");
  aatgs_err err = {0};
  uint32_t *w, nl, minw = UINT32_MAX, maxw = 0;
  set(&a, "v", "40000");
  set(&a, "alpha", "2");
  cr_assert_eq(aatgs__heft_layered_levels(&a, 1, &w, &nl, &err), AATGS_OK);
  cr_assert_eq(nl, 100); /* sqrt(40000) / 2 */
  for (uint32_t l = 0; l < nl; l++) {
    minw = w[l] < minw ? w[l] : minw;
    maxw = w[l] > maxw ? w[l] : maxw;
  }
  /* Mean width 400 = alpha sqrt(v), spread roughly uniform on [1, 800]. */
  cr_assert(minw < 100 && maxw > 700 && maxw < 820, "widths %u .. %u", minw, maxw);
  free(w);
}

Test(generators_research, heft_layered_ccr_degree_and_cost) {
  aatgs_gen_args a = args_for("heft_layered");
  set(&a, "v", "20000");
  set(&a, "alpha", "4");
  set(&a, "out_degree", "3");
  set(&a, "ccr", "2");
  set(&a, "w_dag", "1ms");
  set(&a, "bandwidth", "10");
  aatgs_graph *g = generate(&a, 11);
  double ccr = measured_ccr(g, 10.0);
  cr_assert(fabs(ccr - 2.0) < 0.05 * 2.0, "measured CCR %f, want 2", ccr);
  double work = (double)aatgs_graph_total_work(g) / 20000.0;
  cr_assert(fabs(work - 1e6) < 0.03e6, "mean cost %f ns, want 1ms", work);
  /* Out-degree of a task: max(d, the children that drew it as their parent),
   * d with mean out_degree. Where the next level is no wider, the draws add
   * little: the mean is out_degree plus a few percent. */
  uint32_t *w, nl;
  aatgs_err err = {0};
  cr_assert_eq(aatgs__heft_layered_levels(&a, 11, &w, &nl, &err), AATGS_OK);
  double out_narrow = 0, n_narrow = 0, out_all = 0, n_all = 0;
  for (uint32_t l = 0, t = 0; l < nl; t += w[l], l++) {
    for (uint32_t k = 0; l + 1 < nl && k < w[l]; k++) {
      uint32_t ns;
      aatgs_graph_successors(g, t + k, &ns);
      out_all += ns, n_all++;
      if (w[l + 1] <= w[l]) out_narrow += ns, n_narrow++;
    }
  }
  cr_assert_gt(n_narrow, 1000);
  cr_assert(out_narrow / n_narrow > 3.0 && out_narrow / n_narrow < 3.2,
            "mean out-degree %f where the next level is no wider", out_narrow / n_narrow);
  cr_assert(out_all / n_all > 3.0 && out_all / n_all < 4.0, "mean out-degree %f", out_all / n_all);
  free(w);
  aatgs_graph_destroy(g);

  /* ccr 0: no bytes at all. */
  set(&a, "ccr", "0");
  g = generate(&a, 11);
  cr_assert_null(aatgs_graph_predecessor_bytes(g, aatgs_graph_num_tasks(g) - 1));
  aatgs_graph_destroy(g);
}

Test(generators_research, heft_layered_beta_spread_is_bounded) {
  const char *betas[] = {"0.25", "1", "2"};
  aatgs_gen_args a = args_for("heft_layered");
  set(&a, "v", "10000");
  set(&a, "beta", "0");
  aatgs_graph *g0 = generate(&a, 5);
  for (size_t i = 0; i < 3; i++) {
    double beta = strtod(betas[i], NULL), lo = 1e9, hi = 0;
    set(&a, "beta", betas[i]);
    aatgs_graph *g = generate(&a, 5);
    for (uint32_t t = 0; t < 10000; t++) {
      double e0 = (double)aatgs_graph_task_estimate(g0, t);
      double e = (double)aatgs_graph_task_estimate(g, t);
      /* The same per-task mean (beta = 0) times a factor in [1 - beta/2, 1 + beta/2]. */
      cr_assert(e >= floor(e0 * (1 - beta / 2)) - 1 && e <= ceil(e0 * (1 + beta / 2)) + 1,
                "beta %s task %u: %.0f vs mean %.0f", betas[i], t, e, e0);
      if (e0 > 1e4) {
        lo = fmin(lo, e / e0);
        hi = fmax(hi, e / e0);
      }
    }
    cr_assert(lo < 1 - beta / 2 + 0.01 && hi > 1 + beta / 2 - 0.01, "beta %s: factors %f..%f",
              betas[i], lo, hi);
    /* The structure does not depend on beta. */
    cr_assert_eq(aatgs_graph_num_edges(g), aatgs_graph_num_edges(g0));
    aatgs_graph_destroy(g);
  }
  aatgs_graph_destroy(g0);
}

Test(generators_research, heft_layered_is_deterministic_per_seed) {
  aatgs_gen_args a = args_for("heft_layered");
  set(&a, "v", "500");
  aatgs_graph *g1 = generate(&a, 42), *g2 = generate(&a, 42), *g3 = generate(&a, 43);
  cr_assert(same_graph(g1, g2));
  cr_assert_not(same_graph(g1, g3));
  aatgs_graph_destroy(g1);
  aatgs_graph_destroy(g2);
  aatgs_graph_destroy(g3);
}

/* ---- daggen ---- */

Test(generators_research, daggen_tasks_levels_and_jump) {
  const char *ns[] = {"1", "20", "100", "1000"};
  const char *fats[] = {"0", "0.3", "0.5", "1"};
  const char *jumps[] = {"1", "2", "4"};
  for (size_t i = 0; i < 4; i++)
    for (size_t f = 0; f < 4; f++)
      for (size_t j = 0; j < 3; j++) {
        aatgs_gen_args a = args_for("daggen");
        aatgs_err err = {0};
        uint32_t *w, nl;
        set(&a, "n", ns[i]);
        set(&a, "fat", fats[f]);
        set(&a, "jump", jumps[j]);
        set(&a, "regular", "0.5");
        set(&a, "density", "0.4");
        uint32_t n = (uint32_t)strtoul(ns[i], NULL, 10), jump = (uint32_t)atoi(jumps[j]);
        aatgs_graph *g = generate(&a, 3);
        cr_assert_eq(aatgs_graph_num_tasks(g), n);
        cr_assert_eq(aatgs__daggen_levels(&a, 3, &w, &nl, &err), AATGS_OK);
        /* Widths: floor(n^fat) x [0.5, 1.5], at least 1; the last may be cut short. */
        double p = floor(pow(n, strtod(fats[f], NULL)) + 1e-9);
        for (uint32_t l = 0; l + 1 < nl; l++)
          cr_assert(w[l] >= 1 && w[l] >= floor(p * 0.5) && w[l] <= p * 1.5,
                    "n=%u fat=%s level %u width %u (p %.0f)", n, fats[f], l, w[l], p);
        uint32_t *lv = levels_of(w, nl, n);
        for (uint32_t t = 0; t < n; t++) {
          uint32_t np;
          const uint32_t *pr = aatgs_graph_predecessors(g, t, &np);
          if (lv[t] == 0)
            cr_assert_eq(np, 0);
          else
            cr_assert_geq(np, 1, "task %u of level %u has no parent", t, lv[t]);
          for (uint32_t k = 0; k < np; k++)
            cr_assert(lv[pr[k]] < lv[t] && lv[t] - lv[pr[k]] <= jump,
                      "jump %u: edge %u -> %u spans levels %u -> %u", jump, pr[k], t, lv[pr[k]],
                      lv[t]);
        }
        free(lv);
        free(w);
        aatgs_graph_destroy(g);
      }
}

Test(generators_research, daggen_jump_is_used) {
  aatgs_gen_args a = args_for("daggen");
  aatgs_err err = {0};
  uint32_t *w, nl, seen[4] = {0};
  set(&a, "n", "2000");
  set(&a, "jump", "3");
  aatgs_graph *g = generate(&a, 9);
  cr_assert_eq(aatgs__daggen_levels(&a, 9, &w, &nl, &err), AATGS_OK);
  uint32_t *lv = levels_of(w, nl, 2000);
  for (uint32_t t = 0; t < 2000; t++) {
    uint32_t np;
    const uint32_t *pr = aatgs_graph_predecessors(g, t, &np);
    for (uint32_t k = 0; k < np; k++) {
      uint32_t span = lv[t] - lv[pr[k]];
      cr_assert(span >= 1 && span <= 3, "span %u", span);
      seen[span]++;
    }
  }
  /* Spans 1, 2 and 3 all occur, about equally often. */
  for (int s = 1; s <= 3; s++)
    cr_assert(seen[s] > (seen[1] + seen[2] + seen[3]) / 5, "span %d: %u edges", s, seen[s]);
  free(lv);
  free(w);
  aatgs_graph_destroy(g);
}

Test(generators_research, daggen_costs_bytes_and_ccr) {
  aatgs_gen_args a = args_for("daggen");
  set(&a, "n", "20000");
  set(&a, "ccr", "0.5");
  set(&a, "min_cost", "2ms");
  set(&a, "max_cost", "4ms");
  set(&a, "bandwidth", "4");
  aatgs_graph *g = generate(&a, 2);
  for (uint32_t t = 0; t < 20000; t++) {
    aatgs_ns e = aatgs_graph_task_estimate(g, t);
    cr_assert(e >= 2000000 && e <= 4000000, "task %u cost %lld", t, (long long)e);
  }
  double ccr = measured_ccr(g, 4.0);
  cr_assert(fabs(ccr - 0.5) < 0.05 * 0.5, "measured CCR %f, want 0.5", ccr);
  /* Like DAGGEN, every out-edge of a task carries the same bytes. */
  uint64_t *out = calloc(20000, sizeof *out);
  for (uint32_t t = 0; t < 20000; t++) {
    uint32_t np;
    const uint32_t *pr = aatgs_graph_predecessors(g, t, &np);
    const uint64_t *pb = aatgs_graph_predecessor_bytes(g, t);
    for (uint32_t k = 0; k < np; k++) {
      cr_assert_not_null(pb);
      if (out[pr[k]] == 0) out[pr[k]] = pb[k] + 1;
      cr_assert_eq(out[pr[k]], pb[k] + 1, "task %u's out-edges carry different bytes", pr[k]);
    }
  }
  free(out);
  aatgs_graph_destroy(g);

  aatgs_err err = {0};
  set(&a, "min_cost", "5ms");
  cr_assert_eq(aatgs_gen_generate(&a, 1, &g, &err), AATGS_EINVAL);
  cr_assert(strstr(err.msg, "min_cost"), "%s", err.msg);
}

Test(generators_research, daggen_is_deterministic_per_seed) {
  aatgs_gen_args a = args_for("daggen");
  set(&a, "n", "300");
  set(&a, "jump", "2");
  aatgs_graph *g1 = generate(&a, 8), *g2 = generate(&a, 8), *g3 = generate(&a, 9);
  cr_assert(same_graph(g1, g2));
  cr_assert_not(same_graph(g1, g3));
  aatgs_graph_destroy(g1);
  aatgs_graph_destroy(g2);
  aatgs_graph_destroy(g3);
}

/* The real DAGGEN run of shared/data/daggen (n 100, fat 0.7, density 0.6,
 * regular 0.9, jump 1): with jump 1 a task's depth is its level, so the
 * file's levels can be read off; ours must look alike. */
Test(generators_research, daggen_resembles_real_daggen_output) {
  char path[1024];
  aatgs_err err = {0};
  aatgs_graph *real;
  snprintf(path, sizeof path, "%s/daggen/daggen_n100_fat0.7_den0.6_reg0.9_jump1_ccr2.dot",
           data_dir());
  cr_assert_eq(aatgs_graph_create(&real, 0, 0), AATGS_OK);
  cr_assert_eq(aatgs_import_dot(real, path, 1, &err), AATGS_OK, "%s", err.msg);
  cr_assert_eq(aatgs_graph_finalize(real, &err), AATGS_OK, "%s", err.msg);
  uint32_t real_depth = aatgs_graph_depth(real), real_width = aatgs_graph_max_width(real);
  uint32_t roots = 0;
  for (uint32_t t = 0; t < 100; t++) {
    uint32_t np;
    aatgs_graph_predecessors(real, t, &np);
    roots += np == 0;
  }
  double real_parents = (double)aatgs_graph_num_edges(real) / (100 - roots);

  aatgs_gen_args a = args_for("daggen");
  set(&a, "n", "100");
  set(&a, "fat", "0.7");
  set(&a, "density", "0.6");
  set(&a, "regular", "0.9");
  double parents = 0;
  for (uint64_t seed = 1; seed <= 20; seed++) {
    aatgs_graph *g = generate(&a, seed);
    uint32_t r = 0;
    for (uint32_t t = 0; t < 100; t++) {
      uint32_t np;
      aatgs_graph_predecessors(g, t, &np);
      r += np == 0;
    }
    /* Same level count (4: widths 22..27 of p = 25) and level widths. */
    cr_assert(aatgs_graph_depth(g) >= real_depth - 1 && aatgs_graph_depth(g) <= real_depth + 1,
              "depth %u, DAGGEN %u", aatgs_graph_depth(g), real_depth);
    cr_assert(aatgs_graph_max_width(g) >= 22 && aatgs_graph_max_width(g) <= 27 &&
                  real_width >= 22 && real_width <= 27,
              "max width %u, DAGGEN %u", aatgs_graph_max_width(g), real_width);
    parents += (double)aatgs_graph_num_edges(g) / (100 - r) / 20.0;
    aatgs_graph_destroy(g);
  }
  /* Mean parents per non-root task: DAGGEN's file has 7.07; the rule gives
   * about 8 on average; one file is one sample. */
  cr_assert(fabs(parents - real_parents) < 0.2 * real_parents, "mean parents %f, DAGGEN %f",
            parents, real_parents);
  aatgs_graph_destroy(real);
}
