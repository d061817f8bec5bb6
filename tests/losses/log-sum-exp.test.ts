import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { logSumExpWithSoftmaxGrad } from '../../src/losses/common';
import { useCpu } from './helpers';

before(useCpu);

/** logSumExpWithSoftmaxGrad: tf.logSumExp's value and gradient (softmax), without a gradient through the maximum. */

test('logSumExpWithSoftmaxGrad equals tf.logSumExp, with -Infinity entries and large logits, along either axis', () => tf.tidy(() => {
  const x = tf.tensor2d([[1, 2, -Infinity, 3], [1000, 999, 998, -Infinity], [-5, -5, -5, -5]]);
  for (const axis of [0, 1]) {
    const ours = logSumExpWithSoftmaxGrad(axis === 0 ? tf.where(tf.isInf(x), tf.zerosLike(x), x) : x, axis).arraySync() as number[];
    const ref = tf.logSumExp(axis === 0 ? tf.where(tf.isInf(x), tf.zerosLike(x), x) : x, axis).arraySync() as number[];
    assert.equal(ours.length, ref.length);
    ours.forEach((v, i) => assert.ok(Math.abs(v - ref[i]) <= 1e-4 * Math.max(1, Math.abs(ref[i])), `axis ${axis}, ${i}: ${v} vs ${ref[i]}`));
  }
  const row = logSumExpWithSoftmaxGrad(x, 1).arraySync() as number[];
  assert.ok(Math.abs(row[1] - (1000 + Math.log(1 + Math.exp(-1) + Math.exp(-2)))) < 1e-3, 'large logits do not overflow');
}));

test('logSumExpWithSoftmaxGrad has the softmax as its gradient, as tf.logSumExp does', () => tf.tidy(() => {
  const x = tf.tensor2d([[0.5, -1, 2, 0], [3, 3, 1, -2]]);
  const w = tf.tensor1d([0.7, -1.3]);
  const ours = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(logSumExpWithSoftmaxGrad(t, 1), w)))(x).arraySync() as number[][];
  const ref = tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.logSumExp(t, 1), w)))(x).arraySync() as number[][];
  const softmax = tf.mul(tf.softmax(x), tf.expandDims(w, 1)).arraySync() as number[][];
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 4; j++) {
      assert.ok(Math.abs(ours[i][j] - ref[i][j]) < 1e-6, `[${i}, ${j}] against tf.logSumExp`);
      assert.ok(Math.abs(ours[i][j] - softmax[i][j]) < 1e-6, `[${i}, ${j}] against the softmax`);
    }
  }
}));

test('the gradient of logSumExpWithSoftmaxGrad takes no gradient through the maximum (no Equal), where tf.logSumExp\'s does', async () => {
  const x = tf.tensor2d([[0.5, -1, 2, 0], [3, 3, 1, -2]]);
  const kernelsOf = async (f: (t: tf.Tensor) => tf.Tensor) => (await tf.profile(() => tf.grad((t: tf.Tensor) => tf.sum(f(t)))(x))).kernelNames;
  assert.ok((await kernelsOf((t) => tf.logSumExp(t, 1))).includes('Equal'), 'tf.logSumExp differentiates its maximum');
  assert.ok(!(await kernelsOf((t) => logSumExpWithSoftmaxGrad(t, 1))).includes('Equal'));
  x.dispose();
});
