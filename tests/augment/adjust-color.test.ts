import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation } from '../../src/augment/adjust-color';
import { assertNoLeak, maxAbsDiff, randomImages, useWasm } from './helpers';

before(useWasm);

const constant = (rgb: number[], n = 2) => tf.tidy(() => tf.tensor1d(rgb).reshape([1, 1, 1, 3]).tile([n, 4, 4, 1]) as tf.Tensor4D);

test('Are hue shifts of 0 and of one full turn the identity?', () => {
  const x = randomImages([3, 8, 8, 3], 1);
  for (const shift of [0, 1, -1]) {
    const y = adjustHue(x, shift);
    assert.ok(maxAbsDiff(x, y) < 1e-5, `shift ${shift}`);
    y.dispose();
  }
  x.dispose();
});

test('Does a third of a turn map red to green to blue, and do shifts add up?', () => {
  const x = tf.tidy(() => tf.tensor2d([[1, 0, 0], [0, 1, 0], [0, 0, 1]]).reshape([1, 1, 3, 3]) as tf.Tensor4D);
  const y = adjustHue(x, 1 / 3);
  const want = tf.tensor2d([[0, 1, 0], [0, 0, 1], [1, 0, 0]]).reshape([1, 1, 3, 3]);
  assert.ok(maxAbsDiff(y, want) < 1e-5);
  const z = randomImages([2, 6, 6, 3], 2);
  const twice = tf.tidy(() => adjustHue(adjustHue(z, 0.15), 0.2));
  const once = adjustHue(z, 0.35);
  assert.ok(maxAbsDiff(twice, once) < 1e-4);
  tf.dispose([x, y, want, z, twice, once]);
});

test('Does a hue rotation keep each pixel max and min (value and saturation)?', () => {
  const x = randomImages([2, 8, 8, 3], 3);
  const y = adjustHue(x, [0.3, -0.45]);
  assert.ok(tf.tidy(() => maxAbsDiff(x.max(-1), y.max(-1))) < 1e-5);
  assert.ok(tf.tidy(() => maxAbsDiff(x.min(-1), y.min(-1))) < 1e-5);
  assert.ok(maxAbsDiff(x, y) > 0.1);
  tf.dispose([x, y]);
});

test('Do brightness and contrast act as expected on constant images?', () => {
  const c = constant([0.2, 0.4, 0.6]);
  const bright = adjustBrightness(c, [0.5, 2]).arraySync();
  assert.deepEqual(bright[0][0][0].map((v) => +v.toFixed(5)), [0.1, 0.2, 0.3]);
  assert.deepEqual(bright[1][0][0].map((v) => +v.toFixed(5)), [0.4, 0.8, 1]); // clipped at 1
  const grey = constant([0.3, 0.3, 0.3]);
  // a constant grey image has nothing to stretch: any contrast factor leaves it (almost) unchanged
  const stretched = adjustContrast(grey, [0, 3]);
  assert.ok(maxAbsDiff(stretched, grey) < 1e-4);
  // contrast 0 turns any image into its mean grey level everywhere
  const x = randomImages([2, 4, 4, 3], 4);
  const flat = adjustContrast(x, 0);
  const mean = tf.tidy(() => x.mul(tf.tensor1d([0.2989, 0.587, 0.114])).sum(-1).mean([1, 2]));
  const flatValues = flat.arraySync();
  const means = mean.arraySync() as number[];
  flatValues.forEach((img, i) => img.flat(2).forEach((v) => assert.ok(Math.abs(v - means[i]) < 1e-5)));
  tf.dispose([c, grey, stretched, x, flat, mean]);
});

test('Does saturation 0 give grey pixels and leave grey images alone?', () => {
  const x = randomImages([2, 4, 4, 3], 5);
  const y = adjustSaturation(x, 0);
  const [r, g, b] = tf.split(y, 3, -1);
  assert.ok(maxAbsDiff(r, g) < 1e-6 && maxAbsDiff(g, b) < 1e-6);
  const grey = constant([0.7, 0.7, 0.7]);
  const same = adjustSaturation(grey, [0.2, 1.8]);
  assert.ok(maxAbsDiff(same, grey) < 1e-4);
  tf.dispose([x, y, r, g, b, grey, same]);
});

test('Are the adjustments leak-free and is a wrong factor count rejected?', () => {
  const x = randomImages([3, 4, 4, 3], 6);
  assertNoLeak(() => adjustHue(x, 0.2));
  assertNoLeak(() => adjustContrast(x, [0.5, 1, 1.5]));
  assert.throws(() => adjustSaturation(x, [1, 2]), { message: 'Error in adjustSaturation: expected 3 factors (one per sample), but got 2' });
  assert.throws(() => adjustHue(tf.zeros([1, 2, 2, 1]) as tf.Tensor4D, 0), {
    message: 'Error in adjustHue: x must be a [B, H, W, 3] image batch, but got shape [1,2,2,1]',
  });
  x.dispose();
});
