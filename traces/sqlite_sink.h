/* sqlite_sink.h - the SQLite event sink: records runs into one database file.
 *
 * An aatgs_sqlite_sink owns a background writer thread with its SQLite
 * connection (and a checkpoint thread with another, see below). The
 * dispatch thread calls emit (through the aatgs_sink table), which
 * copies the event into a lock-free SPSC ring (engine/ring.h); the writer
 * pops events in bulk and inserts them with prepared multi-row statements in
 * batched transactions, committing every `batch_rows` rows or every
 * `commit_interval_ms`, whichever comes first, so a killed process loses at
 * most the last interval. Memory stays bounded whatever the run size: the
 * ring, a few batches of staged rows and SQLite's page cache.
 *
 * emit never drops an event: when the ring is full it spins briefly and then
 * sleeps until the writer has made room. An SQLite failure in the writer
 * (locked, disk full, I/O) is latched: the message names the database and
 * SQLite's reason, emit and run_end return AATGS_EDB, the writer discards
 * what follows, and nothing hangs (locked databases wait at most
 * busy_timeout_ms). run_end reports the failure (and records the run as
 * 'failed' with the message, when the database still takes writes); the
 * next run_begin starts clean.
 *
 * A third thread, with its own connection, checkpoints the WAL in the
 * background so that the writer never waits for fsync.
 *
 * run_begin writes the runs row synchronously (status 'running', committed
 * before it returns, so even a killed run is listed) and stores the graph
 * once per distinct structure (graphs.hash), writing tasks and edges from the
 * writer thread. run_end waits until every event is written, then records the
 * result. Opening a database marks runs left 'running' by a process of this
 * host that no longer exists as 'interrupted'.
 *
 * One run at a time per sink; for concurrent runs open one sink each (they
 * may share the file). The sink's functions must be called from one thread
 * (the one that opened it or any one thread at a time), except that the
 * writer runs on its own.
 *
 * The schema is traces/schema.sql (embedded as aatgs_sqlite_schema_sql).
 */
#ifndef AATGS_SQLITE_SINK_H
#define AATGS_SQLITE_SINK_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "sink.h"

/* The schema this build writes; a database with a newer one is refused. */
#define AATGS_SQLITE_SCHEMA_VERSION 2

/* The schema (the text of traces/schema.sql); idempotent SQL. */
extern const char aatgs_sqlite_schema_sql[];

typedef struct aatgs_sqlite_options {
  size_t ring_capacity;        /* events the ring holds; 0: 65536 */
  uint32_t batch_rows;         /* commit after this many rows; 0: 131072 */
  uint32_t commit_interval_ms; /* commit at least this often; 0: 200 */
  uint32_t busy_timeout_ms;    /* wait this long for a locked database; 0: 5000 */
  uint32_t cache_mb;           /* SQLite page cache in MiB; 0: 16 */
  /* WAL size in pages that starts a PASSIVE checkpoint on the sink's own
   * checkpoint thread (the writer never waits for one); 0: 4096 (16 MiB),
   * -1: none until close, which checkpoints everything. */
  int32_t wal_autocheckpoint;
  /* Fault injection for tests: from row number fail_at_row on (1-based,
   * counted over the task, edge and event rows this sink writes), every
   * insert fails with an I/O error, like a full disk. 0: never. */
  uint64_t fail_at_row;
} aatgs_sqlite_options;

typedef struct aatgs_sqlite_sink aatgs_sqlite_sink;

/* Fills *o with the defaults (the same as an all-zero struct). */
void aatgs_sqlite_options_default(aatgs_sqlite_options *o);

/* Creates or opens the database at path (options may be NULL: defaults),
 * applies the schema, sets WAL and synchronous=NORMAL, marks dead 'running'
 * runs as 'interrupted' and starts the writer. Checks first that the path
 * can be written: a directory, a missing or unwritable folder or file gives
 * AATGS_EIO with "cannot open database 'PATH': reason". A database with a
 * newer schema_version, or a file that is not an AATGS database, gives
 * AATGS_EDB. Returns AATGS_OK and *out, or a negative code (err set). */
int aatgs_sqlite_sink_open(aatgs_sqlite_sink **out, const char *path,
                           const aatgs_sqlite_options *options, aatgs_err *err);

/* Fills *out with the sink's callbacks (ctx = s). The aatgs_sink is valid
 * until aatgs_sqlite_sink_close. */
void aatgs_sqlite_sink_as_sink(aatgs_sqlite_sink *s, aatgs_sink *out);

/* run_id of the run begun last (0 before the first run_begin). */
int64_t aatgs_sqlite_sink_run_id(const aatgs_sqlite_sink *s);
/* The path the sink was opened with. */
const char *aatgs_sqlite_sink_path(const aatgs_sqlite_sink *s);
/* Rows the writer has inserted so far (all tables, graph included). */
uint64_t aatgs_sqlite_sink_rows_written(const aatgs_sqlite_sink *s);

/* Finishes: a run still open is recorded as 'interrupted', everything
 * emitted is written, the writer is joined, the database closed (SQLite
 * checkpoints the WAL into the file). Returns AATGS_OK, or AATGS_EDB when the
 * last writes failed (err set). NULL is a no-op. */
int aatgs_sqlite_sink_close(aatgs_sqlite_sink *s, aatgs_err *err);

#endif
