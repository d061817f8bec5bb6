import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { Prototypes, defaultPrototypesConfig } from '../../src/models/prototypes';
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

test('frozen for the first freezePrototypesSteps steps; trainable after; gradients reach the weights', () => {
  const p = new Prototypes({ dim: 4, numPrototypes: 5, freezePrototypesSteps: 3, seed: 1 });
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

test('Prototypes takes a config: 512 unfrozen by default, the recipe\'s name freezePrototypesSteps, unknown keys refused', () => {
  const p = new Prototypes({ dim: 8 });
  assert.deepEqual(p.config, { ...defaultPrototypesConfig(), dim: 8 });
  assert.deepEqual(p.weight.shape, [512, 8]);
  assert.equal(p.isFrozen(0), false);
  p.dispose();
  assert.throws(() => new Prototypes({ dim: 8, freezeSteps: 3 } as never), { message: /^Unknown config key: freezeSteps \(Prototypes accepts dim, numPrototypes, freezePrototypesSteps, seed\)/ });
  assert.throws(() => new Prototypes({ dim: 8, freezePrototypesSteps: -1 }), { message: 'Error in Prototypes: freezePrototypesSteps must be a non-negative integer, but got -1' });
});
