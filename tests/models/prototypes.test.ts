import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Prototypes } from '../../src/models/prototypes';
import { assertClose, assertNoLeak, randn, t2, useCpu } from '../losses/helpers';
import { assertGradientsReachAll } from './helpers';

before(useCpu);

test('scores are z . c_k; normalize() makes every prototype a unit vector and keeps its direction', () => {
  const p = new Prototypes({ dim: 4, numPrototypes: 5, seed: 1 });
  const w = p.weight.arraySync() as number[][];
  const z = t2(randn(3, 4, 1));
  const expected = (z.arraySync() as number[][]).map((row) => w.map((c) => c.reduce((s, v, i) => s + v * row[i], 0)));
  assertClose(p.apply(z), expected, 1e-5, 1e-6);
  p.normalize();
  assertClose(tf.sum(tf.square(p.weight), 1), Array(5).fill(1), 1e-6, 1e-6);
  const n = p.weight.arraySync() as number[][];
  n.forEach((row, k) => {
    const len = Math.hypot(...w[k]);
    assertClose(row, w[k].map((v) => v / len), 1e-5, 1e-6, `prototype ${k}`);
  });
  assertNoLeak(() => p.apply(z));
  const before = tf.memory().numTensors;
  p.normalize();
  assert.equal(tf.memory().numTensors, before);
  p.dispose();
  z.dispose();
});

test('frozen for the first freezeSteps steps; trainable after; gradients reach the weights', () => {
  const p = new Prototypes({ dim: 4, numPrototypes: 5, freezeSteps: 3, seed: 1 });
  assert.deepEqual([0, 2, 3].map((s) => p.isFrozen(s)), [true, true, false]);
  assert.deepEqual(p.trainableVariablesAt(0), []);
  assert.deepEqual(p.trainableVariablesAt(3), [p.weight]);
  const z = t2(randn(3, 4, 2));
  assertGradientsReachAll(p, () => tf.sum(tf.square(p.apply(z))));
  assert.throws(() => p.apply(t2([[1, 2]])), { message: 'Error in Prototypes: input must be [B, 4], but got shape [1,2]' });
  assert.equal(new Prototypes({ dim: 8, seed: 1 }).numPrototypes, 512);
  p.dispose();
  z.dispose();
});
