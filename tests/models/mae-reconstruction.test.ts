import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/backend/use-backend';
import { maeReconstruction } from '../../src/models/mae-reconstruction';
import { MaskedAutoencoder } from '../../src/models/masked-autoencoder';
import { patchify } from '../../src/models/patchify';
import { maeReconstructionGrid } from '../../src/viz/mae-reconstruction-grid';
import { PNG } from 'pngjs';

before(async () => {
  await useBackend('cpu', { log: () => {} });
});

const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
const x = () => tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
// 4 patches of 4x4 per image; image 0 loses patches 1 and 2, image 1 loses patch 0.
const mask = () => tf.tensor2d([[0, 1, 1, 0], [1, 0, 0, 0]]);

test('A perfect prediction of the pixels gives back the original, in every picture but the masked one', () => {
  const images = x();
  const m = mask();
  const pics = maeReconstruction(images, patchify(images, 4), m as tf.Tensor2D, { patchSize: 4 });
  assert.ok(maxDiff(pics.reconstruction, images) < 1e-6);
  assert.ok(maxDiff(pics.pasted, images) < 1e-6);
  // masked: image 0's patch 1 is the top-right 4x4 block, grey; its patch 0 (top-left) is the original.
  const masked = pics.masked.arraySync();
  const orig = images.arraySync();
  assert.equal(masked[0][0][5][1], 0.5);
  assert.equal(masked[0][0][1][2], orig[0][0][1][2]);
  assert.equal(masked[1][1][1][0], 0.5, 'image 1 lost its top-left patch');
  tf.dispose([images, m, pics.masked, pics.reconstruction, pics.pasted]);
});

test('With normPixLoss, a prediction of the normalised patches is put back into pixels with each patch\'s own mean and variance', () => {
  const images = x();
  const m = mask();
  const normalised = tf.tidy(() => {
    const t = patchify(images, 4);
    const n = t.shape[2];
    const { mean, variance } = tf.moments(t, -1, true);
    return tf.div(tf.sub(t, mean), tf.sqrt(tf.add(tf.mul(variance, n / (n - 1)), 1e-6))) as tf.Tensor3D; // maeLoss's target
  });
  const pics = maeReconstruction(images, normalised, m as tf.Tensor2D, { patchSize: 4, normPixLoss: true });
  assert.ok(maxDiff(pics.reconstruction, images) < 1e-4);
  tf.dispose([images, m, normalised, pics.masked, pics.reconstruction, pics.pasted]);
});

test('The pasted picture is the original where visible and the prediction where masked', () => {
  const images = x();
  const m = mask();
  const pred = tf.fill([2, 4, 48], 0.25) as tf.Tensor3D;
  const pics = maeReconstruction(images, pred, m as tf.Tensor2D, { patchSize: 4, maskValue: 0 });
  const pasted = pics.pasted.arraySync();
  const orig = images.arraySync();
  assert.equal(pasted[0][0][0][0], orig[0][0][0][0], 'image 0, patch 0 visible');
  assert.equal(pasted[0][0][4][0], 0.25, 'image 0, patch 1 masked');
  assert.equal(pasted[0][4][0][0], 0.25, 'image 0, patch 2 masked');
  assert.equal(pasted[1][0][0][0], 0.25, 'image 1, patch 0 masked');
  assert.equal(pasted[1][4][4][2], orig[1][4][4][2], 'image 1, patch 3 visible');
  assert.equal(pics.masked.arraySync()[1][0][0][0], 0, 'maskValue');
  assert.ok(maxDiff(pics.reconstruction, tf.fill([2, 8, 8, 3], 0.25)) < 1e-7);
  tf.dispose([images, m, pred, pics.masked, pics.reconstruction, pics.pasted]);
});

test('Shapes that do not fit are refused with fixed-form messages; nothing leaks', () => {
  const images = x();
  const m = mask();
  const pred = tf.zeros([2, 4, 48]) as tf.Tensor3D;
  assert.throws(() => maeReconstruction(images, tf.zeros([2, 4, 12]) as tf.Tensor3D, m as tf.Tensor2D, { patchSize: 4 }), {
    message: 'Error in maeReconstruction: pred must have shape [2,4,48] for these images, but got [2,4,12]',
  });
  assert.throws(() => maeReconstruction(images, pred, tf.zeros([2, 16]) as tf.Tensor2D, { patchSize: 4 }), {
    message: 'Error in maeReconstruction: mask must have shape [2,4], but got [2,16]',
  });
  assert.throws(() => maeReconstruction(images, pred, m as tf.Tensor2D, { patchSize: 3 }), { message: /^Error in maeReconstruction: image height and width must be multiples of patchSize 3/ });
  assert.throws(() => maeReconstruction(images, pred, m as tf.Tensor2D, { patchSize: 4, normPix: true } as never), { message: /Unknown config key: normPix/ });
  const before = tf.memory().numTensors;
  const pics = maeReconstruction(images, pred, m as tf.Tensor2D, { patchSize: 4, normPixLoss: true });
  assert.equal(tf.memory().numTensors, before + 3, 'only the three pictures are new');
  tf.dispose([images, m, pred, pics.masked, pics.reconstruction, pics.pasted]);
});

test('Does maeReconstructionGrid show a model\'s reconstruction as four labelled rows, leak-free?', () => {
  const model = new MaskedAutoencoder({ encoder: { imageSize: 8, patchSize: 4, seed: 1 }, seed: 2 });
  const images = x();
  const { pred, mask: m, idsRestore } = model.forward(images, { seed: 0 });
  const shown: Array<Record<string, unknown>> = [];
  const before = tf.memory().numTensors;
  maeReconstructionGrid(images, pred, m, { patchSize: 4, normPixLoss: true }, { writer: (msg) => shown.push(msg.data) });
  assert.equal(tf.memory().numTensors, before);
  assert.equal(shown.length, 1);
  assert.match(shown[0]['text/plain'] as string, /^image grid: 8 images 8x8x3 in 4 rows of up to 2, scale 8 \(original, masked, reconstruction, reconstruction \+ visible\)$/);
  const png = PNG.sync.read(Buffer.from(shown[0]['image/png'] as string, 'base64'));
  assert.ok(png.height > 4 * 64, `four rows of 64-pixel images (${png.height} px high)`);
  assert.throws(() => maeReconstructionGrid(tf.zeros([17, 8, 8, 3]) as tf.Tensor4D, pred, m, { patchSize: 4 }), /show at most 16 images/);
  tf.dispose([images, pred, m, idsRestore]);
  model.dispose();
});
