/* error.h - error codes and the error buffer every fallible call may fill.
 *
 * Contract: every call that can fail returns an int, AATGS_OK (0) on success or
 * a negative AATGS_E* code. Results go to out-parameters. When an aatgs_err is
 * passed (it may be NULL), the callee writes a human-readable message into it,
 * prefixed with the file, line or field at fault where one is known, e.g.
 * "scenarios/x.yaml:12:5: unknown generator \"choleski\"".
 */
#ifndef AATGS_ERROR_H
#define AATGS_ERROR_H

#include <stddef.h>

#define AATGS_OK 0
#define AATGS_ENOMEM (-1)   /* allocation failed */
#define AATGS_EINVAL (-2)   /* invalid argument or malformed input */
#define AATGS_ENOENT (-3)   /* unknown name (policy, generator, task id, file) */
#define AATGS_ECYCLE (-4)   /* the task graph has a cycle */
#define AATGS_EIO (-5)      /* file or database I/O failed */
#define AATGS_EFULL (-6)    /* a bounded buffer is full */
#define AATGS_EINTR (-7)    /* interrupted (Ctrl-C) */
#define AATGS_ESTATE (-8)   /* call not valid in the object's current state */
#define AATGS_EBACKEND (-9) /* the backend (device, simulator) failed */
#define AATGS_EDB (-10)     /* the database refused (locked, full, corrupt) */
#define AATGS_ENODATA (-11) /* a real data set the input names is not present ($AATGS_DATA_DIR) */

#define AATGS_ERR_MSG_MAX 512

typedef struct aatgs_err {
  int code;                    /* last code set, AATGS_OK when none */
  char msg[AATGS_ERR_MSG_MAX]; /* NUL-terminated message, "" when none */
} aatgs_err;

/* Static string naming a code ("out of memory", ...). Never NULL. */
const char *aatgs_strerror(int code);

/* Sets err (if non-NULL) to code and a printf-style message; returns code, so
 * callers can write `return aatgs_err_set(err, AATGS_EINVAL, "...")`. */
int aatgs_err_set(aatgs_err *err, int code, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 3, 4)))
#endif
    ;

/* Prepends "prefix: " to an existing message (keeps the code). Returns the code. */
int aatgs_err_prefix(aatgs_err *err, const char *fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Resets err to AATGS_OK and an empty message. NULL is a no-op. */
void aatgs_err_clear(aatgs_err *err);

#endif
