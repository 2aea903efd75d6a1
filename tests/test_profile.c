/* test_profile.c - the machine profile: built-in defaults, the shipped H100
 * file, positioned errors, suffixes, and the YAML round trip. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "profile.h"

#ifndef AATGS_SOURCE_DIR
#define AATGS_SOURCE_DIR "."
#endif

/* Writes text to a fresh temporary file; path receives its name. */
static void write_temp(char *path, size_t cap, const char *text) {
  snprintf(path, cap, "/tmp/aatgs_test_profile_XXXXXX");
  int fd = mkstemp(path);
  cr_assert(fd >= 0);
  size_t n = strlen(text);
  cr_assert_eq(write(fd, text, n), (ssize_t)n);
  close(fd);
}

/* Every field equal (text excluded). */
static void assert_same(const aatgs_profile *a, const aatgs_profile *b) {
  cr_assert_str_eq(a->name, b->name);
  cr_assert_str_eq(a->gpu, b->gpu);
  cr_assert_str_eq(a->source, b->source);
  cr_assert_eq(a->launch_ns, b->launch_ns);
  cr_assert_eq(a->graph_node_ns, b->graph_node_ns);
  cr_assert_eq(a->event_ns, b->event_ns);
  cr_assert_eq(a->h2d_latency_ns, b->h2d_latency_ns);
  cr_assert_eq(a->h2d_gbps, b->h2d_gbps);
  cr_assert_eq(a->d2h_latency_ns, b->d2h_latency_ns);
  cr_assert_eq(a->d2h_gbps, b->d2h_gbps);
  cr_assert_eq(a->sm_count, b->sm_count);
  cr_assert_eq(a->kernel_streams, b->kernel_streams);
  cr_assert_eq(a->noise_cv, b->noise_cv);
  cr_assert_eq(a->config_slots, b->config_slots);
  cr_assert_eq(a->config_slot_bytes, b->config_slot_bytes);
  cr_assert_eq(a->telemetry_slots, b->telemetry_slots);
  cr_assert_eq(a->telemetry_slot_bytes, b->telemetry_slot_bytes);
  cr_assert_eq(a->telemetry_watermark, b->telemetry_watermark);
}

Test(profile, builtin_h100_defaults) {
  aatgs_profile p;
  aatgs_profile_default(&p);
  cr_assert_str_eq(p.name, "h100-sxm");
  cr_assert(strstr(p.gpu, "H100"));
  cr_assert(strstr(p.source, "aatgs calibrate") && strstr(p.source, "H100"));
  cr_assert_eq(p.launch_ns, 4327);
  cr_assert_eq(p.graph_node_ns, 784);
  cr_assert_eq(p.event_ns, 1835);
  cr_assert_eq(p.host_submit_ns, 7263);
  cr_assert_eq(p.host_complete_ns, 10552);
  cr_assert_eq(p.h2d_latency_ns, 2528);
  cr_assert_eq(p.d2h_latency_ns, 2255);
  cr_assert_eq(p.h2d_gbps, 52.59);
  cr_assert_eq(p.d2h_gbps, 55.04);
  cr_assert_eq(p.block_slots, 4224);
  cr_assert_eq(p.sm_count, 132);
  cr_assert_eq(p.kernel_streams, 4);
  cr_assert_eq(p.noise_cv, 0.05);
  cr_assert_eq(p.config_slots, 16);
  cr_assert_eq(p.config_slot_bytes, 256);
  cr_assert_eq(p.telemetry_slots, 64);
  cr_assert_eq(p.telemetry_slot_bytes, 64);
  cr_assert_eq(p.telemetry_watermark, 0.75);
  cr_assert_null(p.text);
  aatgs_profile_free(&p);
  aatgs_profile_free(NULL);
}

Test(profile, shipped_h100_file_matches_builtin) {
  aatgs_profile def, p;
  aatgs_err err = {0};
  aatgs_profile_default(&def);
  cr_assert_eq(aatgs_profile_load(&p, AATGS_SOURCE_DIR "/scenarios/profiles/h100.yaml", &err),
               AATGS_OK, "%s", err.msg);
  assert_same(&p, &def);
  cr_assert_not_null(p.text);
  cr_assert(strstr(p.text, "launch_ns: 4327"));
  aatgs_profile_free(&p);
  cr_assert_null(p.text);
}

