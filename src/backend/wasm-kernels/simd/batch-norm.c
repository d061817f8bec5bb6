/*
 * Training-mode BatchNorm over the rows of x [M, C] (M = N * H * W of an NHWC batch), as wasm SIMD kernels on the
 * tfjs wasm backend's memory (see filter-grad.c for the rules: no stack, no static data, heap offsets in).
 *
 *   mean = sum(x) / M,  var = sum((x - mean)^2) / M                    (bn_sums twice: two reads of x)
 *   y = x * scale + shift, scale = gamma / sqrt(var + eps), shift = beta - mean * scale   (bn_apply: one pass)
 *   dbeta = sum(dy),  dgamma = sum(dy * xhat),  xhat = (x - mean) * invstd              (bn_grad_sums: one pass)
 *   dx = a * dy + b * (x - mean) + d, with per channel a = gamma * invstd, b = -a * invstd * dgamma / M,
 *        d = -a * dbeta / M                                                            (bn_grad_input: one pass)
 *
 * Composed from tfjs ops the same forward and backward made about 17 passes over a tensor the size of x; these make
 * five. Sums run over blocks of ROWS rows into block accumulators that are then added to the totals, so that a
 * float32 sum over 65,536 rows does not lose the small terms. Channels go 16 at a time (4 vectors); a channel
 * count that is not a multiple of 4 finishes with a scalar loop.
 */
#include <wasm_simd128.h>

#define ROWS 256

/* Per-channel sum of x (shifted by `shift` when centred) or of its square deviations, for channels [k, k + 4 * V). */
#define SUM_BLOCK(EXPR)                                                                                             \
  for (long r0 = 0; r0 < m; r0 += ROWS) {                                                                           \
    long r1 = r0 + ROWS < m ? r0 + ROWS : m;                                                                        \
    v128_t b0 = wasm_f32x4_splat(0), b1 = b0, b2 = b0, b3 = b0;                                                     \
    for (long r = r0; r < r1; r++) {                                                                                \
      const float *p = x + r * c + k;                                                                              \
      b0 = wasm_f32x4_add(b0, EXPR(0));                                                                             \
      if (v > 1) b1 = wasm_f32x4_add(b1, EXPR(1));                                                                  \
      if (v > 2) b2 = wasm_f32x4_add(b2, EXPR(2));                                                                  \
      if (v > 3) b3 = wasm_f32x4_add(b3, EXPR(3));                                                                  \
    }                                                                                                               \
    t0 = wasm_f32x4_add(t0, b0);                                                                                    \
    t1 = wasm_f32x4_add(t1, b1);                                                                                    \
    t2 = wasm_f32x4_add(t2, b2);                                                                                    \
    t3 = wasm_f32x4_add(t3, b3);                                                                                    \
  }

#define LOAD(j) wasm_v128_load(p + 4 * (j))
#define SQDEV(j) sq(wasm_f32x4_sub(LOAD(j), mu##j))

static inline v128_t sq(v128_t a) { return wasm_f32x4_mul(a, a); }

static inline void store4(float *out, int v, v128_t t0, v128_t t1, v128_t t2, v128_t t3, v128_t scale) {
  wasm_v128_store(out, wasm_f32x4_mul(t0, scale));
  if (v > 1) wasm_v128_store(out + 4, wasm_f32x4_mul(t1, scale));
  if (v > 2) wasm_v128_store(out + 8, wasm_f32x4_mul(t2, scale));
  if (v > 3) wasm_v128_store(out + 12, wasm_f32x4_mul(t3, scale));
}

/*
 * out [C] = per-channel sum over the rows of x [M, C] of x (centred = 0) or of (x - mean)^2 (centred = 1): the
 * mean's and the biased variance's numerators. Sums, not means, so that a batch split into parts (over helper
 * threads) adds its parts' sums.
 */
