/* cmd_gate.c - `aatgs gate`: the performance gate between two databases
 * (analysis/gate.h). Exit status: 0 pass, 1 the gate fails (a regression, a
 * failed or missing group, a fidelity above its threshold), 2 usage error or
 * a database that cannot be read or a JSON file that cannot be written. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "gate.h"
#include "gate_bench.h"

static void usage(FILE *f) {
  fputs(
      "usage: aatgs gate --baseline A.db --candidate B.db [options]\n"
      "       aatgs gate --candidate B.db --fidelity [options]\n"
      "       aatgs gate --bench BASE.jsonl NEW.jsonl [--threshold P] [--json FILE] ...\n"
      "  Compares every scenario x policy x backend of the candidate with the baseline.\n"
      "  sim runs of the same scenario are compared exactly, run by run (seed, rep);\n"
      "  other groups by the ratio of medians with a bootstrap 95% interval.\n"
      "options:\n"
      "  --metric NAME          makespan (default), efficiency, decision_mean, decision_max\n"
      "  --threshold P          a group is a regression when worse by more than P (default 5%)\n"
      "  --tolerance X          relative difference below which exact values are equal (1e-9)\n"
      "  --statistical          statistical mode for every group, sim included\n"
      "  --bootstrap B          bootstrap resamples (default 2000)\n"
      "  --seed N               seed of the bootstrap (default fixed: same input, same interval)\n"
      "  --scenario/--policy/--backend LIST   comma-separated names to keep\n"
      "  --allow-missing        groups in the baseline but not the candidate pass\n"
      "  --fail-ambiguous       statistical groups whose interval straddles the threshold fail\n"
      "  --fidelity             also gate sim against real makespan inside the candidate\n"
      "  --fidelity-threshold P fails when the median |sim / real - 1| exceeds P (default 10%)\n"
      "  --json FILE            write the verdicts as JSON (- for stdout, then no table)\n"
      "  --quiet                no table\n"
      "  --bench BASE NEW       compare two files of benchmark JSON lines (bench/harness.h)\n"
      "                         per bench, case, candidate and metric; with --threshold,\n"
      "                         --tolerance, --bootstrap, --seed, --allow-missing,\n"
      "                         --fail-ambiguous, --json, --quiet\n"
      "verdicts: pass, changed (exact, within the threshold), improvement, ambiguous,\n"
      "  regression, failed (candidate runs failed), missing (baseline only), new (candidate "
      "only)\n"
      "exit status: 0 pass; 1 regression, failed or missing group, or fidelity fails;\n"
      "  2 usage error, unreadable database or unwritable JSON.\n",
      f);
}

static int parse_u64(const char *opt, const char *s, unsigned long long *out) {
  char *end;
  errno = 0;
  unsigned long long v = s ? strtoull(s, &end, 0) : 0;
  if (!s || !*s || *end || errno || s[0] == '-') {
    fprintf(stderr, "aatgs gate: %s expects a non-negative integer, got '%s'\n", opt, s ? s : "");
    return -1;
  }
  *out = v;
  return 0;
}

/* --bench: the gate over two files of harness JSON lines (gate_bench.h). */
static int gate_bench(const char *base, const char *cand, const aatgs_gate_options *o,
                      const char *json, bool quiet) {
  aatgs_gate_bench_result *r = NULL;
  aatgs_err e;
  int status = 2;
  aatgs_err_clear(&e);
  if (aatgs_gate_bench_compare(base, cand, o, &r, &e) != AATGS_OK) {
    fprintf(stderr, "aatgs gate: %s\n", e.msg);
    return 2;
  }
  bool json_stdout = json && !strcmp(json, "-");
  if (r->machines_differ)
    fprintf(stderr, "aatgs gate: warning: the figures come from different machines ('%s', '%s')\n",
            r->baseline_machine, r->candidate_machine);
  if (!quiet && !json_stdout && aatgs_gate_bench_write_table(r, stdout, &e) != AATGS_OK) {
    fprintf(stderr, "aatgs gate: %s\n", e.msg);
    goto done;
  }
  if (json) {
    FILE *jf = json_stdout ? stdout : fopen(json, "w");
    if (!jf) {
      fprintf(stderr, "aatgs gate: cannot write '%s': %s\n", json, strerror(errno));
      goto done;
    }
    int rc = aatgs_gate_bench_write_json(r, jf, &e);
    if (!json_stdout && fclose(jf) != 0 && rc == AATGS_OK)
      rc = aatgs_err_set(&e, AATGS_EIO, "%s", strerror(errno));
    if (rc != AATGS_OK) {
      fprintf(stderr, "aatgs gate: %s: %s\n", json, e.msg);
      goto done;
    }
  }
  status = aatgs_gate_bench_exit_code(r);
done:
  aatgs_gate_bench_destroy(r);
  return status;
}

