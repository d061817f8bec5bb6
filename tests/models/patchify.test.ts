import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { patchify, unpatchify } from '../../src/models/patchify';
import { assertClose, assertNoLeak, loadReference, useCpu } from '../losses/helpers';

const ref = loadReference();
before(useCpu);

test('matches the official MAE patchify (NCHW einsum nchpwq->nhwpqc) on NHWC input', () => {
  const c = ref.mae;
  const x = tf.tensor4d(c.imagesNHWC);
  const p = patchify(x, c.patchSize);
  assert.deepEqual(p.shape, [2, 16, 12]);
  assertClose(p, c.patches, 1e-6, 1e-7);
  tf.dispose([x, p]);
});

test('layout by hand: row in patch, column in patch, channel innermost', () => {
  // One 4x4 image, 2 channels, value = 100*row + 10*col + channel; patch size 2.
  const values: number[] = [];
  for (let r = 0; r < 4; r++) for (let col = 0; col < 4; col++) for (let ch = 0; ch < 2; ch++) values.push(100 * r + 10 * col + ch);
  const x = tf.tensor4d(values, [1, 4, 4, 2]);
  const p = patchify(x, 2).arraySync()[0];
  // token 1 = top-right patch: pixels (0,2),(0,3),(1,2),(1,3)
  assert.deepEqual(p[1], [20, 21, 30, 31, 120, 121, 130, 131]);
  assert.deepEqual(p[2], [200, 201, 210, 211, 300, 301, 310, 311]);
  x.dispose();
});

test('unpatchify inverts patchify, also for non-square images', () => {
  const x = tf.randomUniform([2, 8, 12, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
  const back = unpatchify(patchify(x, 4), 4, [2, 3]);
  assertClose(back, x, 0, 0);
  const sq = tf.randomUniform([1, 8, 8, 1], 0, 1, 'float32', 6) as tf.Tensor4D;
  assertClose(unpatchify(patchify(sq, 2), 2), sq, 0, 0);
  tf.dispose([x, back, sq]);
});

test('errors are fixed-form; no leak', () => {
  const x = tf.zeros([1, 6, 8, 3]) as tf.Tensor4D;
  assert.throws(() => patchify(x, 4), { message: 'Error in patchify: image height and width must be multiples of patchSize 4, but got shape [1,6,8,3]' });
  assert.throws(() => patchify(tf.zeros([6, 8, 3]) as never, 2), { message: 'Error in patchify: images must be 4-D [B, H, W, C], but got shape [6,8,3]' });
  assert.throws(() => unpatchify(tf.zeros([1, 5, 12]) as tf.Tensor3D, 2), { message: 'Error in unpatchify: a 2x2 patch grid does not hold L tokens, got shape [1,5,12]' });
  assertNoLeak(() => patchify(x, 2));
  x.dispose();
});
