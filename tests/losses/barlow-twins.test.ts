import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { barlowTwinsLoss } from '../../src/losses/barlow-twins';
import { assertClose, assertGradientMatchesFiniteDifferences, assertNoLeak, loadReference, randn, scalarOf, t2, useCpu } from './helpers';

const ref = loadReference();
before(useCpu);

/** Barlow Twins eq. (1)-(2) with explicit loops, float64, standardised as the official code's BatchNorm1d (biased variance, eps 1e-5). */
function naiveBarlow(a: number[][], b: number[][], lambda: number): number {
  const n = a.length;
  const d = a[0].length;
  const standardize = (z: number[][]) => {
    const out = z.map((r) => r.slice());
    for (let j = 0; j < d; j++) {
      const mean = z.reduce((s, r) => s + r[j], 0) / n;
      const std = Math.sqrt(z.reduce((s, r) => s + (r[j] - mean) ** 2, 0) / n + 1e-5);
      for (let i = 0; i < n; i++) out[i][j] = (z[i][j] - mean) / std;
    }
    return out;
  };
  const sa = standardize(a);
  const sb = standardize(b);
  let loss = 0;
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) {
      const c = sa.reduce((s, r, k) => s + r[i] * sb[k][j], 0) / n;
      loss += i === j ? (1 - c) ** 2 : lambda * c * c;
    }
  }
  return loss;
}

test('Issue 13: does it match the official code (torch BatchNorm1d affine=False, float64), value and gradient?', () => {
  const c = ref.barlowTwins;
  const [a, b] = [t2(c.z1), t2(c.z2)];
  assertClose(scalarOf(() => barlowTwinsLoss(a, b)), c.loss, 1e-5, 1e-6);
  const g = tf.grads((x: tf.Tensor, y: tf.Tensor) => barlowTwinsLoss(x as tf.Tensor2D, y as tf.Tensor2D))([a, b]);
  assertClose(g[0], c.grad_z1, 1e-4, 1e-5, 'grad z1');
  assertClose(g[1], c.grad_z2, 1e-4, 1e-5, 'grad z2');
  tf.dispose([a, b, ...g]);
});

test('matches a naive loop from the paper', () => {
  const a = randn(9, 4, 71);
  const b = randn(9, 4, 72);
  for (const lambda of [5e-3, 1]) {
    assertClose(scalarOf(() => barlowTwinsLoss(t2(a), t2(b), { lambda })), naiveBarlow(a, b, lambda), 1e-5, 1e-6, `lambda ${lambda}`);
  }
});

test('hand-checked: identical, decorrelated views give 0 (C = I)', () => {
  // Columns +-1 patterns, mean 0, orthogonal, biased variance 1: C = I / (1 + 1e-5) after the
  // standardisation, so loss = D * (1 - 1/(1 + 1e-5))^2 = 2 * (1e-5 / 1.00001)^2, about 2e-10.
  const z = t2([[1, 1], [1, -1], [-1, 1], [-1, -1]]);
  assertClose(scalarOf(() => barlowTwinsLoss(z, z)), 2 * (1e-5 / 1.00001) ** 2, 1e-6, 1e-9);
  // scaled by 3: variance 9, C_ii = 9 / (9 + 1e-5); the loss is still ~0, unlike the unbiased std (C_ii = 3/4)
  const z3 = t2([[3, 3], [3, -3], [-3, 3], [-3, -3]]);
  assert.ok(scalarOf(() => barlowTwinsLoss(z3, z3)) < 1e-9);
  z3.dispose();
  // symmetric
  const a = t2(randn(6, 3, 73));
  const b = t2(randn(6, 3, 74));
  assertClose(scalarOf(() => barlowTwinsLoss(a, b)), scalarOf(() => barlowTwinsLoss(b, a)), 1e-6, 1e-7);
  // a constant dimension: finite, not NaN
  const constant = t2([[1, 0], [2, 0], [3, 0]]);
  // column 0 standardises to C_00 = 1 / (1 + 1.5e-5) (variance 2/3); column 1 is constant, C_11 = 0: loss ~ 1
  assertClose(scalarOf(() => barlowTwinsLoss(constant, constant)), (1 - (2 / 3) / (2 / 3 + 1e-5)) ** 2 + 1, 1e-6, 1e-7);
  tf.dispose([z, a, b, constant]);
});

test('gradient matches finite differences; errors; no leak', () => {
  const xs = [t2(randn(5, 3, 75)), t2(randn(5, 3, 76))];
  assertGradientMatchesFiniteDifferences((v) => barlowTwinsLoss(v[0] as tf.Tensor2D, v[1] as tf.Tensor2D), xs, 0, { h: 1e-2, rtol: 3e-2, atol: 5e-3 });
  assert.throws(() => barlowTwinsLoss(t2([[1, 2]]), t2([[1, 2]])), { message: 'Error in barlowTwinsLoss: z1 needs at least 2 rows, but got shape [1,2]' });
  assertNoLeak(() => barlowTwinsLoss(xs[0], xs[1]));
  tf.dispose(xs);
});
