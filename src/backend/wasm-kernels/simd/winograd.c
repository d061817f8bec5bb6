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
#include "winograd.h"

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
    STORE_ROW6(up, co, A, r0, r1, r2, r3, r4, r5);                                                                    \
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
    input_block(x, v, t0, nt, per, tw, h, w, c, top, left, vstride);
    for (int e = 0; e < 36; e++) gemm(v + e * vstride, u + (long)e * c * o, m + e * mstride, nt, c, o);
    for (int t = 0; t < nt; t++) {
      const TileAt at = tile_at(t0 + t, per, tw, ho, wo);
      float *yb = y + (long)at.b * ho * wo * o;
      if (at.rows == 4 && at.cols == 4) {
        output_tile(m + (long)t * o, yb, wo, o, at.r0, at.c0, 4, 4, mstride, 1);
      } else {
        output_tile(m + (long)t * o, yb, wo, o, at.r0, at.c0, at.rows, at.cols, mstride, 0);
      }
    }
  }
}
