import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { cloneWeights } from '../../src/models/module';
import { PredictionHead } from '../../src/models/prediction-head';
import { ProjectionHead } from '../../src/models/projection-head';
import { RotationHead, defaultRotationHeadConfig } from '../../src/models/rotation-head';
import { assertClose, assertNoLeak, randn, t2, useCpu } from '../losses/helpers';
import { assertGradientsReachAll } from './helpers';

before(useCpu);

test('SimCLR default: 128 -> 256 -> 64 with BatchNorm; shapes and weight names', () => {
  const head = new ProjectionHead({ seed: 1 });
  const x = tf.randomNormal([8, 128], 0, 1, 'float32', 1) as tf.Tensor2D;
  assert.deepEqual(head.apply(x, { training: true }).shape, [8, 64]);
  assert.deepEqual(Object.keys(head.getWeights()).sort(), [
    'layers.0.kernel', 'layers.1.bias', 'layers.1.kernel', 'norms.0.beta', 'norms.0.gamma', 'norms.0.movingMean', 'norms.0.movingVariance',
  ]);
  assert.equal(head.trainableVariables.length, 5); // 2 kernels, 1 bias (the last layer), BatchNorm gamma and beta
  tf.dispose(x);
  head.dispose();
});

test('same seed, same weights; another seed, other weights', () => {
  const a = new ProjectionHead({ inputDim: 8, hiddenDim: 16, outputDim: 4, seed: 7 });
  const b = new ProjectionHead({ inputDim: 8, hiddenDim: 16, outputDim: 4, seed: 7 });
  const c = new ProjectionHead({ inputDim: 8, hiddenDim: 16, outputDim: 4, seed: 8 });
  const x = t2(randn(4, 8, 1));
  assertClose(b.apply(x), a.apply(x), 0, 0);
  assert.notDeepEqual(Array.from(c.apply(x).dataSync()), Array.from(a.apply(x).dataSync()));
  [a, b, c].forEach((m) => m.dispose());
  x.dispose();
});

test('save/load round trip reproduces outputs, in training and eval mode', () => {
  const a = new ProjectionHead({ inputDim: 8, hiddenDim: 16, outputDim: 4, numLayers: 3, lastBatchNorm: true, seed: 1 });
  const x = t2(randn(6, 8, 2));
  tf.dispose(a.apply(x, { training: true })); // move the running statistics
  const saved = cloneWeights(a);
  const b = new ProjectionHead({ inputDim: 8, hiddenDim: 16, outputDim: 4, numLayers: 3, lastBatchNorm: true, seed: 2 });
  b.setWeights(saved);
  assertClose(b.apply(x), a.apply(x), 0, 0, 'eval');
  assertClose(b.apply(x, { training: true }), a.apply(x, { training: true }), 0, 0, 'training');
  tf.dispose(Object.values(saved));
  a.dispose();
  b.dispose();
  x.dispose();
});

test('gradients reach every trainable variable; apply leaks nothing', () => {
  const head = new ProjectionHead({ inputDim: 8, hiddenDim: 16, outputDim: 4, seed: 3 });
  const x = t2(randn(6, 8, 3));
  assertGradientsReachAll(head, () => tf.sum(tf.square(head.apply(x, { training: true }))));
  assertNoLeak(() => head.apply(x, { training: true }));
  assertNoLeak(() => head.apply(x));
  head.dispose();
  x.dispose();
});

test('prediction head defaults 64 -> 128 -> 64; rotation head is linear to 4 logits; bad input and config fail clearly', () => {
  const p = new PredictionHead({ seed: 1 });
  assert.equal(p.name, 'PredictionHead');
  const z = t2(randn(4, 64, 4));
  assert.deepEqual(p.apply(z, { training: true }).shape, [4, 64]);
  const r = new RotationHead({ inputDim: 64, seed: 2 });
  assert.deepEqual(r.apply(z).shape, [4, 4]);
  assertGradientsReachAll(r, () => tf.sum(r.apply(z)));
  assert.throws(() => p.apply(t2([[1, 2]])), { message: 'Error in PredictionHead: input must be [N, 64], but got shape [1,2]' });
  assert.throws(() => new ProjectionHead({ width: 3 } as never), /^Error: Unknown config key: width \(ProjectionHead accepts inputDim, hiddenDim/);
  assert.throws(() => new ProjectionHead({ numLayers: 0 }), { message: 'Error in ProjectionHead: numLayers must be an integer >= 1, but got 0' });
  assert.throws(() => new RotationHead({ dim: 64 } as never), { message: /^Unknown config key: dim \(RotationHead accepts inputDim, seed\)/ });
  const byDefault = new RotationHead();
  assert.deepEqual(byDefault.config, defaultRotationHeadConfig());
  byDefault.dispose();
  p.dispose();
  r.dispose();
  z.dispose();
});
