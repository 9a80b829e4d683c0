// The fused PPO minibatch step for a categorical actor-critic with separate MLPs: gather,
// forward, loss, backward on one preallocated workspace, activations feature-major ([units,
// batch], batch contiguous) so every product streams along the batch.
#include "CKernels.h"

#include <math.h>
#include <string.h>

typedef struct {
  int L, d, A, n;
  int w[LL_AC_MAX_DEPTH + 1];  // w[0] = d, w[1...L] = hidden widths
  long pw[LL_AC_MAX_DEPTH], pb[LL_AC_MAX_DEPTH], vw[LL_AC_MAX_DEPTH], vb[LL_AC_MAX_DEPTH];
  long aw, ab, cw, cb, count;
} layout;

typedef struct {
  float *xt, *adv, *ret, *olp, *ov;
  int32_t *act;
  float *w1, *b1, *dw1, *db1;
  float *hp[LL_AC_MAX_DEPTH], *hv[LL_AC_MAX_DEPTH], *dzp[LL_AC_MAX_DEPTH], *dzv[LL_AC_MAX_DEPTH];
  float *logits, *values, *dlogits, *dvalues;
  long count;
} workspace;

static layout make_layout(const ll_ac_shape *s) {
  layout l;
  memset(&l, 0, sizeof l);
  l.L = s->depth;
  l.d = s->observationSize;
  l.A = s->actionCount;
  l.w[0] = l.d;
  for (int i = 0; i < l.L; i++) l.w[i + 1] = s->hidden[i];
  long o = 0;
  for (int i = 0; i < l.L; i++) {
    l.pw[i] = o;
    o += (long)l.w[i + 1] * l.w[i];
    l.pb[i] = o;
    o += l.w[i + 1];
  }
  for (int i = 0; i < l.L; i++) {
    l.vw[i] = o;
    o += (long)l.w[i + 1] * l.w[i];
    l.vb[i] = o;
    o += l.w[i + 1];
  }
  int hL = l.w[l.L];
  l.aw = o;
  o += (long)l.A * hL;
  l.ab = o;
  o += l.A;
  l.cw = o;
  o += hL;
  l.cb = o;
  o += 1;
  l.count = o;
  return l;
}

// Carves `work` (NULL: only counts) for batches up to B.
static workspace make_workspace(const layout *l, long B, float *work) {
  workspace w;
  memset(&w, 0, sizeof w);
  long o = 0;
#define TAKE(n) (work ? work + (o += (n)) - (n) : (o += (n), (float *)0))
  w.xt = TAKE(l->d * B);
  w.adv = TAKE(B);
  w.ret = TAKE(B);
  w.olp = TAKE(B);
  w.ov = TAKE(B);
  w.act = (int32_t *)TAKE(B);
  long h0 = l->w[1];
  w.w1 = TAKE(2 * h0 * l->d);
  w.b1 = TAKE(2 * h0);
  w.dw1 = TAKE(2 * h0 * l->d);
  w.db1 = TAKE(2 * h0);
  float *h0buf = TAKE(2 * h0 * B);
  float *dz0buf = TAKE(2 * h0 * B);
  w.hp[0] = h0buf;
  w.hv[0] = h0buf ? h0buf + h0 * B : 0;
  w.dzp[0] = dz0buf;
  w.dzv[0] = dz0buf ? dz0buf + h0 * B : 0;
  for (int i = 1; i < l->L; i++) {
    w.hp[i] = TAKE(l->w[i + 1] * B);
    w.hv[i] = TAKE(l->w[i + 1] * B);
    w.dzp[i] = TAKE(l->w[i + 1] * B);
    w.dzv[i] = TAKE(l->w[i + 1] * B);
  }
  w.logits = TAKE(l->A * B);
  w.values = TAKE(B);
  w.dlogits = TAKE(l->A * B);
  w.dvalues = TAKE(B);
#undef TAKE
  w.count = o;
  return w;
}

long ll_ac_parameter_count(const ll_ac_shape *shape) { return make_layout(shape).count; }

long ll_ac_workspace_count(const ll_ac_shape *shape) {
  layout l = make_layout(shape);
  return make_workspace(&l, shape->maxBatch, 0).count;
}

