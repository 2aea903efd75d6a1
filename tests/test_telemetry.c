/* test_telemetry.c - the telemetry collector (engine/telemetry.h). */
#include <criterion/criterion.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "telemetry.h"

static aatgs_telemetry *make(size_t n) {
  aatgs_telemetry *t = NULL;
  cr_assert_eq(aatgs_telemetry_create(&t, n), AATGS_OK);
  cr_assert_not_null(t);
  return t;
}

static aatgs_phase_metrics phase(uint32_t id) {
  aatgs_phase_metrics m;
  memset(&m, 0, sizeof m);
  m.phase_id = id;
  m.temperature = 0.5f + (float)id;
  m.compaction_ratio = 0.25f;
  m.reward = -1.5f;
  m.conflicts = 1000u + id;
  m.duration_ns = 7 * AATGS_NS_PER_US;
  return m;
}

static aatgs_gpu_metrics gpu(uint32_t mem) {
  aatgs_gpu_metrics m;
  memset(&m, 0, sizeof m);
  m.utilization = 0.75f;
  m.memory_used_mb = mem;
  m.memory_total_mb = 80000;
  m.kernel_duration_ns = 3 * AATGS_NS_PER_MS;
  m.transfer_duration_ns = 200 * AATGS_NS_PER_US;
  return m;
}

static size_t drain(aatgs_telemetry *t, aatgs_tel_event *out, size_t max) {
  size_t n = 0, k;
  while ((k = aatgs_telemetry_flush(t, out + n, max - n)) > 0)
    n += k;
  return n;
}

Test(telemetry, create_rejects_invalid_arguments) {
  aatgs_telemetry *t = (aatgs_telemetry *)&t;
  cr_expect_eq(aatgs_telemetry_create(&t, 0), AATGS_EINVAL);
  cr_expect_null(t);
  cr_expect_eq(aatgs_telemetry_create(NULL, 4), AATGS_EINVAL);
  cr_expect_eq(aatgs_telemetry_create(&t, SIZE_MAX), AATGS_EINVAL);
  cr_expect_null(t);
}

Test(telemetry, destroy_null_is_noop) { aatgs_telemetry_destroy(NULL); }

Test(telemetry, fresh_collector_is_empty) {
  aatgs_telemetry *t = make(8);
  aatgs_telemetry_stats st;
  aatgs_tel_event ev[2];
  memset(&st, 0xff, sizeof st);
  aatgs_telemetry_buffer_stats(t, &st);
  cr_expect_eq(st.phase_len, 0);
  cr_expect_eq(st.gpu_len, 0);
  cr_expect_eq(st.events_len, 0);
  cr_expect_eq(st.phase_cap, 8);
  cr_expect_eq(st.gpu_cap, 8);
  cr_expect_eq(st.events_cap, 8);
  cr_expect_eq(st.phase_evicted, 0);
  cr_expect_eq(st.gpu_evicted, 0);
  cr_expect_eq(st.events_evicted, 0);
  cr_expect_eq(st.recorded, 0);
  cr_expect_eq(aatgs_telemetry_pending(t), 0);
  cr_expect_eq(aatgs_telemetry_flush(t, ev, 2), 0);
  aatgs_telemetry_destroy(t);
}

