/* cholesky.cu - the real tiled Cholesky workload (see cholesky.h). */
#include "cholesky.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include <cublas_v2.h>
#include <cusolverDn.h>

namespace {

enum kind { K_NONE = 0, K_POTRF = 1, K_TRSM = 2, K_SYRK = 3, K_GEMM = 4 };

struct ctask {
  uint8_t kind;
  uint16_t k, i, j;
};

/* Parses a Cholesky label; returns the kind (K_NONE if it is not one). */
int parse(const char *label, ctask *t) {
  unsigned k = 0, i = 0, j = 0;
  char end = 0;
  memset(t, 0, sizeof *t);
  if (!label) return K_NONE;
  if (sscanf(label, "potrf(%u%c", &k, &end) == 2 && end == ')')
    t->kind = K_POTRF;
  else if (sscanf(label, "trsm(%u,%u%c", &k, &i, &end) == 3 && end == ')')
    t->kind = K_TRSM;
  else if (sscanf(label, "syrk(%u,%u%c", &k, &i, &end) == 3 && end == ')')
    t->kind = K_SYRK;
  else if (sscanf(label, "gemm(%u,%u,%u%c", &k, &i, &j, &end) == 4 && end == ')')
    t->kind = K_GEMM;
  if (k > 65535 || i > 65535 || j > 65535) t->kind = K_NONE;
  t->k = (uint16_t)k;
  t->i = (uint16_t)i;
  t->j = (uint16_t)j;
  return t->kind;
}

uint32_t tile_side(const aatgs_graph *g, uint32_t task) {
  uint64_t bytes = aatgs_graph_task_bytes(g, task);
  uint32_t b = (uint32_t)llround(std::sqrt((double)bytes / 8.0));
  return (uint64_t)b * b * 8 == bytes ? b : 0;
}

__device__ double unit_hash(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return (double)(x >> 11) * (1.0 / 9007199254740992.0);
}

/* A symmetric positive definite matrix: symmetric entries in [0, 1), n added
 * on the diagonal (diagonally dominant). Column-major. */
__global__ void gen_spd(double *a, uint32_t n, uint64_t seed) {
  size_t idx = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (idx >= (size_t)n * n) return;
  uint32_t r = (uint32_t)(idx % n), c = (uint32_t)(idx / n);
  uint32_t lo = r < c ? r : c, hi = r < c ? c : r;
  double v = unit_hash(seed * 0x9e3779b97f4a7c15ULL + (uint64_t)lo * n + hi);
  a[idx] = r == c ? v + n : v;
}

/* w = the lower triangle of a (the factor L), zero above the diagonal. */
__global__ void lower_of(const double *a, double *w, uint32_t n) {
  size_t idx = (size_t)blockIdx.x * blockDim.x + threadIdx.x;
  if (idx >= (size_t)n * n) return;
  uint32_t r = (uint32_t)(idx % n), c = (uint32_t)(idx / n);
  w[idx] = r >= c ? a[idx] : 0.0;
}

int cuda_fail(aatgs_err *err, const char *call, cudaError_t e) {
  return aatgs_err_set(err, AATGS_EBACKEND, "cholesky: %s failed: %s", call, cudaGetErrorString(e));
}

} // namespace

struct aatgs_chol {
  uint32_t N, b, n, nk, ntasks;
  double *A, *A0, *W;
  double norm_a;
  ctask *t;
  cudaStream_t *streams;
  cublasHandle_t *blas;
  cusolverDnHandle_t *solver;
  double **work;
  int **info;
  int lwork;
};