// Both MLPs forward on w->xt ([d, n]); the hidden activations stay in the workspace.
static void forward(const layout *l, int activation, const float *p, workspace *w, int n) {
  int epi = activation == 1 ? LL_EPI_RELU : LL_EPI_TANH;
  int d = l->d, h0 = l->w[1], L = l->L, hL = l->w[L];
  // The actor's and the critic's first layers read the same input: one [2 h0, d] product.
  memcpy(w->w1, p + l->pw[0], sizeof(float) * h0 * d);
  memcpy(w->w1 + h0 * d, p + l->vw[0], sizeof(float) * h0 * d);
  memcpy(w->b1, p + l->pb[0], sizeof(float) * h0);
  memcpy(w->b1 + h0, p + l->vb[0], sizeof(float) * h0);
  // Rows of the packed first layer sit h0 * maxBatch apart in hp[0]/hv[0]; with ld = n they must
  // be contiguous, so the packed product writes [2 h0, n] into hp[0] and hv[0] = hp[0] + h0 n.
  w->hv[0] = w->hp[0] + (long)h0 * n;
  w->dzv[0] = w->dzp[0] + (long)h0 * n;
  ll_gemm_fm(2 * h0, d, n, w->w1, d, 1, w->xt, n, w->b1, epi, 0, 0, w->hp[0], n);
  for (int i = 1; i < L; i++) {
    int in = l->w[i], out = l->w[i + 1];
    ll_gemm_fm(out, in, n, p + l->pw[i], in, 1, w->hp[i - 1], n, p + l->pb[i], epi, 0, 0, w->hp[i], n);
    ll_gemm_fm(out, in, n, p + l->vw[i], in, 1, w->hv[i - 1], n, p + l->vb[i], epi, 0, 0, w->hv[i], n);
  }
  ll_gemm_fm(l->A, hL, n, p + l->aw, hL, 1, w->hp[L - 1], n, p + l->ab, LL_EPI_NONE, 0, 0, w->logits, n);
  ll_gemm_fm(1, hL, n, p + l->cw, hL, 1, w->hv[L - 1], n, p + l->cb, LL_EPI_NONE, 0, 0, w->values, n);
}

// Backward of one MLP from the gradient dz[L-1] of its last hidden layer (already through the
// activation) down to dz[0]; writes the weight and bias gradients of layers 1...L-1.
static void backward_stack(const layout *l, int depi, const float *p, float *g, const long *wo, const long *bo,
                           float **h, float **dz, int n) {
  for (int i = l->L - 1; i >= 1; i--) {
    int in = l->w[i], out = l->w[i + 1];
    ll_gemm_nt(out, in, n, dz[i], n, h[i - 1], n, g + wo[i], in);
    ll_rowsum(out, n, dz[i], n, g + bo[i]);
    ll_gemm_fm(in, out, n, p + wo[i], 1, in, dz[i], n, 0, depi, h[i - 1], n, dz[i - 1], n);
  }
}

