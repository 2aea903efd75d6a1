/* resume.h - which runs a database already holds completed, so that
 * `aatgs run` can skip them (--resume, the default for suites).
 *
 * aatgs_resume_load opens the database read-only (it never creates or
 * changes it), reads every completed run of one backend and machine profile
 * once, and closes it; lookups are then in memory (a sorted array, binary
 * search), so a sweep of any size costs one scan of the runs table. A run
 * matches on (scenario_hash, policy, seed, rep, kernel streams) for that
 * backend, profile name and profile text: a scenario variant (whose hash
 * covers its overrides), a changed machine profile or another --streams is
 * a different experiment and is run again. Runs that were interrupted,
 * failed or are still running do not count.
 *
 * The set is immutable once loaded; lookups are thread-safe.
 */
#ifndef AATGS_RESUME_H
#define AATGS_RESUME_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct aatgs_resume aatgs_resume;

/* Loads the completed runs of `backend` under the profile (name and text;
 * profile_text may be NULL, matching runs recorded without one). A missing
 * database, or one without a runs table, gives an empty set. AATGS_EDB
 * "cannot read database 'PATH': reason" when the file cannot be read as
 * SQLite; AATGS_ENOMEM. */
int aatgs_resume_load(aatgs_resume **out, const char *db_path, const char *backend,
                      const char *profile_name, const char *profile_text, aatgs_err *err);

/* 1 when a completed run matches; kernel_streams is the number of kernel
 * streams the run would use (a recorded run without stream rows matches any). */
int aatgs_resume_has(const aatgs_resume *r, const char *scenario_hash, const char *policy,
                     uint64_t seed, uint32_t rep, uint32_t kernel_streams);

/* Completed runs loaded (of this backend and profile). */
size_t aatgs_resume_count(const aatgs_resume *r);

void aatgs_resume_free(aatgs_resume *r); /* NULL is a no-op */

#endif
