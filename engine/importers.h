/* importers.h - real task graphs from files (issue [3]).
 *
 * An importer adds the tasks and edges of a file to a graph (not finalized;
 * the caller finalizes, which reports cycles). Every error names the file and
 * line: "rand0000.stg:14: expected an integer, got \"x\"".
 *
 * STG (Standard Task Graph Set, Kasahara lab): line 1 holds n, the number of
 * real tasks; then n + 2 task lines "id time k pred_1 .. pred_k" for ids
 * 0 .. n+1, where 0 and n+1 are the dummy entry and exit (time 0); '#' lines
 * are comments. The importer drops the two dummies and every edge that
 * touches them, so task i of the file becomes task i-1 of the graph (labelled
 * "t<i>"), with estimate time x unit; a real task of time 0 gets 1 ns.
 */
#ifndef AATGS_IMPORTERS_H
#define AATGS_IMPORTERS_H

#include "error.h"
#include "graph.h"

/* Imports an STG file into g with tasks of type `type` (a kernel type) and
 * estimate time x unit_ns. */
int aatgs_import_stg(aatgs_graph *g, const char *path, uint32_t type, aatgs_ns unit_ns,
                     aatgs_err *err);

/* The importers below register one custom kernel type per job or task name
 * of the file (its default estimate: unit_ns), label every task with the
 * file's id, give it estimate runtime x unit_ns (at least 1 ns) and, as
 * bytes, the total size of the files it writes. Errors name path:line.
 *
 * Pegasus DAX XML (libxml2): <job id name runtime="seconds"> with
 * <uses file link="input|output" size="bytes"/>, and <child ref><parent
 * ref/></child> for the edges (engine/import_dax.c). */
int aatgs_import_dax(aatgs_graph *g, const char *path, aatgs_ns unit_ns, aatgs_err *err);
/* WfCommons WfFormat JSON (jansson), schema 1.5 (specification.tasks with
 * parents/children by id, execution.tasks with runtimeInSeconds, files with
 * sizeInBytes) and 1.4 (workflow.tasks with parents by name and
 * runtimeInSeconds, files with link and sizeInBytes). In 1.5 an edge carries,
 * as bytes, the total size of the files its child reads that its parent
 * wrote (engine/import_wfcommons.c). */
int aatgs_import_wfcommons(aatgs_graph *g, const char *path, aatgs_ns unit_ns, aatgs_err *err);
/* Graphviz DOT (Graphviz's cgraph): nodes are tasks, edges are edges. A
 * node's `size` attribute (DAGGEN: its cost in flops) times unit_ns is its
 * estimate (1 x unit_ns without one); an edge's `size` (bytes) adds to its
 * source's bytes (engine/import_dot.c). */
int aatgs_import_dot(aatgs_graph *g, const char *path, aatgs_ns unit_ns, aatgs_err *err);

#endif
