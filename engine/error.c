/* error.c - error codes and messages. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

const char *aatgs_strerror(int code) {
  switch (code) {
  case AATGS_OK: return "success";
  case AATGS_ENOMEM: return "out of memory";
  case AATGS_EINVAL: return "invalid argument";
  case AATGS_ENOENT: return "not found";
  case AATGS_ECYCLE: return "cycle in task graph";
  case AATGS_EIO: return "I/O error";
  case AATGS_EFULL: return "buffer full";
  case AATGS_EINTR: return "interrupted";
  case AATGS_ESTATE: return "invalid state";
  case AATGS_EBACKEND: return "backend failure";
  case AATGS_EDB: return "database error";
  case AATGS_ENODATA: return "data set not present";
  default: return "unknown error";
  }
}

int aatgs_err_set(aatgs_err *err, int code, const char *fmt, ...) {
  if (err) {
    va_list ap;
    err->code = code;
    va_start(ap, fmt);
    vsnprintf(err->msg, sizeof err->msg, fmt, ap);
    va_end(ap);
  }
  return code;
}

int aatgs_err_prefix(aatgs_err *err, const char *fmt, ...) {
  char pre[AATGS_ERR_MSG_MAX], old[AATGS_ERR_MSG_MAX];
  va_list ap;
  if (!err) return AATGS_EINVAL;
  va_start(ap, fmt);
  vsnprintf(pre, sizeof pre, fmt, ap);
  va_end(ap);
  memcpy(old, err->msg, sizeof old);
  size_t n = strlen(pre);
  if (n > sizeof err->msg - 3) n = sizeof err->msg - 3;
  memcpy(err->msg, pre, n);
  memcpy(err->msg + n, ": ", 2);
  size_t rest = sizeof err->msg - n - 3, m = strlen(old);
  if (m > rest) m = rest;
  memcpy(err->msg + n + 2, old, m);
  err->msg[n + 2 + m] = '\0';
  return err->code;
}

void aatgs_err_clear(aatgs_err *err) {
  if (err) {
    err->code = AATGS_OK;
    err->msg[0] = '\0';
  }
}
