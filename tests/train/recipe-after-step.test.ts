import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/backend/use-backend';
import { fit } from '../../src/train/fit';
import { moco } from '../../src/train/recipes/moco';
import { byol } from '../../src/train/recipes/byol';
import { swav } from '../../src/train/recipes/swav';
import { shapesData } from './recipe-builds';
import { TinyEncoder } from './helpers';

// What each recipe does after the optimiser step, checked against its definition.
const quiet = () => {};
before(async () => {
  await useBackend('cpu', { log: quiet });
});

const values = (vars: tf.Variable[]) => vars.map((v) => Float32Array.from(v.dataSync()));
const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
};

/** Each `after` weight is m·before + (1 − m)·online, element by element. */
function assertEma(after: Float32Array[], before: Float32Array[], online: Float32Array[], m: number, what: string): void {
  after.forEach((a, i) => {
    const expected = a.map((_, j) => m * before[i][j] + (1 - m) * online[i][j]);
    assert.ok(maxDiff(a, expected) < 1e-5, `${what} weight ${i}: EMA with m = ${m}`);
  });
}

test('MoCo: after a step the key encoder is m·old + (1 − m)·online, and the batch\'s keys are enqueued at the pointer, nothing else', async () => {
  const { x, data } = shapesData();
  const enc = new TinyEncoder(1);
  const recipe = moco(enc, () => new TinyEncoder(99), { queueSize: 64, momentum: 0.9, projection: { hiddenDim: 16, outputDim: 8 }, seed: 5 });
  const keyBefore = values(recipe.keyEncoder.target.trainableVariables);
  const queueBefore = Float32Array.from(recipe.queue.keys.dataSync());
  await fit({ ...recipe, data, config: { numSteps: 1, lr: 1e-2, progress: false }, log: quiet });
  const online = values(recipe.keyEncoder.online.trainableVariables);
  const keyAfter = values(recipe.keyEncoder.target.trainableVariables);
  assertEma(keyAfter, keyBefore, online, 0.9, 'key');
  assert.ok(keyAfter.some((a, i) => maxDiff(a, keyBefore[i]) > 1e-6), 'the key encoder moved');
  assert.equal(recipe.queue.pointer, 16, 'one batch of 16 keys enqueued');
  const queueAfter = recipe.queue.keys.dataSync();
  const d = 8;
  assert.ok(maxDiff(queueAfter.subarray(0, 16 * d), queueBefore.subarray(0, 16 * d)) > 1e-3, 'rows 0..15 hold the new keys');
  assert.equal(maxDiff(queueAfter.subarray(16 * d), queueBefore.subarray(16 * d)), 0, 'the other 48 rows are untouched');
  for (let r = 0; r < 16; r++) {
    const row = queueAfter.subarray(r * d, (r + 1) * d);
    assert.ok(Math.abs(Math.hypot(...row) - 1) < 1e-5, `enqueued key ${r} is a unit vector`);
  }
  recipe.dispose();
  enc.dispose();
  x.dispose();
});

test('BYOL: after a step the target network is m·old + (1 − m)·online', async () => {
  const { x, data } = shapesData();
  const enc = new TinyEncoder(1);
  const recipe = byol(enc, () => new TinyEncoder(7), { momentum: 0.8, projection: { hiddenDim: 16, outputDim: 8 }, prediction: { hiddenDim: 16 }, seed: 5 });
  const targetBefore = values(recipe.target.target.trainableVariables);
  await fit({ ...recipe, data, config: { numSteps: 1, lr: 1e-2, progress: false }, log: quiet });
  const online = values(recipe.target.online.trainableVariables);
  assertEma(values(recipe.target.target.trainableVariables), targetBefore, online, 0.8, 'target');
  recipe.dispose();
  enc.dispose();
  x.dispose();
});

test('SwAV: the prototypes do not move while frozen, move after, and are unit vectors after every step', async () => {
  const { x, data } = shapesData();
  const enc = new TinyEncoder(1);
  const recipe = swav(enc, { numPrototypes: 10, freezePrototypesSteps: 2, crops: { numLocal: 2 }, projection: { hiddenDim: 16, outputDim: 8 }, seed: 5 });
  const start = Float32Array.from(recipe.prototypes.weight.dataSync());
  const unitRows = () => {
    const w = recipe.prototypes.weight.dataSync();
    for (let k = 0; k < 10; k++) assert.ok(Math.abs(Math.hypot(...w.subarray(k * 8, (k + 1) * 8)) - 1) < 1e-5, `prototype ${k} has length 1`);
  };
  unitRows();
  const moved: number[] = [];
  await fit({
    ...recipe, data, config: { numSteps: 4, lr: 1e-1, progress: false }, log: quiet,
    callbacks: { onStep: () => { moved.push(maxDiff(recipe.prototypes.weight.dataSync(), start)); unitRows(); } },
  });
  assert.ok(moved[0] < 1e-6 && moved[1] < 1e-6, `frozen for steps 0 and 1 (moved ${moved.slice(0, 2)})`);
  assert.ok(moved[3] > 1e-4, `trained from step 2 on (moved ${moved[3]} by step 3)`);
  recipe.dispose();
  enc.dispose();
  x.dispose();
});

test('SwAV defaults suit a lesson: 2 x 16 + 2 x 8 crops, 50 frozen steps; a crops override keeps the other crop defaults', () => {
  const enc = new TinyEncoder(1);
  const plain = swav(enc, { projection: { hiddenDim: 16, outputDim: 8 } });
  assert.deepEqual(plain.recipeConfig.crops, { numLocal: 2, globalSize: 16, localSize: 8 });
  assert.equal(plain.recipeConfig.freezePrototypesSteps, 50);
  const one = swav(enc, { crops: { numLocal: 1 }, projection: { hiddenDim: 16, outputDim: 8 } });
  assert.deepEqual(one.recipeConfig.crops, { numLocal: 1, globalSize: 16, localSize: 8 });
  const loss = tf.tidy(() => one.loss({ x: tf.randomUniform([4, 32, 32, 3]) as tf.Tensor4D }, 0) as tf.Scalar);
  assert.ok(Number.isFinite(loss.dataSync()[0]), 'one local crop gives a finite loss');
  tf.dispose(loss);
  plain.dispose();
  one.dispose();
  enc.dispose();
});
