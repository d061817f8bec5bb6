import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { covarianceLoss, invarianceLoss, varianceLoss, vicregLoss } from '../../src/losses/vicreg';
import { assertClose, assertGradientMatchesFiniteDifferences, assertNoLeak, loadReference, randn, scalarOf, t2, useCpu } from './helpers';

const ref = loadReference();
before(useCpu);

test('matches the formula of lightly VICRegLoss and its three terms, re-implemented in PyTorch (float64)', () => {
  const c = ref.vicreg;
  const [a, b] = [t2(c.z1), t2(c.z2)];
  assertClose(scalarOf(() => invarianceLoss(a, b)), c.invariance, 1e-5, 1e-7, 'invariance');
  assertClose(scalarOf(() => varianceLoss(a)), c.variance1, 1e-5, 1e-7, 'variance z1');
  assertClose(scalarOf(() => varianceLoss(b)), c.variance2, 1e-5, 1e-7, 'variance z2');
  assertClose(scalarOf(() => covarianceLoss(a)), c.covariance1, 1e-5, 1e-7, 'covariance z1');
  assertClose(scalarOf(() => covarianceLoss(b)), c.covariance2, 1e-5, 1e-7, 'covariance z2');
  assertClose(scalarOf(() => vicregLoss(a, b)), c.loss, 1e-5, 1e-6, 'total');
  const g = tf.grads((x: tf.Tensor, y: tf.Tensor) => vicregLoss(x as tf.Tensor2D, y as tf.Tensor2D))([a, b]);
  assertClose(g[0], c.grad_z1, 1e-4, 1e-5, 'grad z1');
  assertClose(g[1], c.grad_z2, 1e-4, 1e-5, 'grad z2');
  tf.dispose([a, b, ...g]);
});

test('matches naive loops from the VICReg paper', () => {
  const a = randn(7, 3, 81);
  const b = randn(7, 3, 82).map((r) => r.map((v) => 0.3 * v));
  const n = 7;
  const d = 3;
  const inv = a.reduce((s, r, i) => s + r.reduce((t, v, j) => t + (v - b[i][j]) ** 2, 0), 0) / (n * d);
  const column = (z: number[][], j: number) => z.map((r) => r[j]);
  const mean = (xs: number[]) => xs.reduce((s, v) => s + v, 0) / xs.length;
  const variance = (z: number[][]) => {
    let s = 0;
    for (let j = 0; j < d; j++) {
      const col = column(z, j);
      const m = mean(col);
      const v = col.reduce((t, x) => t + (x - m) ** 2, 0) / (n - 1);
      s += Math.max(0, 1 - Math.sqrt(v + 1e-4));
    }
    return s / d;
  };
  const covariance = (z: number[][]) => {
    let s = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        if (i === j) continue;
        const ci = column(z, i);
        const cj = column(z, j);
        const mi = mean(ci);
        const mj = mean(cj);
        const cov = ci.reduce((t, x, k) => t + (x - mi) * (cj[k] - mj), 0) / (n - 1);
        s += cov * cov;
      }
    }
    return s / d;
  };
  const total = 25 * inv + 25 * 0.5 * (variance(a) + variance(b)) + (covariance(a) + covariance(b));
  assertClose(scalarOf(() => vicregLoss(t2(a), t2(b))), total, 1e-5, 1e-6);
});

test('hand-checked: collapsed identical views cost exactly mu * (1 - sqrt(eps))', () => {
  const z = tf.ones([5, 4]) as tf.Tensor2D;
  assertClose(scalarOf(() => vicregLoss(z, z)), 25 * (1 - Math.sqrt(1e-4)), 1e-6, 1e-6);
  // Well spread, decorrelated, identical views cost 0: columns of +-2 patterns.
  const spread = t2([[2, 2], [2, -2], [-2, 2], [-2, -2]]);
  assert.equal(scalarOf(() => vicregLoss(spread, spread)), 0);
  const a = t2(randn(6, 3, 83));
  const b = t2(randn(6, 3, 84));
  assertClose(scalarOf(() => vicregLoss(a, b)), scalarOf(() => vicregLoss(b, a)), 1e-6, 1e-6, 'symmetric');
  tf.dispose([z, spread, a, b]);
});

test('gradient matches finite differences; errors; no leak', () => {
  const xs = [t2(randn(5, 3, 85)), t2(randn(5, 3, 86))];
  assertGradientMatchesFiniteDifferences((v) => vicregLoss(v[0] as tf.Tensor2D, v[1] as tf.Tensor2D), xs, 0, { h: 3e-3, rtol: 3e-2, atol: 2e-2 });
  assert.throws(() => vicregLoss(xs[0], t2([[1, 2, 3]])), { message: 'Error in vicregLoss: z1 and z2 must have the same shape, but got [5,3] and [1,3]' });
  assert.throws(() => varianceLoss(t2([[1, 2, 3]])), { message: 'Error in varianceLoss: z needs at least 2 rows, but got shape [1,3]' });
  assertNoLeak(() => vicregLoss(xs[0], xs[1]));
  tf.dispose(xs);
});
