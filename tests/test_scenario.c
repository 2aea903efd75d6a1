/* test_scenario.c - scenario files: every error with its position, good files,
 * explicit tasks, estimates and types, params_json, the hash, and the default
 * suite. */
#include <criterion/criterion.h>
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "graph.h"
#include "scenario.h"

#ifndef AATGS_SOURCE_DIR
#define AATGS_SOURCE_DIR "."
#endif

static aatgs_scenario *parse_ok(const char *text) {
  aatgs_scenario *s = NULL;
  aatgs_err err = {0};
  int rc = aatgs_scenario_parse(&s, "x.yaml", text, strlen(text), &err);
  cr_assert_eq(rc, AATGS_OK, "%s", err.msg);
  cr_assert_not_null(s);
  return s;
}

static aatgs_graph *build_ok(const aatgs_scenario *s, uint64_t seed) {
  aatgs_graph *g = NULL;
  aatgs_err err = {0};
  int rc = aatgs_scenario_build(s, seed, &g, &err);
  cr_assert_eq(rc, AATGS_OK, "%s", err.msg);
  cr_assert(aatgs_graph_is_finalized(g));
  return g;
}

/* Parses text that must fail with `code` and a message starting with `prefix`. */
static void parse_fails(const char *text, int code, const char *prefix) {
  aatgs_scenario *s = (aatgs_scenario *)1;
  aatgs_err err = {0};
  int rc = aatgs_scenario_parse(&s, "x.yaml", text, strlen(text), &err);
  cr_assert_eq(rc, code, "rc %d, message: %s", rc, err.msg);
  cr_assert_null(s);
  cr_assert_eq(err.code, code);
  cr_assert(strncmp(err.msg, prefix, strlen(prefix)) == 0, "got:      %s\nexpected: %s...", err.msg,
            prefix);
}

/* ---- errors, each at its line and column ---- */

Test(scenario_errors, unknown_top_level_key) {
  parse_fails("name: a\ngenerator: chain\ncolour: red\n", AATGS_EINVAL,
              "x.yaml:3:1: unknown key \"colour\" (valid: name, description, generator, params, "
              "tasks, import, streams, seeds, noise_cv, estimates, types, perturb, edge_gbps, "
              "edge_latency)");
}

Test(scenario_errors, unknown_generator_lists_known) {
  parse_fails("name: a\ngenerator: choleski\n", AATGS_ENOENT,
              "x.yaml:2:12: unknown generator \"choleski\" (known: chain, fork_join, layered, "
              "phase_pipeline, cholesky, erdos_renyi, stencil, fft, lu, gaussian_elimination, "
              "heft_layered, daggen, workflow)");
}

Test(scenario_errors, unknown_parameter_lists_valid) {
  parse_fails("generator: layered\nparams:\n  layers: 3\n  widht: 4\n", AATGS_ENOENT,
              "x.yaml:4:3: unknown parameter \"widht\" for generator layered (valid: layers, "
              "width, degree, type, est)");
}

Test(scenario_errors, wrong_value_types) {
  parse_fails("generator: chain\nparams:\n  est: fast\n", AATGS_EINVAL,
              "x.yaml:3:8: est: expected a duration like 5ms");
  parse_fails("generator: chain\nestimates:\n  whcr: soon\n", AATGS_EINVAL,
              "x.yaml:3:9: whcr: expected a duration like 5ms, got \"soon\"");
  parse_fails("generator: chain\nparams:\n  n: [1, 2]\n", AATGS_EINVAL,
              "x.yaml:3:6: n: expected a single value, got a sequence");
  parse_fails("generator: chain\nstreams: four\n", AATGS_EINVAL,
              "x.yaml:2:10: streams: expected an unsigned integer, got \"four\"");
  parse_fails("generator: chain\nnoise_cv: lots\n", AATGS_EINVAL,
              "x.yaml:2:11: noise_cv: expected a number, got \"lots\"");
  parse_fails("name: {a: 1}\ngenerator: chain\n", AATGS_EINVAL,
              "x.yaml:1:7: name: expected a string, got a mapping");
  parse_fails("tasks:\n  - {id: a, est: 2 hours}\n", AATGS_EINVAL,
              "x.yaml:2:18: est: expected a duration like 5ms, got \"2 hours\"");
}

