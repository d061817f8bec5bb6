import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { denormalizeImages, normalizeImages } from '../../src/augment/normalize-images';
import { CIFAR10_MEAN } from '../../src/data/cifar10';
import { assertNoLeak, maxAbsDiff, randomImages, useWasm } from './helpers';

before(useWasm);

test('Does normalizeImages compute (x - mean) / std per channel, and denormalizeImages undo it?', () => {
  const x = tf.tidy(() => tf.tensor1d([...CIFAR10_MEAN]).reshape([1, 1, 1, 3]).tile([2, 2, 2, 1]) as tf.Tensor4D);
  const z = normalizeImages(x);
  assert.ok(tf.tidy(() => z.abs().max().dataSync()[0]) < 1e-6, 'the mean maps to 0');
  const y = normalizeImages(tf.ones([1, 1, 1, 2]) as tf.Tensor4D, { mean: [0.5, 0], std: [0.25, 2] });
  assert.deepEqual(Array.from(y.dataSync()), [2, 0.5]);
  const r = randomImages([2, 4, 4, 3], 1);
  const back = denormalizeImages(normalizeImages(r));
  assert.ok(maxAbsDiff(back, r) < 1e-6);
  assertNoLeak(() => normalizeImages(r));
  assert.throws(() => normalizeImages(r, { mean: [0.5], std: [0.5] }), {
    message: 'Error in normalizeImages: mean and std need 3 values (one per channel), but got 1 and 1',
  });
  tf.dispose([x, z, y, r, back]);
});
