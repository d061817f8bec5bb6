/*
 * 3x3, stride-1 convolution by Winograd's minimal filtering F(4x4, 3x3), as wasm SIMD kernels on the tfjs wasm
 * backend's own memory. See docs/backend.md, "selfsup's SIMD kernels".
 *
 *   y[n, i, j, o] = sum over a, b < 3 and c of x[n, i + a - top, j + b - left, c] * g[a, b, c, o]
 *
 * Lavin & Gray, "Fast Algorithms for Convolutional Neural Networks" (CVPR 2016): a 4x4 block of outputs is
 *
 *   Y = A^T [ sum over c of (G g_c G^T) .* (B^T d_c B) ] A
 *
 * for the 6x6 input tile d_c and the 3x3 filter g_c of each input channel. The sum over c is, for each of the
 * 36 tile positions e, a matrix product V_e [tiles, C] x U_e [C, O]: 36 multiplications per 16 outputs per
 * channel pair where the direct convolution makes 144, so 4x fewer, plus the transforms, which are additions and
 * small-constant multiplications done 4 channels at a time (NHWC keeps channels contiguous).
 *
 * Layouts: x [N, H, W, C], g [3, 3, C, O] (tfjs's HWIO filter), y [N, Ho, Wo, O], all float32;
 * u [36][C][O] (the transformed filter); v [36][tb][C] and m [36][tb][O] are scratch for a block of tb tiles.
 * C % 4 == 0 and O % 8 == 0. Reads outside x are the zero padding.
 *
 * Matrices (points 0, 1, -1, 2, -2 and infinity):
 *   B^T = [4 0 -5 0 1 0; 0 -4 -4 1 1 0; 0 4 -4 -1 1 0; 0 -2 -1 2 1 0; 0 2 -1 -2 1 0; 0 4 0 -5 0 1]
 *   G   = [1/4 0 0; -1/6 -1/6 -1/6; -1/6 1/6 -1/6; 1/24 1/12 1/6; 1/24 -1/12 1/6; 0 0 1]
 *   A^T = [1 1 1 1 1 0; 0 1 -1 2 -2 0; 0 1 1 4 4 0; 0 1 -1 8 -8 1]
 * In float32 the result differs from the direct sum by about 1e-6 of its largest value (128 channels).
 */
#include <wasm_simd128.h>
#include "madd.h"

#define ADD wasm_f32x4_add
#define SUB wasm_f32x4_sub
#define MUL wasm_f32x4_mul
#define K(v) wasm_f32x4_splat(v)

/* r0..r5 = G (a0, a1, a2) */
#define APPLY_G(a0, a1, a2, r0, r1, r2, r3, r4, r5)                  \
  do {                                                               \
    v128_t s02_ = ADD(a0, a2);                                       \
    v128_t p_ = ADD(MUL(a0, K(1.0f / 24)), MUL(a2, K(1.0f / 6)));    \
    v128_t q_ = MUL(a1, K(1.0f / 12));                               \
    r0 = MUL(a0, K(0.25f));                                          \
    r1 = MUL(ADD(s02_, a1), K(-1.0f / 6));                           \
    r2 = MUL(SUB(s02_, a1), K(-1.0f / 6));                           \
    r3 = ADD(p_, q_);                                                \
    r4 = SUB(p_, q_);                                                \
    r5 = a2;                                                         \
  } while (0)

/* r0..r5 = B^T (d0..d5) */
#define APPLY_BT(d0, d1, d2, d3, d4, d5, r0, r1, r2, r3, r4, r5)    \
  do {                                                               \
    v128_t f_ = SUB(d4, d2), h_ = SUB(d3, d1);                       \
    r0 = ADD(SUB(MUL(d0, K(4.0f)), MUL(d2, K(5.0f))), d4);           \
    r1 = SUB(ADD(d3, d4), MUL(ADD(d1, d2), K(4.0f)));                \
    r2 = ADD(SUB(d4, d3), MUL(SUB(d1, d2), K(4.0f)));                \
    r3 = ADD(f_, MUL(h_, K(2.0f)));                                  \
    r4 = SUB(f_, MUL(h_, K(2.0f)));                                  \
    r5 = ADD(SUB(MUL(d1, K(4.0f)), MUL(d3, K(5.0f))), d5);           \
  } while (0)

