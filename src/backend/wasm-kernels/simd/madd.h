/*
 * MADD(a, b, c) = a * b + c on f32x4. The relaxed build (-DSELFSUP_RELAXED_SIMD, relaxed SIMD's
 * f32x4.relaxed_madd) lets the engine fuse it into one instruction (x64 with FMA3: vfmadd), one rounding instead
 * of two; the plain build multiplies, then adds. simd/index.ts loads the relaxed build where the engine accepts it.
 */
#ifndef SELFSUP_MADD_H
#define SELFSUP_MADD_H
#include <wasm_simd128.h>

#ifdef SELFSUP_RELAXED_SIMD
typedef float selfsup_f32x4 __attribute__((__vector_size__(16), __aligned__(16)));
#define MADD(a, b, c) \
  ((v128_t)__builtin_wasm_relaxed_madd_f32x4((selfsup_f32x4)(a), (selfsup_f32x4)(b), (selfsup_f32x4)(c)))
#else
#define MADD(a, b, c) wasm_f32x4_add(wasm_f32x4_mul(a, b), c)
#endif

#endif