#define CKC(call)                                                                                  \
  do {                                                                                             \
    cudaError_t e_ = (call);                                                                       \
    if (e_ != cudaSuccess) return cuda_fail(err, #call, e_);                                       \
  } while (0)
#define CKB(call)                                                                                  \
  do {                                                                                             \
    cublasStatus_t s_ = (call);                                                                    \
    if (s_ != CUBLAS_STATUS_SUCCESS)                                                               \
      return aatgs_err_set(err, AATGS_EBACKEND, "cholesky: %s failed: cuBLAS status %d", #call,    \
                           (int)s_);                                                               \
  } while (0)
#define CKS(call)                                                                                  \
  do {                                                                                             \
    cusolverStatus_t s_ = (call);                                                                  \
    if (s_ != CUSOLVER_STATUS_SUCCESS)                                                             \
      return aatgs_err_set(err, AATGS_EBACKEND, "cholesky: %s failed: cuSOLVER status %d", #call,  \
                           (int)s_);                                                               \
  } while (0)

int aatgs_chol_detect(const aatgs_graph *g) {
  uint32_t n = aatgs_graph_num_tasks(g), b = 0;
  if (n == 0) return 0;
  for (uint32_t v = 0; v < n; v++) {
    ctask t;
    if (parse(aatgs_graph_task_label(g, v), &t) == K_NONE) return 0;
    uint32_t bv = tile_side(g, v);
    if (bv == 0 || (b && bv != b)) return 0;
    b = bv;
  }
  return 1;
}

void aatgs_chol_close(aatgs_chol *c) {
  if (!c) return;
  cudaDeviceSynchronize();
  for (uint32_t s = 0; s < c->nk; s++) {
    if (c->blas && c->blas[s]) cublasDestroy(c->blas[s]);
    if (c->solver && c->solver[s]) cusolverDnDestroy(c->solver[s]);
    if (c->work) cudaFree(c->work[s]);
    if (c->info) cudaFree(c->info[s]);
  }
  cudaFree(c->A);
  cudaFree(c->A0);
  cudaFree(c->W);
  free(c->blas);
  free(c->solver);
  free(c->work);
  free(c->info);
  free(c->streams);
  free(c->t);
  free(c);
}

static int chol_setup(aatgs_chol *c, const aatgs_graph *g, const cudaStream_t *streams,
                      uint64_t seed, aatgs_err *err) {
  uint32_t maxk = 0;
  for (uint32_t v = 0; v < c->ntasks; v++) {
    parse(aatgs_graph_task_label(g, v), &c->t[v]);
    uint32_t m = c->t[v].k > c->t[v].i ? c->t[v].k : c->t[v].i;
    if (m > maxk) maxk = m;
  }
  c->N = maxk + 1;
  c->b = tile_side(g, 0);
  c->n = c->N * c->b;
  size_t bytes = (size_t)c->n * c->n * sizeof(double);
  CKC(cudaMalloc(&c->A, bytes));
  CKC(cudaMalloc(&c->A0, bytes));
  CKC(cudaMalloc(&c->W, bytes));
  size_t cells = (size_t)c->n * c->n;
  gen_spd<<<(unsigned)((cells + 255) / 256), 256>>>(c->A0, c->n, seed + 1);
  CKC(cudaGetLastError());
  CKC(cudaMemcpy(c->A, c->A0, bytes, cudaMemcpyDeviceToDevice));
  for (uint32_t s = 0; s < c->nk; s++) {
    c->streams[s] = streams[s];
    CKB(cublasCreate(&c->blas[s]));
    CKB(cublasSetStream(c->blas[s], streams[s]));
    CKS(cusolverDnCreate(&c->solver[s]));
    CKS(cusolverDnSetStream(c->solver[s], streams[s]));
  }
  CKS(cusolverDnDpotrf_bufferSize(c->solver[0], CUBLAS_FILL_MODE_LOWER, (int)c->b, c->A, (int)c->n,
                                  &c->lwork));
  for (uint32_t s = 0; s < c->nk; s++) {
    CKC(cudaMalloc(&c->work[s], (size_t)(c->lwork > 0 ? c->lwork : 1) * sizeof(double)));
    CKC(cudaMalloc(&c->info[s], sizeof(int)));
    CKC(cudaMemset(c->info[s], 0, sizeof(int)));
  }
  CKB(cublasDnrm2(c->blas[0], (int)cells, c->A0, 1, &c->norm_a));
  /* Warm every handle up on a scratch copy: the first call of each routine
   * loads its kernels, which would otherwise be charged to the first run. */
  CKC(cudaMemcpy(c->W, c->A0, bytes, cudaMemcpyDeviceToDevice));
  const double one = 1.0, mone = -1.0;
  int b = (int)c->b, n = (int)c->n;
  double *t00 = c->W, *t10 = c->W + (c->N > 1 ? c->b : 0);
  for (uint32_t s = 0; s < c->nk; s++) {
    CKS(cusolverDnDpotrf(c->solver[s], CUBLAS_FILL_MODE_LOWER, b, t00, n, c->work[s], c->lwork,
                         c->info[s]));
    CKB(cublasDtrsm(c->blas[s], CUBLAS_SIDE_RIGHT, CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_T,
                    CUBLAS_DIAG_NON_UNIT, b, b, &one, t00, n, t10, n));
    CKB(cublasDsyrk(c->blas[s], CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_N, b, b, &mone, t10, n, &one, t00,
                    n));
    CKB(cublasDgemm(c->blas[s], CUBLAS_OP_N, CUBLAS_OP_T, b, b, b, &mone, t10, n, t10, n, &one, t00,
                    n));
    CKC(cudaMemsetAsync(c->info[s], 0, sizeof(int), streams[s]));
  }
  CKC(cudaDeviceSynchronize());
  return AATGS_OK;
}

int aatgs_chol_open(aatgs_chol **out, const aatgs_graph *g, const cudaStream_t *streams,
                    uint32_t nk, uint64_t seed, aatgs_err *err) {
  aatgs_chol *c = (aatgs_chol *)calloc(1, sizeof *c);
  if (!c) return aatgs_err_set(err, AATGS_ENOMEM, "cholesky: out of memory");
  c->nk = nk;
  c->ntasks = aatgs_graph_num_tasks(g);
  c->t = (ctask *)calloc(c->ntasks, sizeof *c->t);
  c->streams = (cudaStream_t *)calloc(nk, sizeof *c->streams);
  c->blas = (cublasHandle_t *)calloc(nk, sizeof *c->blas);
  c->solver = (cusolverDnHandle_t *)calloc(nk, sizeof *c->solver);
  c->work = (double **)calloc(nk, sizeof *c->work);
  c->info = (int **)calloc(nk, sizeof *c->info);
  int rc = (!c->t || !c->streams || !c->blas || !c->solver || !c->work || !c->info)
               ? aatgs_err_set(err, AATGS_ENOMEM, "cholesky: out of memory")
               : chol_setup(c, g, streams, seed, err);
  if (rc != AATGS_OK) {
    aatgs_chol_close(c);
    return rc;
  }
  *out = c;
  return AATGS_OK;
}

int aatgs_chol_launch(aatgs_chol *c, uint32_t task, uint32_t s, aatgs_err *err) {
  const double one = 1.0, mone = -1.0;
  const ctask *t = &c->t[task];
  int b = (int)c->b, n = (int)c->n;
#define TILE(r, col) (c->A + (size_t)(col)*c->b * c->n + (size_t)(r)*c->b)
  switch (t->kind) {
  case K_POTRF:
    CKS(cusolverDnDpotrf(c->solver[s], CUBLAS_FILL_MODE_LOWER, b, TILE(t->k, t->k), n, c->work[s],
                         c->lwork, c->info[s]));
    break;
  case K_TRSM: /* A[i][k] = A[i][k] L[k][k]^-T */
    CKB(cublasDtrsm(c->blas[s], CUBLAS_SIDE_RIGHT, CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_T,
                    CUBLAS_DIAG_NON_UNIT, b, b, &one, TILE(t->k, t->k), n, TILE(t->i, t->k), n));
    break;
  case K_SYRK: /* A[i][i] -= A[i][k] A[i][k]^T */
    CKB(cublasDsyrk(c->blas[s], CUBLAS_FILL_MODE_LOWER, CUBLAS_OP_N, b, b, &mone, TILE(t->i, t->k),
                    n, &one, TILE(t->i, t->i), n));
    break;
  case K_GEMM: /* A[i][j] -= A[i][k] A[j][k]^T */
    CKB(cublasDgemm(c->blas[s], CUBLAS_OP_N, CUBLAS_OP_T, b, b, b, &mone, TILE(t->i, t->k), n,
                    TILE(t->j, t->k), n, &one, TILE(t->i, t->j), n));
    break;
  default:
    return aatgs_err_set(err, AATGS_EINVAL, "cholesky: task %u is not a Cholesky tile task", task);
  }
#undef TILE
  return AATGS_OK;
}

int aatgs_chol_check(aatgs_chol *c, double *residual, char *summary, size_t cap, aatgs_err *err) {
  size_t cells = (size_t)c->n * c->n;
  double norm_r = 0;
  CKC(cudaDeviceSynchronize());
  int bad = 0;
  for (uint32_t s = 0; s < c->nk; s++) {
    int info = 0;
    CKC(cudaMemcpy(&info, c->info[s], sizeof info, cudaMemcpyDeviceToHost));
    if (info != 0) bad = info;
  }
  lower_of<<<(unsigned)((cells + 255) / 256), 256>>>(c->A, c->W, c->n);
  CKC(cudaGetLastError());
  /* A := L L^T - A0 */
  CKC(cudaMemcpy(c->A, c->A0, cells * sizeof(double), cudaMemcpyDeviceToDevice));
  const double one = 1.0, mone = -1.0;
  CKB(cublasSetStream(c->blas[0], 0));
  CKB(cublasDgemm(c->blas[0], CUBLAS_OP_N, CUBLAS_OP_T, (int)c->n, (int)c->n, (int)c->n, &one, c->W,
                  (int)c->n, c->W, (int)c->n, &mone, c->A, (int)c->n));
  CKB(cublasDnrm2(c->blas[0], (int)cells, c->A, 1, &norm_r));
  CKC(cudaDeviceSynchronize());
  *residual = c->norm_a > 0 ? norm_r / c->norm_a : norm_r;
  snprintf(summary, cap, "cholesky n=%u (%ux%u tiles of %u): ||LL^T-A||/||A|| = %.3e%s", c->n, c->N,
           c->N, c->b, *residual, bad ? " (potrf reported a non-positive pivot)" : "");
  return bad ? aatgs_err_set(err, AATGS_EBACKEND, "%s", summary) : AATGS_OK;
}