Test(telemetry, records_each_kind_with_its_payload) {
  aatgs_telemetry *t = make(4);
  aatgs_phase_metrics pm = phase(3);
  aatgs_gpu_metrics gm = gpu(1234);
  aatgs_tel_event ev[8];
  aatgs_telemetry_record_phase(t, 100, &pm);
  aatgs_telemetry_record_gpu(t, 200, &gm);
  aatgs_telemetry_record_task_completion(t, 300, 42, 1000, 1750, 5);
  aatgs_telemetry_record_error(t, 400, "kernel timed out");
  cr_assert_eq(aatgs_telemetry_pending(t), 4);
  cr_assert_eq(aatgs_telemetry_flush(t, ev, 8), 4);

  cr_expect_eq(ev[0].kind, AATGS_TEL_PHASE);
  cr_expect_eq(ev[0].t_ns, 100);
  cr_expect_eq(ev[0].u.phase.phase_id, 3);
  cr_expect_float_eq(ev[0].u.phase.temperature, 3.5f, 1e-6);
  cr_expect_float_eq(ev[0].u.phase.compaction_ratio, 0.25f, 1e-6);
  cr_expect_float_eq(ev[0].u.phase.reward, -1.5f, 1e-6);
  cr_expect_eq(ev[0].u.phase.conflicts, 1003);
  cr_expect_eq(ev[0].u.phase.duration_ns, 7000);

  cr_expect_eq(ev[1].kind, AATGS_TEL_GPU);
  cr_expect_eq(ev[1].t_ns, 200);
  cr_expect_float_eq(ev[1].u.gpu.utilization, 0.75f, 1e-6);
  cr_expect_eq(ev[1].u.gpu.memory_used_mb, 1234);
  cr_expect_eq(ev[1].u.gpu.memory_total_mb, 80000);
  cr_expect_eq(ev[1].u.gpu.kernel_duration_ns, 3000000);
  cr_expect_eq(ev[1].u.gpu.transfer_duration_ns, 200000);

  cr_expect_eq(ev[2].kind, AATGS_TEL_TASK_COMPLETED);
  cr_expect_eq(ev[2].t_ns, 300);
  cr_expect_eq(ev[2].u.done.task, 42);
  cr_expect_eq(ev[2].u.done.sm, 5);
  cr_expect_eq(ev[2].u.done.gpu_start_ns, 1000);
  cr_expect_eq(ev[2].u.done.gpu_end_ns, 1750);
  cr_expect_eq(ev[2].u.done.duration_ns, 750);

  cr_expect_eq(ev[3].kind, AATGS_TEL_ERROR);
  cr_expect_eq(ev[3].t_ns, 400);
  cr_expect_str_eq(ev[3].u.error, "kernel timed out");

  cr_expect_eq(aatgs_telemetry_pending(t), 0);
  cr_expect_eq(aatgs_telemetry_flush(t, ev, 8), 0);
  aatgs_telemetry_destroy(t);
}

Test(telemetry, unknown_sm_is_kept) {
  aatgs_telemetry *t = make(2);
  aatgs_tel_event ev;
  aatgs_telemetry_record_task_completion(t, 1, 7, 10, 10, UINT32_MAX);
  cr_assert_eq(aatgs_telemetry_flush(t, &ev, 1), 1);
  cr_expect_eq(ev.u.done.sm, UINT32_MAX);
  cr_expect_eq(ev.u.done.duration_ns, 0);
  aatgs_telemetry_destroy(t);
}

Test(telemetry, null_arguments_are_ignored) {
  aatgs_telemetry *t = make(2);
  aatgs_tel_event ev;
  aatgs_telemetry_stats st;
  aatgs_telemetry_record_phase(t, 1, NULL);
  aatgs_telemetry_record_gpu(t, 1, NULL);
  aatgs_telemetry_record_phase(NULL, 1, NULL);
  aatgs_telemetry_record_error(NULL, 1, "x");
  cr_expect_eq(aatgs_telemetry_pending(t), 0);
  cr_expect_eq(aatgs_telemetry_pending(NULL), 0);
  cr_expect_eq(aatgs_telemetry_flush(NULL, &ev, 1), 0);
  aatgs_telemetry_buffer_stats(t, NULL);
  aatgs_telemetry_buffer_stats(NULL, &st);
  cr_expect_eq(st.recorded, 0);
  /* A NULL message records an empty one rather than nothing. */
  aatgs_telemetry_record_error(t, 5, NULL);
  cr_assert_eq(aatgs_telemetry_flush(t, &ev, 1), 1);
  cr_expect_eq(ev.kind, AATGS_TEL_ERROR);
  cr_expect_str_eq(ev.u.error, "");
  aatgs_telemetry_destroy(t);
}

