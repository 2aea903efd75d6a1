/* test_import_dax.c - Pegasus DAX workflows: every instance of
 * $AATGS_DATA_DIR/pegasus-dax imports with the task and edge counts and the
 * total runtime that shared/data/README.md lists; bad files name file and line. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "importers.h"

static const struct {
  const char *file;
  uint32_t tasks;
  uint64_t edges;
  double runtime_s;
} DAX[] = {
    {"CyberShake_100.xml", 100, 180, 3215.75}, {"CyberShake_30.xml", 30, 52, 760.53},
    {"Epigenomics_24.xml", 24, 27, 17720.15},  {"Inspiral_30.xml", 30, 35, 6617.07},
    {"Montage_25.xml", 25, 45, 227.75},        {"Sipht_30.xml", 29, 33, 5546.46},
};

Test(import_dax, every_instance_matches_the_data_readme) {
  const char *data = getenv("AATGS_DATA_DIR");
  if (!data || !*data) cr_skip_test("AATGS_DATA_DIR is not set (CI sets it to ../shared/data)");
  for (size_t i = 0; i < sizeof DAX / sizeof DAX[0]; i++) {
    char path[1024];
    aatgs_graph *g;
    aatgs_err e;
    snprintf(path, sizeof path, "%s/pegasus-dax/%s", data, DAX[i].file);
    cr_assert_eq(aatgs_graph_create(&g, 0, 0), AATGS_OK);
    cr_assert_eq(aatgs_import_dax(g, path, AATGS_NS_PER_S, &e), AATGS_OK, "%s", e.msg);
    cr_assert_eq(aatgs_graph_finalize(g, &e), AATGS_OK, "%s", e.msg);
    cr_assert_eq(aatgs_graph_num_tasks(g), DAX[i].tasks, "%s", DAX[i].file);
    cr_assert_eq(aatgs_graph_num_edges(g), DAX[i].edges, "%s", DAX[i].file);
    double work = (double)aatgs_graph_total_work(g) / 1e9;
    cr_assert(work > DAX[i].runtime_s - 0.01 && work < DAX[i].runtime_s + 0.01, "%s: %.3f s",
              DAX[i].file, work);
    cr_assert_not_null(aatgs_graph_task_label(g, 0));
    aatgs_graph_destroy(g);
  }
}

static void fails(const char *text, int code, const char *what) {
  char tmp[] = "/tmp/aatgs_dax_XXXXXX";
  int fd = mkstemp(tmp);
  cr_assert_geq(fd, 0);
  cr_assert_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
  close(fd);
  aatgs_graph *g;
  aatgs_err e;
  cr_assert_eq(aatgs_graph_create(&g, 0, 0), AATGS_OK);
  cr_assert_eq(aatgs_import_dax(g, tmp, AATGS_NS_PER_S, &e), code, "%s", e.msg);
  cr_assert(strncmp(e.msg, tmp, strlen(tmp)) == 0, "no file name: %s", e.msg);
  cr_assert(strstr(e.msg, what), "expected '%s' in: %s", what, e.msg);
  aatgs_graph_destroy(g);
  unlink(tmp);
}

#define HEAD "<?xml version=\"1.0\"?>\n<adag>\n"
Test(import_dax, bad_files_name_file_and_line) {
  fails(HEAD "  <job id=\"a\" name=\"x\" runtime=\"1\">\n</adag>\n", AATGS_EINVAL,
        ":5: Premature end of data");
  fails(HEAD "  <job id=\"a\" name=\"x\"/>\n</adag>\n", AATGS_EINVAL,
        ":3: job \"a\": runtime \"(missing)\"");
  fails(HEAD "  <job id=\"a\" name=\"x\" runtime=\"1\"/>\n  <child ref=\"a\">\n"
             "    <parent ref=\"zz\"/>\n  </child>\n</adag>\n",
        AATGS_ENOENT, ":5: <parent ref=\"zz\">: no such job");
  fails(HEAD "  <job id=\"a\" name=\"x\" runtime=\"1\"/>\n  <job id=\"a\" name=\"x\" "
             "runtime=\"2\"/>\n</adag>\n",
        AATGS_EINVAL, "duplicate job id \"a\"");
  fails("<?xml version=\"1.0\"?>\n<dag/>\n", AATGS_EINVAL, ":2: expected an <adag> root");
}
