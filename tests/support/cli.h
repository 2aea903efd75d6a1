/* cli.h - what the tests that run the `aatgs` binary share: where it is, and
 * running a shell command with its output captured. Include after
 * <criterion/criterion.h>. Static inline, so a test that uses one of them
 * only draws no unused-function warning. */
#ifndef AATGS_TEST_SUPPORT_CLI_H
#define AATGS_TEST_SUPPORT_CLI_H

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

/* The aatgs binary under test: $AATGS_BIN (ctest sets it), else the build's. */
static inline const char *bin(void) {
  const char *b = getenv("AATGS_BIN");
  return b && *b ? b : AATGS_BINARY_DIR "/aatgs";
}

/* Runs a shell command, captures stdout+stderr into out (cap bytes, always
 * terminated); returns the exit status (128 + signal when killed). */
static inline int sh(char *out, size_t cap, const char *fmt, ...) {
  char cmd[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(cmd, sizeof cmd, fmt, ap);
  va_end(ap);
  strncat(cmd, " 2>&1", sizeof cmd - strlen(cmd) - 1);
  FILE *p = popen(cmd, "r");
  cr_assert_not_null(p, "popen: %s", cmd);
  size_t n = fread(out, 1, cap - 1, p);
  out[n] = '\0';
  int st = pclose(p);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

#endif