Test(telemetry, flush_merges_buffers_by_time_then_record_order) {
  aatgs_telemetry *t = make(16);
  aatgs_phase_metrics pm;
  aatgs_gpu_metrics gm;
  aatgs_tel_event ev[16];
  /* Recorded out of time order across buffers, in order within each. */
  pm = phase(1);
  aatgs_telemetry_record_phase(t, 50, &pm); /* seq 0 */
  gm = gpu(1);
  aatgs_telemetry_record_gpu(t, 10, &gm);                    /* seq 1 */
  aatgs_telemetry_record_task_completion(t, 30, 1, 0, 5, 0); /* seq 2 */
  gm = gpu(2);
  aatgs_telemetry_record_gpu(t, 30, &gm); /* seq 3: ties seq 2 */
  pm = phase(2);
  aatgs_telemetry_record_phase(t, 60, &pm); /* seq 4 */
  aatgs_telemetry_record_error(t, 20, "e"); /* seq 5 */
  pm = phase(3);
  aatgs_telemetry_record_phase(t, 60, &pm);                 /* seq 6: ties seq 4 */
  aatgs_telemetry_record_task_completion(t, 5, 2, 0, 5, 0); /* seq 7, earliest */
  cr_assert_eq(aatgs_telemetry_pending(t), 8);
  cr_assert_eq(drain(t, ev, 16), 8);
  /* Events buffer: t=30 (task 1), t=20 (error), t=5 (task 2), in record order;
   * a merge keeps that order within the buffer, so task 1 at 30 holds the
   * later error and task back until 30 is the smallest head. */
  {
    aatgs_tel_kind kinds[8] = {
        AATGS_TEL_GPU, AATGS_TEL_TASK_COMPLETED, AATGS_TEL_ERROR, AATGS_TEL_TASK_COMPLETED,
        AATGS_TEL_GPU, AATGS_TEL_PHASE,          AATGS_TEL_PHASE, AATGS_TEL_PHASE};
    aatgs_ns times[8] = {10, 30, 20, 5, 30, 50, 60, 60};
    for (int i = 0; i < 8; i++) {
      cr_expect_eq(ev[i].kind, kinds[i], "event %d kind %d", i, (int)ev[i].kind);
      cr_expect_eq(ev[i].t_ns, times[i], "event %d t_ns %lld", i, (long long)ev[i].t_ns);
    }
    cr_expect_eq(ev[1].u.done.task, 1);
    cr_expect_eq(ev[3].u.done.task, 2);
    cr_expect_eq(ev[4].u.gpu.memory_used_mb, 2);
    cr_expect_eq(ev[6].u.phase.phase_id, 2);
    cr_expect_eq(ev[7].u.phase.phase_id, 3);
  }
  aatgs_telemetry_destroy(t);
}

Test(telemetry, flush_with_monotonic_clock_is_sorted) {
  /* The dispatch loop's case: times never go backwards. Interleave all kinds
   * with many ties and check the output is sorted by (t_ns, record order). */
  aatgs_telemetry *t = make(64);
  aatgs_tel_event ev[256];
  uint32_t id[256];
  size_t n = 0;
  aatgs_ns now = 0;
  for (uint32_t i = 0; i < 120; i++) {
    if (i % 3 == 0) now += 10;
    switch (i % 4) {
    case 0: {
      aatgs_phase_metrics pm = phase(i);
      aatgs_telemetry_record_phase(t, now, &pm);
      break;
    }
    case 1: {
      aatgs_gpu_metrics gm = gpu(i);
      aatgs_telemetry_record_gpu(t, now, &gm);
      break;
    }
    case 2: aatgs_telemetry_record_task_completion(t, now, i, 0, 1, 0); break;
    default: {
      char msg[16];
      snprintf(msg, sizeof msg, "%u", i);
      aatgs_telemetry_record_error(t, now, msg);
      break;
    }
    }
  }
  n = drain(t, ev, 256);
  cr_assert_eq(n, 120);
  for (size_t i = 0; i < n; i++) {
    switch (ev[i].kind) {
    case AATGS_TEL_PHASE: id[i] = ev[i].u.phase.phase_id; break;
    case AATGS_TEL_GPU: id[i] = ev[i].u.gpu.memory_used_mb; break;
    case AATGS_TEL_TASK_COMPLETED: id[i] = ev[i].u.done.task; break;
    default: id[i] = (uint32_t)atoi(ev[i].u.error); break;
    }
    /* Record order is i itself here, so the output is exactly 0, 1, 2, ... */
    cr_expect_eq(id[i], (uint32_t)i, "position %zu holds record %u", i, id[i]);
  }
  aatgs_telemetry_destroy(t);
}

