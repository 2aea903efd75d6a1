/* cli.h - the aatgs command: each subcommand parses its arguments and calls
 * the libraries. Subcommands return a process exit status: 0 success,
 * 1 failure, 2 usage error, 130 interrupted. */
#ifndef AATGS_CLI_H
#define AATGS_CLI_H

#include <stddef.h>

int aatgs__cmd_run(int argc, char **argv);
int aatgs__cmd_report(int argc, char **argv);
int aatgs__cmd_plot(int argc, char **argv);
int aatgs__cmd_list(int argc, char **argv);
int aatgs__cmd_graph(int argc, char **argv);
int aatgs__cmd_calibrate(int argc, char **argv);
int aatgs__cmd_trace(int argc, char **argv);
int aatgs__cmd_merge(int argc, char **argv);
int aatgs__cmd_explain(int argc, char **argv);
int aatgs__cmd_gate(int argc, char **argv);

/* Directory of the default suite: $AATGS_SCENARIO_DIR, else the source tree's
 * scenarios/default. */
const char *aatgs__default_suite_dir(void);
/* Path of the default machine profile: $AATGS_PROFILE, else the source tree's
 * scenarios/profiles/h100.yaml when it exists, else NULL (built-in). */
const char *aatgs__default_profile_path(void);
/* Expands files and directories (every *.yaml inside, sorted) into a malloc'd
 * array of malloc'd paths. Returns 0 or prints an error and returns -1. */
int aatgs__expand_scenarios(char **args, int nargs, char ***out, size_t *n);
void aatgs__free_paths(char **paths, size_t n);
/* Parses an unsigned integer option value; prints an error naming the option. */
int aatgs__parse_u32(const char *opt, const char *s, unsigned long max, unsigned *out);

#endif
