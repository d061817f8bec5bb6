import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { conv2dBackpropFilterImpl, conv2dBackpropInputImpl } from '../../../src/backend/wasm-kernels';
import { simdKernels } from '../../../src/backend/wasm-kernels/simd';
import { randomTensor, relativeError, runOn, setUpBackends, TOLERANCE, values, wasmVsCpu, withSimdKernels } from './helpers';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;
interface Case {
  x: [number, number, number, number];
  w: [number, number, number, number];
  s: number | [number, number];
  pad: Pad;
  why: string;
}

const cases: Case[] = [
  { x: [2, 8, 8, 3], w: [3, 3, 3, 4], s: 1, pad: 'same', why: 'the common 3x3' },
  { x: [2, 8, 8, 3], w: [3, 3, 3, 4], s: 1, pad: 'valid', why: 'valid' },
  { x: [1, 9, 7, 1], w: [3, 3, 1, 5], s: 2, pad: 'same', why: 'odd sizes, batch 1, one input channel' },
  { x: [1, 9, 7, 1], w: [3, 3, 1, 5], s: 2, pad: 'valid', why: 'odd sizes, stride 2, valid' },
  { x: [3, 10, 10, 6], w: [3, 3, 6, 8], s: 2, pad: 'same', why: 'stride 2 on an even size (ResNet downsampling)' },
  { x: [2, 11, 9, 4], w: [5, 5, 4, 3], s: [2, 3], pad: 'same', why: 'unequal strides, 5x5' },
  { x: [2, 8, 8, 3], w: [3, 3, 3, 4], s: 1, pad: [[0, 0], [1, 2], [0, 1], [0, 0]], why: 'explicit asymmetric padding' },
  { x: [2, 9, 9, 3], w: [3, 3, 3, 4], s: 2, pad: [[0, 0], [2, 0], [1, 3], [0, 0]], why: 'explicit padding with stride 2' },
  { x: [2, 8, 8, 3], w: [3, 3, 3, 2], s: 2, pad: 1, why: 'numeric padding' },
  { x: [1, 8, 8, 16], w: [1, 1, 16, 32], s: 2, pad: 'valid', why: '1x1 stride-2 shortcut' },
  { x: [2, 16, 16, 3], w: [4, 4, 3, 8], s: 4, pad: 'valid', why: 'patch embedding (stride = kernel size)' },
  { x: [1, 7, 7, 2], w: [7, 7, 2, 2], s: 1, pad: 'same', why: 'kernel as large as the image' },
  { x: [2, 6, 6, 64], w: [3, 3, 64, 48], s: 1, pad: 'same', why: 'many channels' },
  { x: [1, 5, 5, 3], w: [2, 2, 3, 2], s: 3, pad: 'valid', why: 'stride larger than the kernel' },
  { x: [1, 1, 1, 5], w: [1, 1, 5, 7], s: 1, pad: 'valid', why: '1x1 image' },
  { x: [2, 9, 7, 1], w: [5, 5, 1, 4], s: 1, pad: 'same', why: 'one input channel at stride 1 (filter gradient from the patch matrix)' },
  { x: [1, 6, 8, 4], w: [3, 2, 4, 3], s: 1, pad: [[0, 0], [0, 2], [1, 0], [0, 0]], why: '4 input channels, patch route, explicit padding' },
  { x: [1, 6, 8, 5], w: [3, 3, 5, 3], s: 1, pad: 'same', why: '5 input channels, patch route' },
  { x: [2, 6, 7, 8], w: [3, 3, 8, 4], s: 1, pad: 'same', why: '8 input channels, the last the patch route takes' },
  { x: [2, 6, 7, 9], w: [3, 3, 9, 4], s: 1, pad: 'same', why: '9 input channels, the first the conv route takes' },
  { x: [1, 20, 20, 8], w: [3, 3, 8, 64], s: 1, pad: 'same', why: 'SIMD kernel: several row blocks per image' },
  { x: [2, 5, 70, 6], w: [3, 3, 6, 72], s: 1, pad: 'same', why: 'SIMD kernel: one row per block, Co a multiple of 8' },
  { x: [2, 9, 9, 13], w: [3, 3, 13, 19], s: 2, pad: 'same', why: 'SIMD kernel: channel tail 1, output tail 3' },
];