Test(scenario_errors, out_of_range_values) {
  parse_fails("generator: layered\nparams: {layers: 0}\n", AATGS_EINVAL,
              "x.yaml:2:18: layers: 0 is out of range [1, 10000000]");
  parse_fails("generator: chain\nseeds: 0\n", AATGS_EINVAL,
              "x.yaml:2:8: seeds: 0 is out of range [1, 1000]");
  parse_fails("generator: chain\nstreams: 1000\n", AATGS_EINVAL,
              "x.yaml:2:10: streams: 1000 is out of range [1, 256]");
  parse_fails("generator: chain\nnoise_cv: -0.5\n", AATGS_EINVAL,
              "x.yaml:2:11: noise_cv: -0.5 is out of range [0, 10]");
  parse_fails("generator: chain\nestimates: {whcr: 0ms}\n", AATGS_EINVAL,
              "x.yaml:2:19: whcr: must be greater than 0");
  parse_fails("generator: layered\nparams:\n  est: {dist: uniform, min: 9ms, max: 1ms}\n",
              AATGS_EINVAL, "x.yaml:3:8: est: uniform: max must be >= min");
  parse_fails("generator: layered\nparams: {layers: 1000000, width: 1000}\n", AATGS_EINVAL,
              "x.yaml:2:9: layered would make 1000000000 tasks, more than the limit");
}

Test(scenario_errors, duration_model_mapping) {
  parse_fails("generator: layered\nparams:\n  est: {dist: uniform, min: 1ms, mean: 3ms}\n",
              AATGS_ENOENT,
              "x.yaml:3:34: est: unknown field \"mean\" for dist uniform (valid: min, max)");
  parse_fails("generator: layered\nparams:\n  est: {dist: gamma}\n", AATGS_ENOENT,
              "x.yaml:3:15: est: unknown duration model \"gamma\"");
  parse_fails("generator: layered\nparams:\n  est: {min: 1ms}\n", AATGS_EINVAL,
              "x.yaml:3:8: est: missing dist");
  parse_fails("generator: layered\nparams:\n  layers: {dist: fixed}\n", AATGS_EINVAL,
              "x.yaml:3:11: layers: expected a single value, got a mapping");
}

Test(scenario_errors, yaml_syntax_errors) {
  parse_fails("a: b: c\n", AATGS_EINVAL,
              "x.yaml:1:5: YAML syntax error: mapping values are not allowed in this context");
  parse_fails("name: a\ngenerator: chain\n  seeds: 3\n", AATGS_EINVAL,
              "x.yaml:3:8: YAML syntax error:");
  parse_fails("name: a\ngenerator: chain\nparams: {n: 3\n", AATGS_EINVAL,
              "x.yaml:4:1: YAML syntax error: did not find expected ',' or '}'");
  parse_fails("generator: chain\n---\ngenerator: chain\n", AATGS_EINVAL,
              "x.yaml:2:1: more than one YAML document");
}

Test(scenario_errors, empty_file) {
  parse_fails("", AATGS_EINVAL, "x.yaml:1:1: empty file");
  parse_fails("# nothing but a comment\n\n", AATGS_EINVAL, "x.yaml:1:1: empty file");
  parse_fails("---\n", AATGS_EINVAL, "x.yaml:1:1: empty file");
}

