// The kernels' body, included once per instruction set by dispatch.c with
//   SFX (name suffix), VW (float lanes per vector), MR x NV (rows x vectors of the ll_gemm_fm
//   register block), TR x TK (rows x columns of the ll_gemm_nt register block),
// inside a `#pragma clang attribute` that sets the target. Plain C on GCC vector types: the
// compiler emits the target's instructions (FMA contraction of `acc + a * x` included).
#define LL_CAT2(a, b) a##_##b
#define LL_CAT(a, b) LL_CAT2(a, b)
#define LL_FN(name) LL_CAT(name, SFX)

typedef float LL_CAT(vf, SFX) __attribute__((vector_size(VW * 4), aligned(4)));
typedef int32_t LL_CAT(vi, SFX) __attribute__((vector_size(VW * 4), aligned(4)));
#define VF LL_CAT(vf, SFX)
#define VI LL_CAT(vi, SFX)

static inline __attribute__((always_inline)) VF LL_FN(splat)(float s) { return (VF){0} + s; }
static inline __attribute__((always_inline)) VF LL_FN(load)(const float *p) { return *(const VF *)p; }
static inline __attribute__((always_inline)) void LL_FN(store)(float *p, VF v) { *(VF *)p = v; }
static inline __attribute__((always_inline)) VF LL_FN(select)(VI mask, VF a, VF b) {
  return (VF)(((VI)a & mask) | ((VI)b & ~mask));
}

// The policy's tanh: Eigen's rational approximation with the coefficients rounded to 8 digits,
// x itself below |x| < 4e-4 (RoundedEigenTanh in Tensors/VectorMath.swift).
static inline __attribute__((always_inline)) VF LL_FN(vtanh)(VF v) {
  VF x = __builtin_elementwise_min(__builtin_elementwise_max(v, LL_FN(splat)(-7.9053111f)), LL_FN(splat)(7.9053111f));
  VF x2 = x * x;
  VF p = x2 * -2.7607685e-16f + 2.0001879e-13f;
  p = p * x2 + -8.6046715e-11f;
  p = p * x2 + 5.1222971e-08f;
  p = p * x2 + 1.4857224e-05f;
  p = p * x2 + 6.3726193e-04f;
  p = p * x2 + 4.8935246e-03f;
  p = p * x;
  VF q = x2 * 1.1982584e-06f + 1.1853471e-04f;
  q = q * x2 + 2.2684346e-03f;
  q = q * x2 + 4.8935252e-03f;
  VF y = p / q;
  VI small = (VI)(__builtin_elementwise_abs(x) < LL_FN(splat)(0.0004f));
  return LL_FN(select)(small, x, y);
}

static inline __attribute__((always_inline)) VF LL_FN(epilogue)(int epi, VF acc, const float *h) {
  switch (epi) {
  case LL_EPI_TANH: return LL_FN(vtanh)(acc);
  case LL_EPI_RELU: return __builtin_elementwise_max(acc, LL_FN(splat)(0));
  case LL_EPI_DTANH: {
    VF hv = LL_FN(load)(h);
    return acc * (1.0f - hv * hv);
  }
  case LL_EPI_DRELU: {
    VF hv = LL_FN(load)(h);
    return LL_FN(select)((VI)(hv > LL_FN(splat)(0)), acc, LL_FN(splat)(0));
  }
  default: return acc;
  }
}

static inline __attribute__((always_inline)) float LL_FN(epilogue1)(int epi, float acc, const float *h) {
  VF v = LL_FN(splat)(acc);
  VF hv = LL_FN(splat)(h ? *h : 0);
  float tmp[VW];
  float htmp[VW];
  LL_FN(store)(tmp, v);
  LL_FN(store)(htmp, hv);
  return LL_FN(epilogue)(epi, LL_FN(load)(tmp), htmp)[0];
}

// One block of `mr` rows (<= MR) and `nv` vectors (<= NV) of Y, starting at row m0, column b0.
static inline __attribute__((always_inline)) void LL_FN(fm_block)(
  int mr, int nv, int m0, int b0, int K, const float *A, long ars, long acs, const float *X, long ldx,
  const float *bias, int epi, const float *H, long ldh, float *Y, long ldy) {
  VF acc[MR][NV];
  for (int i = 0; i < MR; i++) {
    if (i >= mr) break;
    VF b = LL_FN(splat)(bias ? bias[m0 + i] : 0.0f);
    for (int j = 0; j < NV; j++) acc[i][j] = b;
  }
  for (int k = 0; k < K; k++) {
    VF x[NV];
    for (int j = 0; j < NV; j++)
      if (j < nv) x[j] = LL_FN(load)(X + k * ldx + b0 + j * VW);
    for (int i = 0; i < MR; i++) {
      if (i >= mr) break;
      float a = A[(m0 + i) * ars + k * acs];
      for (int j = 0; j < NV; j++)
        if (j < nv) acc[i][j] = acc[i][j] + a * x[j];
    }
  }
  for (int i = 0; i < MR; i++) {
    if (i >= mr) break;
    for (int j = 0; j < NV; j++) {
      if (j >= nv) break;
      long o = b0 + j * VW;
      LL_FN(store)(Y + (m0 + i) * ldy + o, LL_FN(epilogue)(epi, acc[i][j], H ? H + (m0 + i) * ldh + o : 0));
    }
  }
}

