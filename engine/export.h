/* export.h - writing a task graph out, so that it can be inspected with other
 * tools or imported again.
 *
 * DOT: `digraph aatgs { "name" [size=EST_NS, type="whcr", bytes=B]; "a" -> "b"; }`
 * where a task's name is its label (or "t<id>" when it has none or labels
 * repeat) and size is its estimate in ns, so that importing the file again
 * with `import: {format: dot, unit: 1ns}` gives the same tasks, estimates and
 * edges (the DOT importer puts every task in the custom type; type and bytes
 * are written as attributes for readers).
 *
 * WfFormat 1.5 (WfCommons JSON; jansson escapes the strings), streamed task
 * by task (memory: a few words per task and edge, never the whole document):
 * - specification.tasks: id (the task's label when labels are unique and
 *   valid UTF-8, else "t<id>"), name "<type>_ID<7 digits>", parents,
 *   children, inputFiles, outputFiles;
 * - execution.tasks: runtimeInSeconds = the estimate as an exact decimal
 *   (ns / 1e9 to 9 digits), command.program = the task's type name;
 * - execution: makespanInSeconds = the critical path (the graph was not run:
 *   executedAt is the Unix epoch, so the same graph always gives the same
 *   bytes), machines = one entry, "aatgs" (tasks name no machine);
 * - specification.files: the bytes. A task's output files add up to its bytes
 *   (the importer's reading of a task's bytes) and the files a child reads
 *   from a parent add up to the edge's bytes (the importer's reading of edge
 *   bytes). Let s_1 < .. < s_k be the distinct non-zero sizes of a task's
 *   outgoing edges and S their sum. When bytes >= S (or k > 256) there is one
 *   file "<id>.e<j>" of size s_j per distinct size, read by the children
 *   whose edge has that size; otherwise the files are nested (sizes s_1,
 *   s_2 - s_1, .., s_k - s_(k-1); a child with edge size s_j reads the first
 *   j), which needs only bytes >= s_k. The rest of the bytes goes into one
 *   more file "<id>.out" that no child reads.
 * Importing the file with import_wfcommons (unit 1s) gives back the tasks in
 * the same order, their labels, type names, estimates to the ns (estimates
 * below 2^51 ns, 26 days), edges, edge bytes, and task bytes unless a task's
 * bytes are below its largest outgoing edge (it comes back with bytes =
 * that edge under nesting, or S: WfFormat cannot say that a task sends more
 * than it writes). Built-in types keep their class; other types come back as
 * kernels. Blocks and fixed actual durations are not written.
 */
#ifndef AATGS_EXPORT_H
#define AATGS_EXPORT_H

#include <stdio.h>

#include "error.h"
#include "graph.h"

/* Writes finalized g as DOT to f. AATGS_EIO when writing fails. */
int aatgs_graph_write_dot(const aatgs_graph *g, FILE *f, aatgs_err *err);

/* Writes finalized g as WfFormat 1.5 JSON to f; `name` is the workflow's
 * name (NULL: "aatgs"). AATGS_ESTATE when not finalized, AATGS_EINVAL when
 * name is not valid UTF-8, AATGS_ENOMEM, AATGS_EIO when writing fails. */
int aatgs_graph_write_wfformat(const aatgs_graph *g, FILE *f, const char *name, aatgs_err *err);

#endif
