import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ntXentLoss } from '../../src/losses/nt-xent';
import {
  assertClose, assertGradientMatchesFiniteDifferences, assertNoLeak, dot, useCpu, loadReference, logSumExp, normalize, randn, scalarOf, t2,
} from './helpers';

const ref = loadReference();
before(useCpu);

/** SimCLR eq. (1), one anchor at a time, in float64. */
function naiveNtXent(z1: number[][], z2: number[][], tau: number): number {
  const u = [...z1, ...z2].map(normalize);
  const n = z1.length;
  let total = 0;
  for (let k = 0; k < 2 * n; k++) {
    const partner = (k + n) % (2 * n);
    const others = u.map((v, j) => (j === k ? null : dot(u[k], v) / tau)).filter((v): v is number => v !== null);
    total += logSumExp(others) - dot(u[k], u[partner]) / tau;
  }
  return total / (2 * n);
}

test('matches the formula of lightly NTXentLoss, re-implemented in PyTorch (float64), in value and gradient', () => {
  for (const key of ['ntXent', 'ntXentT01']) {
    const c = ref[key];
    const z1 = t2(c.z1);
    const z2 = t2(c.z2);
    assertClose(scalarOf(() => ntXentLoss(z1, z2, { temperature: c.temperature })), c.loss, 1e-5, 1e-6, key);
    const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => ntXentLoss(a as tf.Tensor2D, b as tf.Tensor2D, { temperature: c.temperature }))([z1, z2]);
    assertClose(g[0], c.grad_z1, 1e-4, 1e-5, `${key} grad z1`);
    assertClose(g[1], c.grad_z2, 1e-4, 1e-5, `${key} grad z2`);
    tf.dispose([z1, z2, ...g]);
  }
});

test('matches a naive loop written from the SimCLR paper', () => {
  const a = randn(7, 5, 1);
  const b = randn(7, 5, 2);
  for (const tau of [0.5, 0.1, 1]) {
    assertClose(scalarOf(() => ntXentLoss(t2(a), t2(b), { temperature: tau })), naiveNtXent(a, b, tau), 1e-5, 1e-6, `tau ${tau}`);
  }
});

test('hand-checked value: N = 2, orthogonal pairs', () => {
  // After normalising, u = [e1, e2, e1, -e2] and tau = 0.5 doubles every similarity.
  // Anchor e1: positive e1 (logit 2), others e2, -e2 (logit 0): l0 = log(e^2 + 2) - 2 = log(1 + 2 e^-2).
  // Anchor e2: positive -e2 (logit -2), others e1, e1 (logit 0): l1 = log(2 + e^-2) + 2.
  // The two anchors of the second view mirror these.
  const z1 = [[1, 0], [0, 1]];
  const z2 = [[2, 0], [0, -3]]; // norms do not matter
  const l0 = Math.log(1 + 2 * Math.exp(-2));
  const l1 = Math.log(Math.exp(0) + Math.exp(-2) + Math.exp(0)) + 2;
  const expected = (2 * l0 + 2 * l1) / 4;
  assertClose(scalarOf(() => ntXentLoss(t2(z1), t2(z2))), expected, 1e-6, 1e-6);
});

test('uniform logits give ln(2N - 1); zero vectors give the same, without NaN', () => {
  for (const n of [2, 5, 16]) {
    const same = tf.ones([n, 8]) as tf.Tensor2D;
    assertClose(scalarOf(() => ntXentLoss(same, same)), Math.log(2 * n - 1), 1e-6, 1e-6, `ones n=${n}`);
    const zero = tf.zeros([n, 8]) as tf.Tensor2D;
    assertClose(scalarOf(() => ntXentLoss(zero, zero, { temperature: 1e-3 })), Math.log(2 * n - 1), 1e-6, 1e-6, `zeros n=${n}`);
    const g = tf.grad((x: tf.Tensor) => ntXentLoss(x as tf.Tensor2D, zero))(zero);
    assert.ok(Array.from(g.dataSync()).every(Number.isFinite), 'gradient at zero vectors is finite');
    tf.dispose([same, zero, g]);
  }
});

test('is symmetric: loss(z1, z2) = loss(z2, z1)', () => {
  const a = t2(randn(6, 4, 3));
  const b = t2(randn(6, 4, 4));
  assertClose(scalarOf(() => ntXentLoss(a, b)), scalarOf(() => ntXentLoss(b, a)), 1e-6, 1e-7);
  tf.dispose([a, b]);
});

test('stays finite at very small temperatures', () => {
  const a = t2(randn(6, 4, 5));
  const b = t2(randn(6, 4, 6));
  for (const tau of [1e-3, 1e-5]) {
    const v = scalarOf(() => ntXentLoss(a, b, { temperature: tau }));
    assert.ok(Number.isFinite(v), `tau ${tau}: ${v}`);
    const g = tf.grad((x: tf.Tensor) => ntXentLoss(x as tf.Tensor2D, b, { temperature: tau }))(a);
    assert.ok(Array.from(g.dataSync()).every(Number.isFinite));
    g.dispose();
  }
  tf.dispose([a, b]);
});

test('gradient matches finite differences', () => {
  const xs = [t2(randn(4, 3, 7)), t2(randn(4, 3, 8))];
  const f = (v: tf.Tensor[]) => ntXentLoss(v[0] as tf.Tensor2D, v[1] as tf.Tensor2D);
  assertGradientMatchesFiniteDifferences(f, xs, 0);
  assertGradientMatchesFiniteDifferences(f, xs, 1);
  tf.dispose(xs);
});

test('bad shapes and temperatures fail with fixed-form messages', () => {
  const a = tf.zeros([8, 16]) as tf.Tensor2D;
  const b = tf.zeros([8, 32]) as tf.Tensor2D;
  assert.throws(() => ntXentLoss(a, b), { message: 'Error in ntXentLoss: z1 and z2 must have the same shape, but got [8,16] and [8,32]' });
  assert.throws(() => ntXentLoss(tf.zeros([8]) as never, a), { message: 'Error in ntXentLoss: z1 must be 2-D [N, D], but got shape [8]' });
  assert.throws(() => ntXentLoss(a, a, { temperature: 0 }), { message: 'Error in ntXentLoss: temperature must be a positive number, but got 0' });
  const one = tf.zeros([1, 4]) as tf.Tensor2D;
  assert.throws(() => ntXentLoss(one, one), { message: 'Error in ntXentLoss: the batch needs at least 2 samples (N >= 2), but got shape [1,4]' });
  tf.dispose([a, b, one]);
});

test('frees its intermediates', () => {
  const a = t2(randn(6, 4, 9));
  const b = t2(randn(6, 4, 10));
  assertNoLeak(() => ntXentLoss(a, b));
  tf.dispose([a, b]);
});
