/*
 * Gradient of conv2d with respect to its filter, as a wasm SIMD kernel that runs on the tfjs wasm backend's own
 * memory (the module imports it). See docs/backend.md, "selfsup's SIMD kernels".
 *
 *   dw[i, j, c, o] = sum over n, oh, ow of x[n, oh*sh + i*dh - top, ow*sw + j*dw - left, c] * dy[n, oh, ow, o]
 *
 * x [N, H, W, C] and dy [N, Ho, Wo, O] are NHWC; dw [kh, kw, C, O] must be zeroed by the caller. Reads outside x
 * are the zero padding and are skipped.
 *
 * Why not XNNPACK: the product has only kh*kw*C rows and O columns but N*Ho*Wo terms per sum. XNNPACK's GEMM
 * streams the whole K extent once per output tile, so these shapes run memory-bound at a third to a half of its
 * square-matrix speed. Here K is split into blocks of output rows of one image, about BLOCK_FLOATS floats of dy
 * each, whose dy and the x rows they read stay in L1 while every output tile accumulates over them (the output,
 * kh*kw*C*O floats, stays in L2), and the patch matrix is never built: each tile reads MR consecutive channels of
 * one tap straight from x.
 *
 * Register tile: MR channels x 8 outputs = 2*MR f32x4 accumulators (MR = 4: 8 accumulators, 2 dy vectors and
 * a broadcast, within the 15 XMM registers V8 allocates on x64). Multiply-adds are fused in the relaxed build
 * (madd.h).
 */
#include <wasm_simd128.h>
#include "madd.h"

#define MR 4
#ifndef BLOCK_FLOATS
#define BLOCK_FLOATS 4096
#endif

typedef struct {
  int n, h, w, c, ho, wo, o, kh, kw, sh, sw, dh, dw, top, left;
} Geometry;

/* The output columns [lo, hi) whose input column ow*sw + j*dw - left lies inside [0, w). */
static inline void valid_columns(const Geometry *g, int j, int *lo, int *hi) {
  int off = j * g->dw - g->left;
  int a = 0;
  if (off < 0) a = (-off + g->sw - 1) / g->sw;
  int b = g->wo;
  /* ow*sw + off <= w - 1  <=>  ow <= (w - 1 - off) / sw */
  int last = g->w - 1 - off;
  if (last < 0) b = 0;
  else if (last / g->sw + 1 < b) b = last / g->sw + 1;
  *lo = a;
  *hi = b > a ? b : a;
}

/*
 * One image, one tap (i, j), channels [c0, c0 + rows) and outputs [o0, o0 + 8): dw tile += x-rows^T * dy-cols.
 * `rows` is MR or fewer (the tail); the compiler unrolls each constant.
 */
#define TILE8(ROWS)                                                                                              \
  static void tile8_##ROWS(const Geometry *g, const float *x, const float *dy, float *out, int i, int j,          \
                           int c0, int o0, int lo, int hi, int oh0, int oh1) {                                   \
    v128_t acc0[ROWS], acc1[ROWS];                                                                               \
    for (int m = 0; m < ROWS; m++) {                                                                             \
      acc0[m] = wasm_v128_load(out + m * g->o);                                                                  \
      acc1[m] = wasm_v128_load(out + m * g->o + 4);                                                              \
    }                                                                                                            \
    const int xstep = g->sw * g->c;                                                                              \
    for (int oh = oh0; oh < oh1; oh++) {                                                                         \
      int r = oh * g->sh + i * g->dh - g->top;                                                                   \
      if (r < 0 || r >= g->h) continue;                                                                          \
      const float *xp = x + ((long)r * g->w + (long)lo * g->sw + j * g->dw - g->left) * g->c + c0;               \
      const float *dp = dy + ((long)oh * g->wo + lo) * g->o + o0;                                                \
      for (int ow = lo; ow < hi; ow++) {                                                                         \
        v128_t b0 = wasm_v128_load(dp);                                                                          \
        v128_t b1 = wasm_v128_load(dp + 4);                                                                      \
        for (int m = 0; m < ROWS; m++) {                                                                         \
          v128_t a = wasm_v128_load32_splat(xp + m);                                                             \
          acc0[m] = MADD(a, b0, acc0[m]);                                              \
          acc1[m] = MADD(a, b1, acc1[m]);                                              \
        }                                                                                                        \
        xp += xstep;                                                                                             \
        dp += g->o;                                                                                              \
      }                                                                                                          \
    }                                                                                                            \
    for (int m = 0; m < ROWS; m++) {                                                                             \
      wasm_v128_store(out + m * g->o, acc0[m]);                                                                  \
      wasm_v128_store(out + m * g->o + 4, acc1[m]);                                                              \
    }                                                                                                            \
  }