Test(telemetry, flush_respects_cap_and_resumes) {
  aatgs_telemetry *t = make(8);
  aatgs_tel_event ev[8];
  for (uint32_t i = 0; i < 6; i++) {
    aatgs_gpu_metrics gm = gpu(i);
    aatgs_telemetry_record_gpu(t, (aatgs_ns)i, &gm);
  }
  cr_expect_eq(aatgs_telemetry_flush(t, ev, 0), 0);
  cr_expect_eq(aatgs_telemetry_pending(t), 6);
  cr_assert_eq(aatgs_telemetry_flush(t, ev, 4), 4);
  cr_expect_eq(aatgs_telemetry_pending(t), 2);
  for (uint32_t i = 0; i < 4; i++)
    cr_expect_eq(ev[i].u.gpu.memory_used_mb, i);
  cr_assert_eq(aatgs_telemetry_flush(t, ev, 4), 2);
  cr_expect_eq(ev[0].u.gpu.memory_used_mb, 4);
  cr_expect_eq(ev[1].u.gpu.memory_used_mb, 5);
  cr_expect_eq(aatgs_telemetry_pending(t), 0);
  aatgs_telemetry_destroy(t);
}

Test(telemetry, phase_overflow_evicts_oldest_and_counts) {
  aatgs_telemetry *t = make(4);
  aatgs_telemetry_stats st;
  aatgs_tel_event ev[8];
  for (uint32_t i = 0; i < 10; i++) {
    aatgs_phase_metrics pm = phase(i);
    aatgs_telemetry_record_phase(t, (aatgs_ns)i, &pm);
  }
  aatgs_telemetry_buffer_stats(t, &st);
  cr_expect_eq(st.phase_len, 4);
  cr_expect_eq(st.phase_evicted, 6);
  cr_expect_eq(st.gpu_evicted, 0);
  cr_expect_eq(st.events_evicted, 0);
  cr_expect_eq(st.recorded, 10);
  cr_expect_eq(aatgs_telemetry_pending(t), 4);
  cr_assert_eq(drain(t, ev, 8), 4);
  for (uint32_t i = 0; i < 4; i++)
    cr_expect_eq(ev[i].u.phase.phase_id, 6 + i);
  /* Flushing does not reset the counters. */
  aatgs_telemetry_buffer_stats(t, &st);
  cr_expect_eq(st.phase_len, 0);
  cr_expect_eq(st.phase_evicted, 6);
  aatgs_telemetry_destroy(t);
}

Test(telemetry, gpu_overflow_evicts_oldest_and_counts) {
  aatgs_telemetry *t = make(3);
  aatgs_telemetry_stats st;
  aatgs_tel_event ev[8];
  for (uint32_t i = 0; i < 5; i++) {
    aatgs_gpu_metrics gm = gpu(i);
    aatgs_telemetry_record_gpu(t, 100 + (aatgs_ns)i, &gm);
  }
  aatgs_telemetry_buffer_stats(t, &st);
  cr_expect_eq(st.gpu_len, 3);
  cr_expect_eq(st.gpu_evicted, 2);
  cr_expect_eq(st.phase_evicted, 0);
  cr_expect_eq(st.events_evicted, 0);
  cr_assert_eq(drain(t, ev, 8), 3);
  for (uint32_t i = 0; i < 3; i++)
    cr_expect_eq(ev[i].u.gpu.memory_used_mb, 2 + i);
  aatgs_telemetry_destroy(t);
}

