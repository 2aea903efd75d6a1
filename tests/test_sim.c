/* test_sim.c - the simulated pipeline's model, driven directly. */
#include <criterion/criterion.h>
#include <string.h>

#include "backend.h"

static aatgs_profile prof(void) {
  aatgs_profile p;
  aatgs_profile_default(&p);
  p.launch_ns = 1000;
  p.host_submit_ns = 0; /* the host's serial cost has its own test */
  p.host_complete_ns = 0;
  p.h2d_latency_ns = 2000;
  p.h2d_gbps = 10.0;
  p.d2h_latency_ns = 3000;
  p.d2h_gbps = 8.0;
  p.sm_count = 100;
  p.block_slots = 0; /* one block per SM */
  return p;
}

static aatgs_backend *open_sim(const aatgs_graph *g, aatgs_profile *p, uint32_t nk,
                               aatgs_telemetry *tel) {
  aatgs_backend_config bc;
  aatgs_backend *b = NULL;
  aatgs_err e;
  memset(&bc, 0, sizeof bc);
  bc.graph = g;
  bc.profile = p;
  bc.kernel_streams = nk;
  bc.seed = 1;
  bc.noise_cv = 0;
  bc.telemetry = tel;
  cr_assert_eq(aatgs_backend_sim.open(&b, &bc, &e), AATGS_OK, "%s", e.msg);
  return b;
}

static aatgs_graph *independent(uint32_t n, uint32_t type, aatgs_ns est, uint32_t blocks) {
  aatgs_graph *g;
  aatgs_err e;
  aatgs_graph_create(&g, n, 0);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t id;
    aatgs_graph_add_task(g, type, est, NULL, 0, &id, &e);
    if (blocks) aatgs_graph_set_blocks(g, id, blocks);
  }
  cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK);
  return g;
}

Test(sim, streams_table) {
  aatgs_profile p = prof();
  aatgs_graph *g = independent(1, AATGS_TT_CUSTOM, 10, 0);
  aatgs_backend *b = open_sim(g, &p, 3, NULL);
  uint32_t n;
  const aatgs_stream_info *s = aatgs_backend_sim.streams(b, &n);
  cr_assert_eq(n, 5);
  cr_assert_str_eq(s[0].name, "kernel-0");
  cr_assert_eq(s[2].cls, AATGS_CLASS_KERNEL);
  cr_assert_eq(s[3].cls, AATGS_CLASS_UPLOAD);
  cr_assert_str_eq(s[3].name, "config-upload");
  cr_assert_eq(s[4].cls, AATGS_CLASS_DOWNLOAD);
  cr_assert_str_eq(s[4].name, "telemetry-download");
  aatgs_err e;
  cr_assert_eq(aatgs_backend_sim.submit(b, 0, 3, &e), AATGS_EINVAL); /* kernel on upload stream */
  aatgs_backend_sim.close(b);
  aatgs_graph_destroy(g);
}

Test(sim, launch_latency_then_duration) {
  aatgs_profile p = prof();
  aatgs_graph *g = independent(1, AATGS_TT_CUSTOM, 50000, 10);
  aatgs_backend *b = open_sim(g, &p, 1, NULL);
  aatgs_completion c[4];
  uint32_t n;
  aatgs_err e;
  cr_assert_eq(aatgs_backend_sim.submit(b, 0, 0, &e), AATGS_OK);
  cr_assert_eq(aatgs_backend_sim.submit(b, 0, 0, &e), AATGS_ESTATE); /* busy */
  cr_assert_eq(aatgs_backend_sim.wait(b, INT64_MAX, c, 4, &n, &e), AATGS_OK);
  cr_assert_eq(n, 1);
  cr_assert_eq(c[0].submit_ns, 0);
  cr_assert_eq(c[0].start_ns, 1000);
  cr_assert_eq(c[0].end_ns, 51000);
  cr_assert_eq(aatgs_backend_sim.now(b), 51000);
  aatgs_backend_sim.close(b);
  aatgs_graph_destroy(g);
}

Test(sim, wait_stops_at_deadline) {
  aatgs_profile p = prof();
  aatgs_graph *g = independent(1, AATGS_TT_CUSTOM, 50000, 10);
  aatgs_backend *b = open_sim(g, &p, 1, NULL);
  aatgs_completion c[4];
  uint32_t n;
  aatgs_err e;
  aatgs_backend_sim.submit(b, 0, 0, &e);
  cr_assert_eq(aatgs_backend_sim.wait(b, 20000, c, 4, &n, &e), AATGS_OK);
  cr_assert_eq(n, 0);
  cr_assert_eq(aatgs_backend_sim.now(b), 20000);
  aatgs_backend_sim.wait(b, INT64_MAX, c, 4, &n, &e);
  cr_assert_eq(c[0].end_ns, 51000);
  aatgs_backend_sim.close(b);
  aatgs_graph_destroy(g);
}

