import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../src/backend/seed';
import { BatchNorm, Dense, LayerNorm, gelu } from '../../src/models/layers';
import { cloneWeights } from '../../src/models/module';
import { resolveConfig } from '../../src/config';
import { assertClose, assertNoLeak, randn, t2, useCpu } from '../losses/helpers';

before(useCpu);

test('Dense is x W + b on the last axis, for 2-D and 3-D input', () => {
  const dense = new Dense('d', 3, 2, createRng(1));
  const x = t2([[1, 2, 3]]);
  const w = dense.kernel.arraySync() as number[][];
  const b = dense.bias!.arraySync() as number[];
  const expected = [0, 1].map((j) => 1 * w[0][j] + 2 * w[1][j] + 3 * w[2][j] + b[j]);
  assertClose(dense.apply(x), expected, 1e-6, 1e-6);
  const x3 = tf.reshape(tf.range(0, 12), [2, 2, 3]);
  assert.deepEqual(dense.apply(x3).shape, [2, 2, 2]);
  // torch init: every kernel entry within +-1/sqrt(3)
  assert.ok((dense.kernel.dataSync() as Float32Array).every((v) => Math.abs(v) <= 1 / Math.sqrt(3)));
  tf.dispose([x, x3]);
  dense.dispose();
});

test('BatchNorm matches PyTorch BatchNorm1d: batch stats in training, running stats (momentum 0.1, unbiased) after', () => {
  const bn = new BatchNorm('bn', 2);
  const data = [[1, 10], [2, 20], [3, 60], [6, 30]];
  const y = bn.apply(t2(data), { training: true });
  const col = (j: number) => data.map((r) => r[j]);
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const varB = (xs: number[]) => xs.reduce((a, b) => a + (b - mean(xs)) ** 2, 0) / xs.length;
  const expected = data.map((r) => r.map((v, j) => (v - mean(col(j))) / Math.sqrt(varB(col(j)) + 1e-5)));
  assertClose(y, expected, 1e-5, 1e-5, 'normalised with batch statistics');
  assertClose(bn.movingMean, [0.1 * mean(col(0)), 0.1 * mean(col(1))], 1e-6, 1e-6, 'running mean');
  assertClose(bn.movingVariance, [0, 1].map((j) => 0.9 + 0.1 * varB(col(j)) * (4 / 3)), 1e-5, 1e-6, 'running var');
  const evalOut = bn.apply(t2([[1, 10]]));
  const rm = bn.movingMean.arraySync() as number[];
  const rv = bn.movingVariance.arraySync() as number[];
  assertClose(evalOut, [[(1 - rm[0]) / Math.sqrt(rv[0] + 1e-5), (10 - rm[1]) / Math.sqrt(rv[1] + 1e-5)]], 1e-5, 1e-5, 'eval');
  assert.throws(() => bn.apply(t2([[1, 2]]), { training: true }), {
    message: 'Error in bn: training-mode BatchNorm needs at least 2 rows, but got shape [1,2]',
  });
  tf.dispose([y, evalOut]);
  bn.dispose();
});

test('LayerNorm normalises each token; GELU is the exact erf form', () => {
  const ln = new LayerNorm('ln', 4);
  const y = ln.apply(t2([[1, 2, 3, 4]]));
  const m = 2.5;
  const v = 1.25;
  assertClose(y, [[1, 2, 3, 4].map((x) => (x - m) / Math.sqrt(v + 1e-6))], 1e-5, 1e-6);
  // torch.nn.GELU()(torch.tensor([-1., 0., 1., 2.]))
  assertClose(gelu(tf.tensor1d([-1, 0, 1, 2])), [-0.15865525393145707, 0, 0.8413447460685429, 1.9544997361036416], 1e-5, 1e-6);
  ln.dispose();
});

test('weights round-trip through getWeights / setWeights; mismatches fail clearly', () => {
  const a = new Dense('a', 3, 2, createRng(1));
  const b = new Dense('b', 3, 2, createRng(2));
  const x = t2(randn(2, 3, 1));
  b.setWeights(cloneWeights(a));
  assertClose(b.apply(x), a.apply(x), 0, 0);
  assert.throws(() => b.setWeights({ kernel: tf.zeros([3, 2]) }), { message: 'Error in b.setWeights: weight names do not match (missing bias)' });
  assert.throws(() => b.setWeights({ kernel: tf.zeros([2, 2]), bias: tf.zeros([2]) }), {
    message: "Error in b.setWeights: 'kernel' must have shape [3,2], but got [2,2]",
  });
  assertNoLeak(() => a.apply(x));
  tf.dispose(x);
  a.dispose();
  b.dispose();
});

test('configs reject unknown keys', () => {
  assert.throws(() => resolveConfig('Thing', { a: 1, b: 2 }, { c: 3 } as never), { message: 'Unknown config key: c (Thing accepts a, b)' });
  assert.deepEqual(resolveConfig('Thing', { a: 1, b: 2 }, { b: 5 }), { a: 1, b: 5 });
});
