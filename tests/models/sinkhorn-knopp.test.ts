import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { sinkhornKnopp } from '../../src/models/sinkhorn-knopp';
import { assertClose, assertNoLeak, loadReference, randn, t2, useCpu } from '../losses/helpers';

const ref = loadReference();
before(useCpu);

/** The official algorithm written as loops over a K x B matrix, float64. */
function naiveSinkhorn(scores: number[][], eps: number, iters: number): number[][] {
  const b = scores.length;
  const k = scores[0].length;
  let q = Array.from({ length: k }, (_, p) => Array.from({ length: b }, (_, s) => Math.exp(scores[s][p] / eps)));
  const total = q.flat().reduce((x, y) => x + y, 0);
  q = q.map((r) => r.map((v) => v / total));
  for (let it = 0; it < iters; it++) {
    q = q.map((r) => {
      const s = r.reduce((x, y) => x + y, 0);
      return r.map((v) => v / s / k);
    });
    for (let s = 0; s < b; s++) {
      let col = 0;
      for (let p = 0; p < k; p++) col += q[p][s];
      for (let p = 0; p < k; p++) q[p][s] = q[p][s] / col / b;
    }
  }
  return Array.from({ length: b }, (_, s) => Array.from({ length: k }, (_, p) => q[p][s] * b));
}

test('matches a PyTorch re-implementation of the official / lightly sinkhorn (float64), also at epsilon 0.01', () => {
  for (const key of ['sinkhorn', 'sinkhornEps001']) {
    const c = ref[key];
    const s = t2(c.scores);
    const q = sinkhornKnopp(s, { epsilon: c.epsilon, iterations: c.iterations });
    assertClose(q, c.codes, 1e-4, 1e-6, key);
    tf.dispose([s, q]);
  }
});

test('matches a naive loop; rows sum to 1 and columns to B/K', () => {
  const scores = randn(8, 4, 31).map((r) => r.map(Math.tanh));
  const q = sinkhornKnopp(t2(scores), { epsilon: 0.1, iterations: 5 });
  assertClose(q, naiveSinkhorn(scores, 0.1, 5), 1e-4, 1e-6);
  assertClose(tf.sum(q, 1), Array(8).fill(1), 1e-5, 1e-6, 'rows');
  // Each round moves the prototype masses toward B/K = 2; after many rounds they are there.
  const converged = sinkhornKnopp(t2(scores), { epsilon: 0.1, iterations: 200 });
  assertClose(tf.sum(converged, 0), Array(4).fill(2), 1e-3, 1e-4, 'columns after 200 rounds');
  tf.dispose([q, converged]);
});

test('hand-checked: equal scores give the uniform assignment 1/K', () => {
  const q = sinkhornKnopp(tf.fill([6, 3], 0.7) as tf.Tensor2D);
  assertClose(q, Array(18).fill(1 / 3), 1e-6, 1e-7);
  q.dispose();
});

test('is stable for tiny epsilon: no overflow, no NaN, no gradient', () => {
  const s = t2(randn(16, 10, 32).map((r) => r.map(Math.tanh)));
  for (const eps of [0.01, 0.001, 1e-4]) {
    const q = sinkhornKnopp(s, { epsilon: eps, iterations: 3 });
    const v = Array.from(q.dataSync());
    assert.ok(v.every(Number.isFinite), `epsilon ${eps}`);
    assertClose(tf.sum(q, 1), Array(16).fill(1), 1e-5, 1e-5, `rows at epsilon ${eps}`);
    q.dispose();
  }
  const g = tf.grad((x: tf.Tensor) => tf.sum(tf.mul(sinkhornKnopp(x as tf.Tensor2D), x)))(s);
  // d/dx sum(Q * x) with Q held constant is Q itself.
  assertClose(g, sinkhornKnopp(s), 1e-6, 1e-7, 'codes carry no gradient');
  tf.dispose([s, g]);
});

test('errors are fixed-form; no leak', () => {
  assert.throws(() => sinkhornKnopp(tf.zeros([3]) as never), { message: 'Error in sinkhornKnopp: scores must be 2-D [B, K], but got shape [3]' });
  const s = tf.zeros([3, 2]) as tf.Tensor2D;
  assert.throws(() => sinkhornKnopp(s, { epsilon: -1 }), { message: 'Error in sinkhornKnopp: epsilon must be a positive number, but got -1' });
  assert.throws(() => sinkhornKnopp(s, { iterations: 1.5 }), { message: 'Error in sinkhornKnopp: iterations must be a non-negative integer, but got 1.5' });
  assertNoLeak(() => sinkhornKnopp(s));
  s.dispose();
});
