import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { rotateBatch } from '../../src/augment/rotate-batch';
import { rotationPredictionLoss } from '../../src/losses/rotation-prediction';
import { assertClose, assertGradientMatchesFiniteDifferences, assertNoLeak, loadReference, logSumExp, randn, scalarOf, t2, useCpu } from './helpers';

const ref = loadReference();
before(useCpu);

test('cross-entropy matches torch and a naive loop', () => {
  const c = ref.rotation;
  assertClose(scalarOf(() => rotationPredictionLoss(t2(c.logits), c.labels)), c.loss, 1e-5, 1e-6, 'torch');
  const logits = randn(5, 4, 121);
  const labels = [3, 0, 1, 2, 2];
  const naive = logits.reduce((s, r, i) => s + logSumExp(r) - r[labels[i]], 0) / 5;
  assertClose(scalarOf(() => rotationPredictionLoss(t2(logits), tf.tensor1d(labels, 'int32'))), naive, 1e-5, 1e-6, 'naive');
});

test('hand-checked: equal logits give ln 4', () => {
  assertClose(scalarOf(() => rotationPredictionLoss(tf.zeros([3, 4]) as tf.Tensor2D, [0, 1, 2])), Math.log(4), 1e-6, 1e-6);
});

test('rotateBatch equals torch.rot90 on H, W and labels each rotation', () => {
  const c = ref.rotation;
  const x = tf.tensor4d(c.x);
  const { images, labels } = rotateBatch(x);
  assert.deepEqual(images.shape, [8, 3, 3, 2]);
  assert.deepEqual(Array.from(labels.dataSync()), [0, 0, 1, 1, 2, 2, 3, 3]);
  for (let k = 0; k < 4; k++) assertClose(images.slice(2 * k, 2), c.rotations[k], 0, 0, `k = ${k}`);
  // four quarter turns are the identity
  const quarterTurn = (t: tf.Tensor4D) => tf.tidy(() => rotateBatch(t).images.slice(t.shape[0], t.shape[0]) as tf.Tensor4D);
  const y = quarterTurn(quarterTurn(quarterTurn(quarterTurn(x))));
  assertClose(y, x, 0, 0, 'rot90^4 = identity');
  tf.dispose([x, images, labels, y]);
});

test('random mode: one rotation per image, seeded, consistent with its label', () => {
  const x = tf.randomUniform([6, 4, 4, 3], 0, 1, 'float32', 7) as tf.Tensor4D;
  const a = rotateBatch(x, { mode: 'random', seed: 3 });
  const b = rotateBatch(x, { mode: 'random', seed: 3 });
  assert.deepEqual(Array.from(a.labels.dataSync()), Array.from(b.labels.dataSync()));
  const all = rotateBatch(x);
  const labels = Array.from(a.labels.dataSync());
  labels.forEach((k, i) => assertClose(a.images.slice(i, 1), all.images.slice(k * 6 + i, 1), 0, 0, `image ${i}`));
  tf.dispose([x, a.images, a.labels, b.images, b.labels, all.images, all.labels]);
});

test('gradient matches finite differences; errors; no leak', () => {
  const xs = [t2(randn(3, 4, 122))];
  assertGradientMatchesFiniteDifferences((v) => rotationPredictionLoss(v[0] as tf.Tensor2D, [1, 3, 0]), xs, 0);
  assert.throws(() => rotationPredictionLoss(tf.zeros([3, 5]) as tf.Tensor2D, [0, 1, 2]), {
    message: 'Error in rotationPredictionLoss: logits must be [N, 4] (one score per rotation), but got shape [3,5]',
  });
  assert.throws(() => rotationPredictionLoss(xs[0], [0, 1]), {
    message: 'Error in rotationPredictionLoss: need one label per row of logits, but got 2 labels and shape [3,4]',
  });
  assert.throws(() => rotationPredictionLoss(xs[0], [0, 1, 4]), { message: 'Error in rotationPredictionLoss: rotation labels must be integers 0..3' });
  assert.throws(() => rotateBatch(tf.zeros([1, 4, 5, 3]) as tf.Tensor4D), {
    message: 'Error in rotateBatch: images must be square to rotate by 90 degrees, but got shape [1,4,5,3]',
  });
  assert.throws(() => rotateBatch(tf.zeros([1, 4, 4, 3]) as tf.Tensor4D, { mode: 'random' }), { message: "Error in rotateBatch: mode 'random' needs a seed" });
  assertNoLeak(() => rotationPredictionLoss(xs[0], [1, 2, 3]));
  const img = tf.zeros([2, 4, 4, 1]) as tf.Tensor4D;
  assertNoLeak(() => {
    const r = rotateBatch(img);
    return [r.images, r.labels];
  }, 2);
  tf.dispose([...xs, img]);
});
