import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../src/backend/seed';
import { cropAndResizeBoxes, randomResizedCrop, randomResizedCropBoxes } from '../../src/augment/random-resized-crop';
import { assertNoLeak, maxAbsDiff, randomImages, range, useWasm } from './helpers';

before(useWasm);

test('Do the crop boxes respect the scale and ratio ranges and stay inside the image?', () => {
  const boxes = randomResizedCropBoxes(2000, 256, 256, [0.2, 1], [3 / 4, 4 / 3], createRng(0));
  const areas = boxes.map((b) => (b.width * b.height) / (256 * 256));
  const ratios = boxes.map((b) => b.width / b.height);
  for (const b of boxes) {
    assert.ok(b.top >= 0 && b.left >= 0 && b.top + b.height <= 256 && b.left + b.width <= 256);
  }
  assert.ok(Math.min(...areas) >= 0.2 - 0.01 && Math.max(...areas) <= 1, `areas ${Math.min(...areas)}..${Math.max(...areas)}`);
  assert.ok(Math.min(...areas) < 0.22 && Math.max(...areas) > 0.95, 'the whole range is used');
  assert.ok(Math.min(...ratios) >= 0.75 - 0.01 && Math.max(...ratios) <= 4 / 3 + 0.01);
  // small scales on a 32 x 32 image, as SwAV's local crops
  const small = randomResizedCropBoxes(500, 32, 32, [0.05, 0.14], [3 / 4, 4 / 3], createRng(1));
  for (const b of small) {
    const a = (b.width * b.height) / 1024;
    assert.ok(a >= 0.03 && a <= 0.17, `area ${a}`);
  }
});

test('Does an impossible ratio fall back to a centre crop clamped to the ratio?', () => {
  const [box] = randomResizedCropBoxes(1, 10, 40, [1, 1], [1, 1], createRng(0));
  assert.deepEqual(box, { top: 0, left: 15, height: 10, width: 10 });
});

test('Does the op crop exactly the drawn boxes (read back from a ramp image)?', () => {
  // channel 0 = column / (W - 1), channel 1 = row / (H - 1)
  const H = 32;
  const ramp = tf.tidy(() => {
    const cols = tf.linspace(0, 1, H).reshape([1, 1, H, 1]).tile([4, H, 1, 1]);
    const rows = tf.linspace(0, 1, H).reshape([1, H, 1, 1]).tile([4, 1, H, 1]);
    return tf.concat([cols, rows, tf.zerosLike(cols)], 3) as tf.Tensor4D;
  });
  const y = randomResizedCrop(ramp, { size: 16, scale: [0.1, 0.9], seed: 5 });
  const boxes = randomResizedCropBoxes(4, H, H, [0.1, 0.9], [3 / 4, 4 / 3], createRng(5));
  const v = y.arraySync();
  boxes.forEach((b, i) => {
    assert.ok(Math.abs(v[i][0][0][0] - b.left / (H - 1)) < 1e-5);
    assert.ok(Math.abs(v[i][0][15][0] - (b.left + b.width - 1) / (H - 1)) < 1e-5);
    assert.ok(Math.abs(v[i][0][0][1] - b.top / (H - 1)) < 1e-5);
    assert.ok(Math.abs(v[i][15][0][1] - (b.top + b.height - 1) / (H - 1)) < 1e-5);
  });
  tf.dispose([ramp, y]);
});

test('Is a whole-image box at the same size the identity?', () => {
  const x = randomImages([2, 8, 8, 3], 1);
  const y = cropAndResizeBoxes(x, [{ top: 0, left: 0, height: 8, width: 8 }, { top: 0, left: 0, height: 8, width: 8 }], [8, 8]);
  // up to the last row and column, which are sampled 7 / 2^21 pixels inside the edge (normalisedBox)
  assert.ok(maxAbsDiff(x, y) < 4e-6);
  tf.dispose([x, y]);
});

test('Is it seeded, shaped [B, size, size, C], in [0, 1] and leak-free?', () => {
  const x = randomImages([6, 32, 32, 3], 2);
  const a = randomResizedCrop(x, { size: 16, seed: 1 });
  const b = randomResizedCrop(x, { size: 16, seed: 1 });
  const c = randomResizedCrop(x, { size: 16, seed: 2 });
  assert.deepEqual(a.shape, [6, 16, 16, 3]);
  assert.equal(maxAbsDiff(a, b), 0);
  assert.ok(maxAbsDiff(a, c) > 0.1);
  const [lo, hi] = range(a);
  assert.ok(lo >= 0 && hi <= 1);
  assert.deepEqual(randomResizedCrop(x, { seed: 0 }).shape, [6, 32, 32, 3]);
  assertNoLeak(() => randomResizedCrop(x, { size: [20, 24], seed: 3 }));
  tf.dispose([x, a, b, c]);
});

test('Are bad arguments rejected with fixed-form messages?', () => {
  const x = randomImages([1, 8, 8, 3], 0);
  assert.throws(() => randomResizedCrop(x, { scale: [0.5, 0.2], seed: 0 }), {
    message: 'Error in randomResizedCrop: scale must satisfy 0 < lo <= hi <= 1, but got [0.5, 0.2]',
  });
  assert.throws(() => randomResizedCrop(tf.zeros([8, 8, 3]) as never, { seed: 0 }), {
    message: 'Error in randomResizedCrop: x must be a [B, H, W, C] image batch, but got shape [8,8,3]',
  });
  x.dispose();
});