__attribute__((export_name("bn_sums"))) void bn_sums(const float *x, const float *mean, float *out, long m, int c,
                                                     int centred) {
  const int c4 = c - c % 4;
  const v128_t one = wasm_f32x4_splat(1);
  for (int k = 0; k < c4; k += 16) {
    const int v = (c4 - k) / 4 < 4 ? (c4 - k) / 4 : 4;
    v128_t t0 = wasm_f32x4_splat(0), t1 = t0, t2 = t0, t3 = t0;
    if (centred) {
      const v128_t mu0 = wasm_v128_load(mean + k);
      const v128_t mu1 = v > 1 ? wasm_v128_load(mean + k + 4) : mu0;
      const v128_t mu2 = v > 2 ? wasm_v128_load(mean + k + 8) : mu0;
      const v128_t mu3 = v > 3 ? wasm_v128_load(mean + k + 12) : mu0;
      SUM_BLOCK(SQDEV)
    } else {
      SUM_BLOCK(LOAD)
    }
    store4(out + k, v, t0, t1, t2, t3, one);
  }
  for (int k = c4; k < c; k++) {
    const float mu = centred ? mean[k] : 0.0f;
    float s = 0;
    for (long r0 = 0; r0 < m; r0 += ROWS) {
      long r1 = r0 + ROWS < m ? r0 + ROWS : m;
      float b = 0;
      if (centred) {
        for (long r = r0; r < r1; r++) b += (x[r * c + k] - mu) * (x[r * c + k] - mu);
      } else {
        for (long r = r0; r < r1; r++) b += x[r * c + k];
      }
      s += b;
    }
    out[k] = s;
  }
}

/* y [M, C] = x * scale + shift, per channel. */
__attribute__((export_name("bn_apply"))) void bn_apply(const float *x, const float *scale, const float *shift, float *y,
                                                       long m, int c) {
  const int c4 = c - c % 4;
  for (long r = 0; r < m; r++) {
    const float *p = x + r * c;
    float *q = y + r * c;
    for (int k = 0; k < c4; k += 4) {
      v128_t a = wasm_f32x4_mul(wasm_v128_load(p + k), wasm_v128_load(scale + k));
      wasm_v128_store(q + k, wasm_f32x4_add(a, wasm_v128_load(shift + k)));
    }
    for (int k = c4; k < c; k++) q[k] = p[k] * scale[k] + shift[k];
  }
}

#define DY(j) wasm_v128_load(g + 4 * (j))
#define DYXHAT(j) wasm_f32x4_mul(DY(j), wasm_f32x4_mul(wasm_f32x4_sub(LOAD(j), mu##j), is##j))

