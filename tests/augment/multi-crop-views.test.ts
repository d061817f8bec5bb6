import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { multiCropViews } from '../../src/augment/multi-crop-views';
import { assertNoLeak, maxAbsDiff, randomImages, useWasm } from './helpers';

before(useWasm);

test('Does multi-crop give 2 global and N small views of the SwAV sizes?', () => {
  const x = randomImages([4, 32, 32, 3], 1);
  const { global, local } = multiCropViews(x, { seed: 1, numLocal: 3 });
  assert.deepEqual(global.map((v) => v.shape), [[4, 32, 32, 3], [4, 32, 32, 3]]);
  assert.deepEqual(local.map((v) => v.shape), [[4, 16, 16, 3], [4, 16, 16, 3], [4, 16, 16, 3]]);
  const again = multiCropViews(x, { seed: 1, numLocal: 3 });
  [...global, ...local].forEach((v, i) => assert.equal(maxAbsDiff(v, [...again.global, ...again.local][i]), 0));
  assert.equal(multiCropViews(x, { seed: 2 }).local.length, 6);
  assertNoLeak(() => {
    const v = multiCropViews(x, { seed: 3, numLocal: 2, localSize: 12 });
    return [...v.global, ...v.local];
  });
  tf.dispose([x, ...global, ...local, ...again.global, ...again.local]);
});

test('Do global and small crops cover (0.14, 1) and (0.05, 0.14) of the image?', () => {
  // a ramp image reveals each crop's extent: span of column / (W - 1) and of row / (H - 1)
  const n = 200;
  const ramp = tf.tidy(() => {
    const cols = tf.linspace(0, 1, 32).reshape([1, 1, 32, 1]).tile([n, 32, 1, 1]);
    const rows = tf.linspace(0, 1, 32).reshape([1, 32, 1, 1]).tile([n, 1, 32, 1]);
    return tf.concat([cols, rows, tf.zerosLike(cols)], 3) as tf.Tensor4D;
  });
  const { global, local } = multiCropViews(ramp, { seed: 5, numLocal: 1, jitterP: 0, grayscaleP: 0 });
  const areas = (v: tf.Tensor4D) =>
    tf.tidy(() => {
      const span = v.max([1, 2]).sub(v.min([1, 2])); // [n, 3]
      const [w, h] = tf.split(span, [1, 1, 1], 1);
      // span (w - 1) / 31 per axis -> pixels w = 31 span + 1
      return Array.from(w.mul(31).add(1).mul(h.mul(31).add(1)).div(1024).dataSync());
    });
  const g = areas(global[0]);
  const l = areas(local[0]);
  assert.ok(Math.min(...g) >= 0.12 && Math.max(...g) <= 1 + 1e-5, `global ${Math.min(...g)}..${Math.max(...g)}`);
  assert.ok(Math.min(...l) >= 0.035 && Math.max(...l) <= 0.16, `local ${Math.min(...l)}..${Math.max(...l)}`);
  assert.ok(Math.max(...g) > 0.8 && Math.max(...l) > 0.1);
  tf.dispose([ramp, ...global, ...local]);
});
