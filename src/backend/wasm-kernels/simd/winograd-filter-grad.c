/*
 * The filter gradient of winograd.c's convolution, in the same transformed domain. With M_o = sum over c of
 * U_co .* V_c and Y_o = A^T M_o A, the gradient of a tile's M_o is A dY_o A^T, so
 *
 *   dU_co = sum over tiles of (A dY_o A^T) .* V_c,    dg_co = G^T dU_co G,
 *
 * 36 products V_e^T [C, tiles] x dM_e [tiles, O] summed over the tiles: 4x fewer multiplications than the direct
 * filter gradient (filter-grad.c). Outputs past the end of y (the edge tiles) have no gradient: their dy is 0.
 */
#include "winograd.h"

/* r0..r5 = A (y0..y3), A = (A^T)^T */
#define APPLY_A(y0, y1, y2, y3, r0, r1, r2, r3, r4, r5)             \
  do {                                                               \
    v128_t s02_ = ADD(y0, y2), s13_ = ADD(y1, y3);                   \
    v128_t p_ = ADD(y0, MUL(y2, K(4.0f)));                           \
    v128_t q_ = ADD(MUL(y1, K(2.0f)), MUL(y3, K(8.0f)));             \
    r0 = y0;                                                         \
    r1 = ADD(s02_, s13_);                                            \
    r2 = SUB(s02_, s13_);                                            \
    r3 = ADD(p_, q_);                                                \
    r4 = SUB(p_, q_);                                                \
    r5 = y3;                                                         \
  } while (0)

/* r0..r2 = G^T (u0..u5) */
#define APPLY_GT(u0, u1, u2, u3, u4, u5, r0, r1, r2)                \
  do {                                                               \
    v128_t s12_ = ADD(u1, u2), s34_ = ADD(u3, u4);                   \
    r0 = ADD(SUB(MUL(u0, K(0.25f)), MUL(s12_, K(1.0f / 6))), MUL(s34_, K(1.0f / 24))); \
    r1 = ADD(MUL(SUB(u2, u1), K(1.0f / 6)), MUL(SUB(u3, u4), K(1.0f / 12)));           \
    r2 = ADD(MUL(SUB(s34_, s12_), K(1.0f / 6)), u5);                 \
  } while (0)

/*
 * dM for one tile: mt[e * estride + o] = (A dY A^T)[e] for the 4x4 block of dy at (r0, c0), zero past
 * (rows, cols).
 */
static inline __attribute__((always_inline)) v128_t dy_or_zero(const float *dyb, int wo, int o, int rr, int qq,
                                                              int co, int rows, int cols, int r0, int c0, int full) {
  if (full || (rr < rows && qq < cols)) return wasm_v128_load(dyb + ((long)(r0 + rr) * wo + c0 + qq) * o + co);
  return wasm_f32x4_splat(0.0f);
}

