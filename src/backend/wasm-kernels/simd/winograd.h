/*
 * What winograd.c (the convolution) and winograd-filter-grad.c (its filter gradient) share: the F(4x4, 3x3)
 * matrices as SIMD macros and the input transform. See winograd.c for the algorithm.
 */
#ifndef SELFSUP_WINOGRAD_H
#define SELFSUP_WINOGRAD_H
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

/* Six vectors to positions A*6 .. A*6 + 5 of a transformed tile whose positions lie STRIDE floats apart. */
#define STORE_ROW6(P, STRIDE, A, r0, r1, r2, r3, r4, r5)  \
  do {                                                     \
    wasm_v128_store((P) + ((A) * 6 + 0) * (STRIDE), r0);   \
    wasm_v128_store((P) + ((A) * 6 + 1) * (STRIDE), r1);   \
    wasm_v128_store((P) + ((A) * 6 + 2) * (STRIDE), r2);   \
    wasm_v128_store((P) + ((A) * 6 + 3) * (STRIDE), r3);   \
    wasm_v128_store((P) + ((A) * 6 + 4) * (STRIDE), r4);   \
    wasm_v128_store((P) + ((A) * 6 + 5) * (STRIDE), r5);   \
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
    STORE_ROW6(vp, estride, A, r0_, r1_, r2_, r3_, r4_, r5_);                                                         \
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
 * Where tile `tile` of a batch with `per` tiles per image, `tw` per tile row, lies: its image, the top-left output
 * pixel of its 4x4 block, and how many of the block's rows and columns exist in an output of ho x wo.
 */
typedef struct {
  int b, r0, c0, rows, cols;
} TileAt;

static inline __attribute__((always_inline)) TileAt tile_at(long tile, int per, int tw, int ho, int wo) {
  const int k = (int)(tile % per);
  TileAt at = {(int)(tile / per), (k / tw) * 4, (k % tw) * 4, 0, 0};
  at.rows = ho - at.r0 < 4 ? ho - at.r0 : 4;
  at.cols = wo - at.c0 < 4 ? wo - at.c0 : 4;
  return at;
}

/* V for tiles [t0, t0 + nt) of a batch with `per` tiles per image, `tw` per row: v[e * vstride + t * c + ch]. */
static void input_block(const float *x, float *v, long t0, int nt, int per, int tw, int h, int w, int c, int top,
                        int left, long vstride) {
  for (int t = 0; t < nt; t++) {
    const TileAt at = tile_at(t0 + t, per, tw, 4, 4);
    const int r0 = at.r0 - top, c0 = at.c0 - left;
    const float *xb = x + (long)at.b * h * w * c;
    if (r0 >= 0 && c0 >= 0 && r0 + 6 <= h && c0 + 6 <= w) {
      input_tile(xb, v + (long)t * c, h, w, c, r0, c0, vstride, 1);
    } else {
      input_tile(xb, v + (long)t * c, h, w, c, r0, c0, vstride, 0);
    }
  }
}

#endif
