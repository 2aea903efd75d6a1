/* tsan_criterion.c - lets Criterion test binaries start under ThreadSanitizer.
 * CMake links this file into every test when AATGS_SANITIZE=thread.
 */
#define _GNU_SOURCE /* dlsym(RTLD_NEXT), mmap64, __off64_t */
#include <stdint.h>
#include <string.h>

/* ---- ThreadSanitizer support ------------------------------------------------
 *
 * Criterion's sandbox (BoxFort) puts a shared-memory arena at a random fixed
 * address in [0x2000'0000'0000, 0x6000'0000'0000), after probing the pages
 * with mincore(), and gives up after a few tries ("Could not initialize
 * inheritable arena", Criterion issue #274). Under gcc 12's TSan nearly all of
 * that window is either reserved by TSan (so the probe says "in use") or
 * outside TSan's application ranges (so TSan's mmap interceptor refuses a
 * MAP_FIXED there); only [0x5500'0000'0000, 0x5680'0000'0000) is both free
 * and allowed. The test binary therefore failed to start in ~98% of runs.
 *
 * The two interposers below (defined in the executable, so libcriterion's
 * calls reach them first) only touch that window: mincore reports its pages
 * free, and the arena's MAP_SHARED|MAP_FIXED mapping is moved to the first
 * free 1 GiB slot from 0x5670'0000'0000, above where the kernel loads PIE
 * executables, so the sandboxed children can map it at the same address.
 * Everything else goes straight to the next definition (TSan's interceptor).
 * halt_on_error makes a race report kill the test's process, so Criterion
 * reports it as a failure instead of a pass with a warning on stderr. */
#include <dlfcn.h>
#include <errno.h>
#include <sys/mman.h>

#define BXF_WINDOW_LO UINT64_C(0x200000000000)
#define BXF_WINDOW_HI UINT64_C(0x7f0000000000)
#define ARENA_SLOT_LO UINT64_C(0x567000000000)
#define ARENA_SLOT_HI UINT64_C(0x568000000000)
#define ARENA_SLOT_STEP UINT64_C(0x40000000)

typedef void *(*mmap64_fn)(void *, size_t, int, int, int, __off64_t);
typedef int (*mincore_fn)(void *, size_t, unsigned char *);

const char *__tsan_default_options(void);
const char *__tsan_default_options(void) { return "halt_on_error=1:die_after_fork=0"; }

__attribute__((no_sanitize("thread"))) static void *next_symbol(const char *name) {
  return dlsym(RTLD_NEXT, name);
}

__attribute__((no_sanitize("thread"))) static int next_mincore(void *a, size_t n,
                                                               unsigned char *v) {
  static mincore_fn fn;
  if (!fn) {
    void *p = next_symbol("mincore");
    memcpy(&fn, &p, sizeof fn);
  }
  return fn(a, n, v);
}

__attribute__((no_sanitize("thread"))) static int in_boxfort_window(const void *addr) {
  uintptr_t a = (uintptr_t)addr;
  return a >= BXF_WINDOW_LO && a < BXF_WINDOW_HI;
}

__attribute__((no_sanitize("thread"))) int mincore(void *addr, size_t len, unsigned char *vec) {
  if (in_boxfort_window(addr)) {
    errno = ENOMEM; /* "not mapped": let BoxFort go on to mmap64 */
    return -1;
  }
  return next_mincore(addr, len, vec);
}

__attribute__((no_sanitize("thread"))) void *mmap64(void *addr, size_t len, int prot, int flags,
                                                    int fd, __off64_t off) {
  static mmap64_fn next;
  if (!next) {
    void *p = next_symbol("mmap64");
    memcpy(&next, &p, sizeof next);
  }
  if ((flags & MAP_FIXED) && (flags & MAP_SHARED) && fd >= 0 && in_boxfort_window(addr)) {
    unsigned char v;
    for (uintptr_t a = ARENA_SLOT_LO; a + len <= ARENA_SLOT_HI; a += ARENA_SLOT_STEP)
      if (next_mincore((void *)a, 1, &v) == -1 && errno == ENOMEM)
        return next((void *)a, len, prot, flags, fd, off);
    errno = ENOMEM;
    return MAP_FAILED;
  }
  return next(addr, len, prot, flags, fd, off);
}
