import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ResNetEncoder, defaultResNetEncoderConfig } from '../../src/models/resnet-encoder';
import { BatchNorm2d } from '../../src/models';
import { cloneWeights } from '../../src/models/module';
import { assertClose, assertNoLeak, useCpu } from '../losses/helpers';
import { assertGradientsReachAll } from './helpers';

before(useCpu);

const small = { stemChannels: 4, stageChannels: [4, 8], stageStrides: [1, 2], blocksPerStage: [1, 1], seed: 3 };
const images = (n: number, size = 8, seed = 1) => tf.randomUniform([n, size, size, 3], 0, 1, 'float32', seed) as tf.Tensor4D;

test('the default is the course encoder: 32x32x3 -> 128, stem 32, blocks 32/64/128 with strides 1/2/2', () => {
  const c = defaultResNetEncoderConfig();
  assert.deepEqual([c.stemChannels, c.stageChannels, c.stageStrides, c.blocksPerStage], [32, [32, 64, 128], [1, 2, 2], [1, 1, 1]]);
  const encoder = new ResNetEncoder();
  const x = images(2, 32);
  const h = encoder.apply(x, { training: true });
  assert.deepEqual(h.shape, [2, 128]);
  assert.equal(encoder.outputDim, 128);
  const names = Object.keys(encoder.getWeights());
  for (const name of ['stem.conv.kernel', 'stem.bn.movingVariance', 'stages.0.blocks.0.conv2.kernel', 'stages.2.blocks.0.shortcut.conv.kernel', 'stages.2.blocks.0.shortcut.bn.beta']) {
    assert.ok(names.includes(name), `weight ${name}`);
  }
  assert.ok(!names.includes('stages.0.blocks.0.shortcut.conv.kernel'), 'no shortcut conv where the shape is kept');
  // 9 convs (stem, 2 per block, 2 shortcuts) and 9 BatchNorms (gamma, beta trainable; running statistics not)
  assert.equal(encoder.trainableVariables.length, 9 + 9 * 2);
  assert.equal(names.length, 9 + 9 * 4);
  tf.dispose([x, h]);
  encoder.dispose();
});

test('width and depth come from the config; other image sizes work', () => {
  const encoder = new ResNetEncoder({ ...small, blocksPerStage: [2, 1] });
  const x = images(3, 12);
  const h = encoder.apply(x, { training: true });
  assert.deepEqual(h.shape, [3, 8]);
  assert.ok(Object.keys(encoder.getWeights()).includes('stages.0.blocks.1.conv1.kernel'));
  tf.dispose([x, h]);
  encoder.dispose();
});

test('unknown config keys and inconsistent stages are rejected with clear messages', () => {
  assert.throws(() => new ResNetEncoder({ widht: 3 } as never), /^Error: Unknown config key: widht \(ResNetEncoder accepts inputChannels, stemChannels/);
  assert.throws(
    () => new ResNetEncoder({ stageChannels: [8, 16], stageStrides: [1] }),
    { message: 'Error in ResNetEncoder: stageChannels, stageStrides and blocksPerStage must be non-empty and of equal length, but got 2, 1 and 3' },
  );
  assert.throws(() => new ResNetEncoder({ ...small, stemChannels: 0 }), /integers >= 1/);
  const encoder = new ResNetEncoder(small);
  assert.throws(() => encoder.apply(tf.zeros([2, 8, 8, 1]) as tf.Tensor4D), { message: 'Error in ResNetEncoder: input must be [N, H, W, 3], but got shape [2,8,8,1]' });
  encoder.dispose();
});

test('BatchNorm: training normalises with batch statistics and updates the running ones; eval uses the running ones', () => {
  const encoder = new ResNetEncoder(small);
  const x = images(4);
  const evalBefore = encoder.apply(x);
  const train = encoder.apply(x, { training: true });
  const evalAfter = encoder.apply(x);
  assert.ok(tf.max(tf.abs(tf.sub(train, evalBefore))).dataSync()[0] > 1e-3, 'train and eval outputs differ');
  assert.ok(tf.max(tf.abs(tf.sub(evalAfter, evalBefore))).dataSync()[0] > 1e-6, 'a training pass moved the running statistics');
  const mean = encoder.getWeights()['stem.bn.movingMean'];
  assert.ok(tf.max(tf.abs(mean)).dataSync()[0] > 0, 'running mean updated');
  tf.dispose([x, evalBefore, train, evalAfter]);
  encoder.dispose();
});

test('BatchNorm2d matches the textbook formula and PyTorch running-statistics rule (momentum 0.1, unbiased variance)', () => {
  const bn = new BatchNorm2d('bn', 3, { momentum: 0.1, eps: 1e-5 });
  const x = tf.randomNormal([2, 3, 4, 3], 1, 2, 'float32', 5) as tf.Tensor4D;
  const y = bn.apply(x, { training: true });
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  assertClose(y, tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), 1e-4, 1e-5);
  assertClose(bn.movingMean, tf.mul(mean, 0.1), 1e-5, 1e-6);
  assertClose(bn.movingVariance, tf.add(0.9, tf.mul(variance, (0.1 * 24) / 23)), 1e-5, 1e-6);
  bn.dispose();
});

