/*
 * Gradient of maxPool, as a wasm SIMD kernel on the tfjs wasm backend's memory (see filter-grad.c).
 *
 * Each window sends dy to its first maximum in row-major scan order; padding never wins, a window whose every
 * value is -Infinity or NaN sends nothing. That is tfjs's cpu kernel's rule (a strict > from -Infinity), and
 * TensorFlow's and PyTorch's. x [N, H, W, C], dy [N, Ho, Wo, C], dx [N, H, W, C] zeroed by the caller; windows
 * may overlap (their gradients add up).
 *
 * Why not XNNPACK: it has no pooling gradient. Composed from tfjs ops (compare, select, pooling, transposes) it
 * made eight passes over a tensor the size of x; this is one read of x and dy and one read-modify-write of dx.
 */
#include <wasm_simd128.h>

__attribute__((export_name("max_pool_grad"))) void max_pool_grad(const float *x, const float *dy, float *dx, int n,
                                                                   int h, int w, int c, int ho, int wo, int fh,
                                                                   int fw, int sh, int sw, int top, int left) {
  const int c4 = c - c % 4;
  for (int b = 0; b < n; b++) {
    const float *xb = x + (long)b * h * w * c;
    float *gb = dx + (long)b * h * w * c;
    for (int oh = 0; oh < ho; oh++) {
      int r0 = oh * sh - top;
      int i0 = r0 < 0 ? -r0 : 0;
      int i1 = h - r0 < fh ? h - r0 : fh;
      for (int ow = 0; ow < wo; ow++) {
        int q0 = ow * sw - left;
        int j0 = q0 < 0 ? -q0 : 0;
        int j1 = w - q0 < fw ? w - q0 : fw;
        const float *d = dy + (((long)b * ho + oh) * wo + ow) * c;
        for (int k = 0; k < c4; k += 4) {
          v128_t best = wasm_f32x4_splat(-__builtin_inff());
          v128_t where = wasm_i32x4_splat(-1);
          for (int i = i0; i < i1; i++) {
            for (int j = j0; j < j1; j++) {
              v128_t v = wasm_v128_load(xb + ((long)(r0 + i) * w + q0 + j) * c + k);
              v128_t gt = wasm_f32x4_gt(v, best);
              best = wasm_v128_bitselect(v, best, gt);
              where = wasm_v128_bitselect(wasm_i32x4_splat(i * fw + j), where, gt);
            }
          }
          v128_t g = wasm_v128_load(d + k);
          for (int i = i0; i < i1; i++) {
            for (int j = j0; j < j1; j++) {
              float *p = gb + ((long)(r0 + i) * w + q0 + j) * c + k;
              v128_t hit = wasm_i32x4_eq(where, wasm_i32x4_splat(i * fw + j));
              wasm_v128_store(p, wasm_f32x4_add(wasm_v128_load(p), wasm_v128_and(g, hit)));
            }
          }
        }
        for (int k = c4; k < c; k++) {
          float best = -__builtin_inff();
          long at = -1;
          for (int i = i0; i < i1; i++) {
            for (int j = j0; j < j1; j++) {
              long idx = ((long)(r0 + i) * w + q0 + j) * c + k;
              if (xb[idx] > best) {
                best = xb[idx];
                at = idx;
              }
            }
          }
          if (at >= 0) gb[at] += d[k];
        }
      }
    }
  }
}