Test(scenario_errors, structural) {
  parse_fails("- a\n- b\n", AATGS_EINVAL,
              "x.yaml:1:1: expected a mapping of scenario keys, got a sequence");
  parse_fails("name: a\nseeds: 2\nname: b\n", AATGS_EINVAL, "x.yaml:3:1: duplicate key \"name\"");
  parse_fails("generator: chain\nparams: {n: 3, n: 4}\n", AATGS_EINVAL,
              "x.yaml:2:16: duplicate key \"n\"");
  parse_fails("name: a\nseeds: 2\n", AATGS_EINVAL,
              "x.yaml:1:1: missing generator, tasks or import");
  parse_fails("params: {n: 3}\n", AATGS_EINVAL, "x.yaml:1:1: params without a generator");
  parse_fails("generator: chain\ntasks:\n  - {id: a}\n", AATGS_EINVAL,
              "x.yaml:2:1: give one of generator, tasks or import, not several");
  parse_fails("generator: chain\nestimates: {gpu_fft: 1ms}\n", AATGS_ENOENT,
              "x.yaml:2:13: unknown task type \"gpu_fft\" (known: config_upload, whcr, "
              "thermodynamic, quantum, lbs, telemetry_download, phase_transition, custom;");
  parse_fails("generator: chain\nparams: {type: gemm}\n", AATGS_ENOENT,
              "x.yaml:2:16: unknown task type \"gemm\"");
  parse_fails("generator: chain\ntypes: {whcr: {est: 1ms}}\n", AATGS_EINVAL,
              "x.yaml:2:9: type \"whcr\" is built in");
  parse_fails("generator: chain\ntypes:\n  gemm: {est: 1ms, class: tensor}\n", AATGS_EINVAL,
              "x.yaml:3:27: class: expected kernel, upload or download, got \"tensor\"");
  parse_fails("generator: chain\ntypes:\n  gemm: {class: kernel}\n", AATGS_EINVAL,
              "x.yaml:3:9: type gemm: missing est");
  parse_fails("tasks: []\n", AATGS_EINVAL, "x.yaml:1:8: tasks: the list is empty");
  parse_fails("tasks:\n  - {type: whcr}\n", AATGS_EINVAL, "x.yaml:2:5: task without an id");
  parse_fails("tasks:\n  - {id: a, color: red}\n", AATGS_EINVAL,
              "x.yaml:2:13: unknown key \"color\" in task");
  parse_fails("tasks:\n  - {id: a, deps: b}\n", AATGS_EINVAL,
              "x.yaml:2:19: deps: expected a list of task ids, got a scalar");
}

Test(scenario_errors, duplicate_task_id) {
  parse_fails("name: d\ntasks:\n  - {id: a}\n  - {id: b, deps: [a]}\n  - {id: a}\n", AATGS_EINVAL,
              "x.yaml:5:10: duplicate task id \"a\" (first defined at line 3)");
}

Test(scenario_errors, unknown_dep) {
  parse_fails("tasks:\n  - {id: a}\n  - {id: b, deps: [a, zz]}\n", AATGS_ENOENT,
              "x.yaml:3:23: unknown task id \"zz\" in deps of \"b\"");
}

Test(scenario_errors, cycle_named_by_ids) {
  /* edges b -> a, c -> b, a -> c; d hangs off the cycle. */
  parse_fails("tasks:\n"
              "  - {id: a, deps: [b]}\n"
              "  - {id: b, deps: [c]}\n"
              "  - {id: c, deps: [a]}\n"
              "  - {id: d, deps: [a]}\n",
              AATGS_ECYCLE, "x.yaml:2:5: cycle: a -> c -> b -> a");
  parse_fails("tasks:\n"
              "  - id: root\n"
              "  - id: x\n"
              "    deps: [root, y]\n"
              "  - id: y\n"
              "    deps: [x]\n",
              AATGS_ECYCLE, "x.yaml:3:5: cycle: x -> y -> x");
  parse_fails("tasks:\n  - {id: self, deps: [self]}\n", AATGS_ECYCLE,
              "x.yaml:2:5: cycle: self -> self");
}

