import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { buggySimclrLoss } from '../../src/losses/buggy-simclr';
import { ntXentLoss } from '../../src/losses/nt-xent';
import { assertClose, assertGradientMatchesFiniteDifferences, assertNoLeak, dot, logSumExp, randn, scalarOf, t2, useCpu } from './helpers';

before(useCpu);

/** The textbook code as a loop: positive = diagonal of the unnormalised 2N x 2N similarity matrix. */
function naiveBuggy(z1: number[][], z2: number[][], tau: number): number {
  const u = [...z1, ...z2];
  let total = 0;
  for (let k = 0; k < u.length; k++) {
    const row = u.map((v) => dot(u[k], v) / tau);
    total += logSumExp(row) - row[k];
  }
  return total / u.length;
}

test('matches a naive loop of the textbook code', () => {
  const a = randn(5, 3, 11);
  const b = randn(5, 3, 12);
  assertClose(scalarOf(() => buggySimclrLoss(t2(a), t2(b))), naiveBuggy(a, b, 0.5), 1e-5, 1e-6);
});

test('hand-checked value: one-hot rows, tau = 1', () => {
  // u = [e1, e2, e1, e2]: row e1 has logits [1, 0, 1, 0], positive = itself (1): log(2e + 2) - 1.
  const v = scalarOf(() => buggySimclrLoss(t2([[1, 0], [0, 1]]), t2([[1, 0], [0, 1]]), { temperature: 1 }));
  assertClose(v, Math.log(2 * Math.E + 2) - 1, 1e-6, 1e-6);
});

test('its positive term ignores the other view: breaking every pair changes nothing', () => {
  const z1 = t2(randn(6, 4, 13));
  const z2 = t2(randn(6, 4, 14));
  const shuffled = tf.gather(z2, [3, 5, 0, 1, 4, 2]) as tf.Tensor2D; // row i no longer pairs with z1 row i
  const buggyPaired = scalarOf(() => buggySimclrLoss(z1, z2));
  const buggyBroken = scalarOf(() => buggySimclrLoss(z1, shuffled));
  assertClose(buggyBroken, buggyPaired, 1e-6, 1e-6, 'buggy loss is blind to the pairing');
  const correctPaired = scalarOf(() => ntXentLoss(z1, z2));
  const correctBroken = scalarOf(() => ntXentLoss(z1, shuffled));
  assert.ok(Math.abs(correctBroken - correctPaired) > 1e-2, 'NT-Xent does see the pairing');
  tf.dispose([z1, z2, shuffled]);
});

test('it can reach ~0 with views that share nothing, where NT-Xent stays high', () => {
  // Views of image i are orthogonal to each other (no agreement at all), but all rows are long
  // and mutually orthogonal: every row's self-similarity dominates, so the buggy loss is ~0.
  const n = 4;
  const z1 = tf.mul(tf.slice(tf.eye(2 * n), [0, 0], [n, 2 * n]), 10) as tf.Tensor2D;
  const z2 = tf.mul(tf.slice(tf.eye(2 * n), [n, 0], [n, 2 * n]), 10) as tf.Tensor2D;
  assert.ok(scalarOf(() => buggySimclrLoss(z1, z2)) < 1e-6);
  assertClose(scalarOf(() => ntXentLoss(z1, z2)), Math.log(2 * n - 1), 1e-6, 1e-6, 'NT-Xent: no better than chance');
  tf.dispose([z1, z2]);
});

test('gradient matches finite differences; errors are fixed-form; no leak', () => {
  const xs = [t2(randn(3, 2, 17)), t2(randn(3, 2, 18))];
  assertGradientMatchesFiniteDifferences((v) => buggySimclrLoss(v[0] as tf.Tensor2D, v[1] as tf.Tensor2D), xs, 0);
  assert.throws(() => buggySimclrLoss(xs[0], t2([[1, 2, 3]])), {
    message: 'Error in buggySimclrLoss: z1 and z2 must have the same shape, but got [3,2] and [1,3]',
  });
  assertNoLeak(() => buggySimclrLoss(xs[0], xs[1]));
  tf.dispose(xs);
});