Test(telemetry, event_queue_overflow_evicts_oldest_across_kinds) {
  /* Task completions and errors share one queue. */
  aatgs_telemetry *t = make(3);
  aatgs_telemetry_stats st;
  aatgs_tel_event ev[8];
  aatgs_telemetry_record_task_completion(t, 1, 10, 0, 1, 0);
  aatgs_telemetry_record_error(t, 2, "first");
  aatgs_telemetry_record_task_completion(t, 3, 11, 0, 1, 0);
  aatgs_telemetry_record_error(t, 4, "second");
  aatgs_telemetry_record_task_completion(t, 5, 12, 0, 1, 0);
  aatgs_telemetry_buffer_stats(t, &st);
  cr_expect_eq(st.events_len, 3);
  cr_expect_eq(st.events_evicted, 2);
  cr_expect_eq(st.phase_evicted, 0);
  cr_expect_eq(st.gpu_evicted, 0);
  cr_expect_eq(st.recorded, 5);
  cr_assert_eq(drain(t, ev, 8), 3);
  cr_expect_eq(ev[0].kind, AATGS_TEL_TASK_COMPLETED);
  cr_expect_eq(ev[0].u.done.task, 11);
  cr_expect_eq(ev[1].kind, AATGS_TEL_ERROR);
  cr_expect_str_eq(ev[1].u.error, "second");
  cr_expect_eq(ev[2].u.done.task, 12);
  aatgs_telemetry_destroy(t);
}

Test(telemetry, one_full_buffer_leaves_the_others_alone) {
  aatgs_telemetry *t = make(2);
  aatgs_telemetry_stats st;
  aatgs_gpu_metrics gm = gpu(1);
  for (int i = 0; i < 7; i++)
    aatgs_telemetry_record_error(t, i, "x");
  aatgs_telemetry_record_gpu(t, 8, &gm);
  aatgs_telemetry_buffer_stats(t, &st);
  cr_expect_eq(st.events_len, 2);
  cr_expect_eq(st.events_evicted, 5);
  cr_expect_eq(st.gpu_len, 1);
  cr_expect_eq(st.gpu_evicted, 0);
  cr_expect_eq(st.phase_len, 0);
  cr_expect_eq(aatgs_telemetry_pending(t), 3);
  aatgs_telemetry_destroy(t);
}

Test(telemetry, capacity_one_buffers) {
  aatgs_telemetry *t = make(1);
  aatgs_telemetry_stats st;
  aatgs_tel_event ev[4];
  for (uint32_t i = 0; i < 3; i++) {
    aatgs_phase_metrics pm = phase(i);
    aatgs_telemetry_record_phase(t, (aatgs_ns)i, &pm);
  }
  aatgs_telemetry_buffer_stats(t, &st);
  cr_expect_eq(st.phase_len, 1);
  cr_expect_eq(st.phase_cap, 1);
  cr_expect_eq(st.phase_evicted, 2);
  cr_assert_eq(drain(t, ev, 4), 1);
  cr_expect_eq(ev[0].u.phase.phase_id, 2);
  aatgs_telemetry_destroy(t);
}