Test(scenario_errors, missing_file) {
  aatgs_scenario *s = (aatgs_scenario *)1;
  aatgs_err err = {0};
  cr_assert_eq(aatgs_scenario_load(&s, "/nonexistent/dir/x.yaml", &err), AATGS_EIO);
  cr_assert_null(s);
  cr_assert(strstr(err.msg, "/nonexistent/dir/x.yaml: "), "%s", err.msg);
  aatgs_scenario_destroy(NULL);
}

/* ---- good files ---- */

Test(scenario, good_generator_file) {
  aatgs_scenario *s = parse_ok("name: lay\n"
                               "description: a small layered graph\n"
                               "generator: layered\n"
                               "params:\n"
                               "  layers: 12\n"
                               "  width: 20\n"
                               "  degree: 2.5\n"
                               "  est: {dist: uniform, min: 1ms, max: 3ms}\n"
                               "streams: 6\n"
                               "seeds: 5\n"
                               "noise_cv: 0.2\n");
  cr_assert_str_eq(aatgs_scenario_name(s), "lay");
  cr_assert_str_eq(aatgs_scenario_description(s), "a small layered graph");
  cr_assert_str_eq(aatgs_scenario_path(s), "x.yaml");
  cr_assert_eq(aatgs_scenario_streams(s), 6);
  cr_assert_eq(aatgs_scenario_seeds(s), 5);
  cr_assert_float_eq(aatgs_scenario_noise_cv(s), 0.2, 1e-12);
  aatgs_graph *g = build_ok(s, 1);
  cr_assert_eq(aatgs_graph_num_tasks(g), 240);
  cr_assert_eq(aatgs_graph_depth(g), 12);
  for (uint32_t t = 0; t < 240; t++) {
    aatgs_ns e = aatgs_graph_task_estimate(g, t);
    cr_assert(e >= AATGS_NS_PER_MS && e <= 3 * AATGS_NS_PER_MS);
    cr_assert_eq(aatgs_graph_task_type(g, t), AATGS_TT_CUSTOM);
  }
  /* (scenario, seed) gives the same graph; another seed another one. */
  aatgs_graph *g2 = build_ok(s, 1), *g3 = build_ok(s, 2);
  int same = 1, same3 = 1;
  for (uint32_t t = 0; t < 240; t++) {
    same &= aatgs_graph_task_estimate(g, t) == aatgs_graph_task_estimate(g2, t);
    same3 &= aatgs_graph_task_estimate(g, t) == aatgs_graph_task_estimate(g3, t);
  }
  cr_assert(same && !same3);
  aatgs_graph_destroy(g);
  aatgs_graph_destroy(g2);
  aatgs_graph_destroy(g3);
  aatgs_scenario_destroy(s);
}

Test(scenario, defaults_and_name_from_path) {
  aatgs_scenario *s = NULL;
  aatgs_err err = {0};
  const char *text = "generator: chain\n";
  cr_assert_eq(aatgs_scenario_parse(&s, "some/dir/my-chain.yaml", text, strlen(text), &err),
               AATGS_OK, "%s", err.msg);
  cr_assert_str_eq(aatgs_scenario_name(s), "my-chain");
  cr_assert_str_eq(aatgs_scenario_description(s), "");
  cr_assert_eq(aatgs_scenario_streams(s), 0);
  cr_assert_eq(aatgs_scenario_seeds(s), 3);
  cr_assert(aatgs_scenario_noise_cv(s) < 0);
  cr_assert_str_eq(aatgs_scenario_text(s), text);
  aatgs_graph *g = build_ok(s, 9);
  cr_assert_eq(aatgs_graph_num_tasks(g), 100);
  cr_assert_eq(aatgs_graph_task_estimate(g, 0), 5 * AATGS_NS_PER_MS); /* custom's default */
  aatgs_graph_destroy(g);
  aatgs_scenario_destroy(s);
}

