import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { randomGrayscale } from '../../src/augment/random-grayscale';
import { rgbToGrayscale } from '../../src/augment/rgb-to-grayscale';
import { assertBinomial, assertNoLeak, maxAbsDiff, randomImages, useWasm } from './helpers';

before(useWasm);

test('Does a greyscale image have three equal channels equal to the luma 0.2989 R + 0.587 G + 0.114 B?', () => {
  const x = tf.tensor4d([1, 0, 0, 0, 1, 0, 0, 0, 1, 0.2, 0.4, 0.6], [1, 2, 2, 3]);
  const y = randomGrayscale(x, { p: 1, seed: 0 });
  const v = y.arraySync()[0].flat();
  [0.2989, 0.587, 0.114, 0.2989 * 0.2 + 0.587 * 0.4 + 0.114 * 0.6].forEach((l, i) => {
    v[i].forEach((c) => assert.ok(Math.abs(c - l) < 1e-6));
  });
  assert.deepEqual(rgbToGrayscale(x).shape, [1, 2, 2, 1]);
  tf.dispose([x, y]);
});

test('Is each sample turned grey with probability p, the others untouched?', () => {
  const x = randomImages([1000, 2, 2, 3], 1);
  const y = randomGrayscale(x, { p: 0.2, seed: 4 });
  const [grey, same] = tf.tidy(() => {
    const spread = y.max(-1).sub(y.min(-1)).max([1, 2]); // 0 for grey samples
    const unchanged = y.sub(x).abs().max([1, 2, 3]).equal(0);
    return [spread.equal(0).sum().dataSync()[0], unchanged.sum().dataSync()[0]];
  });
  assertBinomial(grey, 1000, 0.2, 'greyscale rate');
  assert.equal(grey + same, 1000);
  assertNoLeak(() => randomGrayscale(x, { seed: 1 }));
  const again = randomGrayscale(x, { p: 0.2, seed: 4 });
  assert.equal(maxAbsDiff(again, y), 0);
  tf.dispose([x, y, again]);
});
