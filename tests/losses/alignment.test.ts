import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { alignmentLoss } from '../../src/losses/alignment';
import { assertClose, assertGradientMatchesFiniteDifferences, assertNoLeak, loadReference, norm, randn, scalarOf, t2, useCpu } from './helpers';

const ref = loadReference();
before(useCpu);

test('matches align_loss of SsnL/align_uniform (PyTorch, float64) and a naive loop', () => {
  const c = ref.alignUniform;
  const [a, b] = [t2(c.z1), t2(c.z2)];
  assertClose(scalarOf(() => alignmentLoss(a, b)), c.alignment2, 1e-5, 1e-7, 'alpha 2');
  assertClose(scalarOf(() => alignmentLoss(a, b, { alpha: 1 })), c.alignment1, 1e-5, 1e-7, 'alpha 1');
  const x = randn(5, 3, 101);
  const y = randn(5, 3, 102);
  const naive = x.reduce((s, r, i) => s + norm(r.map((v, j) => v - y[i][j])) ** 3, 0) / 5;
  assertClose(scalarOf(() => alignmentLoss(t2(x), t2(y), { alpha: 3 })), naive, 1e-5, 1e-6, 'alpha 3');
  tf.dispose([a, b]);
});

test('hand-checked: opposite unit vectors are 4 apart (alpha 2); identical ones 0 with finite gradients; symmetric', () => {
  assertClose(scalarOf(() => alignmentLoss(t2([[1, 0]]), t2([[-1, 0]]))), 4, 1e-7, 1e-7);
  const a = t2(randn(4, 3, 103));
  assert.equal(scalarOf(() => alignmentLoss(a, a)), 0);
  for (const alpha of [1, 2]) {
    const g = tf.grad((x: tf.Tensor) => alignmentLoss(x as tf.Tensor2D, a, { alpha }))(a);
    assert.ok(Array.from(g.dataSync()).every(Number.isFinite), `alpha ${alpha}`);
    g.dispose();
  }
  const b = t2(randn(4, 3, 104));
  assertClose(scalarOf(() => alignmentLoss(a, b)), scalarOf(() => alignmentLoss(b, a)), 1e-7, 1e-7);
  tf.dispose([a, b]);
});

test('gradient matches finite differences; errors; no leak', () => {
  const xs = [t2(randn(4, 3, 105)), t2(randn(4, 3, 106))];
  assertGradientMatchesFiniteDifferences((v) => alignmentLoss(v[0] as tf.Tensor2D, v[1] as tf.Tensor2D, { alpha: 1.5 }), xs, 0);
  assert.throws(() => alignmentLoss(xs[0], t2([[1]])), { message: 'Error in alignmentLoss: z1 and z2 must have the same shape, but got [4,3] and [1,1]' });
  assert.throws(() => alignmentLoss(xs[0], xs[1], { alpha: 0 }), { message: 'Error in alignmentLoss: alpha must be a positive number, but got 0' });
  assertNoLeak(() => alignmentLoss(xs[0], xs[1]));
  tf.dispose(xs);
});