int aatgs__cmd_gate(int argc, char **argv) {
  const char *baseline = NULL, *candidate = NULL, *json = NULL;
  const char *bench_base = NULL, *bench_new = NULL, *db_only = NULL;
  bool fidelity = false, quiet = false;
  double fid_threshold = AATGS_GATE_DEFAULT_FIDELITY;
  aatgs_gate_options o;
  aatgs_err e;
  aatgs_gate_options_default(&o);
  aatgs_err_clear(&e);
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
    if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
      usage(stdout);
      return 0;
    }
    if (!strcmp(a, "--statistical")) {
      o.statistical = true;
      db_only = a;
      continue;
    }
    if (!strcmp(a, "--allow-missing")) {
      o.allow_missing = true;
      continue;
    }
    if (!strcmp(a, "--fail-ambiguous")) {
      o.fail_ambiguous = true;
      continue;
    }
    if (!strcmp(a, "--fidelity")) {
      fidelity = true;
      db_only = a;
      continue;
    }
    if (!strcmp(a, "--bench")) {
      if (i + 2 >= argc || argv[i + 1][0] == '-' || argv[i + 2][0] == '-') {
        fprintf(stderr, "aatgs gate: --bench expects two files, BASE.jsonl NEW.jsonl\n");
        return 2;
      }
      bench_base = argv[++i];
      bench_new = argv[++i];
      continue;
    }
    if (!strcmp(a, "--quiet")) {
      quiet = true;
      continue;
    }
    if (a[0] != '-' || !v) {
      fprintf(stderr, "aatgs gate: %s '%s'\n", a[0] != '-' ? "unexpected argument" : "no value for",
              a);
      usage(stderr);
      return 2;
    }
    i++;
    int bad = 0;
    if (!strcmp(a, "--baseline") || !strcmp(a, "--candidate") || !strcmp(a, "--metric") ||
        !strcmp(a, "--scenario") || !strcmp(a, "--policy") || !strcmp(a, "--backend") ||
        !strcmp(a, "--fidelity-threshold"))
      db_only = a;
    if (!strcmp(a, "--baseline"))
      baseline = v;
    else if (!strcmp(a, "--candidate"))
      candidate = v;
    else if (!strcmp(a, "--json"))
      json = v;
    else if (!strcmp(a, "--scenario"))
      o.scenario = v;
    else if (!strcmp(a, "--policy"))
      o.policy = v;
    else if (!strcmp(a, "--backend"))
      o.backend = v;
    else if (!strcmp(a, "--metric"))
      bad = aatgs_gate_parse_metric(v, &o.metric, &e) != AATGS_OK;
    else if (!strcmp(a, "--threshold"))
      bad = aatgs_gate_parse_fraction("--threshold", v, &o.threshold, &e) != AATGS_OK;
    else if (!strcmp(a, "--fidelity-threshold"))
      bad = aatgs_gate_parse_fraction("--fidelity-threshold", v, &fid_threshold, &e) != AATGS_OK;
    else if (!strcmp(a, "--tolerance")) {
      char *end;
      errno = 0;
      o.tolerance = strtod(v, &end);
      if (!*v || *end || errno || !(o.tolerance >= 0) || o.tolerance > 1) {
        aatgs_err_set(&e, AATGS_EINVAL, "--tolerance expects a number in 0..1, got '%s'", v);
        bad = 1;
      }
    } else if (!strcmp(a, "--bootstrap")) {
      unsigned b;
      if (aatgs__parse_u32("--bootstrap", v, 10000000, &b)) return 2;
      if (b < 100) {
        fprintf(stderr, "aatgs gate: --bootstrap expects at least 100 resamples, got %u\n", b);
        return 2;
      }
      o.bootstrap = b;
    } else if (!strcmp(a, "--seed")) {
      unsigned long long s;
      if (parse_u64("--seed", v, &s)) return 2;
      o.seed = s;
    } else {
      fprintf(stderr, "aatgs gate: unknown option '%s'\n", a);
      usage(stderr);
      return 2;
    }
    if (bad) {
      fprintf(stderr, "aatgs gate: %s\n", e.msg);
      return 2;
    }
  }
  if (bench_base) {
    if (db_only) {
      fprintf(stderr, "aatgs gate: %s does not apply to --bench\n", db_only);
      return 2;
    }
    return gate_bench(bench_base, bench_new, &o, json, quiet);
  }
  if (!candidate || (!baseline && !fidelity)) {
    fprintf(stderr, "aatgs gate: %s\n",
            !candidate ? "--candidate is required"
                       : "--baseline is required (or --fidelity to gate the candidate "
                         "alone)");
    usage(stderr);
    return 2;
  }

  aatgs_gate_result *r = NULL;
  aatgs_gate_fidelity *f = NULL;
  int status = 2;
  FILE *jf = NULL;
  if (baseline && aatgs_gate_compare(baseline, candidate, &o, &r, &e) != AATGS_OK) goto fail;
  if (fidelity &&
      aatgs_gate_fidelity_check(candidate, o.scenario, o.policy, fid_threshold, &f, &e) != AATGS_OK)
    goto fail;
  bool json_stdout = json && !strcmp(json, "-");
  if (!quiet && !json_stdout && aatgs_gate_write_table(r, f, stdout, &e) != AATGS_OK) goto fail;
  if (json) {
    jf = json_stdout ? stdout : fopen(json, "w");
    if (!jf) {
      fprintf(stderr, "aatgs gate: cannot write '%s': %s\n", json, strerror(errno));
      goto done;
    }
    if (aatgs_gate_write_json(r, f, jf, &e) != AATGS_OK) {
      fprintf(stderr, "aatgs gate: %s: %s\n", json, e.msg);
      goto done;
    }
    if (!json_stdout) {
      FILE *t = jf;
      jf = NULL;
      if (fclose(t) != 0) {
        fprintf(stderr, "aatgs gate: cannot write '%s': %s\n", json, strerror(errno));
        goto done;
      }
    }
  }
  status = aatgs_gate_exit_code(r, f);
  goto done;
fail:
  fprintf(stderr, "aatgs gate: %s\n", e.msg);
done:
  if (jf && jf != stdout) fclose(jf);
  aatgs_gate_destroy(r);
  aatgs_gate_fidelity_destroy(f);
  return status;
}