/** Both filter-gradient routes: selfsup's SIMD kernel (the default) and the XNNPACK-composed one (its fallback). */
const routes = ['SIMD kernel', 'XNNPACK-composed'] as const;

test('setup: the SIMD kernels start on this wasm backend', async () => {
  await setUpBackends();
  assert.notEqual(simdKernels(tf.backend()), null, 'so the tests below exercise them');
});

for (const c of cases) for (const route of routes) {
  test(`conv2d gradients (x and filter) match cpu, ${route}: ${c.why} x=${c.x} w=${c.w} s=${c.s} pad=${JSON.stringify(c.pad)}`, async () => {
    const err = await withSimdKernels(route === 'SIMD kernel', () => wasmVsCpu(() => {
      const x = randomTensor(c.x, 1) as tf.Tensor4D;
      const w = randomTensor(c.w, 2) as tf.Tensor4D;
      const f = (a: tf.Tensor, b: tf.Tensor) => {
        const y = tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad);
        return tf.sum(tf.mul(y, randomTensor(y.shape, 3)));
      };
      return tf.grads(f)([x, w]);
    }));
    assert.ok(err <= TOLERANCE, `relative error ${err}`);
  });
}

test('conv2dTranspose (a Conv2DBackpropInput forward) matches cpu', async () => {
  const err = await wasmVsCpu(() => {
    const x = randomTensor([2, 5, 5, 6], 4) as tf.Tensor4D;
    const w = randomTensor([3, 3, 4, 6], 5) as tf.Tensor4D;
    return [tf.conv2dTranspose(x, w, [2, 10, 10, 4], 2, 'same'), tf.conv2dTranspose(x, w, [2, 11, 11, 4], 2, 'valid')];
  });
  assert.ok(err <= TOLERANCE, `relative error ${err}`);
});

test('fused conv2d (bias + relu) gradients match cpu', async () => {
  const err = await wasmVsCpu(() => {
    const x = randomTensor([2, 8, 8, 3], 6) as tf.Tensor4D;
    const w = randomTensor([3, 3, 3, 5], 7) as tf.Tensor4D;
    const b = randomTensor([5], 8) as tf.Tensor1D;
    const f = (a: tf.Tensor, ww: tf.Tensor, bb: tf.Tensor) =>
      tf.sum(tf.fused.conv2d({ x: a as tf.Tensor4D, filter: ww as tf.Tensor4D, bias: bb, strides: 2, pad: 'same', activation: 'relu' }));
    return tf.grads(f)([x, w, b]);
  });
  assert.ok(err <= TOLERANCE, `relative error ${err}`);
});

/** Straight from the definition: i = o*s + k*d - pad. */
function naiveBackprop(
  xShape: number[], wShape: number[], dyShape: number[], s: [number, number], d: [number, number], top: number, left: number,
  x: Float32Array, w: Float32Array, dy: Float32Array,
): { dx: Float64Array; dw: Float64Array } {
  const [n, h, wd, ci] = xShape;
  const [kh, kw, , co] = wShape;
  const [, ho, wo] = dyShape;
  const dx = new Float64Array(n * h * wd * ci);
  const dw = new Float64Array(kh * kw * ci * co);
  for (let b = 0; b < n; b++) for (let oh = 0; oh < ho; oh++) for (let ow = 0; ow < wo; ow++)
    for (let i = 0; i < kh; i++) for (let j = 0; j < kw; j++) {
      const r = oh * s[0] + i * d[0] - top;
      const q = ow * s[1] + j * d[1] - left;
      if (r < 0 || r >= h || q < 0 || q >= wd) continue;
      for (let a = 0; a < ci; a++) for (let o = 0; o < co; o++) {
        const g = dy[((b * ho + oh) * wo + ow) * co + o];
        dx[((b * h + r) * wd + q) * ci + a] += g * w[((i * kw + j) * ci + a) * co + o];
        dw[((i * kw + j) * ci + a) * co + o] += g * x[((b * h + r) * wd + q) * ci + a];
      }
    }
  return { dx, dw };
}

const dilated: { x: [number, number, number, number]; w: [number, number, number, number]; s: [number, number]; d: [number, number]; pad: Pad }[] = [
  { x: [2, 9, 9, 3], w: [3, 3, 3, 4], s: [1, 1], d: [2, 2], pad: 'same' },
  { x: [1, 10, 8, 2], w: [3, 2, 2, 3], s: [1, 1], d: [3, 2], pad: 'valid' },
  { x: [2, 11, 11, 2], w: [3, 3, 2, 3], s: [2, 2], d: [2, 2], pad: 'valid' },
  { x: [1, 12, 10, 3], w: [3, 3, 3, 2], s: [2, 3], d: [3, 2], pad: [[0, 0], [2, 1], [1, 2], [0, 0]] },
];

