/* explain.h - the story of one task in one run, from the database.
 *
 * `aatgs explain --run ID --task T` prints: the run and what its policy's
 * scores mean; the task (type, class, estimate, label); its predecessors and
 * when the last one ended; when it became ready; every decision on a stream of
 * its class while it waited, with the task picked instead and, from the
 * decision's recorded candidates (decisions.candidates), where this task
 * ranked and at which score, or that it was not among the top k; the decision
 * that picked it (score, rank, estimate the policy used); when it was
 * submitted, started and ended, on which stream, and how long it waited and
 * ran against its estimate.
 *
 * The task is given by id (tasks.task_id, the payload of its NVTX range in
 * Nsight Systems) or by label (tasks.label).
 */
#ifndef AATGS_EXPLAIN_H
#define AATGS_EXPLAIN_H

#include <stdint.h>
#include <stdio.h>

#include "error.h"

typedef struct aatgs_explain_options {
  int64_t run_id;
  const char *task;    /* an id ("12") or a label */
  uint32_t max_passed; /* decisions that passed the task over to list; 0: 20 */
} aatgs_explain_options;

/* Writes the story to out. AATGS_ENOENT (message names the run or task) when
 * the run or task does not exist, AATGS_EDB / AATGS_EIO when the database
 * cannot be read. */
int aatgs_explain(const char *db_path, const aatgs_explain_options *o, FILE *out, aatgs_err *err);

#endif