Test(profile, partial_file_with_suffixes) {
  char path[64];
  aatgs_profile p;
  aatgs_err err = {0};
  write_temp(path, sizeof path,
             "name: test-gpu\nlaunch_ns: 3.3us\ngraph_node_ns: 1us\n"
             "h2d_gbps: 12.5\nkernel_streams: 8\n");
  cr_assert_eq(aatgs_profile_load(&p, path, &err), AATGS_OK, "%s", err.msg);
  cr_assert_str_eq(p.name, "test-gpu");
  cr_assert_eq(p.launch_ns, 3300);
  cr_assert_eq(p.graph_node_ns, 1000);
  cr_assert_eq(p.h2d_gbps, 12.5);
  cr_assert_eq(p.kernel_streams, 8);
  cr_assert_eq(p.sm_count, 132); /* missing keys keep the defaults */
  cr_assert_eq(p.telemetry_watermark, 0.75);
  aatgs_profile_free(&p);
  unlink(path);
}

/* Loads text that must fail; the message must start with path + suffix. */
static void load_fails(const char *text, const char *suffix) {
  char path[64], want[512];
  aatgs_profile p;
  aatgs_err err = {0};
  write_temp(path, sizeof path, text);
  cr_assert_eq(aatgs_profile_load(&p, path, &err), AATGS_EINVAL, "%s", err.msg);
  snprintf(want, sizeof want, "%s%s", path, suffix);
  cr_assert(strncmp(err.msg, want, strlen(want)) == 0, "got:      %s\nexpected: %s...", err.msg,
            want);
  cr_assert_null(p.text);
  cr_assert_eq(p.launch_ns, 4327); /* left at the defaults */
  unlink(path);
}

Test(profile, errors_name_line_and_column) {
  load_fails("launch_ns: 3us\n# a comment\nbogus_key: 1\n",
             ":3:1: unknown key \"bogus_key\" (valid: name, gpu, source, launch_ns,");
  load_fails("launch_ns: 3us\nsm_count: many\n",
             ":2:11: sm_count: expected an unsigned integer, got \"many\"");
  load_fails("launch_ns: fast\n", ":1:12: launch_ns: expected a duration");
  load_fails("kernel_streams: 0\n", ":1:17: kernel_streams: 0 is out of range [1, 256]");
  load_fails("telemetry_watermark: 1.5\n", ":1:22: telemetry_watermark: 1.5 is out of range");
  load_fails("name: [a, b]\n", ":1:7: name: expected a single value, got a sequence");
  load_fails("launch_ns: 1\nlaunch_ns: 2\n", ":2:1: duplicate key \"launch_ns\"");
  load_fails("launch_ns: : 1\n", ":1:");
  load_fails("", ":1:1: empty file");
  load_fails("- 1\n", ":1:1: expected a mapping of profile keys, got a sequence");
}

Test(profile, missing_file) {
  aatgs_profile p;
  aatgs_err err = {0};
  cr_assert_eq(aatgs_profile_load(&p, "/nonexistent/profile.yaml", &err), AATGS_EIO);
  cr_assert(strstr(err.msg, "/nonexistent/profile.yaml"));
  cr_assert_null(p.text);
}

Test(profile, yaml_round_trip) {
  aatgs_profile p, q;
  aatgs_err err = {0};
  char path[64];
  aatgs_profile_default(&p);
  snprintf(p.name, sizeof p.name, "odd \"name\" \\ here");
  snprintf(p.gpu, sizeof p.gpu, "GPU: with colon # and hash");
  p.launch_ns = 4321;
  p.h2d_gbps = 0.1 + 0.2; /* needs 17 digits */
  p.noise_cv = 1.0 / 3.0;
  p.telemetry_slots = 128;
  p.telemetry_watermark = 0.5;
  char *y = aatgs_profile_to_yaml(&p);
  cr_assert_not_null(y);
  write_temp(path, sizeof path, y);
  cr_assert_eq(aatgs_profile_load(&q, path, &err), AATGS_OK, "%s\n%s", err.msg, y);
  assert_same(&p, &q);
  cr_assert_str_eq(q.text, y);
  /* The built-in profile round-trips too. */
  free(y);
  aatgs_profile_free(&q);
  unlink(path);
  aatgs_profile_default(&p);
  y = aatgs_profile_to_yaml(&p);
  write_temp(path, sizeof path, y);
  cr_assert_eq(aatgs_profile_load(&q, path, &err), AATGS_OK, "%s", err.msg);
  assert_same(&p, &q);
  aatgs_profile_free(&q);
  free(y);
  unlink(path);
}