/* r0..r3 = A^T (m0..m5) */
#define APPLY_AT(m0, m1, m2, m3, m4, m5, r0, r1, r2, r3)            \
  do {                                                               \
    v128_t s12_ = ADD(m1, m2), d12_ = SUB(m1, m2);                   \
    v128_t s34_ = ADD(m3, m4), d34_ = SUB(m3, m4);                   \
    r0 = ADD(ADD(m0, s12_), s34_);                                   \
    r1 = ADD(d12_, MUL(d34_, K(2.0f)));                              \
    r2 = ADD(s12_, MUL(s34_, K(4.0f)));                              \
    r3 = ADD(ADD(d12_, MUL(d34_, K(8.0f))), m5);                     \
  } while (0)

/* u [36][C][O] = G g G^T for every channel pair of g [3, 3, C, O]; O % 4 == 0. */
__attribute__((export_name("winograd_filter_transform"))) void winograd_filter_transform(const float *g, float *u,
                                                                                         int c, int o) {
  const long co = (long)c * o;
  for (long k = 0; k < co; k += 4) {
    const float *gp = g + k;
    float *up = u + k;
    v128_t t00, t10, t20, t30, t40, t50, t01, t11, t21, t31, t41, t51, t02, t12, t22, t32, t42, t52;
#define G_COLUMN(J)                                                                                               \
  do {                                                                                                            \
    v128_t g0_ = wasm_v128_load(gp + (0 * 3 + J) * co), g1_ = wasm_v128_load(gp + (1 * 3 + J) * co);              \
    v128_t g2_ = wasm_v128_load(gp + (2 * 3 + J) * co);                                                           \
    APPLY_G(g0_, g1_, g2_, t0##J, t1##J, t2##J, t3##J, t4##J, t5##J);                                             \
  } while (0)
#define G_ROW(A)                                                                                                  \
  do {                                                                                                            \
    v128_t r0, r1, r2, r3, r4, r5;                                                                                \
    APPLY_G(t##A##0, t##A##1, t##A##2, r0, r1, r2, r3, r4, r5);                                                   \
    wasm_v128_store(up + (A * 6 + 0) * co, r0);                                                                   \
    wasm_v128_store(up + (A * 6 + 1) * co, r1);                                                                   \
    wasm_v128_store(up + (A * 6 + 2) * co, r2);                                                                   \
    wasm_v128_store(up + (A * 6 + 3) * co, r3);                                                                   \
    wasm_v128_store(up + (A * 6 + 4) * co, r4);                                                                   \
    wasm_v128_store(up + (A * 6 + 5) * co, r5);                                                                   \
  } while (0)
    G_COLUMN(0);
    G_COLUMN(1);
    G_COLUMN(2);
    G_ROW(0);
    G_ROW(1);
    G_ROW(2);
    G_ROW(3);
    G_ROW(4);
    G_ROW(5);
  }
}

/*
 * V for one tile: vt[e * estride + c] = (B^T d_c B)[e] for the 6x6 input tile whose top-left input pixel is
 * (r0, c0) (may lie in the padding). FULL: the whole tile is inside x, no bounds checks.
 */
static inline __attribute__((always_inline)) v128_t load_or_zero(const float *xb, int h, int w, int c, int rr, int cc,
                                                                int ci, int full) {
  if (full || ((unsigned)rr < (unsigned)h && (unsigned)cc < (unsigned)w)) return wasm_v128_load(xb + ((long)rr * w + cc) * c + ci);
  return wasm_f32x4_splat(0.0f);
}

/* Column COL of B^T d: t0COL..t5COL. Named locals, not arrays: an array the compiler keeps in memory would sit on a
 * stack in tfjs's heap (the build rejects that). */
#define BT_COLUMN(COL)                                                                                          \
  do {                                                                                                          \
    v128_t d0_ = load_or_zero(xb, h, w, c, r0 + 0, c0 + COL, ci, full);                                         \
    v128_t d1_ = load_or_zero(xb, h, w, c, r0 + 1, c0 + COL, ci, full);                                         \
    v128_t d2_ = load_or_zero(xb, h, w, c, r0 + 2, c0 + COL, ci, full);                                         \
    v128_t d3_ = load_or_zero(xb, h, w, c, r0 + 3, c0 + COL, ci, full);                                         \
    v128_t d4_ = load_or_zero(xb, h, w, c, r0 + 4, c0 + COL, ci, full);                                         \
    v128_t d5_ = load_or_zero(xb, h, w, c, r0 + 5, c0 + COL, ci, full);                                         \
    APPLY_BT(d0_, d1_, d2_, d3_, d4_, d5_, t0##COL, t1##COL, t2##COL, t3##COL, t4##COL, t5##COL);               \
  } while (0)

/* Row A of (B^T d) B, stored at positions A*6 .. A*6 + 5. */
#define BT_ROW(A)                                                                                               \
  do {                                                                                                          \
    v128_t r0_, r1_, r2_, r3_, r4_, r5_;                                                                        \
    APPLY_BT(t##A##0, t##A##1, t##A##2, t##A##3, t##A##4, t##A##5, r0_, r1_, r2_, r3_, r4_, r5_);               \
    wasm_v128_store(vp + (A * 6 + 0) * estride, r0_);                                                           \
    wasm_v128_store(vp + (A * 6 + 1) * estride, r1_);                                                           \
    wasm_v128_store(vp + (A * 6 + 2) * estride, r2_);                                                           \
    wasm_v128_store(vp + (A * 6 + 3) * estride, r3_);                                                           \
    wasm_v128_store(vp + (A * 6 + 4) * estride, r4_);                                                           \
    wasm_v128_store(vp + (A * 6 + 5) * estride, r5_);                                                           \
  } while (0)

/*
 * V for one tile: vt[e * estride + c] = (B^T d_c B)[e] for the 6x6 input tile whose top-left input pixel is
 * (r0, c0) (may lie in the padding). FULL: the whole tile is inside x, no bounds checks.
 */
static inline __attribute__((always_inline)) void input_tile(const float *xb, float *vt, int h, int w, int c, int r0,
                                                             int c0, long estride, int full) {
  for (int ci = 0; ci < c; ci += 4) {
    v128_t t00, t10, t20, t30, t40, t50, t01, t11, t21, t31, t41, t51, t02, t12, t22, t32, t42, t52;
    v128_t t03, t13, t23, t33, t43, t53, t04, t14, t24, t34, t44, t54, t05, t15, t25, t35, t45, t55;
    BT_COLUMN(0);
    BT_COLUMN(1);
    BT_COLUMN(2);
    BT_COLUMN(3);
    BT_COLUMN(4);
    BT_COLUMN(5);
    float *vp = vt + ci;
    BT_ROW(0);
    BT_ROW(1);
    BT_ROW(2);
    BT_ROW(3);
    BT_ROW(4);
    BT_ROW(5);
  }
}

/*
 * Y for one tile: the 4x4 outputs at (r0, c0) of yb [Ho, Wo, O] from mt[e * estride + o]; only rows < rows and
 * columns < cols are written (the tiles on the bottom and right edges).
 */
/* Column B of A^T M: s0B..s3B. */
#define AT_COLUMN(B)                                                                                            \
  do {                                                                                                          \
    v128_t m0_ = wasm_v128_load(mp + (0 * 6 + B) * estride), m1_ = wasm_v128_load(mp + (1 * 6 + B) * estride);  \
    v128_t m2_ = wasm_v128_load(mp + (2 * 6 + B) * estride), m3_ = wasm_v128_load(mp + (3 * 6 + B) * estride);  \
    v128_t m4_ = wasm_v128_load(mp + (4 * 6 + B) * estride), m5_ = wasm_v128_load(mp + (5 * 6 + B) * estride);  \
    APPLY_AT(m0_, m1_, m2_, m3_, m4_, m5_, s0##B, s1##B, s2##B, s3##B);                                         \
  } while (0)

/* Output row R of (A^T M) A, the columns before `cols` (all four when full). */
#define AT_ROW(R)                                                                                               \
  do {                                                                                                          \
    if (full || R < rows) {                                                                                     \
      v128_t y0_, y1_, y2_, y3_;                                                                                \
      APPLY_AT(s##R##0, s##R##1, s##R##2, s##R##3, s##R##4, s##R##5, y0_, y1_, y2_, y3_);                       \
      float *yp = yb + ((long)(r0 + R) * wo + c0) * o + co;                                                     \
      wasm_v128_store(yp, y0_);                                                                                 \
      if (full || cols > 1) wasm_v128_store(yp + o, y1_);                                                       \
      if (full || cols > 2) wasm_v128_store(yp + 2 * (long)o, y2_);                                             \
      if (full || cols > 3) wasm_v128_store(yp + 3 * (long)o, y3_);                                             \
    }                                                                                                           \
  } while (0)

/*
 * Y for one tile: the 4x4 outputs at (r0, c0) of yb [Ho, Wo, O] from mt[e * estride + o]; only rows < rows and
 * columns < cols are written (the tiles on the bottom and right edges).
 */
static inline __attribute__((always_inline)) void output_tile(const float *mt, float *yb, int wo, int o, int r0,
                                                              int c0, int rows, int cols, long estride, int full) {
  for (int co = 0; co < o; co += 4) {
    const float *mp = mt + co;
    v128_t s00, s10, s20, s30, s01, s11, s21, s31, s02, s12, s22, s32;
    v128_t s03, s13, s23, s33, s04, s14, s24, s34, s05, s15, s25, s35;
    AT_COLUMN(0);
    AT_COLUMN(1);
    AT_COLUMN(2);
    AT_COLUMN(3);
    AT_COLUMN(4);
    AT_COLUMN(5);
    AT_ROW(0);
    AT_ROW(1);
    AT_ROW(2);
    AT_ROW(3);
  }
}

/* m [R rows][O] = v [R rows][C] x u [C][O], columns [o0, o0 + 8). */
#define GEMM_ROWS(R)                                                                                            \
  static void gemm_rows_##R(const float *v, const float *u, float *m, int c, int o, int o0) {                   \
    v128_t a0[R], a1[R];                                                                                        \
    for (int r = 0; r < R; r++) {                                                                               \
      a0[r] = wasm_f32x4_splat(0.0f);                                                                           \
      a1[r] = wasm_f32x4_splat(0.0f);                                                                           \
    }                                                                                                           \
    const float *up = u + o0;                                                                                   \
    for (int k = 0; k < c; k++) {                                                                               \
      v128_t b0 = wasm_v128_load(up);                                                                           \
      v128_t b1 = wasm_v128_load(up + 4);                                                                       \
      for (int r = 0; r < R; r++) {                                                                             \
        v128_t s = wasm_v128_load32_splat(v + (long)r * c + k);                                                 \
        a0[r] = MADD(s, b0, a0[r]);                                                                         \
        a1[r] = MADD(s, b1, a1[r]);                                                                         \
      }                                                                                                         \
      up += o;                                                                                                  \
    }                                                                                                           \
    for (int r = 0; r < R; r++) {                                                                               \
      wasm_v128_store(m + (long)r * o + o0, a0[r]);                                                             \
      wasm_v128_store(m + (long)r * o + o0 + 4, a1[r]);                                                         \
    }                                                                                                           \
  }

GEMM_ROWS(4)
GEMM_ROWS(3)
GEMM_ROWS(2)
GEMM_ROWS(1)

/* m [nt][O] = v [nt][C] x u [C][O]: register tiles of 4 rows x 8 columns. */
static void gemm(const float *v, const float *u, float *m, int nt, int c, int o) {
  for (int o0 = 0; o0 < o; o0 += 8) {
    int t = 0;
    for (; t + 4 <= nt; t += 4) gemm_rows_4(v + (long)t * c, u, m + (long)t * o, c, o, o0);
    switch (nt - t) {
      case 3: gemm_rows_3(v + (long)t * c, u, m + (long)t * o, c, o, o0); break;
      case 2: gemm_rows_2(v + (long)t * c, u, m + (long)t * o, c, o, o0); break;
      case 1: gemm_rows_1(v + (long)t * c, u, m + (long)t * o, c, o, o0); break;
      default: break;
    }
  }
}

/*
 * y [n, ho, wo, o] = the 3x3 stride-1 convolution of x [n, h, w, c] with the filter whose transform is u (from
 * winograd_filter_transform), x padded by top rows and left columns (and zeros past its end). Tiles are taken tb
 * at a time: transform their inputs into v, multiply for each of the 36 positions into m, transform m into y.
 */
__attribute__((export_name("winograd_conv3x3"))) void winograd_conv3x3(const float *x, const float *u, float *y,
                                                                       float *v, float *m, int n, int h, int w,
                                                                       int c, int ho, int wo, int o, int top,
                                                                       int left, int tb) {
  const int th = (ho + 3) / 4, tw = (wo + 3) / 4, per = th * tw;
  const long tiles = (long)n * per;
  const long vstride = (long)tb * c, mstride = (long)tb * o;
  for (long t0 = 0; t0 < tiles; t0 += tb) {
    const int nt = tiles - t0 < tb ? (int)(tiles - t0) : tb;
    for (int t = 0; t < nt; t++) {
      const long tile = t0 + t;
      const int b = (int)(tile / per), k = (int)(tile % per);
      const int r0 = (k / tw) * 4 - top, c0 = (k % tw) * 4 - left;
      const float *xb = x + (long)b * h * w * c;
      if (r0 >= 0 && c0 >= 0 && r0 + 6 <= h && c0 + 6 <= w) {
        input_tile(xb, v + (long)t * c, h, w, c, r0, c0, vstride, 1);
      } else {
        input_tile(xb, v + (long)t * c, h, w, c, r0, c0, vstride, 0);
      }
    }
    for (int e = 0; e < 36; e++) gemm(v + e * vstride, u + (long)e * c * o, m + e * mstride, nt, c, o);
    for (int t = 0; t < nt; t++) {
      const long tile = t0 + t;
      const int b = (int)(tile / per), k = (int)(tile % per);
      const int r0 = (k / tw) * 4, c0 = (k % tw) * 4;
      const int rows = ho - r0 < 4 ? ho - r0 : 4, cols = wo - c0 < 4 ? wo - c0 : 4;
      float *yb = y + (long)b * ho * wo * o;
      if (rows == 4 && cols == 4) {
        output_tile(m + (long)t * o, yb, wo, o, r0, c0, 4, 4, mstride, 1);
      } else {
        output_tile(m + (long)t * o, yb, wo, o, r0, c0, rows, cols, mstride, 0);
      }
    }
  }
}

/*
 * The filter gradient of the same convolution, in the same transformed domain. With M_o = sum over c of
 * U_co .* V_c and Y_o = A^T M_o A, the gradient of a tile's M_o is A dY_o A^T, so
 *
 *   dU_co = sum over tiles of (A dY_o A^T) .* V_c,    dg_co = G^T dU_co G,
 *
 * 36 products V_e^T [C, tiles] x dM_e [tiles, O] summed over the tiles: 4x fewer multiplications than the direct
 * filter gradient (filter-grad.c). Outputs past the end of y (the edge tiles) have no gradient: their dy is 0.
 */

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
    wasm_v128_store(mp + (A * 6 + 0) * estride, r0_);                                                           \
    wasm_v128_store(mp + (A * 6 + 1) * estride, r1_);                                                           \
    wasm_v128_store(mp + (A * 6 + 2) * estride, r2_);                                                           \
    wasm_v128_store(mp + (A * 6 + 3) * estride, r3_);                                                           \
    wasm_v128_store(mp + (A * 6 + 4) * estride, r4_);                                                           \
    wasm_v128_store(mp + (A * 6 + 5) * estride, r5_);                                                           \
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
    for (int t = 0; t < nt; t++) {
      const long tile = t0 + t;
      const int b = (int)(tile / per), k = (int)(tile % per);
      const int r0 = (k / tw) * 4, c0 = (k % tw) * 4;
      const float *xb = x + (long)b * h * w * c;
      if (r0 - top >= 0 && c0 - left >= 0 && r0 - top + 6 <= h && c0 - left + 6 <= w) {
        input_tile(xb, v + (long)t * c, h, w, c, r0 - top, c0 - left, vstride, 1);
      } else {
        input_tile(xb, v + (long)t * c, h, w, c, r0 - top, c0 - left, vstride, 0);
      }
      const int rows = ho - r0 < 4 ? ho - r0 : 4, cols = wo - c0 < 4 ? wo - c0 : 4;
      const float *dyb = dy + (long)b * ho * wo * o;
      if (rows == 4 && cols == 4) {
        grad_tile(dyb, m + (long)t * o, wo, o, r0, c0, 4, 4, mstride, 1);
      } else {
        grad_tile(dyb, m + (long)t * o, wo, o, r0, c0, rows, cols, mstride, 0);
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
