import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { uniformityLoss } from '../../src/losses/uniformity';
import { assertClose, assertGradientMatchesFiniteDifferences, assertNoLeak, loadReference, normalize, randn, scalarOf, t2, useCpu } from './helpers';

const ref = loadReference();
before(useCpu);

test('matches uniform_loss of SsnL/align_uniform (PyTorch, float64), value and gradient', () => {
  const c = ref.alignUniform;
  const z = t2(c.z1);
  assertClose(scalarOf(() => uniformityLoss(z)), c.uniformity2, 1e-5, 1e-6, 't 2');
  assertClose(scalarOf(() => uniformityLoss(z, { t: 5 })), c.uniformity5, 1e-5, 1e-6, 't 5');
  const g = tf.grad((x: tf.Tensor) => uniformityLoss(x as tf.Tensor2D))(z);
  assertClose(g, c.grad_uniformity2, 1e-4, 1e-5, 'gradient');
  tf.dispose([z, g]);
});

test('matches a naive loop over pairs i < j', () => {
  const z = randn(6, 3, 111).map(normalize);
  let s = 0;
  let pairs = 0;
  for (let i = 0; i < 6; i++) {
    for (let j = i + 1; j < 6; j++) {
      s += Math.exp(-2 * z[i].reduce((t, v, k) => t + (v - z[j][k]) ** 2, 0));
      pairs++;
    }
  }
  assertClose(scalarOf(() => uniformityLoss(t2(z))), Math.log(s / pairs), 1e-5, 1e-6);
});

test('hand-checked: collapse gives 0; two antipodal points give -4t; large t does not underflow', () => {
  assertClose(scalarOf(() => uniformityLoss(tf.ones([5, 3]) as tf.Tensor2D)), 0, 0, 1e-6);
  assertClose(scalarOf(() => uniformityLoss(t2([[1, 0], [-1, 0]]), { t: 2 })), -8, 1e-6, 1e-6);
  // exp(-400 * 4) underflows float32; the log-sum-exp does not.
  assertClose(scalarOf(() => uniformityLoss(t2([[1, 0], [-1, 0]]), { t: 400 })), -1600, 1e-6, 1e-4);
  // invariant to reordering the rows
  const z = t2(randn(5, 3, 112));
  assertClose(scalarOf(() => uniformityLoss(z)), scalarOf(() => uniformityLoss(tf.reverse(z, 0) as tf.Tensor2D)), 1e-6, 1e-6);
  z.dispose();
});

test('gradient matches finite differences; errors; no leak', () => {
  const xs = [t2(randn(4, 3, 113).map(normalize))];
  assertGradientMatchesFiniteDifferences((v) => uniformityLoss(v[0] as tf.Tensor2D), xs, 0, { h: 3e-3 });
  assert.throws(() => uniformityLoss(t2([[1, 2]])), { message: 'Error in uniformityLoss: z needs at least 2 rows, but got shape [1,2]' });
  assert.throws(() => uniformityLoss(xs[0], { t: 0 }), { message: 'Error in uniformityLoss: t must be a positive number, but got 0' });
  assertNoLeak(() => uniformityLoss(xs[0] as tf.Tensor2D));
  tf.dispose(xs);
});
