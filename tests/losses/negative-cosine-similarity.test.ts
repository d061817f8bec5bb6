import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { negativeCosineSimilarity } from '../../src/losses/negative-cosine-similarity';
import { assertClose, assertGradientMatchesFiniteDifferences, assertNoLeak, dot, loadReference, norm, randn, scalarOf, t2, useCpu } from './helpers';

const ref = loadReference();
before(useCpu);

test('matches torch -F.cosine_similarity().mean() (the formula of lightly) and a naive loop', () => {
  const c = ref.negativeCosine;
  assertClose(scalarOf(() => negativeCosineSimilarity(t2(c.p), t2(c.z))), c.loss, 1e-5, 1e-6, 'reference');
  const p = randn(6, 5, 61);
  const z = randn(6, 5, 62);
  const naive = -p.reduce((s, row, i) => s + dot(row, z[i]) / (norm(row) * norm(z[i])), 0) / 6;
  assertClose(scalarOf(() => negativeCosineSimilarity(t2(p), t2(z))), naive, 1e-5, 1e-6, 'naive');
});

test('hand-checked: -1 when aligned, +1 when opposite, 0 when orthogonal; symmetric in value', () => {
  const p = t2([[1, 2], [3, -1]]);
  assertClose(scalarOf(() => negativeCosineSimilarity(p, tf.mul(p, 4) as tf.Tensor2D)), -1, 1e-6, 1e-6);
  assertClose(scalarOf(() => negativeCosineSimilarity(p, tf.mul(p, -2) as tf.Tensor2D)), 1, 1e-6, 1e-6);
  assertClose(scalarOf(() => negativeCosineSimilarity(t2([[1, 0]]), t2([[0, 3]]))), 0, 0, 1e-7);
  const a = t2(randn(4, 3, 63));
  const b = t2(randn(4, 3, 64));
  assertClose(scalarOf(() => negativeCosineSimilarity(a, b)), scalarOf(() => negativeCosineSimilarity(b, a)), 1e-6, 1e-7);
  assertClose(scalarOf(() => negativeCosineSimilarity(tf.zeros([2, 3]) as tf.Tensor2D, a.slice(0, 2))), 0, 0, 0, 'zero rows: 0, not NaN');
  tf.dispose([p, a, b]);
});

test('stop-gradient: no gradient into z by default; finite differences match for p', () => {
  const xs = [t2(randn(3, 4, 65)), t2(randn(3, 4, 66))];
  const f = (v: tf.Tensor[]) => negativeCosineSimilarity(v[0] as tf.Tensor2D, v[1] as tf.Tensor2D);
  assertGradientMatchesFiniteDifferences(f, xs, 0);
  const [, gz] = tf.grads((a: tf.Tensor, b: tf.Tensor) => f([a, b]))(xs);
  assert.ok(Array.from(gz.dataSync()).every((v) => v === 0));
  const gzOpen = tf.grad((b: tf.Tensor) => negativeCosineSimilarity(xs[0] as tf.Tensor2D, b as tf.Tensor2D, { stopGradient: false }))(xs[1]);
  assert.ok(Array.from(gzOpen.dataSync()).some((v) => v !== 0));
  tf.dispose([...xs, gz, gzOpen]);
});

test('errors are fixed-form; no leak', () => {
  const a = tf.zeros([8, 16]) as tf.Tensor2D;
  assert.throws(() => negativeCosineSimilarity(a, tf.zeros([8, 32]) as tf.Tensor2D), {
    message: 'Error in negativeCosineSimilarity: p and z must have the same shape, but got [8,16] and [8,32]',
  });
  assertNoLeak(() => negativeCosineSimilarity(a, a));
  a.dispose();
});
