// Instruction-set variants of kernels_body.h and the startup choice between them.
#include "CKernels.h"

#include <stdlib.h>
#include <string.h>

#define SFX portable
#define VW 4
#define MR 4
#define NV 2
#define TR 4
#define TK 2
#include "kernels_body.h"

#if defined(__x86_64__)
#pragma clang attribute push(__attribute__((target("avx2,fma"))), apply_to = function)
#define SFX avx2
#define VW 8
#define MR 4
#define NV 3
#define TR 4
#define TK 2
#include "kernels_body.h"
#pragma clang attribute pop

#pragma clang attribute push(__attribute__((target("avx512f,avx512vl,avx2,fma"))), apply_to = function)
#define SFX avx512
#define VW 16
#define MR 8
#define NV 2
#define TR 4
#define TK 4
#include "kernels_body.h"
#pragma clang attribute pop
#endif

typedef struct {
  void (*gemm_fm)(int, int, int, const float *, long, long, const float *, long, const float *, int, const float *,
                  long, float *, long);
  void (*gemm_nt)(int, int, int, const float *, long, const float *, long, float *, long);
  void (*tanh)(long, const float *, float *);
  void (*adam)(long, float *, const float *, float *, float *, float, float, float, float, float, float);
  void (*rowsum)(int, int, const float *, long, float *);
} ll_table;

static const ll_table ll_tables[LL_PATH_COUNT] = {
  {gemm_fm_portable, gemm_nt_portable, tanh_portable, adam_portable, rowsum_portable},
#if defined(__x86_64__)
  {gemm_fm_avx2, gemm_nt_avx2, tanh_avx2, adam_avx2, rowsum_avx2},
  {gemm_fm_avx512, gemm_nt_avx512, tanh_avx512, adam_avx512, rowsum_avx512},
#else
  {gemm_fm_portable, gemm_nt_portable, tanh_portable, adam_portable, rowsum_portable},
  {gemm_fm_portable, gemm_nt_portable, tanh_portable, adam_portable, rowsum_portable},
#endif
};

// -1: not chosen yet. Set once at first use (or by ll_kernels_select); plain int reads are
// atomic on every target this builds for and the value only ever moves between valid paths.
static volatile int ll_current = -1;

int ll_kernels_path_available(int path) {
  if (path == LL_PATH_PORTABLE) return 1;
#if defined(__x86_64__)
  __builtin_cpu_init();
  if (path == LL_PATH_AVX2) return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
  if (path == LL_PATH_AVX512)
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
           __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
#endif
  return 0;
}

int ll_kernels_best_path(void) {
  for (int p = LL_PATH_COUNT - 1; p > 0; p--)
    if (ll_kernels_path_available(p)) return p;
  return LL_PATH_PORTABLE;
}

int ll_kernels_path(void) {
  int p = ll_current;
  if (p < 0) {
    p = ll_kernels_best_path();
    ll_current = p;
  }
  return p;
}

int ll_kernels_select(int path) {
  if (path < 0 || path >= LL_PATH_COUNT || !ll_kernels_path_available(path)) return 0;
  ll_current = path;
  return 1;
}

const char *ll_kernels_path_name(int path) {
  switch (path) {
  case LL_PATH_PORTABLE: return "portable";
  case LL_PATH_AVX2: return "avx2";
  case LL_PATH_AVX512: return "avx512";
  default: return "unknown";
  }
}

static const ll_table *table(void) { return &ll_tables[ll_kernels_path()]; }

void ll_gemm_fm(int M, int K, int B, const float *A, long ars, long acs, const float *X, long ldx, const float *bias,
                int epilogue, const float *H, long ldh, float *Y, long ldy) {
  table()->gemm_fm(M, K, B, A, ars, acs, X, ldx, bias, epilogue, H, ldh, Y, ldy);
}

void ll_gemm_nt(int M, int K, int B, const float *D, long ldd, const float *X, long ldx, float *G, long ldg) {
  table()->gemm_nt(M, K, B, D, ldd, X, ldx, G, ldg);
}

void ll_rowsum(int M, int B, const float *D, long ldd, float *out) { table()->rowsum(M, B, D, ldd, out); }

void ll_tanh(long n, const float *x, float *y) { table()->tanh(n, x, y); }

void ll_adam(long n, float *w, const float *g, float *m, float *v, float beta1, float beta2, float eps,
             float stepSize, float correction2, float gradScale) {
  table()->adam(n, w, g, m, v, beta1, beta2, eps, stepSize, correction2, gradScale);
}

double ll_sum_squares(long n, const float *x) {
  // Eight independent partial sums (a fixed order, so the result is reproducible).
  double part[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  long i = 0;
  for (; i + 8 <= n; i += 8)
    for (int j = 0; j < 8; j++) part[j] += (double)x[i + j] * (double)x[i + j];
  double s = ((part[0] + part[1]) + (part[2] + part[3])) + ((part[4] + part[5]) + (part[6] + part[7]));
  for (; i < n; i++) s += (double)x[i] * (double)x[i];
  return s;
}
