/* db_read.h - opening a trace database for reading (`aatgs trace`, `aatgs merge`).
 *
 * aatgs_db_open_read opens an existing file read-only and checks, before the
 * caller reads anything, that it is an AATGS trace database (a meta table
 * with a positive schema_version) of a version this build can read (not newer
 * than AATGS_SQLITE_SCHEMA_VERSION). Every message names the file. Nothing is
 * written to the file; a database that another process is writing can be read
 * at the same time (WAL), and one that is locked exclusively gives AATGS_EDB
 * after busy_timeout_ms with "database is locked" and the file's name.
 *
 * It also offers two small introspection helpers that let readers and the
 * merger follow schema additions instead of hard-coding column lists.
 */
#ifndef AATGS_DB_READ_H
#define AATGS_DB_READ_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>

#include "error.h"

/* Opens path read-only. busy_timeout_ms 0 means 5000. On success *db is the
 * connection (close it with sqlite3_close) and *version (may be NULL) the
 * file's schema version. Errors: AATGS_ENOENT (no such file), AATGS_EIO (a
 * folder, unreadable), AATGS_EDB (not an AATGS database, a newer schema,
 * locked, corrupt); *db is NULL then. */
int aatgs_db_open_read(const char *path, uint32_t busy_timeout_ms, sqlite3 **db, long *version,
                       aatgs_err *err);

/* Reads schema_version from the meta table of schema `schema` ("main" or an
 * attached name) of db. AATGS_OK and *version, or AATGS_EDB with a message
 * naming `path` (the file, for the message only). */
int aatgs_db_schema_version(sqlite3 *db, const char *schema, const char *path, long *version,
                            aatgs_err *err);

/* True when table `table` of schema `schema` has a column named `column`. */
bool aatgs_db_has_column(sqlite3 *db, const char *schema, const char *table, const char *column);

#endif