Test(scenario, explicit_tasks_with_deps) {
  aatgs_scenario *s = parse_ok("name: diamond\n"
                               "types:\n"
                               "  gemm: {est: 3ms, class: kernel}\n"
                               "  h2d: {est: 50us, class: upload}\n"
                               "tasks:\n"
                               "  - {id: load, type: h2d, bytes: 4096}\n"
                               "  - {id: left, type: gemm, deps: [load], blocks: 64}\n"
                               "  - {id: right, type: whcr, est: 2ms, deps: [load]}\n"
                               "  - {id: join, deps: [left, right, later]}\n"
                               "  - {id: later, est: 100us, actual: 150us, deps: [load]}\n");
  aatgs_graph *g = build_ok(s, 1);
  uint32_t np, h2d, gemm;
  cr_assert_eq(aatgs_graph_num_tasks(g), 5);
  cr_assert_eq(aatgs_graph_num_edges(g), 6);
  cr_assert_eq(aatgs_graph_find_type(g, "h2d", &h2d), AATGS_OK);
  cr_assert_eq(aatgs_graph_find_type(g, "gemm", &gemm), AATGS_OK);
  cr_assert_eq(aatgs_graph_task_type(g, 0), h2d);
  cr_assert_eq(aatgs_graph_task_class(g, 0), AATGS_CLASS_UPLOAD);
  cr_assert_eq(aatgs_graph_task_estimate(g, 0), 50 * AATGS_NS_PER_US);
  cr_assert_eq(aatgs_graph_task_bytes(g, 0), 4096);
  cr_assert_eq(aatgs_graph_task_type(g, 1), gemm);
  cr_assert_eq(aatgs_graph_task_estimate(g, 1), 3 * AATGS_NS_PER_MS);
  cr_assert_eq(aatgs_graph_task_blocks(g, 1), 64);
  cr_assert_eq(aatgs_graph_task_type(g, 2), AATGS_TT_WHCR);
  cr_assert_eq(aatgs_graph_task_estimate(g, 2), 2 * AATGS_NS_PER_MS);
  cr_assert_eq(aatgs_graph_task_type(g, 3), AATGS_TT_CUSTOM);
  cr_assert_eq(aatgs_graph_task_actual(g, 4), 150 * AATGS_NS_PER_US);
  const uint32_t *p = aatgs_graph_predecessors(g, 3, &np);
  cr_assert_eq(np, 3);
  int seen = 0;
  for (uint32_t i = 0; i < np; i++)
    seen |= 1 << p[i];
  cr_assert_eq(seen, (1 << 1) | (1 << 2) | (1 << 4)); /* left, right, later (defined after) */
  cr_assert_str_eq(aatgs_graph_task_label(g, 3), "join");
  cr_assert_str_eq(aatgs_graph_task_label(g, 4), "later");
  cr_assert_str_eq(aatgs_scenario_params_json(s),
                   "{\"generator\":\"tasks\",\"tasks\":5,\"deps\":6}");
  aatgs_graph_destroy(g);
  aatgs_scenario_destroy(s);
}

Test(scenario, estimates_override_type_defaults) {
  aatgs_scenario *s = parse_ok("generator: phase_pipeline\n"
                               "params: {iterations: 3, replicas: 2}\n"
                               "estimates: {whcr: 2ms, telemetry_download: 50us}\n");
  aatgs_graph *g = build_ok(s, 1);
  uint32_t nw = 0;
  for (uint32_t t = 0; t < aatgs_graph_num_tasks(g); t++) {
    uint32_t ty = aatgs_graph_task_type(g, t);
    aatgs_ns e = aatgs_graph_task_estimate(g, t);
    if (ty == AATGS_TT_WHCR) {
      cr_assert_eq(e, 2 * AATGS_NS_PER_MS);
      nw++;
    } else if (ty == AATGS_TT_TELEMETRY_DOWNLOAD) {
      cr_assert_eq(e, 50 * AATGS_NS_PER_US);
    } else if (ty == AATGS_TT_QUANTUM) {
      cr_assert_eq(e, 15 * AATGS_NS_PER_MS); /* untouched */
    }
  }
  cr_assert_eq(nw, 6);
  aatgs_graph_destroy(g);
  aatgs_scenario_destroy(s);

  /* A generator's own type: declared, then overridden by estimates. */
  s = parse_ok("generator: chain\n"
               "types: {gemm: {est: 3ms}}\n"
               "estimates: {gemm: 4ms}\n"
               "params: {n: 10, type: gemm}\n");
  g = build_ok(s, 1);
  cr_assert_eq(aatgs_graph_task_estimate(g, 9), 4 * AATGS_NS_PER_MS);
  aatgs_graph_destroy(g);
  aatgs_scenario_destroy(s);
}

