import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { infoNceLoss } from '../../src/losses/info-nce';
import {
  assertClose, assertGradientMatchesFiniteDifferences, assertNoLeak, dot, loadReference, logSumExp, normalize, randn, scalarOf, t2, useCpu,
} from './helpers';

const ref = loadReference();
before(useCpu);

/** MoCo eq. (1) per query, float64. */
function naiveInfoNce(q: number[][], k: number[][], queue: number[][], tau: number): number {
  const qs = q.map(normalize);
  const ks = k.map(normalize);
  const negs = queue.map(normalize);
  let total = 0;
  for (let i = 0; i < q.length; i++) {
    const pos = dot(qs[i], ks[i]) / tau;
    const logits = [pos, ...negs.map((n) => dot(qs[i], n) / tau)];
    total += logSumExp(logits) - pos;
  }
  return total / q.length;
}

test('matches the official MoCo logits + cross-entropy (PyTorch, float64), value and gradient', () => {
  const c = ref.infoNce;
  const [q, k, queue] = [t2(c.q), t2(c.k), t2(c.queue)];
  assertClose(scalarOf(() => infoNceLoss(q, k, queue, { temperature: 0.2 })), c.loss, 1e-5, 1e-6);
  const g = tf.grad((x: tf.Tensor) => infoNceLoss(x as tf.Tensor2D, k, queue))(q);
  assertClose(g, c.grad_q, 1e-4, 1e-5, 'grad q');
  tf.dispose([q, k, queue, g]);
});

test('matches a naive loop from the MoCo paper', () => {
  const [q, k, queue] = [randn(5, 4, 21), randn(5, 4, 22), randn(12, 4, 23)];
  for (const tau of [0.2, 0.07]) {
    assertClose(scalarOf(() => infoNceLoss(t2(q), t2(k), t2(queue), { temperature: tau })), naiveInfoNce(q, k, queue, tau), 1e-5, 1e-6);
  }
});

test('hand-checked: uniform logits give ln(1 + K); orthogonal negatives give log(1 + K e^(-1/tau))', () => {
  const ones = tf.ones([3, 4]) as tf.Tensor2D;
  const queue = tf.ones([7, 4]) as tf.Tensor2D;
  assertClose(scalarOf(() => infoNceLoss(ones, ones, queue)), Math.log(8), 1e-6, 1e-6);
  // q = k = e1, queue = e2 (K = 2): -log(e^(1/tau) / (e^(1/tau) + 2)) = log(1 + 2 e^(-1/tau)).
  const e1 = t2([[1, 0]]);
  const e2 = t2([[0, 1], [0, 1]]);
  assertClose(scalarOf(() => infoNceLoss(e1, e1, e2, { temperature: 0.5 })), Math.log(1 + 2 * Math.exp(-2)), 1e-6, 1e-7);
  tf.dispose([ones, queue, e1, e2]);
});

test('no gradient reaches the keys or the queue; q gradient matches finite differences', () => {
  const xs = [t2(randn(3, 4, 24)), t2(randn(3, 4, 25)), t2(randn(5, 4, 26))];
  const f = (v: tf.Tensor[]) => infoNceLoss(v[0] as tf.Tensor2D, v[1] as tf.Tensor2D, v[2] as tf.Tensor2D);
  assertGradientMatchesFiniteDifferences(f, xs, 0);
  const g = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) => f([a, b, c]))(xs);
  assert.ok(Array.from(g[1].dataSync()).every((v) => v === 0), 'keys get no gradient');
  assert.ok(Array.from(g[2].dataSync()).every((v) => v === 0), 'queue gets no gradient');
  tf.dispose([...xs, ...g]);
});

test('zero vectors and tiny temperatures give finite values', () => {
  const z = tf.zeros([3, 4]) as tf.Tensor2D;
  assertClose(scalarOf(() => infoNceLoss(z, z, tf.zeros([5, 4]) as tf.Tensor2D)), Math.log(6), 1e-6, 1e-6);
  const q = t2(randn(3, 4, 27));
  assert.ok(Number.isFinite(scalarOf(() => infoNceLoss(q, q, t2(randn(5, 4, 28)), { temperature: 1e-5 }))));
  tf.dispose([z, q]);
});

test('bad shapes fail with fixed-form messages; no leak', () => {
  const q = tf.zeros([8, 16]) as tf.Tensor2D;
  assert.throws(() => infoNceLoss(q, tf.zeros([8, 32]) as tf.Tensor2D, q), {
    message: 'Error in infoNceLoss: q and k must have the same shape, but got [8,16] and [8,32]',
  });
  assert.throws(() => infoNceLoss(q, q, tf.zeros([10, 8]) as tf.Tensor2D), {
    message: 'Error in infoNceLoss: queue rows must have the embedding size of q, but got [10,8] and [8,16]',
  });
  assert.throws(() => infoNceLoss(q, q, tf.zeros([10]) as never), { message: 'Error in infoNceLoss: queue must be 2-D [K, D], but got shape [10]' });
  assertNoLeak(() => infoNceLoss(q, q, q));
  q.dispose();
});