/* Two kernels of 60 blocks each on a 100-SM GPU: 120 blocks > 100 SMs, so
 * both run at 100/120 speed while they overlap. */
Test(sim, concurrent_kernels_share_the_sms) {
  aatgs_profile p = prof();
  aatgs_graph *g = independent(2, AATGS_TT_CUSTOM, 60000, 60);
  aatgs_backend *b = open_sim(g, &p, 2, NULL);
  aatgs_completion c[4];
  uint32_t n, got = 0;
  aatgs_err e;
  aatgs_backend_sim.submit(b, 0, 0, &e);
  aatgs_backend_sim.submit(b, 1, 1, &e);
  while (got < 2) {
    aatgs_backend_sim.wait(b, INT64_MAX, c + got, 4, &n, &e);
    got += n;
  }
  /* 60000 ns of work at 1/1.2 speed: 72000 ns after the 1000 ns launch. */
  cr_assert_eq(c[0].end_ns, 73000);
  cr_assert_eq(c[1].end_ns, 73000);
  aatgs_backend_sim.close(b);
  aatgs_graph_destroy(g);

  /* The same kernels at 40 blocks each fit: no slowdown. */
  g = independent(2, AATGS_TT_CUSTOM, 60000, 40);
  b = open_sim(g, &p, 2, NULL);
  aatgs_backend_sim.submit(b, 0, 0, &e);
  aatgs_backend_sim.submit(b, 1, 1, &e);
  aatgs_backend_sim.wait(b, INT64_MAX, c, 4, &n, &e);
  cr_assert_eq(n, 2);
  cr_assert_eq(c[0].end_ns, 61000);
  aatgs_backend_sim.close(b);
  aatgs_graph_destroy(g);
}

Test(sim, copies_use_latency_and_bandwidth) {
  aatgs_profile p = prof();
  aatgs_graph *g = independent(2, AATGS_TT_CONFIG_UPLOAD, 100000, 0);
  aatgs_graph_set_bytes(g, 0, 10000); /* 10000 B at 10 B/ns = 1000 ns */
  aatgs_backend *b = open_sim(g, &p, 1, NULL);
  aatgs_completion c[4];
  uint32_t n;
  aatgs_err e;
  aatgs_backend_stats st;
  cr_assert_eq(aatgs_backend_sim.submit(b, 0, 1, &e), AATGS_OK);
  aatgs_backend_sim.wait(b, INT64_MAX, c, 4, &n, &e);
  cr_assert_eq(c[0].start_ns, 1000);
  cr_assert_eq(c[0].end_ns, 1000 + 2000 + 1000);
  aatgs_backend_sim.stats(b, &st);
  cr_assert_eq(st.config_len, 1); /* the upload landed in the device config ring */
  cr_assert_eq(st.config_cap, 16);
  /* without bytes, a copy takes its estimate */
  aatgs_backend_sim.submit(b, 1, 1, &e);
  aatgs_backend_sim.wait(b, INT64_MAX, c, 4, &n, &e);
  cr_assert_eq(c[0].end_ns - c[0].start_ns, 100000);
  aatgs_backend_sim.close(b);
  aatgs_graph_destroy(g);
}

Test(sim, config_ring_overflow_is_counted) {
  aatgs_profile p = prof();
  p.config_slots = 2;
  aatgs_graph *g = independent(5, AATGS_TT_CONFIG_UPLOAD, 1000, 0);
  aatgs_backend *b = open_sim(g, &p, 1, NULL);
  aatgs_completion c[4];
  uint32_t n;
  aatgs_err e;
  aatgs_backend_stats st;
  for (uint32_t t = 0; t < 5; t++) {
    aatgs_backend_sim.submit(b, t, 1, &e);
    aatgs_backend_sim.wait(b, INT64_MAX, c, 4, &n, &e);
  }
  aatgs_backend_sim.stats(b, &st);
  cr_assert_eq(st.config_len, 2);
  cr_assert_eq(st.config_overflows, 3);
  aatgs_backend_sim.close(b);
  aatgs_graph_destroy(g);
}

