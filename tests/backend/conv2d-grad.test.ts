import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { dilateFilter, registerConv2dGradient } from '../../src/backend/conv2d-grad';
import { randomTensor, relativeError, setUpBackends } from './wasm-kernels/helpers';

before(async () => {
  await setUpBackends();
  registerConv2dGradient();
});

type Pad = 'same' | 'valid' | number | [[number, number], [number, number], [number, number], [number, number]];
interface Case {
  x: [number, number, number, number];
  w: [number, number, number, number];
  s: number;
  d: [number, number];
  pad: Pad;
}

const cases: Case[] = [
  { x: [2, 7, 6, 3], w: [3, 3, 3, 4], s: 1, d: [2, 2], pad: 'same' },
  { x: [1, 9, 8, 2], w: [2, 3, 2, 3], s: 1, d: [2, 3], pad: 'valid' },
  { x: [2, 6, 7, 2], w: [3, 2, 2, 2], s: 1, d: [3, 1], pad: [[0, 0], [1, 2], [2, 1], [0, 0]] },
  { x: [1, 8, 8, 2], w: [3, 3, 2, 2], s: 1, d: [2, 2], pad: 1 },
  { x: [2, 7, 7, 3], w: [3, 3, 3, 2], s: 2, d: [1, 1], pad: 'same' }, // dilation 1: tfjs's own gradient
];

const conv = (x: tf.Tensor, w: tf.Tensor, c: Case) =>
  tf.conv2d(x as tf.Tensor4D, w as tf.Tensor4D, c.s, c.pad as 'same', 'NHWC', c.d);

/**
 * Central differences of f(x, w) = sum(conv2d(x, w) * r) for every element of `which`. f is linear
 * in each argument, so the difference quotient is exact up to float32 rounding.
 */
function numericGrad(x: tf.Tensor, w: tf.Tensor, r: tf.Tensor, c: Case, which: 0 | 1, h = 0.25): Float32Array {
  const target = which === 0 ? x : w;
  const base = target.dataSync() as Float32Array;
  const out = new Float32Array(base.length);
  const f = (v: Float32Array) =>
    tf.tidy(() => {
      const t = tf.tensor(v, target.shape);
      return tf.sum(tf.mul(which === 0 ? conv(t, w, c) : conv(x, t, c), r)).dataSync()[0];
    });
  for (let i = 0; i < base.length; i++) {
    const plus = Float32Array.from(base);
    const minus = Float32Array.from(base);
    plus[i] += h;
    minus[i] -= h;
    out[i] = (f(plus) - f(minus)) / (2 * h);
  }
  return out;
}

for (const backend of ['cpu', 'wasm'] as const) {
  test(`Issue 13: does the conv2d gradient match finite differences for every dilation, on ${backend}?`, async () => {
    await tf.setBackend(backend);
    for (const [k, c] of cases.entries()) {
      const label = `case ${k} (dilation ${c.d}, stride ${c.s}, pad ${JSON.stringify(c.pad)})`;
      tf.tidy(() => {
        const x = randomTensor(c.x, 10 + k);
        const w = randomTensor(c.w, 20 + k);
        const r = randomTensor(conv(x, w, c).shape, 30 + k);
        const [gx, gw] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(conv(a, b, c), r)))([x, w]);
        assert.deepEqual(gx.shape, c.x, `${label}: dx shape`);
        assert.deepEqual(gw.shape, c.w, `${label}: dW shape`);
        const ex = relativeError(gx.dataSync(), numericGrad(x, w, r, c, 0));
        const ew = relativeError(gw.dataSync(), numericGrad(x, w, r, c, 1));
        assert.ok(ex < 1e-4, `${label}: dx relative error ${ex}`);
        assert.ok(ew < 1e-4, `${label}: dW relative error ${ew}`);
      });
    }
  });
}

test('dilateFilter spreads the taps with zeros between them and leaks nothing', async () => {
  await tf.setBackend('cpu');
  const w = tf.tensor4d([1, 2, 3, 4, 5, 6], [2, 3, 1, 1]);
  const d = dilateFilter(w, [2, 3]);
  assert.deepEqual(d.shape, [3, 7, 1, 1]);
  assert.deepEqual(Array.from(d.dataSync()), [
    1, 0, 0, 2, 0, 0, 3,
    0, 0, 0, 0, 0, 0, 0,
    4, 0, 0, 5, 0, 0, 6,
  ]);
  const before = tf.memory().numTensors;
  tf.dispose(dilateFilter(w, 2));
  assert.equal(tf.memory().numTensors, before);
  tf.dispose([w, d]);
});
