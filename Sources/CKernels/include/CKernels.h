#ifndef LOSSLAB_CKERNELS_H
#define LOSSLAB_CKERNELS_H
// Small dense kernels for the fused PPO actor-critic update: feature-major GEMMs with fused
// bias/activation epilogues, tanh, Adam. One body compiled for several instruction sets
// (AVX-512, AVX2+FMA, portable) and chosen at startup from the CPU's features
// (__builtin_cpu_supports), never from the build machine's.
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Dispatch paths.
enum { LL_PATH_PORTABLE = 0, LL_PATH_AVX2 = 1, LL_PATH_AVX512 = 2, LL_PATH_COUNT = 3 };

/// The path in use (the best the CPU supports unless `ll_kernels_select` changed it).
int ll_kernels_path(void);
/// The best path this CPU supports.
int ll_kernels_best_path(void);
/// Whether this CPU (and this build) can run `path`.
int ll_kernels_path_available(int path);
/// Uses `path` from now on; returns 0 (and changes nothing) when unavailable.
int ll_kernels_select(int path);
/// "portable", "avx2", "avx512" (or "unknown").
const char *ll_kernels_path_name(int path);

/// GEMM epilogues.
enum {
  LL_EPI_NONE = 0,  ///< Y = acc (+ bias)
  LL_EPI_TANH = 1,  ///< Y = tanh(acc + bias) (the policy's rounded Eigen approximation)
  LL_EPI_RELU = 2,  ///< Y = max(acc + bias, 0)
  LL_EPI_DTANH = 3, ///< Y = acc * (1 - H^2)   (H: the tanh output of the layer below)
  LL_EPI_DRELU = 4  ///< Y = H > 0 ? acc : 0
};

/// Feature-major product `Y[m, b] = epi(sum_k A(m, k) X[k, b] + bias[m])` for m < M, b < B,
/// where `A(m, k) = A[m * ars + k * acs]`, `X[k, b] = X[k * ldx + b]`, `Y[m * ldy + b]`,
/// `H[m * ldh + b]`. `bias` may be NULL.
void ll_gemm_fm(
  int M, int K, int B, const float *A, long ars, long acs, const float *X, long ldx, const float *bias,
  int epilogue, const float *H, long ldh, float *Y, long ldy);

/// Weight gradient `G[m * ldg + k] = sum_b D[m * ldd + b] X[k * ldx + b]` (stored, not added).
void ll_gemm_nt(int M, int K, int B, const float *D, long ldd, const float *X, long ldx, float *G, long ldg);

/// `out[m] = sum_b D[m * ldd + b]`.
void ll_rowsum(int M, int B, const float *D, long ldd, float *out);

/// `y[i] = tanh(x[i])` with the policy's approximation.
void ll_tanh(long n, const float *x, float *y);

/// Adam (PyTorch's rule) on flat buffers with the gradient scaled by `gradScale` first:
/// `g' = g s; m = b1 m + (1-b1) g'; v = b2 v + (1-b2) g'^2; w -= stepSize m / (sqrt(v) / corr2 + eps)`.
void ll_adam(
  long n, float *w, const float *g, float *m, float *v, float beta1, float beta2, float eps, float stepSize,
  float correction2, float gradScale);

/// Sum of squares in double (the gradient norm).
double ll_sum_squares(long n, const float *x);

// MARK: The fused PPO actor-critic step (categorical policy, separate actor and critic MLPs)

#define LL_AC_MAX_DEPTH 8

typedef struct {
  int observationSize;
  int actionCount;
  int depth;                       ///< hidden layers per network (1...LL_AC_MAX_DEPTH)
  int hidden[LL_AC_MAX_DEPTH];     ///< their widths
  int activation;                  ///< 0 tanh, 1 relu
  int maxBatch;
} ll_ac_shape;

typedef struct {
  float clipRange;
  float clipRangeVf;               ///< used when useClipRangeVf != 0
  int useClipRangeVf;
  float entCoef;
  float vfCoef;
  int normalizeAdvantage;
} ll_ppo_coefs;

typedef struct {
  double loss, policyGradientLoss, valueLoss, entropyLoss, approxKl, clipFraction;
} ll_ppo_stats;

/// Floats of the flat parameter vector, in ActorCritic's parameter order: policy layers
/// (weight [out, in], bias [out]) ..., value layers ..., action head, value head.
long ll_ac_parameter_count(const ll_ac_shape *shape);
/// Floats of workspace `ll_ppo_categorical_step` needs.
long ll_ac_workspace_count(const ll_ac_shape *shape);

/// One PPO minibatch: gathers rows `indices[0..<batch]` of the rollout, normalises advantages
/// (SB3's per-minibatch rule) when asked, runs both MLPs forward (the two first layers as one
/// product), evaluates the clipped PPO loss and writes its gradient with respect to every
/// parameter into `grads` (flat, same layout as `params`).
void ll_ppo_categorical_step(
  const ll_ac_shape *shape, const ll_ppo_coefs *coefs, const float *params, float *grads, float *work,
  int batch, const int64_t *indices, const float *observations, const int64_t *actions,
  const float *oldLogProbs, const float *oldValues, const float *advantages, const float *returns,
  ll_ppo_stats *stats);

/// Forward only: logits `[n, actions]` and values `[n]` (sample-major) for observations
/// `[n, observationSize]`, n <= maxBatch.
void ll_ac_forward(
  const ll_ac_shape *shape, const float *params, float *work, int n, const float *observations, float *logits,
  float *values);

#ifdef __cplusplus
}
#endif
#endif
