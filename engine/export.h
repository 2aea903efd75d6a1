/* export.h - writing a task graph out, so that it can be inspected with other
 * tools or imported again.
 *
 * DOT: `digraph aatgs { "name" [size=EST_NS, type="whcr", bytes=B]; "a" -> "b"; }`
 * where a task's name is its label (or "t<id>" when it has none or labels
 * repeat) and size is its estimate in ns, so that importing the file again
 * with `import: {format: dot, unit: 1ns}` gives the same tasks, estimates and
 * edges (the DOT importer puts every task in the custom type; type and bytes
 * are written as attributes for readers).
 */
#ifndef AATGS_EXPORT_H
#define AATGS_EXPORT_H

#include <stdio.h>

#include "error.h"
#include "graph.h"

/* Writes finalized g as DOT to f. AATGS_EIO when writing fails. */
int aatgs_graph_write_dot(const aatgs_graph *g, FILE *f, aatgs_err *err);

#endif
