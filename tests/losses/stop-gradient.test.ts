import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { stopGradient } from '../../src/losses';
import { assertNoLeak, useCpu } from './helpers';

before(useCpu);

test('Issue 13: is stopGradient public, the identity forward, and a zero gradient backward (torch .detach())?', () => {
  const x = tf.tensor2d([[1, -2], [3, 0.5]]);
  const y = stopGradient(x);
  assert.deepEqual(y.shape, [2, 2]);
  assert.deepEqual(Array.from(y.dataSync()), [1, -2, 3, 0.5]);
  // d/dx sum(x * sg(x)) = sg(x): only the live branch carries gradient
  const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(a, stopGradient(a))))(x);
  assert.deepEqual(Array.from(g.dataSync()), [1, -2, 3, 0.5]);
  const gOnly = tf.grad((a: tf.Tensor) => tf.sum(tf.square(stopGradient(a))))(x);
  assert.deepEqual(Array.from(gOnly.dataSync()), [0, 0, 0, 0]);
  assertNoLeak(() => stopGradient(x));
  tf.dispose([x, y, g, gOnly]);
});
