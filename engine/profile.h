/* profile.h - the machine profile: constants of the simulated GPU pipeline.
 *
 * A profile is a small YAML file (files in scenarios/profiles/). `aatgs calibrate`
 * (issue [2]) measures one on a real GPU; aatgs_profile_default gives the
 * built-in H100 profile that scenarios/profiles/h100.yaml also holds.
 * Unknown keys are errors (file:line:col), missing keys keep the defaults.
 */
#ifndef AATGS_PROFILE_H
#define AATGS_PROFILE_H

#include <stdint.h>

#include "error.h"
#include "graph.h"

typedef struct aatgs_profile {
  char name[64];             /* "h100-sxm" */
  char gpu[96];              /* "NVIDIA H100 80GB HBM3" */
  char source[160];          /* where the numbers come from */
  aatgs_ns launch_ns;        /* host cost of one kernel launch, back to back on one stream */
  aatgs_ns graph_node_ns;    /* per-node cost of a CUDA Graph replay */
  aatgs_ns event_ns;         /* cudaEventRecord + query overhead */
  aatgs_ns host_submit_ns;   /* host time the dispatch thread spends per submit (the cuda
                                backend's event records and launch call); sim serializes
                                submits by it; 0: free */
  aatgs_ns host_complete_ns; /* host time per completion observed (event query and
                                two elapsed-time reads in the cuda backend); sim charges it
                                to the same serial host; 0: free */
  aatgs_ns h2d_latency_ns;   /* fixed cost of a pinned H2D copy */
  double h2d_gbps;           /* pinned H2D bandwidth, GB/s (= bytes per ns) */
  aatgs_ns d2h_latency_ns;
  double d2h_gbps;
  uint32_t sm_count;       /* SMs shared by concurrent kernels */
  uint32_t block_slots;    /* thread blocks of the synthetic kernel resident at once on the
                              whole GPU; concurrent kernels slow down when their blocks
                              exceed it. 0: sm_count (one block per SM) */
  uint32_t kernel_streams; /* default number of kernel streams */
  double noise_cv;         /* default run-to-run coefficient of variation of kernel time */
  uint32_t config_slots;   /* device config ring: 16 x 256 B in the report */
  uint32_t config_slot_bytes;
  uint32_t telemetry_slots; /* device telemetry ring: 64 x 64 B in the report */
  uint32_t telemetry_slot_bytes;
  double telemetry_watermark; /* fraction of the telemetry ring that triggers a background drain */
  aatgs_ns edge_latency_ns;   /* data of an edge whose tasks ran on different kernel streams:
                                 the consumer starts no sooner than producer end + this + */
  double edge_gbps;           /* bytes / this (GB/s). 0 and 0: free (one GPU: streams share
                                 memory; the default) */
  char *text;                 /* the file's text (owned, may be NULL for the built-in) */
} aatgs_profile;

/* Fills p with the built-in H100 profile. */
void aatgs_profile_default(aatgs_profile *p);
/* Loads a YAML profile over the defaults. Errors name path:line:col. */
int aatgs_profile_load(aatgs_profile *p, const char *path, aatgs_err *err);
/* Writes the profile as YAML text into a malloc'd string (for provenance). */
char *aatgs_profile_to_yaml(const aatgs_profile *p);
/* Frees p->text. NULL is a no-op. */
void aatgs_profile_free(aatgs_profile *p);

#endif