/* sumDy [C] = sum(dy), sumDyXhat [C] = sum(dy * (x - mean) * invstd), over the rows of dy and x [M, C]. */
__attribute__((export_name("bn_grad_sums"))) void bn_grad_sums(const float *dy, const float *x, const float *mean,
                                                               const float *invstd, float *sum_dy,
                                                               float *sum_dy_xhat, long m, int c) {
  const int c4 = c - c % 4;
  const v128_t one = wasm_f32x4_splat(1);
  for (int k = 0; k < c4; k += 16) {
    const int v = (c4 - k) / 4 < 4 ? (c4 - k) / 4 : 4;
    const v128_t mu0 = wasm_v128_load(mean + k), is0 = wasm_v128_load(invstd + k);
    const v128_t mu1 = v > 1 ? wasm_v128_load(mean + k + 4) : mu0, is1 = v > 1 ? wasm_v128_load(invstd + k + 4) : is0;
    const v128_t mu2 = v > 2 ? wasm_v128_load(mean + k + 8) : mu0, is2 = v > 2 ? wasm_v128_load(invstd + k + 8) : is0;
    const v128_t mu3 = v > 3 ? wasm_v128_load(mean + k + 12) : mu0, is3 = v > 3 ? wasm_v128_load(invstd + k + 12) : is0;
    v128_t t0 = wasm_f32x4_splat(0), t1 = t0, t2 = t0, t3 = t0;
    v128_t u0 = t0, u1 = t0, u2 = t0, u3 = t0;
    for (long r0 = 0; r0 < m; r0 += ROWS) {
      long r1 = r0 + ROWS < m ? r0 + ROWS : m;
      v128_t b0 = wasm_f32x4_splat(0), b1 = b0, b2 = b0, b3 = b0;
      v128_t e0 = b0, e1 = b0, e2 = b0, e3 = b0;
      for (long r = r0; r < r1; r++) {
        const float *p = x + r * c + k;
        const float *g = dy + r * c + k;
        b0 = wasm_f32x4_add(b0, DY(0));
        e0 = wasm_f32x4_add(e0, DYXHAT(0));
        if (v > 1) {
          b1 = wasm_f32x4_add(b1, DY(1));
          e1 = wasm_f32x4_add(e1, DYXHAT(1));
        }
        if (v > 2) {
          b2 = wasm_f32x4_add(b2, DY(2));
          e2 = wasm_f32x4_add(e2, DYXHAT(2));
        }
        if (v > 3) {
          b3 = wasm_f32x4_add(b3, DY(3));
          e3 = wasm_f32x4_add(e3, DYXHAT(3));
        }
      }
      t0 = wasm_f32x4_add(t0, b0), t1 = wasm_f32x4_add(t1, b1), t2 = wasm_f32x4_add(t2, b2), t3 = wasm_f32x4_add(t3, b3);
      u0 = wasm_f32x4_add(u0, e0), u1 = wasm_f32x4_add(u1, e1), u2 = wasm_f32x4_add(u2, e2), u3 = wasm_f32x4_add(u3, e3);
    }
    store4(sum_dy + k, v, t0, t1, t2, t3, one);
    store4(sum_dy_xhat + k, v, u0, u1, u2, u3, one);
  }
  for (int k = c4; k < c; k++) {
    float s = 0, sx = 0;
    for (long r0 = 0; r0 < m; r0 += ROWS) {
      long r1 = r0 + ROWS < m ? r0 + ROWS : m;
      float b = 0, e = 0;
      for (long r = r0; r < r1; r++) {
        b += dy[r * c + k];
        e += dy[r * c + k] * (x[r * c + k] - mean[k]) * invstd[k];
      }
      s += b;
      sx += e;
    }
    sum_dy[k] = s;
    sum_dy_xhat[k] = sx;
  }
}

/*
 * dx [M, C] = a * dy + b * (x - mean) + d with the per-channel coefficients of the header, from gamma, mean, invstd, sumDy,
 * sumDyXhat [C]. coef [3C] is scratch for a, b, d. m_total is the batch's row count (M in the header), m the rows
 * of this part of it.
 */
__attribute__((export_name("bn_grad_input"))) void bn_grad_input(const float *dy, const float *x, const float *gamma,
                                                                 const float *mean, const float *invstd,
                                                                 const float *sum_dy, const float *sum_dy_xhat,
                                                                 float *coef, float *dx, long m, int c, long m_total) {
  const float inv_m = 1.0f / (float)m_total;
  float *ca = coef, *cb = coef + c, *cd = coef + 2 * c;
  for (int k = 0; k < c; k++) {
    const float a = gamma[k] * invstd[k];
    const float b = -a * invstd[k] * sum_dy_xhat[k] * inv_m;
    ca[k] = a;
    cb[k] = b;
    cd[k] = -a * sum_dy[k] * inv_m;
  }
  const int c4 = c - c % 4;
  for (long r = 0; r < m; r++) {
    const float *p = x + r * c;
    const float *g = dy + r * c;
    float *q = dx + r * c;
    for (int k = 0; k < c4; k += 4) {
      v128_t t = wasm_f32x4_mul(wasm_v128_load(g + k), wasm_v128_load(ca + k));
      t = wasm_f32x4_add(t, wasm_f32x4_mul(wasm_f32x4_sub(wasm_v128_load(p + k), wasm_v128_load(mean + k)), wasm_v128_load(cb + k)));
      wasm_v128_store(q + k, wasm_f32x4_add(t, wasm_v128_load(cd + k)));
    }
    for (int k = c4; k < c; k++) q[k] = ca[k] * g[k] + cb[k] * (p[k] - mean[k]) + cd[k];
  }
}