Test(telemetry, pending_and_stats_track_every_operation) {
  aatgs_telemetry *t = make(5);
  aatgs_telemetry_stats st;
  aatgs_tel_event ev[4];
  aatgs_phase_metrics pm = phase(0);
  aatgs_gpu_metrics gm = gpu(0);
  for (int i = 0; i < 3; i++)
    aatgs_telemetry_record_phase(t, i, &pm);
  for (int i = 0; i < 2; i++)
    aatgs_telemetry_record_gpu(t, i, &gm);
  aatgs_telemetry_record_task_completion(t, 9, 1, 0, 1, 0);
  cr_expect_eq(aatgs_telemetry_pending(t), 6);
  aatgs_telemetry_buffer_stats(t, &st);
  cr_expect_eq(st.phase_len, 3);
  cr_expect_eq(st.gpu_len, 2);
  cr_expect_eq(st.events_len, 1);
  cr_expect_eq(st.recorded, 6);
  /* Oldest three by time: phase t=0, gpu t=0, phase t=1. */
  cr_assert_eq(aatgs_telemetry_flush(t, ev, 3), 3);
  cr_expect_eq(aatgs_telemetry_pending(t), 3);
  aatgs_telemetry_buffer_stats(t, &st);
  cr_expect_eq(st.phase_len, 1);
  cr_expect_eq(st.gpu_len, 1);
  cr_expect_eq(st.events_len, 1);
  cr_expect_eq(st.recorded, 6);
  /* Wrap each buffer after a partial flush: the circular indices stay right. */
  for (int i = 0; i < 6; i++)
    aatgs_telemetry_record_phase(t, 10 + i, &pm);
  aatgs_telemetry_buffer_stats(t, &st);
  cr_expect_eq(st.phase_len, 5);
  cr_expect_eq(st.phase_evicted, 2);
  cr_expect_eq(st.recorded, 12);
  cr_expect_eq(aatgs_telemetry_pending(t), 7);
  aatgs_telemetry_destroy(t);
}

Test(telemetry, error_message_is_truncated_and_terminated) {
  aatgs_telemetry *t = make(4);
  aatgs_tel_event ev[4];
  char longmsg[200], exact[AATGS_TEL_MSG_MAX];
  memset(longmsg, 'a', sizeof longmsg - 1);
  longmsg[sizeof longmsg - 1] = '\0';
  longmsg[AATGS_TEL_MSG_MAX - 2] = 'Z'; /* the last character that fits */
  memset(exact, 'b', sizeof exact - 1); /* exactly AATGS_TEL_MSG_MAX - 1 chars */
  exact[sizeof exact - 1] = '\0';
  aatgs_telemetry_record_error(t, 1, longmsg);
  aatgs_telemetry_record_error(t, 2, exact);
  aatgs_telemetry_record_error(t, 3, "short");
  cr_assert_eq(drain(t, ev, 4), 3);
  cr_expect_eq(strlen(ev[0].u.error), AATGS_TEL_MSG_MAX - 1);
  cr_expect_eq(ev[0].u.error[AATGS_TEL_MSG_MAX - 2], 'Z');
  cr_expect_eq(ev[0].u.error[AATGS_TEL_MSG_MAX - 1], '\0');
  cr_expect_eq(strncmp(ev[0].u.error, longmsg, AATGS_TEL_MSG_MAX - 1), 0);
  cr_expect_str_eq(ev[1].u.error, exact);
  cr_expect_str_eq(ev[2].u.error, "short");
  aatgs_telemetry_destroy(t);
}

Test(telemetry, long_run_counts_every_event) {
  /* Record far more than fits, flushing now and then: every event is either
   * flushed or counted as evicted, never lost silently. */
  aatgs_telemetry *t = make(16);
  aatgs_telemetry_stats st;
  aatgs_tel_event ev[64];
  uint64_t flushed = 0;
  for (int i = 0; i < 100000; i++) {
    aatgs_gpu_metrics gm = gpu((uint32_t)i);
    if (i % 3 == 0) aatgs_telemetry_record_gpu(t, i, &gm);
    if (i % 5 == 0) aatgs_telemetry_record_task_completion(t, i, (uint32_t)i, 0, 1, 0);
    if (i % 7 == 0) {
      aatgs_phase_metrics pm = phase((uint32_t)i);
      aatgs_telemetry_record_phase(t, i, &pm);
    }
    if (i % 97 == 0) flushed += aatgs_telemetry_flush(t, ev, 20);
  }
  flushed += drain(t, ev, 64);
  aatgs_telemetry_buffer_stats(t, &st);
  cr_expect_gt(st.phase_evicted + st.gpu_evicted + st.events_evicted, 0);
  cr_expect_eq(flushed + st.phase_evicted + st.gpu_evicted + st.events_evicted, st.recorded);
  cr_expect_eq(aatgs_telemetry_pending(t), 0);
  aatgs_telemetry_destroy(t);
}