TILE8(4)
TILE8(3)
TILE8(2)
TILE8(1)

/* Outputs that do not fill a group of 8 (O not a multiple of 8), one channel and one output at a time. */
static void tile_scalar(const Geometry *g, const float *x, const float *dy, float *out, int i, int j, int c, int o,
                        int lo, int hi, int oh0, int oh1) {
  float acc = *out;
  const int xstep = g->sw * g->c;
  for (int oh = oh0; oh < oh1; oh++) {
    int r = oh * g->sh + i * g->dh - g->top;
    if (r < 0 || r >= g->h) continue;
    const float *xp = x + ((long)r * g->w + (long)lo * g->sw + j * g->dw - g->left) * g->c + c;
    const float *dp = dy + ((long)oh * g->wo + lo) * g->o + o;
    for (int ow = lo; ow < hi; ow++) {
      acc += *xp * *dp;
      xp += xstep;
      dp += g->o;
    }
  }
  *out = acc;
}

__attribute__((export_name("conv2d_filter_grad"))) void conv2d_filter_grad(
    const float *x, const float *dy, float *dw, int n, int h, int w, int c, int ho, int wo, int o, int kh, int kw,
    int sh, int sw, int dh, int dwl, int top, int left) {
  Geometry g = {n, h, w, c, ho, wo, o, kh, kw, sh, sw, dh, dwl, top, left};
  const int o8 = o - o % 8;
  /* K blocks of output rows whose dy (and the x rows they read) stay in L1: about BLOCK_FLOATS floats of dy. */
  int block = BLOCK_FLOATS / (wo * o);
  if (block < 1) block = 1;
  for (int b = 0; b < n; b++) {
    const float *xb = x + (long)b * h * w * c;
    const float *db = dy + (long)b * ho * wo * o;
    for (int oh0 = 0; oh0 < ho; oh0 += block) {
    int oh1 = oh0 + block < ho ? oh0 + block : ho;
    for (int i = 0; i < kh; i++) {
      for (int j = 0; j < kw; j++) {
        int lo, hi;
        valid_columns(&g, j, &lo, &hi);
        if (lo >= hi) continue;
        float *tap = dw + (long)(i * kw + j) * c * o;
        for (int c0 = 0; c0 < c; c0 += MR) {
          int rows = c - c0 < MR ? c - c0 : MR;
          float *rowOut = tap + (long)c0 * o;
          for (int o0 = 0; o0 < o8; o0 += 8) {
            switch (rows) {
              case 4: tile8_4(&g, xb, db, rowOut + o0, i, j, c0, o0, lo, hi, oh0, oh1); break;
              case 3: tile8_3(&g, xb, db, rowOut + o0, i, j, c0, o0, lo, hi, oh0, oh1); break;
              case 2: tile8_2(&g, xb, db, rowOut + o0, i, j, c0, o0, lo, hi, oh0, oh1); break;
              default: tile8_1(&g, xb, db, rowOut + o0, i, j, c0, o0, lo, hi, oh0, oh1); break;
            }
          }
          for (int m = 0; m < rows; m++) {
            for (int oo = o8; oo < o; oo++) tile_scalar(&g, xb, db, rowOut + (long)m * o + oo, i, j, c0 + m, oo, lo, hi, oh0, oh1);
          }
        }
      }
    }
    }
  }
}
