import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { maeLoss } from '../../src/losses/mae';
import { patchify } from '../../src/models/patchify';
import { assertClose, assertGradientMatchesFiniteDifferences, assertNoLeak, loadReference, scalarOf, useCpu } from './helpers';

const ref = loadReference();
before(useCpu);

test('matches the official MAE forward_loss (PyTorch, float64), with and without norm_pix_loss', () => {
  const c = ref.mae;
  const [x, pred, mask] = [tf.tensor4d(c.imagesNHWC), tf.tensor3d(c.pred), tf.tensor2d(c.mask)];
  assertClose(scalarOf(() => maeLoss(pred, x, mask, { patchSize: 2 })), c.loss, 1e-5, 1e-6, 'plain');
  assertClose(scalarOf(() => maeLoss(pred, x, mask, { patchSize: 2, normPixLoss: true })), c.lossNormPix, 1e-5, 1e-6, 'normPix');
  const g = tf.grad((p: tf.Tensor) => maeLoss(p as tf.Tensor3D, x, mask, { patchSize: 2, normPixLoss: true }))(pred);
  assertClose(g, c.grad_pred_normPix, 1e-4, 1e-6, 'gradient');
  tf.dispose([x, pred, mask, g]);
});

test('matches a naive loop: per-patch MSE averaged over masked patches', () => {
  const x = tf.randomUniform([2, 4, 4, 1], 0, 1, 'float32', 1) as tf.Tensor4D;
  const pred = tf.randomNormal([2, 4, 4], 0, 1, 'float32', 2) as tf.Tensor3D;
  const mask = tf.tensor2d([[1, 0, 0, 1], [0, 0, 1, 0]]);
  const t = patchify(x, 2).arraySync();
  const p = pred.arraySync();
  const m = mask.arraySync();
  let num = 0;
  let den = 0;
  for (let b = 0; b < 2; b++) {
    for (let l = 0; l < 4; l++) {
      const e = p[b][l].reduce((s, v, j) => s + (v - t[b][l][j]) ** 2, 0) / 4;
      num += e * m[b][l];
      den += m[b][l];
    }
  }
  assertClose(scalarOf(() => maeLoss(pred, x, mask, { patchSize: 2 })), num / den, 1e-5, 1e-6);
  tf.dispose([x, pred, mask]);
});

test('hand-checked: a perfect prediction costs 0; unmasked errors are ignored; a mask that removes nothing is refused', () => {
  const x = tf.randomUniform([1, 4, 4, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
  const perfect = patchify(x, 2);
  const wrongOnVisible = tf.concat([tf.add(tf.slice(perfect, [0, 0, 0], [1, 1, 12]), 5), tf.slice(perfect, [0, 1, 0], [1, 3, 12])], 1) as tf.Tensor3D;
  const mask = tf.tensor2d([[0, 1, 1, 1]]);
  assert.equal(scalarOf(() => maeLoss(perfect, x, mask, { patchSize: 2 })), 0);
  assert.equal(scalarOf(() => maeLoss(wrongOnVisible, x, mask, { patchSize: 2 })), 0);
  // error 5 everywhere on the visible patch, and the visible patch is now masked: 25.
  assertClose(scalarOf(() => maeLoss(wrongOnVisible, x, tf.tensor2d([[1, 0, 0, 0]]), { patchSize: 2 })), 25, 1e-5, 1e-5);
  assert.throws(() => maeLoss(wrongOnVisible, x, tf.zeros([1, 4]) as tf.Tensor2D, { patchSize: 2 }), {
    message: 'Error in maeLoss: the mask removes no patch (every entry is 0); the loss is over masked patches (mask 1 = removed)',
  });
  // constant patches with normPixLoss: target 0, no NaN
  const flatImg = tf.fill([1, 4, 4, 3], 0.5) as tf.Tensor4D;
  assert.equal(scalarOf(() => maeLoss(tf.zerosLike(perfect) as tf.Tensor3D, flatImg, mask, { patchSize: 2, normPixLoss: true })), 0);
  tf.dispose([x, perfect, wrongOnVisible, mask, flatImg]);
});

test('gradient matches finite differences', () => {
  const x = tf.randomUniform([1, 4, 4, 1], 0, 1, 'float32', 4) as tf.Tensor4D;
  const pred = tf.randomNormal([1, 4, 4], 0, 1, 'float32', 5) as tf.Tensor3D;
  const mask = tf.tensor2d([[1, 0, 1, 1]]);
  assertGradientMatchesFiniteDifferences((v) => maeLoss(v[0] as tf.Tensor3D, x, mask, { patchSize: 2, normPixLoss: true }), [pred], 0);
  tf.dispose([x, pred, mask]);
});

test('errors are fixed-form; no leak', () => {
  const x = tf.zeros([2, 8, 8, 3]) as tf.Tensor4D;
  const pred = tf.zeros([2, 16, 12]) as tf.Tensor3D;
  const mask = tf.concat([tf.ones([2, 4]), tf.zeros([2, 12])], 1) as tf.Tensor2D;
  assert.throws(() => maeLoss(tf.zeros([2, 16, 48]) as tf.Tensor3D, x, mask, { patchSize: 2 }), {
    message: 'Error in maeLoss: pred must have shape [2,16,12] for these images, but got [2,16,48]',
  });
  assert.throws(() => maeLoss(pred, x, tf.zeros([2, 15]) as tf.Tensor2D, { patchSize: 2 }), {
    message: 'Error in maeLoss: mask must have shape [2,16], but got [2,15]',
  });
  assert.throws(() => maeLoss(pred, x, mask, { patchSize: 3 }), {
    message: 'Error in maeLoss: image height and width must be multiples of patchSize 3, but got shape [2,8,8,3]',
  });
  assertNoLeak(() => maeLoss(pred, x, mask, { patchSize: 2, normPixLoss: true }));
  tf.dispose([x, pred, mask]);
});