for (const c of dilated) {
  test(`dilated conv backprops match the definition: x=${c.x} w=${c.w} s=${c.s} d=${c.d} pad=${JSON.stringify(c.pad)}`, async () => {
    const info = tf.backend_util.computeConv2DInfo(c.x, c.w, c.s, c.d, c.pad as 'same');
    const dyShape = [c.x[0], info.outHeight, info.outWidth, c.w[3]];
    const xs = values(c.x.reduce((a, b) => a * b), 11);
    const ws = values(c.w.reduce((a, b) => a * b), 12);
    const dys = values(dyShape.reduce((a, b) => a * b), 13);
    const ref = naiveBackprop(c.x, c.w, dyShape, c.s, c.d, info.padInfo.top, info.padInfo.left, xs, ws, dys);
    const [dx, dw, dwSimd] = await runOn('wasm', () => {
      const dy = tf.tensor4d(dys, dyShape as [number, number, number, number]);
      return [
        conv2dBackpropInputImpl(dy, tf.tensor4d(ws, c.w), c.x, c.s, c.pad, c.d),
        conv2dBackpropFilterImpl(tf.tensor4d(xs, c.x), dy, c.w, c.s, c.pad, c.d),
        // The registered kernel: selfsup's SIMD filter gradient (the conv2d op refuses stride > 1 with dilation > 1).
        tf.engine().runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(xs, c.x), dy }, {
          strides: c.s, pad: c.pad, dataFormat: 'NHWC', dilations: c.d, filterShape: c.w,
        } as unknown as tf.NamedAttrMap) as tf.Tensor,
      ];
    });
    assert.ok(relativeError(dx, ref.dx) <= TOLERANCE, `dx relative error ${relativeError(dx, ref.dx)}`);
    assert.ok(relativeError(dw, ref.dw) <= TOLERANCE, `dw relative error ${relativeError(dw, ref.dw)}`);
    assert.ok(relativeError(dwSimd, ref.dw) <= TOLERANCE, `SIMD dw relative error ${relativeError(dwSimd, ref.dw)}`);
  });
}

const depthwise: { x: [number, number, number, number]; w: [number, number, number, number]; s: number | [number, number]; pad: Pad }[] = [
  { x: [2, 8, 8, 3], w: [3, 3, 3, 1], s: 1, pad: 'same' },
  { x: [1, 9, 7, 4], w: [3, 3, 4, 2], s: 2, pad: 'same' },
  { x: [2, 10, 10, 2], w: [5, 5, 2, 3], s: 2, pad: 'valid' },
  { x: [1, 7, 7, 1], w: [2, 2, 1, 1], s: [1, 2], pad: [[0, 0], [1, 0], [0, 1], [0, 0]] },
];

for (const c of depthwise) {
  test(`depthwiseConv2d gradients (x and filter) match cpu: x=${c.x} w=${c.w} s=${c.s} pad=${JSON.stringify(c.pad)}`, async () => {
    const err = await wasmVsCpu(() => {
      const f = (a: tf.Tensor, b: tf.Tensor) => {
        const y = tf.depthwiseConv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.s, c.pad as 'same');
        return tf.sum(tf.mul(y, randomTensor(y.shape, 93)));
      };
      return tf.grads(f)([randomTensor(c.x, 91), randomTensor(c.w, 92)]);
    });
    assert.ok(err <= TOLERANCE, `relative error ${err}`);
  });
}

test('separableConv2d gradients match cpu', async () => {
  const err = await wasmVsCpu(() => {
    const f = (a: tf.Tensor, d: tf.Tensor, p: tf.Tensor) =>
      tf.sum(tf.square(tf.separableConv2d(a as tf.Tensor4D, d as tf.Tensor4D, p as tf.Tensor4D, 1, 'same')));
    return tf.grads(f)([randomTensor([2, 6, 6, 3], 94), randomTensor([3, 3, 3, 2], 95), randomTensor([1, 1, 6, 4], 96)]);
  });
  assert.ok(err <= TOLERANCE, `relative error ${err}`);
});
