import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { hsvToRgb, rgbToHsv } from '../../src/augment/rgb-hsv';
import { maxAbsDiff, randomImages, useWasm } from './helpers';

before(useWasm);

test('Does rgbToHsv give the textbook values (Python colorsys)?', () => {
  const rgb = tf.tensor2d([
    [1, 0, 0], [0, 1, 0], [0, 0, 1], [0.5, 0.5, 0.5], [0, 0, 0], [0.2, 0.4, 0.6], [1, 1, 0], [0.9, 0.1, 0.5],
  ]);
  const hsv = rgbToHsv(rgb).arraySync();
  // colorsys.rgb_to_hsv of each row
  const want = [
    [0, 1, 1], [1 / 3, 1, 1], [2 / 3, 1, 1], [0, 0, 0.5], [0, 0, 0], [0.5833333, 0.6666667, 0.6], [1 / 6, 1, 1], [0.9166667, 0.8888889, 0.9],
  ];
  hsv.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - want[i][j]) < 1e-5, `row ${i}: ${row} vs ${want[i]}`)));
  tf.dispose(rgb);
});

test('Is hsvToRgb the inverse of rgbToHsv?', () => {
  const x = randomImages([4, 8, 8, 3], 1);
  const back = hsvToRgb(rgbToHsv(x));
  assert.deepEqual(back.shape, x.shape);
  assert.ok(maxAbsDiff(back, x) < 1e-5);
  tf.dispose([x, back]);
});