Test(scenario, params_json_resolved) {
  aatgs_scenario *s = parse_ok("generator: fork_join\n"
                               "params:\n"
                               "  width: 4\n"
                               "  est: {dist: lognormal, mean: 2ms}\n");
  cr_assert_str_eq(aatgs_scenario_params_json(s),
                   "{\"generator\":\"fork_join\",\"stages\":10,\"width\":4,\"type\":\"custom\","
                   "\"est\":{\"dist\":\"lognormal\",\"mean\":2000000,\"cv\":0.5}}");
  aatgs_scenario_destroy(s);
  s = parse_ok("generator: phase_pipeline\nparams: {iterations: 7, transition_every: 2}\n");
  cr_assert_str_eq(aatgs_scenario_params_json(s),
                   "{\"generator\":\"phase_pipeline\",\"iterations\":7,\"replicas\":1,"
                   "\"transition_every\":2,\"config_bytes\":256,\"record_bytes\":64}");
  aatgs_scenario_destroy(s);
  /* Text form of a model and a fixed duration. */
  s = parse_ok("generator: chain\nparams: {est: \"bimodal(200us, 20ms, 0.25)\"}\n");
  cr_assert_str_eq(aatgs_scenario_params_json(s),
                   "{\"generator\":\"chain\",\"n\":100,\"type\":\"custom\",\"est\":{\"dist\":"
                   "\"bimodal\",\"short\":200000,\"long\":20000000,\"p_long\":0.25}}");
  aatgs_scenario_destroy(s);
  s = parse_ok("generator: chain\nparams: {est: 1.5us}\n");
  cr_assert_str_eq(aatgs_scenario_params_json(s),
                   "{\"generator\":\"chain\",\"n\":100,\"type\":\"custom\",\"est\":{\"dist\":"
                   "\"fixed\",\"value\":1500}}");
  aatgs_scenario_destroy(s);
}

static uint64_t fnv_ref(const char *s) {
  uint64_t h = 14695981039346656037ULL;
  for (; *s; s++)
    h = (h ^ (unsigned char)*s) * 1099511628211ULL;
  return h;
}

Test(scenario, hash_is_fnv1a64_of_text) {
  char want[17];
  const char *t1 = "generator: chain\nparams: {n: 5}\n", *t2 = "generator: chain\nparams: {n: 6}\n";
  cr_assert_eq(fnv_ref("foobar"), 0x85944171f73967e8ULL); /* the reference itself */
  aatgs_scenario *a = parse_ok(t1), *b = parse_ok(t1), *c = parse_ok(t2);
  snprintf(want, sizeof want, "%016llx", (unsigned long long)fnv_ref(t1));
  cr_assert_str_eq(aatgs_scenario_hash(a), want);
  cr_assert_eq(strlen(aatgs_scenario_hash(a)), 16);
  cr_assert_str_eq(aatgs_scenario_hash(a), aatgs_scenario_hash(b));
  cr_assert_str_neq(aatgs_scenario_hash(a), aatgs_scenario_hash(c));
  aatgs_scenario_destroy(a);
  aatgs_scenario_destroy(b);
  aatgs_scenario_destroy(c);
}