void ll_ppo_categorical_step(const ll_ac_shape *shape, const ll_ppo_coefs *c, const float *p, float *g, float *work,
                             int n, const int64_t *indices, const float *observations, const int64_t *actions,
                             const float *oldLogProbs, const float *oldValues, const float *advantages,
                             const float *returns, ll_ppo_stats *stats) {
  layout l = make_layout(shape);
  workspace w = make_workspace(&l, shape->maxBatch, work);
  int d = l.d, A = l.A, L = l.L, hL = l.w[L], h0 = l.w[1];
  for (int k = 0; k < n; k++) {
    int64_t i = indices[k];
    for (int j = 0; j < d; j++) w.xt[(long)j * n + k] = observations[i * d + j];
    w.act[k] = (int32_t)actions[i];
    w.olp[k] = oldLogProbs[i];
    w.ov[k] = oldValues[i];
    w.adv[k] = advantages[i];
    w.ret[k] = returns[i];
  }
  if (c->normalizeAdvantage && n > 1) {
    // SB3: (A - mean) / (std + 1e-8), torch.std's n - 1 (PPOLoss.normalizeAdvantages).
    double mean = 0;
    for (int k = 0; k < n; k++) mean += (double)w.adv[k];
    mean /= (double)n;
    double ss = 0;
    for (int k = 0; k < n; k++) ss += ((double)w.adv[k] - mean) * ((double)w.adv[k] - mean);
    double scale = 1 / (sqrt(ss / (double)(n - 1)) + 1e-8);
    for (int k = 0; k < n; k++) w.adv[k] = (float)(((double)w.adv[k] - mean) * scale);
  }
  forward(&l, shape->activation, p, &w, n);

  // The clipped objective and its gradient with respect to the logits and values.
  double sumPg = 0, sumVf = 0, sumH = 0, sumKl = 0;
  long clipped = 0;
  float eps = c->clipRange, invN = 1.0f / (float)n;
  for (int k = 0; k < n; k++) {
    float mx = w.logits[k];
    for (int a = 1; a < A; a++) mx = fmaxf(mx, w.logits[(long)a * n + k]);
    float s = 0;
    for (int a = 0; a < A; a++) s += expf(w.logits[(long)a * n + k] - mx);
    float lse = mx + logf(s);
    float H = 0;
    for (int a = 0; a < A; a++) {
      float lp = w.logits[(long)a * n + k] - lse;
      H -= expf(lp) * lp;
    }
    int act = w.act[k];
    float logRatio = (w.logits[(long)act * n + k] - lse) - w.olp[k];
    float r = expf(logRatio);
    float adv = w.adv[k];
    float pg1 = adv * r;
    float rc = fminf(fmaxf(r, 1 - eps), 1 + eps);
    float pg2 = adv * rc;
    sumPg += (double)fminf(pg1, pg2);
    // d(-mean min(pg1, pg2))/d ratio: A/n through pg1 when it is the minimum (inside the clip
    // range pg1 == pg2), zero when the clamped term is.
    float dRatio = pg1 <= pg2 ? -adv * invN : 0;
    float dLogProb = dRatio * r;
    for (int a = 0; a < A; a++) {
      float lp = w.logits[(long)a * n + k] - lse;
      float pa = expf(lp);
      float dl = dLogProb * ((a == act ? 1.0f : 0.0f) - pa);
      // ent_coef * L_ent = -ent_coef mean(H); dH/dl_a = -p_a (log p_a + H).
      dl += c->entCoef * invN * pa * (lp + H);
      w.dlogits[(long)a * n + k] = dl;
    }
    sumH += (double)H;
    sumKl += (double)((r - 1) - logRatio);
    if (fabsf(r - 1) > eps) clipped++;
    float v = w.values[k], pred = v, dPred = 1;
    if (c->useClipRangeVf) {
      float e = c->clipRangeVf, diff = v - w.ov[k];
      float cl = fminf(fmaxf(diff, -e), e);
      pred = w.ov[k] + cl;
      dPred = (diff >= -e && diff <= e) ? 1 : 0;
    }
    float err = w.ret[k] - pred;
    sumVf += (double)err * (double)err;
    w.dvalues[k] = c->vfCoef * 2 * invN * (-err) * dPred;
  }
  stats->policyGradientLoss = -sumPg / n;
  stats->valueLoss = sumVf / n;
  stats->entropyLoss = -sumH / n;
  stats->approxKl = sumKl / n;
  stats->clipFraction = (double)clipped / n;
  stats->loss = stats->policyGradientLoss + (double)c->entCoef * stats->entropyLoss +
                (double)c->vfCoef * stats->valueLoss;

  int depi = shape->activation == 1 ? LL_EPI_DRELU : LL_EPI_DTANH;
  // Heads.
  ll_gemm_nt(A, hL, n, w.dlogits, n, w.hp[L - 1], n, g + l.aw, hL);
  ll_rowsum(A, n, w.dlogits, n, g + l.ab);
  ll_gemm_fm(hL, A, n, p + l.aw, 1, hL, w.dlogits, n, 0, depi, w.hp[L - 1], n, w.dzp[L - 1], n);
  ll_gemm_nt(1, hL, n, w.dvalues, n, w.hv[L - 1], n, g + l.cw, hL);
  ll_rowsum(1, n, w.dvalues, n, g + l.cb);
  ll_gemm_fm(hL, 1, n, p + l.cw, 1, hL, w.dvalues, n, 0, depi, w.hv[L - 1], n, w.dzv[L - 1], n);
  backward_stack(&l, depi, p, g, l.pw, l.pb, w.hp, w.dzp, n);
  backward_stack(&l, depi, p, g, l.vw, l.vb, w.hv, w.dzv, n);
  // Both first layers in one product: [2 h0, n] x [d, n]^T.
  ll_gemm_nt(2 * h0, d, n, w.dzp[0], n, w.xt, n, w.dw1, d);
  ll_rowsum(2 * h0, n, w.dzp[0], n, w.db1);
  memcpy(g + l.pw[0], w.dw1, sizeof(float) * h0 * d);
  memcpy(g + l.vw[0], w.dw1 + h0 * d, sizeof(float) * h0 * d);
  memcpy(g + l.pb[0], w.db1, sizeof(float) * h0);
  memcpy(g + l.vb[0], w.db1 + h0, sizeof(float) * h0);
}

void ll_ac_forward(const ll_ac_shape *shape, const float *p, float *work, int n, const float *observations,
                   float *logits, float *values) {
  layout l = make_layout(shape);
  workspace w = make_workspace(&l, shape->maxBatch, work);
  // A few rows (a rollout step over a handful of environments) are padded with zero columns to
  // a whole number of 16-lane vectors, so they run the vector loops rather than the scalar tail.
  int np = (n + 15) / 16 * 16;
  if (np > shape->maxBatch) np = n;
  for (int k = 0; k < np; k++)
    for (int j = 0; j < l.d; j++) w.xt[(long)j * np + k] = k < n ? observations[(long)k * l.d + j] : 0.0f;
  forward(&l, shape->activation, p, &w, np);
  for (int k = 0; k < n; k++) {
    for (int a = 0; a < l.A; a++) logits[(long)k * l.A + a] = w.logits[(long)a * np + k];
    values[k] = w.values[k];
  }
}
