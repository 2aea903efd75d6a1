/* merge.h - `aatgs merge`: combines trace databases (shards, machines) into one.
 *
 * Runs are copied into the output database without ever duplicating one. A
 * run is identified by its provenance tuple (writer_host, pid, started_at_ns,
 * scenario_hash, policy, seed, rep, backend): the process that wrote it, on
 * which host, when (Unix ns), and what it ran. Its run_id is not part of it
 * (every file numbers its runs from 1). An input run whose identity is already
 * in the output is skipped, so merging the same input twice adds nothing.
 * The one exception is a copy that the output holds unfinished ('running',
 * or 'interrupted', which is what opening the file makes of a 'running' run
 * of this host whose process has ended) while the input holds it further
 * along ('interrupted' over 'running'; 'completed' or 'failed' over both):
 * a shard merged while it was being written. That copy is replaced, rows
 * and all, under the same run_id.
 *
 * Graphs are deduplicated the way the sink does it: an input graph is reused
 * when the output holds a complete graph with the same hash, task count and
 * edge count, and copied (tasks, task types, edges) otherwise. Every table
 * that has a run_id column (decisions, task_events, telemetry, snapshots,
 * ring_samples, streams, and any added later) is copied with the run_id
 * remapped, rows in their original order; run_rows is rebuilt for the rows'
 * new rowids; graph tables are copied with graph_id remapped. Columns are
 * matched by name, so an input of an older schema version merges (columns it
 * lacks are NULL) and the output is upgraded by the sink's own mechanism.
 *
 * Every input is checked before anything is written (readable, an AATGS
 * database, a schema version not newer than this build's, not the output
 * file itself). Each run is copied in its own transaction: an error leaves
 * every run either fully merged or absent, and merging again completes the
 * job. Messages name the file at fault.
 */
#ifndef AATGS_MERGE_H
#define AATGS_MERGE_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct aatgs_merge_options {
  uint32_t busy_timeout_ms; /* wait this long for a locked file; 0: 5000 */
} aatgs_merge_options;

/* What merging one input did. */
typedef struct aatgs_merge_stats {
  uint64_t runs_in;       /* runs in the input */
  uint64_t runs_added;    /* copied as new runs */
  uint64_t runs_replaced; /* replaced an unfinished copy already in the output */
  uint64_t runs_present;  /* skipped: already in the output */
  uint64_t graphs_added;  /* graphs copied */
  uint64_t graphs_reused; /* graphs found in the output by hash */
  uint64_t rows_added;    /* rows inserted, every table */
} aatgs_merge_stats;

/* Checks that in_path can be merged into out_path (which need not exist):
 * readable, an AATGS database, not newer, not the same file as out_path.
 * AATGS_OK, or a negative code with a message naming in_path. */
int aatgs_merge_check_input(const char *in_path, const char *out_path,
                            const aatgs_merge_options *opt, aatgs_err *err);

/* Merges inputs[0..n-1] into out_path (created when missing, upgraded when
 * older). Checks every input first; nothing is written if one fails. stats,
 * when not NULL, has n entries and receives each input's figures (also on
 * failure, for the inputs done). Returns AATGS_OK or a negative code (err
 * names the file). */
int aatgs_merge_files(const char *out_path, const char *const *inputs, size_t n,
                      const aatgs_merge_options *opt, aatgs_merge_stats *stats, aatgs_err *err);

#endif
