/* resume.c - the completed runs of a database, read once (read-only) into a
 * sorted array for `aatgs run --resume`. */
#include "resume.h"

#include <errno.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

typedef struct key {
  char hash[24];
  char policy[48];
  uint64_t seed;
  uint32_t rep;
  uint32_t kernel_streams; /* 0: the run recorded no stream rows */
} key;

struct aatgs_resume {
  key *keys;
  size_t n, cap;
};

/* The runs of one backend and profile that completed, with their number of
 * kernel streams. */
static const char *const query =
    "SELECT r.scenario_hash, r.policy, r.seed, r.rep,"
    " (SELECT count(*) FROM streams s WHERE s.run_id = r.run_id AND s.class = 'kernel')"
    " FROM runs r WHERE r.status = 'completed' AND r.backend = ?1 AND r.profile_name IS ?2"
    " AND r.profile_text IS ?3";

static int cmp4(const key *a, const char *hash, const char *policy, uint64_t seed, uint32_t rep) {
  int c = strcmp(a->hash, hash);
  if (c) return c;
  if ((c = strcmp(a->policy, policy))) return c;
  if (a->seed != seed) return a->seed < seed ? -1 : 1;
  if (a->rep != rep) return a->rep < rep ? -1 : 1;
  return 0;
}

static int cmp_key(const void *x, const void *y) {
  const key *a = x, *b = y;
  int c = cmp4(a, b->hash, b->policy, b->seed, b->rep);
  if (c) return c;
  return a->kernel_streams < b->kernel_streams ? -1 : a->kernel_streams > b->kernel_streams;
}

static int db_error(aatgs_err *err, const char *path, sqlite3 *db) {
  return aatgs_err_set(err, AATGS_EDB, "cannot read database '%s': %s", path,
                       db ? sqlite3_errmsg(db) : "out of memory");
}

int aatgs_resume_load(aatgs_resume **out, const char *db_path, const char *backend,
                      const char *profile_name, const char *profile_text, aatgs_err *err) {
  aatgs_resume *r = calloc(1, sizeof *r);
  sqlite3 *db = NULL;
  sqlite3_stmt *st = NULL;
  struct stat sb;
  int rc = AATGS_OK, step;
  *out = NULL;
  if (!r) return aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
  if (stat(db_path, &sb) != 0 && errno == ENOENT) goto done; /* nothing recorded yet */
  if (sqlite3_open_v2(db_path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    rc = db_error(err, db_path, db);
    goto done;
  }
  sqlite3_busy_timeout(db, 5000);
  if (sqlite3_prepare_v2(db,
                         "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name IN "
                         "('runs', 'streams')",
                         -1, &st, NULL) != SQLITE_OK ||
      sqlite3_step(st) != SQLITE_ROW) {
    rc = db_error(err, db_path, db);
    goto done;
  }
  int tables = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  st = NULL;
  if (tables < 2) goto done; /* not written to yet */
  if (sqlite3_prepare_v2(db, query, -1, &st, NULL) != SQLITE_OK) {
    rc = db_error(err, db_path, db);
    goto done;
  }
  sqlite3_bind_text(st, 1, backend, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 2, profile_name, -1, SQLITE_STATIC);
  sqlite3_bind_text(st, 3, profile_text, -1, SQLITE_STATIC);
  while ((step = sqlite3_step(st)) == SQLITE_ROW) {
    const char *h = (const char *)sqlite3_column_text(st, 0);
    const char *p = (const char *)sqlite3_column_text(st, 1);
    if (!h || !p || strlen(h) >= sizeof r->keys->hash || strlen(p) >= sizeof r->keys->policy)
      continue; /* cannot match any run this build makes */
    if (r->n == r->cap) {
      size_t cap = r->cap ? 2 * r->cap : 256;
      key *k = realloc(r->keys, cap * sizeof *k);
      if (!k) {
        rc = aatgs_err_set(err, AATGS_ENOMEM, "out of memory");
        goto done;
      }
      r->keys = k;
      r->cap = cap;
    }
    key *k = &r->keys[r->n++];
    memset(k, 0, sizeof *k);
    strcpy(k->hash, h);
    strcpy(k->policy, p);
    k->seed = (uint64_t)sqlite3_column_int64(st, 2);
    k->rep = (uint32_t)sqlite3_column_int64(st, 3);
    k->kernel_streams = (uint32_t)sqlite3_column_int64(st, 4);
  }
  if (step != SQLITE_DONE) {
    rc = db_error(err, db_path, db);
    goto done;
  }
  if (r->n) qsort(r->keys, r->n, sizeof *r->keys, cmp_key);
done:
  sqlite3_finalize(st);
  sqlite3_close(db);
  if (rc != AATGS_OK) {
    aatgs_resume_free(r);
    return rc;
  }
  *out = r;
  return AATGS_OK;
}

int aatgs_resume_has(const aatgs_resume *r, const char *scenario_hash, const char *policy,
                     uint64_t seed, uint32_t rep, uint32_t kernel_streams) {
  size_t lo = 0, hi = r->n;
  while (lo < hi) { /* first key >= (hash, policy, seed, rep) */
    size_t mid = lo + (hi - lo) / 2;
    if (cmp4(&r->keys[mid], scenario_hash, policy, seed, rep) < 0)
      lo = mid + 1;
    else
      hi = mid;
  }
  for (; lo < r->n && cmp4(&r->keys[lo], scenario_hash, policy, seed, rep) == 0; lo++)
    if (r->keys[lo].kernel_streams == 0 || r->keys[lo].kernel_streams == kernel_streams) return 1;
  return 0;
}

size_t aatgs_resume_count(const aatgs_resume *r) { return r->n; }

void aatgs_resume_free(aatgs_resume *r) {
  if (!r) return;
  free(r->keys);
  free(r);
}
