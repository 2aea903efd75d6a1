/* cholesky.h - the real tiled Cholesky workload of the cuda backend.
 *
 * A graph made by the `cholesky` generator labels its tasks potrf(k),
 * trsm(k,i), syrk(k,i) and gemm(k,i,j) and gives each b x b x 8 bytes. When
 * every task of a graph is so labelled, the cuda backend runs them for real:
 * a symmetric positive definite n x n matrix (n = N b, seeded) lives on the
 * device, and each task runs its cuSOLVER (potrf) or cuBLAS (trsm, syrk, gemm)
 * call on its tile(s), on the kernel stream the policy chose. After the run,
 * check computes ||L L^T - A|| / ||A|| (Frobenius) on the device.
 * Internal to cuda/ (C++ linkage).
 */
#ifndef AATGS_CHOLESKY_H
#define AATGS_CHOLESKY_H

#include <cuda_runtime.h>

extern "C" {
#include "graph.h"
}

struct aatgs_chol;

/* 1 when every task of g carries a Cholesky label (and all agree on b). */
int aatgs_chol_detect(const aatgs_graph *g);
/* Allocates the matrix and one cuBLAS/cuSOLVER handle per kernel stream. */
int aatgs_chol_open(aatgs_chol **out, const aatgs_graph *g, const cudaStream_t *streams,
                    uint32_t nk, uint64_t seed, aatgs_err *err);
/* Enqueues the task's real kernel on kernel stream s. */
int aatgs_chol_launch(aatgs_chol *c, uint32_t task, uint32_t s, aatgs_err *err);
/* After the run: residual ||L L^T - A||_F / ||A||_F and a one-line summary. */
int aatgs_chol_check(aatgs_chol *c, double *residual, char *summary, size_t cap, aatgs_err *err);
void aatgs_chol_close(aatgs_chol *c); /* NULL-safe */

#endif