Test(sim, kernels_consume_configs_and_emit_telemetry) {
  aatgs_profile p = prof();
  aatgs_graph *g;
  aatgs_err e;
  uint32_t up, k;
  aatgs_graph_create(&g, 0, 0);
  aatgs_graph_add_task(g, AATGS_TT_CONFIG_UPLOAD, 1000, NULL, 0, &up, &e);
  aatgs_graph_add_task(g, AATGS_TT_WHCR, 5000, &up, 1, &k, &e);
  aatgs_graph_finalize(g, &e);
  aatgs_telemetry *tel;
  aatgs_telemetry_create(&tel, 64);
  aatgs_backend *b = open_sim(g, &p, 1, tel);
  aatgs_completion c[4];
  uint32_t n;
  aatgs_backend_stats st;
  aatgs_backend_sim.submit(b, up, 1, &e);
  aatgs_backend_sim.wait(b, INT64_MAX, c, 4, &n, &e);
  aatgs_backend_sim.submit(b, k, 0, &e);
  aatgs_backend_sim.wait(b, INT64_MAX, c, 4, &n, &e);
  cr_assert_eq(n, 1);
  aatgs_backend_sim.stats(b, &st);
  cr_assert_eq(st.config_len, 0); /* consumed by the kernel */
  /* nothing else runs, so the download engine drains the record */
  aatgs_backend_sim.wait(b, INT64_MAX, c, 4, &n, &e);
  aatgs_backend_sim.stats(b, &st);
  cr_assert_eq(st.telemetry_len, 0);
  cr_assert_eq(st.telemetry_drains, 1);
  aatgs_tel_event ev[8];
  size_t m = aatgs_telemetry_flush(tel, ev, 8);
  int saw_done = 0;
  for (size_t i = 0; i < m; i++)
    if (ev[i].kind == AATGS_TEL_TASK_COMPLETED) {
      saw_done = 1;
      cr_assert_eq(ev[i].u.done.task, k);
      cr_assert_eq(ev[i].u.done.gpu_end_ns - ev[i].u.done.gpu_start_ns, 5000);
    }
  cr_assert(saw_done);
  aatgs_backend_sim.close(b);
  aatgs_telemetry_destroy(tel);
  aatgs_graph_destroy(g);
}

Test(sim, noise_depends_on_seed_and_task_only) {
  aatgs_profile p = prof();
  aatgs_graph *g = independent(2, AATGS_TT_CUSTOM, 100000, 1);
  aatgs_backend_config bc;
  aatgs_backend *b;
  aatgs_err e;
  aatgs_completion c[4];
  uint32_t n;
  aatgs_ns d1[2], d2[2];
  memset(&bc, 0, sizeof bc);
  bc.graph = g;
  bc.profile = &p;
  bc.kernel_streams = 1;
  bc.seed = 42;
  bc.noise_cv = 0.3;
  for (int pass = 0; pass < 2; pass++) {
    aatgs_backend_sim.open(&b, &bc, &e);
    for (int k = 0; k < 2; k++) {
      uint32_t t = pass == 0 ? (uint32_t)k : (uint32_t)(1 - k); /* other order */
      aatgs_backend_sim.submit(b, t, 0, &e);
      aatgs_backend_sim.wait(b, INT64_MAX, c, 4, &n, &e);
      (pass == 0 ? d1 : d2)[t] = c[0].end_ns - c[0].start_ns;
    }
    aatgs_backend_sim.close(b);
  }
  cr_assert_eq(d1[0], d2[0]);
  cr_assert_eq(d1[1], d2[1]);
  cr_assert_neq(d1[0], d1[1]);
  aatgs_graph_destroy(g);
}

/* The host issues submits one at a time: two kernels submitted at the same
 * instant start host_submit_ns apart. */
Test(sim, host_submits_are_serialized) {
  aatgs_profile p = prof();
  p.host_submit_ns = 5000;
  aatgs_graph *g = independent(2, AATGS_TT_CUSTOM, 60000, 10);
  aatgs_backend *b = open_sim(g, &p, 2, NULL);
  aatgs_completion c[4];
  uint32_t n;
  aatgs_err e;
  aatgs_backend_sim.submit(b, 0, 0, &e);
  aatgs_backend_sim.submit(b, 1, 1, &e);
  aatgs_backend_sim.wait(b, INT64_MAX, c, 4, &n, &e);
  cr_assert_eq(n, 1);
  cr_assert_eq(c[0].start_ns, 1000);
  aatgs_backend_sim.wait(b, INT64_MAX, c, 4, &n, &e);
  cr_assert_eq(c[0].start_ns, 6000);
  aatgs_backend_sim.close(b);
  aatgs_graph_destroy(g);
}
