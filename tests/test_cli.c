/* test_cli.c - the aatgs command end to end, as a user runs it: bad input
 * gives a clear error naming the file, line or field; Ctrl-C leaves a
 * readable database with the interrupted run marked and earlier runs intact. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "support/cli.h"

static char dir[64];

static void setup(void) {
  strcpy(dir, "/tmp/aatgs-cli-XXXXXX");
  cr_assert_not_null(mkdtemp(dir));
}

static void teardown(void) {
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  cr_assert_eq(system(cmd), 0);
}

static void write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  fputs(text, f);
  fclose(f);
}

static const char *small_yaml = "name: small\n"
                                "generator: chain\n"
                                "params: {n: 50}\n"
                                "seeds: 1\n";

TestSuite(cli, .init = setup, .fini = teardown, .timeout = 120);

Test(cli, list_policies_names_all_six) {
  char out[4096];
  cr_assert_eq(sh(out, sizeof out, "%s list policies", bin()), 0, "%s", out);
  const char *names[] = {"adaptive", "fifo", "sjf", "critical_path", "heft", "random"};
  for (int i = 0; i < 6; i++)
    cr_assert(strstr(out, names[i]), "%s missing:\n%s", names[i], out);
}

Test(cli, unknown_policy_is_a_clear_error) {
  char out[4096], db[128];
  snprintf(db, sizeof db, "%s/x.db", dir);
  cr_assert_eq(sh(out, sizeof out, "%s run --policy fifo,choleski --db %s", bin(), db), 2, "%s",
               out);
  cr_assert(strstr(out, "unknown policy 'choleski'"), "%s", out);
  cr_assert(strstr(out, "adaptive"), "the message lists the known policies: %s", out);
  cr_assert_neq(access(db, F_OK), 0, "no database is created before the arguments are checked");
}

Test(cli, malformed_scenario_names_file_and_line) {
  char out[4096], path[128], db[128];
  snprintf(path, sizeof path, "%s/bad.yaml", dir);
  snprintf(db, sizeof db, "%s/x.db", dir);
  write_file(path, "name: bad\n"
                   "generator: chain\n"
                   "params:\n"
                   "  n: 10\n"
                   "  widht: 3\n");
  cr_assert_eq(sh(out, sizeof out, "%s run %s --db %s", bin(), path, db), 1, "%s", out);
  char want[160];
  snprintf(want, sizeof want, "%s:5:3:", path);
  cr_assert(strstr(out, want), "expected '%s' in: %s", want, out);
  cr_assert(strstr(out, "widht"), "%s", out);
}

Test(cli, cyclic_scenario_names_the_cycle) {
  char out[4096], path[128], db[128];
  snprintf(path, sizeof path, "%s/cyc.yaml", dir);
  snprintf(db, sizeof db, "%s/x.db", dir);
  write_file(path, "name: cyc\n"
                   "tasks:\n"
                   "  - {id: a, deps: [b]}\n"
                   "  - {id: b, deps: [c]}\n"
                   "  - {id: c, deps: [a]}\n");
  cr_assert_eq(sh(out, sizeof out, "%s run %s --db %s", bin(), path, db), 1, "%s", out);
  cr_assert(strstr(out, "cycle"), "%s", out);
  cr_assert(strstr(out, "a -> "), "the cycle is named by task id: %s", out);
  cr_assert(strstr(out, "cyc.yaml"), "%s", out);
}

Test(cli, unwritable_database_fails_before_work) {
  char out[4096], path[128];
  snprintf(path, sizeof path, "%s/small.yaml", dir);
  write_file(path, small_yaml);
  cr_assert_eq(sh(out, sizeof out, "%s run %s --db /proc/aatgs.db", bin(), path), 1, "%s", out);
  cr_assert(strstr(out, "/proc/aatgs.db"), "%s", out);
  cr_assert(strstr(out, "cannot open database"), "%s", out);
  cr_assert_null(strstr(out, "runs recorded"), "%s", out);
}

Test(cli, run_records_and_reports) {
  char out[16384], path[128], db[128];
  snprintf(path, sizeof path, "%s/small.yaml", dir);
  snprintf(db, sizeof db, "%s/x.db", dir);
  write_file(path, small_yaml);
  cr_assert_eq(sh(out, sizeof out,
                  "%s run %s --db %s --backend sim --policy fifo,adaptive --seeds 2", bin(), path,
                  db),
               0, "%s", out);
  cr_assert(strstr(out, "small"), "%s", out);
  cr_assert(strstr(out, "4 runs recorded"), "%s", out);
  cr_assert_eq(sh(out, sizeof out, "%s report --db %s --format csv", bin(), db), 0, "%s", out);
  cr_assert(strstr(out, "small,adaptive,sim"), "%s", out);
  sqlite3 *h;
  sqlite3_stmt *st;
  cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  cr_assert_eq(
      sqlite3_prepare_v2(h, "SELECT count(*), sum(status = 'completed') FROM runs", -1, &st, NULL),
      SQLITE_OK);
  cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
  cr_assert_eq(sqlite3_column_int(st, 0), 4);
  cr_assert_eq(sqlite3_column_int(st, 1), 4);
  sqlite3_finalize(st);
  cr_assert_eq(sqlite3_prepare_v2(h, "SELECT count(*) FROM decisions", -1, &st, NULL), SQLITE_OK);
  cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
  cr_assert_eq(sqlite3_column_int(st, 0), 4 * 50, "every decision is recorded");
  sqlite3_finalize(st);
  sqlite3_close(h);
}

static int query_int(const char *db, const char *sql) {
  sqlite3 *h;
  sqlite3_stmt *st;
  int v = -1;
  if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK) {
    sqlite3_close(h);
    return -1;
  }
  sqlite3_busy_timeout(h, 2000);
  if (sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
    v = sqlite3_column_int(st, 0);
  sqlite3_finalize(st);
  sqlite3_close(h);
  return v;
}

Test(cli, ctrl_c_keeps_the_database_readable, .timeout = 240) {
  char small[128], big[128], db[128];
  snprintf(small, sizeof small, "%s/a-small.yaml", dir);
  snprintf(big, sizeof big, "%s/b-big.yaml", dir);
  snprintf(db, sizeof db, "%s/x.db", dir);
  write_file(small, small_yaml);
  write_file(big, "name: big\n"
                  "generator: layered\n"
                  "params: {layers: 2000, width: 500, degree: 3, est: 50us}\n"
                  "seeds: 5\n");
  pid_t pid = fork();
  cr_assert_neq(pid, -1);
  if (pid == 0) {
    int devnull = open("/dev/null", 1);
    dup2(devnull, 1);
    dup2(devnull, 2);
    execl(bin(), "aatgs", "run", small, big, "--db", db, "--backend", "sim", "--policy", "fifo",
          (char *)NULL);
    _exit(127);
  }
  /* Wait until the big run is being recorded, then press Ctrl-C. */
  int seen = 0;
  for (int i = 0; i < 1200 && !seen; i++) {
    struct timespec ts = {0, 50000000};
    nanosleep(&ts, NULL);
    seen = query_int(db, "SELECT count(*) FROM runs WHERE scenario = 'big'") > 0 &&
           query_int(db, "SELECT count(*) FROM decisions d JOIN runs r USING (run_id) "
                         "WHERE r.scenario = 'big'") > 0;
  }
  cr_assert(seen, "the big run never started recording");
  kill(pid, SIGINT);
  int status;
  cr_assert_eq(waitpid(pid, &status, 0), pid);
  cr_assert(WIFEXITED(status), "aatgs was killed by signal %d instead of stopping cleanly",
            WIFSIGNALED(status) ? WTERMSIG(status) : 0);
  cr_assert_eq(WEXITSTATUS(status), 130);
  cr_assert_eq(
      query_int(db, "SELECT count(*) FROM runs WHERE scenario = 'small' AND status = 'completed'"),
      1);
  cr_assert_eq(
      query_int(db, "SELECT count(*) FROM runs WHERE scenario = 'big' AND status = 'interrupted'"),
      1);
  cr_assert_eq(query_int(db, "SELECT count(*) FROM runs WHERE status = 'running'"), 0);
  cr_assert_gt(query_int(db, "SELECT count(*) FROM decisions d JOIN runs r USING (run_id) "
                             "WHERE r.scenario = 'big'"),
               0, "what was recorded before Ctrl-C stays");
  cr_assert_eq(query_int(db, "SELECT count(*) FROM decisions d JOIN runs r USING (run_id) "
                             "WHERE r.scenario = 'small'"),
               50);
  /* integrity_check returns the text "ok" */
  sqlite3 *h;
  sqlite3_stmt *st;
  cr_assert_eq(sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
  cr_assert_eq(sqlite3_prepare_v2(h, "PRAGMA integrity_check", -1, &st, NULL), SQLITE_OK);
  cr_assert_eq(sqlite3_step(st), SQLITE_ROW);
  cr_assert_str_eq((const char *)sqlite3_column_text(st, 0), "ok");
  sqlite3_finalize(st);
  sqlite3_close(h);
}