/* Column Q of A dY: s0Q..s5Q. */
#define A_COLUMN(Q)                                                                                             \
  do {                                                                                                          \
    v128_t y0_ = dy_or_zero(dyb, wo, o, 0, Q, co, rows, cols, r0, c0, full);                                    \
    v128_t y1_ = dy_or_zero(dyb, wo, o, 1, Q, co, rows, cols, r0, c0, full);                                    \
    v128_t y2_ = dy_or_zero(dyb, wo, o, 2, Q, co, rows, cols, r0, c0, full);                                    \
    v128_t y3_ = dy_or_zero(dyb, wo, o, 3, Q, co, rows, cols, r0, c0, full);                                    \
    APPLY_A(y0_, y1_, y2_, y3_, s0##Q, s1##Q, s2##Q, s3##Q, s4##Q, s5##Q);                                      \
  } while (0)

/* Row A of (A dY) A^T, stored at positions A*6 .. A*6 + 5. */
#define A_ROW(A)                                                                                                \
  do {                                                                                                          \
    v128_t r0_, r1_, r2_, r3_, r4_, r5_;                                                                        \
    APPLY_A(s##A##0, s##A##1, s##A##2, s##A##3, r0_, r1_, r2_, r3_, r4_, r5_);                                  \
    STORE_ROW6(mp, estride, A, r0_, r1_, r2_, r3_, r4_, r5_);                                                         \
  } while (0)

/*
 * dM for one tile: mt[e * estride + o] = (A dY A^T)[e] for the 4x4 block of dy at (r0, c0), zero past
 * (rows, cols).
 */
static inline __attribute__((always_inline)) void grad_tile(const float *dyb, float *mt, int wo, int o, int r0,
                                                            int c0, int rows, int cols, long estride, int full) {
  for (int co = 0; co < o; co += 4) {
    v128_t s00, s10, s20, s30, s40, s50, s01, s11, s21, s31, s41, s51;
    v128_t s02, s12, s22, s32, s42, s52, s03, s13, s23, s33, s43, s53;
    A_COLUMN(0);
    A_COLUMN(1);
    A_COLUMN(2);
    A_COLUMN(3);
    float *mp = mt + co;
    A_ROW(0);
    A_ROW(1);
    A_ROW(2);
    A_ROW(3);
    A_ROW(4);
    A_ROW(5);
  }
}

/* du [C][O] += v^T [C][nt] x m [nt][O], for channels [c0, c0 + 4) and outputs [o0, o0 + 8). */
static void gemm_tn_tile(const float *v, const float *m, float *du, int nt, int c, int o, int c0, int o0) {
  v128_t a0[4], a1[4];
  for (int r = 0; r < 4; r++) {
    a0[r] = wasm_v128_load(du + (long)(c0 + r) * o + o0);
    a1[r] = wasm_v128_load(du + (long)(c0 + r) * o + o0 + 4);
  }
  const float *vp = v + c0;
  const float *mp = m + o0;
  for (int t = 0; t < nt; t++) {
    v128_t b0 = wasm_v128_load(mp);
    v128_t b1 = wasm_v128_load(mp + 4);
    for (int r = 0; r < 4; r++) {
      v128_t s = wasm_v128_load32_splat(vp + r);
      a0[r] = MADD(s, b0, a0[r]);
      a1[r] = MADD(s, b1, a1[r]);
    }
    vp += c;
    mp += o;
  }
  for (int r = 0; r < 4; r++) {
    wasm_v128_store(du + (long)(c0 + r) * o + o0, a0[r]);
    wasm_v128_store(du + (long)(c0 + r) * o + o0 + 4, a1[r]);
  }
}

/*
 * du [36][C][O] += the transformed filter gradient of x [n, h, w, c] and dy [n, ho, wo, o] (du zeroed by the
 * caller before the first part); v [36][tb][C] and m [36][tb][O] are scratch. winograd_filter_grad_output turns
 * du into dg [3, 3, C, O].
 */
__attribute__((export_name("winograd_filter_grad"))) void winograd_filter_grad(const float *x, const float *dy,
                                                                               float *du, float *v, float *m, int n,
                                                                               int h, int w, int c, int ho, int wo,
                                                                               int o, int top, int left, int tb) {
  const int th = (ho + 3) / 4, tw = (wo + 3) / 4, per = th * tw;
  const long tiles = (long)n * per;
  const long vstride = (long)tb * c, mstride = (long)tb * o;
  for (long t0 = 0; t0 < tiles; t0 += tb) {
    const int nt = tiles - t0 < tb ? (int)(tiles - t0) : tb;
    input_block(x, v, t0, nt, per, tw, h, w, c, top, left, vstride);
    for (int t = 0; t < nt; t++) {
      const TileAt at = tile_at(t0 + t, per, tw, ho, wo);
      const float *dyb = dy + (long)at.b * ho * wo * o;
      if (at.rows == 4 && at.cols == 4) {
        grad_tile(dyb, m + (long)t * o, wo, o, at.r0, at.c0, 4, 4, mstride, 1);
      } else {
        grad_tile(dyb, m + (long)t * o, wo, o, at.r0, at.c0, at.rows, at.cols, mstride, 0);
      }
    }
    for (int e = 0; e < 36; e++) {
      float *due = du + (long)e * c * o;
      for (int c0 = 0; c0 < c; c0 += 4) {
        for (int o0 = 0; o0 < o; o0 += 8) gemm_tn_tile(v + e * vstride, m + e * mstride, due, nt, c, o, c0, o0);
      }
    }
  }
}

/* dg [3, 3, C, O] = G^T du G for every channel pair of du [36][C][O]; O % 4 == 0. */
__attribute__((export_name("winograd_filter_grad_output"))) void winograd_filter_grad_output(const float *du,
                                                                                             float *dg, int c,
                                                                                             int o) {
  const long co = (long)c * o;
  for (long k = 0; k < co; k += 4) {
    const float *up = du + k;
    v128_t t00, t10, t20, t01, t11, t21, t02, t12, t22, t03, t13, t23, t04, t14, t24, t05, t15, t25;
#define GT_COLUMN(B)                                                                                              \
  do {                                                                                                            \
    v128_t u0_ = wasm_v128_load(up + (0 * 6 + B) * co), u1_ = wasm_v128_load(up + (1 * 6 + B) * co);              \
    v128_t u2_ = wasm_v128_load(up + (2 * 6 + B) * co), u3_ = wasm_v128_load(up + (3 * 6 + B) * co);              \
    v128_t u4_ = wasm_v128_load(up + (4 * 6 + B) * co), u5_ = wasm_v128_load(up + (5 * 6 + B) * co);              \
    APPLY_GT(u0_, u1_, u2_, u3_, u4_, u5_, t0##B, t1##B, t2##B);                                                  \
  } while (0)
#define GT_ROW(I)                                                                                                 \
  do {                                                                                                            \
    v128_t r0, r1, r2;                                                                                            \
    APPLY_GT(t##I##0, t##I##1, t##I##2, t##I##3, t##I##4, t##I##5, r0, r1, r2);                                   \
    wasm_v128_store(dg + k + (I * 3 + 0) * co, r0);                                                               \
    wasm_v128_store(dg + k + (I * 3 + 1) * co, r1);                                                               \
    wasm_v128_store(dg + k + (I * 3 + 2) * co, r2);                                                               \
  } while (0)
    GT_COLUMN(0);
    GT_COLUMN(1);
    GT_COLUMN(2);
    GT_COLUMN(3);
    GT_COLUMN(4);
    GT_COLUMN(5);
    GT_ROW(0);
    GT_ROW(1);
    GT_ROW(2);
  }
}
