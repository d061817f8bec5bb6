import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { clipLoss } from '../../src/losses/clip';
import { assertClose, assertGradientMatchesFiniteDifferences, assertNoLeak, dot, loadReference, logSumExp, normalize, randn, scalarOf, t2, useCpu } from './helpers';

const ref = loadReference();
before(useCpu);

test('matches the CLIP paper pseudo-code (PyTorch, float64), value and gradients', () => {
  const c = ref.clip;
  const [img, txt] = [t2(c.imageEmb), t2(c.textEmb)];
  assertClose(scalarOf(() => clipLoss(img, txt, { logitScale: c.logitScale })), c.loss, 1e-5, 1e-6);
  const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => clipLoss(a as tf.Tensor2D, b as tf.Tensor2D))([img, txt]);
  assertClose(g[0], c.grad_image, 1e-4, 1e-5, 'grad image');
  assertClose(g[1], c.grad_text, 1e-4, 1e-5, 'grad text');
  tf.dispose([img, txt, ...g]);
});

test('matches a naive loop over rows and columns', () => {
  const a = randn(5, 4, 91).map(normalize);
  const b = randn(5, 4, 92).map(normalize);
  const s = 10;
  const logits = a.map((r) => b.map((c) => s * dot(r, c)));
  let li = 0;
  let lt = 0;
  for (let i = 0; i < 5; i++) {
    li += logSumExp(logits[i]) - logits[i][i];
    lt += logSumExp(logits.map((r) => r[i])) - logits[i][i];
  }
  assertClose(scalarOf(() => clipLoss(t2(a), t2(b), { logitScale: s })), (li + lt) / 10, 1e-5, 1e-6);
});

test('hand-checked: uniform logits give ln N; swapping image and text gives the same loss', () => {
  const ones = tf.ones([6, 3]) as tf.Tensor2D;
  assertClose(scalarOf(() => clipLoss(ones, ones)), Math.log(6), 1e-6, 1e-6);
  const a = t2(randn(4, 3, 93));
  const b = t2(randn(4, 3, 94));
  assertClose(scalarOf(() => clipLoss(a, b)), scalarOf(() => clipLoss(b, a)), 1e-6, 1e-6);
  // a learnable scale as a tensor gets a gradient
  const scale = tf.scalar(5);
  const gs = tf.grad((t: tf.Tensor) => clipLoss(a, b, { logitScale: t as tf.Scalar }))(scale);
  assert.ok(Number.isFinite(gs.dataSync()[0]) && gs.dataSync()[0] !== 0);
  assert.ok(Number.isFinite(scalarOf(() => clipLoss(tf.zeros([4, 3]) as tf.Tensor2D, b, { logitScale: 1e5 }))));
  tf.dispose([ones, a, b, scale, gs]);
});

test('gradient matches finite differences; errors; no leak', () => {
  const xs = [t2(randn(4, 3, 95)), t2(randn(4, 3, 96))];
  assertGradientMatchesFiniteDifferences((v) => clipLoss(v[0] as tf.Tensor2D, v[1] as tf.Tensor2D, { logitScale: 3 }), xs, 0);
  assert.throws(() => clipLoss(xs[0], t2([[1, 2]])), { message: 'Error in clipLoss: imageEmb and textEmb must have the same shape, but got [4,3] and [1,2]' });
  assert.throws(() => clipLoss(xs[0], xs[1], { logitScale: -1 }), { message: 'Error in clipLoss: logitScale must be a positive number, but got -1' });
  assertNoLeak(() => clipLoss(xs[0], xs[1]));
  tf.dispose(xs);
});

test('Issue 13: is a batch of one 0 with a zero gradient, as the reference gives, and an empty batch an error?', () => {
  const i = t2([[0.3, -1.2, 0.5]]);
  const t = t2([[1, 2, -0.5]]);
  assertClose(scalarOf(() => clipLoss(i, t)), 0, 1e-7, 1e-7); // cross-entropy over one candidate: -log 1
  const g = tf.grads((a: tf.Tensor, b: tf.Tensor) => clipLoss(a as tf.Tensor2D, b as tf.Tensor2D))([i, t]);
  assertClose(g[0], [[0, 0, 0]], 1e-7, 1e-7, 'grad image');
  assertClose(g[1], [[0, 0, 0]], 1e-7, 1e-7, 'grad text');
  const empty = tf.zeros([0, 3]) as tf.Tensor2D;
  assert.throws(() => clipLoss(empty, empty), { message: 'Error in clipLoss: imageEmb needs at least 1 row, but got shape [0,3]' });
  tf.dispose([i, t, empty, ...g]);
});
