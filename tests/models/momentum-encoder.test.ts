import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { MomentumEncoder, cosineMomentum, emaUpdate } from '../../src/models/momentum-encoder';
import { ProjectionHead } from '../../src/models/projection-head';
import { assertClose, randn, t2, useCpu } from '../losses/helpers';

before(useCpu);

const small = (seed: number) => new ProjectionHead({ inputDim: 4, hiddenDim: 8, outputDim: 3, seed });

test('starts as an exact copy of the online module and has nothing to train', () => {
  const online = small(1);
  const key = new MomentumEncoder(online, () => small(99));
  const x = t2(randn(5, 4, 1));
  assertClose(key.apply(x), online.apply(x), 0, 0);
  assert.deepEqual(key.trainableVariables, []);
  assert.equal(key.momentum, 0.99);
  key.dispose();
  online.dispose();
  x.dispose();
});

test('update is theta_k <- m theta_k + (1 - m) theta_q, variable by variable', () => {
  const online = small(1);
  const key = new MomentumEncoder(online, () => small(2), { momentum: 0.9 });
  // move the online weights so the two differ
  tf.tidy(() => online.trainableVariables.forEach((v, i) => v.assign(tf.add(v, i + 1))));
  const before = key.target.trainableVariables.map((v) => Array.from(v.dataSync()));
  const onlineValues = online.trainableVariables.map((v) => Array.from(v.dataSync()));
  key.update();
  key.target.trainableVariables.forEach((v, i) => {
    const expected = before[i].map((t, j) => 0.9 * t + 0.1 * onlineValues[i][j]);
    assertClose(v, expected, 1e-6, 1e-6, `variable ${i}`);
  });
  // m = 0 copies, m = 1 freezes
  key.update(1);
  key.target.trainableVariables.forEach((v, i) => assert.notDeepEqual(Array.from(v.dataSync()), onlineValues[i]));
  emaUpdate(key.target, online, 0);
  key.target.trainableVariables.forEach((v, i) => assertClose(v, onlineValues[i], 0, 0));
  key.dispose();
  online.dispose();
});

test('repeated updates converge geometrically: distance shrinks by m each step', () => {
  const online = small(1);
  const key = new MomentumEncoder(online, () => small(2), { momentum: 0.5 });
  tf.tidy(() => online.trainableVariables.forEach((v) => v.assign(tf.add(v, 1))));
  const gap = () => tf.tidy(() => tf.sum(tf.abs(tf.sub(key.target.trainableVariables[0], online.trainableVariables[0]))).dataSync()[0]);
  const g0 = gap();
  key.update();
  const g1 = gap();
  key.update();
  assertClose([g1, gap()], [0.5 * g0, 0.25 * g0], 1e-5, 1e-6);
  key.dispose();
  online.dispose();
});

test('BYOL cosine momentum schedule; bad arguments fail clearly', () => {
  assert.equal(cosineMomentum(0, 100, 0.996), 0.996);
  assertClose(cosineMomentum(50, 100, 0.996), 0.998, 1e-12, 1e-12);
  assert.equal(cosineMomentum(100, 100, 0.996), 1);
  const online = small(1);
  const other = new ProjectionHead({ inputDim: 4, hiddenDim: 8, outputDim: 3, numLayers: 3, seed: 1 });
  assert.throws(() => emaUpdate(other, online, 0.9), { message: 'Error in emaUpdate: target and online must have the same variables, but got 8 and 5' });
  assert.throws(() => emaUpdate(online, online, 1.5), { message: 'Error in emaUpdate: momentum must be in [0, 1], but got 1.5' });
  assert.throws(() => new MomentumEncoder(online, () => small(2), { m: 0.9 } as never), { message: /^Unknown config key: m \(MomentumEncoder accepts momentum\)/ });
  assert.throws(() => new MomentumEncoder(online, () => small(2), { momentum: 1.1 }), { message: 'Error in MomentumEncoder: momentum must be in [0, 1], but got 1.1' });
  online.dispose();
  other.dispose();
});