test('BatchNorm2d hand-written gradient equals autodiff of the formula (x, gamma, beta)', () => {
  const bn = new BatchNorm2d('bn', 3, { momentum: 0.1, eps: 1e-5 });
  const x = tf.randomNormal([2, 3, 4, 3], 0.5, 2, 'float32', 6) as tf.Tensor4D;
  const gamma = tf.tensor1d([0.5, -1.5, 2]);
  const beta = tf.tensor1d([0.1, 0.2, -0.3]);
  bn.gamma.assign(gamma);
  bn.beta.assign(beta);
  const w = tf.randomNormal([2, 3, 4, 3], 0, 1, 'float32', 7);
  // Gradient w.r.t. x through the module, and w.r.t. gamma/beta via variableGrads.
  const { grads } = tf.variableGrads(() => tf.sum(tf.mul(bn.apply(x, { training: true }), w)) as tf.Scalar, [bn.gamma, bn.beta]);
  const dx = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(bn.apply(a as tf.Tensor4D, { training: true }), w)))(x);
  const reference = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(a, [0, 1, 2]);
    const y = tf.add(tf.mul(tf.div(tf.sub(a, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
    return tf.sum(tf.mul(y, w));
  })([x, gamma, beta]);
  assertClose(dx, reference[0], 1e-4, 1e-5, 'dx');
  assertClose(grads[bn.gamma.name], reference[1], 1e-4, 1e-5, 'dgamma');
  assertClose(grads[bn.beta.name], reference[2], 1e-4, 1e-5, 'dbeta');
  bn.dispose();
});

test('every trainable variable gets a gradient', () => {
  const encoder = new ResNetEncoder(small);
  const x = images(4);
  assertGradientsReachAll(encoder, () => tf.sum(tf.square(encoder.apply(x, { training: true }))) as tf.Scalar);
  x.dispose();
  encoder.dispose();
});

test('the same seed gives the same weights; another seed different ones', () => {
  const a = new ResNetEncoder(small);
  const b = new ResNetEncoder(small);
  const c = new ResNetEncoder({ ...small, seed: 4 });
  const wa = a.getWeights();
  for (const [key, value] of Object.entries(b.getWeights())) assertClose(value, wa[key], 0, 0, key);
  assert.ok(tf.max(tf.abs(tf.sub(c.getWeights()['stem.conv.kernel'], wa['stem.conv.kernel']))).dataSync()[0] > 0);
  // He-normal, fan-out: std sqrt(2 / (3*3*64)) for the 64-wide 3x3 convs of the default encoder
  const big = new ResNetEncoder();
  const k = big.getWeights()['stages.1.blocks.0.conv2.kernel'];
  const std = Math.sqrt(tf.moments(k).variance.dataSync()[0]);
  assert.ok(Math.abs(std - Math.sqrt(2 / 576)) < 0.003, `std ${std}`);
  [a, b, c, big].forEach((m) => m.dispose());
});

test('save/load round trip: weights copied into a fresh encoder give the same features', () => {
  const a = new ResNetEncoder(small);
  const x = images(4);
  tf.dispose(a.apply(x, { training: true })); // move the running statistics away from their initial values
  const saved = cloneWeights(a);
  const b = new ResNetEncoder({ ...small, seed: 99 });
  b.setWeights(saved);
  assertClose(b.apply(x), a.apply(x), 1e-6, 1e-6);
  assert.throws(() => b.setWeights({ ...saved, extra: tf.zeros([1]) }), /unexpected extra/);
  tf.dispose([x, ...Object.values(saved)]);
  a.dispose();
  b.dispose();
});

test('apply leaks nothing, in eval and in training mode, and under a gradient', () => {
  const encoder = new ResNetEncoder(small);
  const x = images(4);
  assertNoLeak(() => encoder.apply(x));
  assertNoLeak(() => encoder.apply(x, { training: true }));
  assertNoLeak(() => {
    const { value, grads } = tf.variableGrads(() => tf.sum(encoder.apply(x, { training: true })) as tf.Scalar, encoder.trainableVariables);
    tf.dispose(grads);
    return value;
  });
  x.dispose();
  encoder.dispose();
});

test('Issue 13: is BatchNorm2d public, with options like BatchNorm, defaults 0.1 and 1e-5, and bad options refused?', () => {
  const bn = new BatchNorm2d('bn', 2);
  const x = tf.tensor4d([0, 10, 2, 30, 4, 50, 6, 70], [2, 2, 1, 2]);
  tf.tidy(() => bn.apply(x, { training: true }));
  // running mean after one step: 0.9 * 0 + 0.1 * batch mean ([3, 40])
  assert.deepEqual(Array.from(bn.movingMean.dataSync()).map((v) => Math.round(v * 1e5) / 1e5), [0.3, 4]);
  assert.throws(() => new BatchNorm2d('bn', 0), { message: 'Error in BatchNorm2d: channels must be a positive integer, but got 0' });
  assert.throws(() => new BatchNorm2d('bn', 2, { momentum: 1.5 }), { message: 'Error in BatchNorm2d: momentum must be in [0, 1], but got 1.5' });
  assert.throws(() => new BatchNorm2d('bn', 2, { eps: 0 }), { message: 'Error in BatchNorm2d: eps must be positive, but got 0' });
  bn.dispose();
  x.dispose();
});
