import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { composeAugmentations } from '../../src/augment/compose-augmentations';
import { randomResizedCrop } from '../../src/augment/random-resized-crop';
import { assertBinomial, assertNoLeak, maxAbsDiff, randomImages, useWasm } from './helpers';

before(useWasm);

const invert = (x: tf.Tensor4D) => tf.tidy(() => tf.scalar(1).sub(x) as tf.Tensor4D);

test('Is each step applied to each sample with its probability?', () => {
  const x = randomImages([1000, 1, 1, 1], 1, 0, 0.5);
  const pipeline = composeAugmentations([
    { name: 'never', p: 0, apply: (y) => y.add(10) as tf.Tensor4D },
    { name: 'invert', p: 0.3, apply: invert },
  ]);
  const y = pipeline(x, 5);
  const inverted = tf.tidy(() => y.greater(0.5).sum().dataSync()[0]);
  assertBinomial(inverted, 1000, 0.3, 'step rate');
  assert.equal(tf.tidy(() => y.max().dataSync()[0]) <= 1, true, 'the p = 0 step never ran');
  tf.dispose([x, y]);
});

test('Does every step get its own seed from the pipeline seed (same seed, same result)?', () => {
  const x = randomImages([8, 16, 16, 3], 2);
  const seeds: number[] = [];
  const record = (y: tf.Tensor4D, seed: number) => {
    seeds.push(seed);
    return y.clone();
  };
  const pipeline = composeAugmentations([
    { name: 'crop', apply: (y, seed) => randomResizedCrop(y, { size: 8, seed }) },
    { name: 'a', apply: record },
    { name: 'b', apply: record },
  ]);
  const a = pipeline(x, 1);
  const b = pipeline(x, 1);
  const c = pipeline(x, 2);
  assert.deepEqual(a.shape, [8, 8, 8, 3]);
  assert.equal(maxAbsDiff(a, b), 0);
  assert.ok(maxAbsDiff(a, c) > 0);
  assert.equal(seeds[0], seeds[2]);
  assert.notEqual(seeds[0], seeds[1]);
  assertNoLeak(() => pipeline(x, 3));
  const empty = composeAugmentations([])(x, 0);
  assert.equal(maxAbsDiff(empty, x), 0);
  assert.notEqual(empty, x);
  tf.dispose([x, a, b, c, empty]);
});

test('Is a size-changing step with p < 1 rejected?', () => {
  const x = randomImages([4, 8, 8, 3], 3);
  const pipeline = composeAugmentations([{ name: 'crop', p: 0.5, apply: (y, seed) => randomResizedCrop(y, { size: 4, seed }) }]);
  assert.throws(() => pipeline(x, 0), {
    message: "Error in composeAugmentations (step 'crop'): an op applied with probability < 1 must keep the image shape [8,8,3], but it gave [4,4,3]",
  });
  assert.throws(() => composeAugmentations([{ name: 'x', p: 1.5, apply: invert }]), {
    message: "Error in composeAugmentations: p of step 'x' must be in [0, 1], but got 1.5",
  });
  x.dispose();
});