static void LL_FN(gemm_fm)(
  int M, int K, int B, const float *A, long ars, long acs, const float *X, long ldx, const float *bias, int epi,
  const float *H, long ldh, float *Y, long ldy) {
  int m0 = 0;
  for (; m0 + MR <= M; m0 += MR) {
    int b0 = 0;
    for (; b0 + NV * VW <= B; b0 += NV * VW) LL_FN(fm_block)(MR, NV, m0, b0, K, A, ars, acs, X, ldx, bias, epi, H, ldh, Y, ldy);
    for (; b0 + VW <= B; b0 += VW) LL_FN(fm_block)(MR, 1, m0, b0, K, A, ars, acs, X, ldx, bias, epi, H, ldh, Y, ldy);
  }
  if (m0 < M) {
    // The last M % MR rows as one block, its height a compile-time constant.
    int b0 = 0;
#define LL_FM_TAIL(R)                                                                                              \
  case R:                                                                                                          \
    for (; b0 + NV * VW <= B; b0 += NV * VW) LL_FN(fm_block)(R, NV, m0, b0, K, A, ars, acs, X, ldx, bias, epi, H, ldh, Y, ldy); \
    for (; b0 + VW <= B; b0 += VW) LL_FN(fm_block)(R, 1, m0, b0, K, A, ars, acs, X, ldx, bias, epi, H, ldh, Y, ldy);           \
    break;
    switch (M - m0) {
      LL_FM_TAIL(1)
      LL_FM_TAIL(2)
      LL_FM_TAIL(3)
      LL_FM_TAIL(4)
      LL_FM_TAIL(5)
      LL_FM_TAIL(6)
      LL_FM_TAIL(7)
    }
#undef LL_FM_TAIL
  }
  int tail = B - B / VW * VW;
  if (tail == 0) return;
  int b0 = B - tail;
  for (int m = 0; m < M; m++) {
    for (int b = b0; b < B; b++) {
      float acc = bias ? bias[m] : 0.0f;
      for (int k = 0; k < K; k++) acc = acc + A[m * ars + k * acs] * X[k * ldx + b];
      Y[m * ldy + b] = LL_FN(epilogue1)(epi, acc, H ? H + m * ldh + b : 0);
    }
  }
}

// Pairwise (tree) horizontal sum: halves added until one lane is left.
static inline __attribute__((always_inline)) float LL_FN(hsum)(VF v) {
  typedef float v4 __attribute__((vector_size(16)));
#if VW == 16
  typedef float v8 __attribute__((vector_size(32)));
  v8 h8 = __builtin_shufflevector(v, v, 0, 1, 2, 3, 4, 5, 6, 7) +
          __builtin_shufflevector(v, v, 8, 9, 10, 11, 12, 13, 14, 15);
  v4 h4 = __builtin_shufflevector(h8, h8, 0, 1, 2, 3) + __builtin_shufflevector(h8, h8, 4, 5, 6, 7);
#elif VW == 8
  v4 h4 = __builtin_shufflevector(v, v, 0, 1, 2, 3) + __builtin_shufflevector(v, v, 4, 5, 6, 7);
#else
  v4 h4 = v;
#endif
  return (h4[0] + h4[2]) + (h4[1] + h4[3]);
}

static void LL_FN(rowsum)(int M, int B, const float *D, long ldd, float *out) {
  for (int m = 0; m < M; m++) {
    VF acc = LL_FN(splat)(0);
    int b = 0;
    for (; b + VW <= B; b += VW) acc += LL_FN(load)(D + m * ldd + b);
    float s = LL_FN(hsum)(acc);
    for (; b < B; b++) s += D[m * ldd + b];
    out[m] = s;
  }
}