/* ---- the default suite ---- */

Test(scenario, default_suite_loads_and_builds) {
  const char *dir = AATGS_SOURCE_DIR "/scenarios/default";
  DIR *d = opendir(dir);
  struct dirent *e;
  int files = 0, has_pipeline = 0;
  uint64_t total = 0;
  cr_assert_not_null(d, "cannot open %s", dir);
  while ((e = readdir(d)) != NULL) {
    size_t n = strlen(e->d_name);
    if (n < 5 || strcmp(e->d_name + n - 5, ".yaml") != 0) continue;
    char path[1024];
    aatgs_scenario *s = NULL;
    aatgs_graph *g = NULL;
    aatgs_err err = {0};
    snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
    cr_assert_eq(aatgs_scenario_load(&s, path, &err), AATGS_OK, "%s", err.msg);
    cr_assert(*aatgs_scenario_description(s), "%s has no description", path);
    for (uint64_t seed = 1; seed <= aatgs_scenario_seeds(s); seed++) {
      cr_assert_eq(aatgs_scenario_build(s, seed, &g, &err), AATGS_OK, "%s", err.msg);
      if (seed == 1) total += aatgs_graph_num_tasks(g);
      aatgs_graph_destroy(g);
    }
    has_pipeline |= strcmp(e->d_name, "phase-pipeline.yaml") == 0;
    files++;
    aatgs_scenario_destroy(s);
  }
  closedir(d);
  cr_assert(files >= 4, "only %d scenarios", files);
  cr_assert(has_pipeline);
  /* Small enough for 6 policies x 3 seeds on the simulator in well under 30 s. */
  cr_assert(total >= 20000 && total <= 50000, "suite has %llu tasks", (unsigned long long)total);
}

Test(scenario_errors, import_errors_name_the_line) {
  parse_fails("name: a\nimport: {format: gml, path: x.gml}\n", AATGS_ENOENT,
              "x.yaml:2:18: unknown import format \"gml\" (known: stg, dax");
  parse_fails("name: a\nimport: {format: stg}\n", AATGS_EINVAL,
              "x.yaml:2:9: import needs format and path");
  parse_fails("name: a\nimport: {format: stg, path: a.stg, units: 1us}\n", AATGS_EINVAL,
              "x.yaml:2:36: unknown import key \"units\"");
  parse_fails("name: a\ngenerator: chain\nimport: {format: stg, path: a.stg}\n", AATGS_EINVAL,
              "x.yaml:3:1: give one of generator, tasks or import");
}

Test(scenario, import_stg_from_the_data_dir) {
  const char *data = getenv("AATGS_DATA_DIR");
  if (!data || !*data) cr_skip_test("AATGS_DATA_DIR is not set (CI sets it to ../shared/data)");
  aatgs_scenario *s = NULL;
  aatgs_err e;
  const char *text = "name: stg\nimport: {format: stg, path: $AATGS_DATA_DIR/stg/50/rand0000.stg, "
                     "unit: 2us}\n";
  cr_assert_eq(aatgs_scenario_parse(&s, "x.yaml", text, strlen(text), &e), AATGS_OK, "%s", e.msg);
  aatgs_graph *g = NULL;
  cr_assert_eq(aatgs_scenario_build(s, 1, &g, &e), AATGS_OK, "%s", e.msg);
  cr_assert_eq(aatgs_graph_num_tasks(g), 50);
  cr_assert_eq(aatgs_graph_num_edges(g), 96);
  cr_assert_eq(aatgs_graph_critical_path(g), 55 * 2000);
  cr_assert(strstr(aatgs_scenario_params_json(s), "\"format\":\"stg\""), "%s",
            aatgs_scenario_params_json(s));
  aatgs_graph_destroy(g);
  aatgs_scenario_destroy(s);
}
