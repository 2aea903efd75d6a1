/* db_read.c - opening a trace database for reading (see db_read.h). */
#include "db_read.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "sqlite_sink.h"

/* The message of a failed read, by SQLite's code. */
static int read_error(sqlite3 *db, int rc, const char *path, aatgs_err *err) {
  int prim = rc & 0xFF;
  if (prim == SQLITE_NOTADB)
    return aatgs_err_set(err, AATGS_EDB, "'%s' is not an AATGS database (%s)", path,
                         sqlite3_errstr(rc));
  return aatgs_err_set(err, AATGS_EDB, "cannot read database '%s': %s", path,
                       prim == SQLITE_BUSY || prim == SQLITE_LOCKED ? sqlite3_errstr(rc)
                                                                    : sqlite3_errmsg(db));
}

int aatgs_db_schema_version(sqlite3 *db, const char *schema, const char *path, long *version,
                            aatgs_err *err) {
  sqlite3_stmt *st = NULL;
  char sql[160];
  *version = 0;
  /* Is there a meta table at all? (A missing table is "not ours", not an error of SQLite.) */
  snprintf(sql, sizeof sql, "SELECT count(*) FROM \"%s\".sqlite_master WHERE name = 'meta'",
           schema);
  int rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc != SQLITE_ROW) {
    int r = read_error(db, rc, path, err);
    sqlite3_finalize(st);
    return r;
  }
  int has_meta = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  st = NULL;
  if (!has_meta)
    return aatgs_err_set(err, AATGS_EDB, "'%s' is not an AATGS database (no meta table)", path);
  snprintf(sql, sizeof sql, "SELECT value FROM \"%s\".meta WHERE key = 'schema_version'", schema);
  rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
  if (rc == SQLITE_OK) rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    const unsigned char *v = sqlite3_column_text(st, 0);
    *version = v ? strtol((const char *)v, NULL, 10) : 0;
  } else if (rc != SQLITE_DONE) {
    int r = read_error(db, rc, path, err);
    sqlite3_finalize(st);
    return r;
  }
  sqlite3_finalize(st);
  if (*version <= 0)
    return aatgs_err_set(err, AATGS_EDB, "'%s' is not an AATGS database (no schema_version)", path);
  if (*version > AATGS_SQLITE_SCHEMA_VERSION)
    return aatgs_err_set(err, AATGS_EDB,
                         "database '%s' has schema version %ld, newer than this build's %d; "
                         "use a newer aatgs",
                         path, *version, AATGS_SQLITE_SCHEMA_VERSION);
  return AATGS_OK;
}

int aatgs_db_open_read(const char *path, uint32_t busy_timeout_ms, sqlite3 **db, long *version,
                       aatgs_err *err) {
  struct stat sb;
  long v = 0;
  *db = NULL;
  if (version) *version = 0;
  if (!path || !*path) return aatgs_err_set(err, AATGS_EINVAL, "database path is empty");
  if (stat(path, &sb) != 0) {
    int e = errno;
    return aatgs_err_set(err, e == ENOENT ? AATGS_ENOENT : AATGS_EIO,
                         "cannot open database '%s': %s", path, strerror(e));
  }
  if (S_ISDIR(sb.st_mode))
    return aatgs_err_set(err, AATGS_EIO, "cannot open database '%s': %s", path, strerror(EISDIR));
  sqlite3 *d = NULL;
  if (sqlite3_open_v2(path, &d, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    int rc = aatgs_err_set(err, AATGS_EDB, "cannot open database '%s': %s", path,
                           d ? sqlite3_errmsg(d) : "out of memory");
    sqlite3_close(d);
    return rc;
  }
  sqlite3_busy_timeout(d, (int)(busy_timeout_ms ? busy_timeout_ms : 5000));
  int rc = aatgs_db_schema_version(d, "main", path, &v, err);
  if (rc != AATGS_OK) {
    sqlite3_close(d);
    return rc;
  }
  *db = d;
  if (version) *version = v;
  return AATGS_OK;
}

bool aatgs_db_has_column(sqlite3 *db, const char *schema, const char *table, const char *column) {
  sqlite3_stmt *st = NULL;
  bool found = false;
  if (sqlite3_prepare_v2(db, "SELECT 1 FROM pragma_table_info(?1, ?2) WHERE name = ?3", -1, &st,
                         NULL) == SQLITE_OK) {
    sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, schema, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, column, -1, SQLITE_STATIC);
    found = sqlite3_step(st) == SQLITE_ROW;
  }
  sqlite3_finalize(st);
  return found;
}