// `tr` x `tk` block of G from rows m0 of D and k0 of X.
static inline __attribute__((always_inline)) void LL_FN(nt_block)(
  int tr, int tk, int m0, int k0, int B, const float *D, long ldd, const float *X, long ldx, float *G, long ldg) {
  VF acc[TR][TK];
  for (int i = 0; i < TR; i++)
    for (int j = 0; j < TK; j++) acc[i][j] = LL_FN(splat)(0);
  int b = 0;
  for (; b + VW <= B; b += VW) {
    VF d[TR], x[TK];
    for (int i = 0; i < TR; i++)
      if (i < tr) d[i] = LL_FN(load)(D + (m0 + i) * ldd + b);
    for (int j = 0; j < TK; j++)
      if (j < tk) x[j] = LL_FN(load)(X + (k0 + j) * ldx + b);
    for (int i = 0; i < TR; i++) {
      if (i >= tr) break;
      for (int j = 0; j < TK; j++)
        if (j < tk) acc[i][j] = acc[i][j] + d[i] * x[j];
    }
  }
  for (int i = 0; i < TR; i++) {
    if (i >= tr) break;
    for (int j = 0; j < TK; j++) {
      if (j >= tk) break;
      float s = LL_FN(hsum)(acc[i][j]);
      for (int t = b; t < B; t++) s += D[(m0 + i) * ldd + t] * X[(k0 + j) * ldx + t];
      G[(m0 + i) * ldg + k0 + j] = s;
    }
  }
}

// A block of `tr` x `tk` (each below 4 or equal to TR / TK) with compile-time sizes.
static inline __attribute__((always_inline)) void LL_FN(nt_tail)(
  int tr, int tk, int m0, int k0, int B, const float *D, long ldd, const float *X, long ldx, float *G, long ldg) {
#define LL_NT_K(R, C)                                                                                              \
  case C: LL_FN(nt_block)(R, C, m0, k0, B, D, ldd, X, ldx, G, ldg); break;
#define LL_NT_R(R)                                                                                                 \
  case R:                                                                                                          \
    switch (tk) { LL_NT_K(R, 1) LL_NT_K(R, 2) LL_NT_K(R, 3) LL_NT_K(R, 4) }                                        \
    break;
  switch (tr) { LL_NT_R(1) LL_NT_R(2) LL_NT_R(3) LL_NT_R(4) }
#undef LL_NT_R
#undef LL_NT_K
}

static void LL_FN(gemm_nt)(int M, int K, int B, const float *D, long ldd, const float *X, long ldx, float *G, long ldg) {
  int m0 = 0;
  for (; m0 + TR <= M; m0 += TR) {
    int k0 = 0;
    for (; k0 + TK <= K; k0 += TK) LL_FN(nt_block)(TR, TK, m0, k0, B, D, ldd, X, ldx, G, ldg);
    if (k0 < K) LL_FN(nt_tail)(TR, K - k0, m0, k0, B, D, ldd, X, ldx, G, ldg);
  }
  if (m0 < M) {
    int k0 = 0;
    for (; k0 + TK <= K; k0 += TK) LL_FN(nt_tail)(M - m0, TK, m0, k0, B, D, ldd, X, ldx, G, ldg);
    if (k0 < K) LL_FN(nt_tail)(M - m0, K - k0, m0, k0, B, D, ldd, X, ldx, G, ldg);
  }
}

static void LL_FN(tanh)(long n, const float *x, float *y) {
  long i = 0;
  for (; i + VW <= n; i += VW) LL_FN(store)(y + i, LL_FN(vtanh)(LL_FN(load)(x + i)));
  for (; i < n; i++) y[i] = LL_FN(epilogue1)(LL_EPI_TANH, x[i], 0);
}

static void LL_FN(adam)(
  long n, float *w, const float *g, float *m, float *v, float b1, float b2, float eps, float stepSize, float corr2,
  float scale) {
  long i = 0;
  for (; i + VW <= n; i += VW) {
    VF gi = LL_FN(load)(g + i) * scale;
    VF mi = b1 * LL_FN(load)(m + i) + (1 - b1) * gi;
    VF vi = b2 * LL_FN(load)(v + i) + (1 - b2) * gi * gi;
    LL_FN(store)(m + i, mi);
    LL_FN(store)(v + i, vi);
    LL_FN(store)(w + i, LL_FN(load)(w + i) - stepSize * mi / (__builtin_elementwise_sqrt(vi) / corr2 + eps));
  }
  for (; i < n; i++) {
    float gi = g[i] * scale;
    m[i] = b1 * m[i] + (1 - b1) * gi;
    v[i] = b2 * v[i] + (1 - b2) * gi * gi;
    w[i] -= stepSize * m[i] / (__builtin_sqrtf(v[i]) / corr2 + eps);
  }
}

#undef VF
#undef VI

// The including file defines these per variant (dispatch.c).
#undef SFX
#undef VW
#undef MR
#undef NV
#undef TR
#undef TK
