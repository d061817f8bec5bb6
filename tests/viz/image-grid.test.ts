import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { imageGrid, imageGridPng, imageGridSummary, pngBundle } from '../../src/viz';
import { assertNoLeak, captureWriter } from './helpers';

/** RGB of pixel (x, y) of a decoded PNG. */
const rgb = (png: PNG, x: number, y: number) => Array.from(png.data.subarray(4 * (y * png.width + x), 4 * (y * png.width + x) + 3));

test('a batch is laid out nrow per row, padded, scaled by nearest neighbour, values mapped to 0..255', () => {
  // 3 images of 2x2 RGB; image i has constant colour (i/2, 0.5, 1 - i/2), except pixel (0,0) of image 0 is black.
  const data: number[] = [];
  for (let i = 0; i < 3; i++) for (let p = 0; p < 4; p++) data.push(...(i === 0 && p === 0 ? [0, 0, 0] : [i / 2, 0.5, 1 - i / 2]));
  const x = tf.tensor4d(data, [3, 2, 2, 3]);
  const png = PNG.sync.read(imageGridPng(x, { nrow: 2, padding: 1, scale: 3 }));
  // width = pad + 2 * (6 + pad) = 15; height = pad + 2 rows * (6 + pad) = 15
  assert.equal(png.width, 15);
  assert.equal(png.height, 15);
  assert.deepEqual(rgb(png, 0, 0), [255, 255, 255], 'padding is white');
  assert.deepEqual(rgb(png, 1, 1), [0, 0, 0], 'pixel (0,0) of image 0, scaled 3x');
  assert.deepEqual(rgb(png, 3, 3), [0, 0, 0]);
  assert.deepEqual(rgb(png, 4, 1), [0, 128, 255], 'pixel (1,0) of image 0: round(0.5 * 255) = 128');
  assert.deepEqual(rgb(png, 8, 1), [128, 128, 128], 'image 1 starts at x = 1 + 6 + 1');
  assert.deepEqual(rgb(png, 1, 8), [255, 128, 0], 'image 2 starts the second row');
  assert.deepEqual(rgb(png, 8, 8), [255, 255, 255], 'the empty cell stays background');
  x.dispose();
});

test('grey images are drawn grey, values are clipped, scale auto makes 32x32 images 64x64', () => {
  const g = tf.tensor4d([-0.5, 0.25, 1.5, 1], [1, 2, 2, 1]);
  const png = PNG.sync.read(imageGridPng(g, { padding: 0, scale: 1 }));
  assert.deepEqual([rgb(png, 0, 0), rgb(png, 1, 0), rgb(png, 0, 1)], [[0, 0, 0], [64, 64, 64], [255, 255, 255]]);
  const x = tf.zeros([2, 32, 32, 3]) as tf.Tensor4D;
  const auto = PNG.sync.read(imageGridPng(x, { padding: 2 }));
  assert.equal(auto.width, 2 + 2 * (64 + 2));
  assert.equal(auto.height, 2 + 64 + 2);
  tf.dispose([g, x]);
});

test('a list of batches gives one row each (MAE: original / masked / reconstruction) with row labels', () => {
  const rows = [tf.ones([4, 8, 8, 3]), tf.zeros([4, 8, 8, 3]), tf.fill([4, 8, 8, 3], 0.5)] as tf.Tensor4D[];
  const buf = imageGridPng(rows, { rowLabels: ['original', 'masked', 'reconstruction'], padding: 2, scale: 4 });
  const png = PNG.sync.read(buf);
  const leftW = 'reconstruction'.length * 4 * 2 - 2 + 4; // (14 glyphs * 4 - 1) * 2 + 2 * 2
  assert.equal(png.width, leftW + 2 + 4 * (32 + 2));
  assert.equal(png.height, 2 + 3 * (32 + 2));
  assert.deepEqual(rgb(png, leftW + 2, 2 + 34), [0, 0, 0], 'row 1 is the zeros batch');
  assert.deepEqual(rgb(png, leftW + 2, 2 + 68), [128, 128, 128]);
  const ink = (x0: number, x1: number, y0: number, y1: number) => {
    let n = 0;
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) if (rgb(png, x, y)[0] === 0) n++;
    return n;
  };
  assert.ok(ink(0, leftW, 2, 34) > 50, 'the label "original" is drawn left of row 0');
  assert.equal(imageGridSummary(rows, { rowLabels: ['original', 'masked', 'reconstruction'], scale: 4 }),
    'image grid: 12 images 8x8x3 in 3 rows of up to 4, scale 4 (original, masked, reconstruction)');
  tf.dispose(rows);
});

test('captions add a strip under each image', () => {
  const x = tf.ones([2, 16, 16, 3]) as tf.Tensor4D;
  const png = PNG.sync.read(imageGridPng(x, { labels: ['cat', 'dog'], padding: 0, scale: 2 }));
  assert.equal(png.height, 32 + 5 * 2 + 2 * 2);
  let dark = 0;
  for (let y = 32; y < png.height; y++) for (let xx = 0; xx < png.width; xx++) if (rgb(png, xx, y)[0] === 0) dark++;
  assert.ok(dark > 20);
  x.dispose();
});

test('imageGrid emits one output: a base64 PNG and a text summary', () => {
  const x = tf.ones([3, 4, 4, 3]) as tf.Tensor4D;
  const { writer, messages } = captureWriter();
  imageGrid(x, { scale: 2, padding: 1 }, { writer });
  const { data } = messages[0].message;
  assert.deepEqual(Object.keys(data).sort(), ['image/png', 'text/plain']);
  const png = PNG.sync.read(Buffer.from(data['image/png'] as string, 'base64'));
  assert.equal(png.width, 1 + 3 * 9);
  assert.equal(data['text/plain'], 'image grid: 3 images 4x4x3 in 1 row of up to 3, scale 2');
  assert.deepEqual(pngBundle(new Uint8Array([1, 2, 3]), 's'), { 'image/png': 'AQID', 'text/plain': 's' });
  x.dispose();
});

test('bad inputs fail with fixed-form messages', () => {
  const rgba = tf.zeros([1, 2, 2, 4]) as tf.Tensor4D;
  const img = tf.zeros([2, 2, 3]);
  const a = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
  const b = tf.zeros([1, 2, 2, 3]) as tf.Tensor4D;
  assert.throws(() => imageGridPng(rgba), { message: 'Error in imageGrid: images must have 1 or 3 channels, but got 4' });
  assert.throws(() => imageGridPng(img as unknown as tf.Tensor4D), { message: 'Error in imageGrid: images must have shape [N, H, W, C], but got [2,2,3]' });
  assert.throws(() => imageGridPng([a, b]), { message: 'Error in imageGrid: every row must have the same H, W and C, but got [4,4,3] and [2,2,3]' });
  assert.throws(() => imageGridPng(a, { labels: ['x', 'y'] }), { message: 'Error in imageGrid: labels must have one entry per image, but got 2 labels for 1 images' });
  assert.throws(() => imageGridPng([a, a], { rowLabels: ['x'] }), { message: 'Error in imageGrid: rowLabels must have one entry per row, but got 1 for 2 rows' });
  assert.throws(() => imageGridPng(a, { scale: 1.5 }), { message: "Error in imageGrid: scale must be a positive integer or 'auto', but got 1.5" });
  tf.dispose([rgba, img, a, b]);
});

test('no tensors leak', async () => {
  const x = tf.randomUniform([4, 8, 8, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
  const { writer } = captureWriter();
  await assertNoLeak(() => imageGrid([x, x], { labels: ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h'] }, { writer }));
  x.dispose();
});
