import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { ResNetEncoder } from '../../../src/models/resnet-encoder';
import { ProjectionHead } from '../../../src/models/projection-head';
import { VitEncoder } from '../../../src/models/vit-encoder';
import { MaskedAutoencoder } from '../../../src/models/masked-autoencoder';
import * as losses from '../../../src/losses';
import { gelu } from '../../../src/models/layers';
import { randomTensor, relativeError, runOn, setUpBackends, TOLERANCE, wasmVsCpu } from './helpers';

/**
 * Is every gradient the course needs computable on wasm, and equal to cpu's? A kernel missing on wasm would
 * throw here ("Kernel 'X' not registered for backend 'wasm'"); a wrong one would differ from cpu.
 */

before(async () => {
  await setUpBackends();
});

/** Gradients of `loss` w.r.t. fresh variables built by `make`, on one backend, in a fixed order. */
function variableGradients(make: () => { vars: tf.Variable[]; loss: () => tf.Scalar; dispose: () => void }): () => tf.Tensor[] {
  return () => {
    const m = make();
    const { value, grads } = tf.variableGrads(m.loss, m.vars);
    const out = [value, ...m.vars.map((v) => grads[v.name])];
    m.dispose();
    return out;
  };
}

const smallResNet = { stemChannels: 4, stageChannels: [4, 8, 8], stageStrides: [1, 2, 2], blocksPerStage: [1, 1, 1], seed: 5 };

test('Is the course SimCLR step (ResNet + BatchNorm + projection head + NT-Xent) the same on wasm and cpu?', async () => {
  const err = await wasmVsCpu(
    variableGradients(() => {
      const encoder = new ResNetEncoder(smallResNet);
      const head = new ProjectionHead({ inputDim: 8, hiddenDim: 16, outputDim: 8, seed: 6 });
      const x = randomTensor([8, 12, 12, 3], 1) as tf.Tensor4D;
      return {
        vars: [...encoder.trainableVariables, ...head.trainableVariables],
        loss: () => {
          const z = head.apply(encoder.apply(x, { training: true }), { training: true });
          const [z1, z2] = tf.split(z, 2, 0) as tf.Tensor2D[];
          return losses.ntXentLoss(z1, z2, { temperature: 0.5 });
        },
        dispose: () => {
          encoder.dispose();
          head.dispose();
        },
      };
    }),
  );
  assert.ok(err <= TOLERANCE, `relative error ${err}`);
});

test('Is a plain conv net (bias, relu, max and average pooling, dense) the same on wasm and cpu?', async () => {
  const err = await wasmVsCpu(() => {
    const x = randomTensor([3, 11, 11, 2], 2) as tf.Tensor4D;
    const w1 = randomTensor([3, 3, 2, 6], 3) as tf.Tensor4D;
    const b1 = randomTensor([6], 4);
    const w2 = randomTensor([3, 3, 6, 8], 5) as tf.Tensor4D;
    const w3 = randomTensor([8, 5], 6) as tf.Tensor2D;
    const f = (a: tf.Tensor, b: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => {
      let h = tf.relu(tf.add(tf.conv2d(x, a as tf.Tensor4D, 1, 'same'), b)) as tf.Tensor4D;
      h = tf.maxPool(h, 3, 2, 'same');
      h = tf.relu(tf.conv2d(h, c as tf.Tensor4D, 2, 'valid'));
      h = tf.avgPool(h, 2, 1, 'same');
      const logits = tf.matMul(tf.mean(h, [1, 2]) as tf.Tensor2D, d as tf.Tensor2D);
      return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d([0, 3, 4], 'int32'), 5), logits);
    };
    return tf.grads(f)([w1, b1, w2, w3]);
  });
  assert.ok(err <= TOLERANCE, `relative error ${err}`);
});

test('Do a ViT encoder and an MAE (patch-embedding conv, attention, layer norm, GELU, masking by argsort) train on wasm as on cpu?', async () => {
  const vitConfig = { imageSize: 8, patchSize: 4, channels: 3, dim: 16, depth: 1, numHeads: 2, mlpRatio: 2, seed: 7 };
  const err = await wasmVsCpu(
    variableGradients(() => {
      const vit = new VitEncoder(vitConfig);
      const mae = new MaskedAutoencoder({ encoder: vitConfig, decoderDim: 8, decoderDepth: 1, decoderHeads: 2, seed: 8 });
      const x = randomTensor([2, 8, 8, 3], 9) as tf.Tensor4D;
      return {
        vars: [...vit.trainableVariables, ...mae.trainableVariables],
        loss: () => tf.add(tf.sum(tf.square(vit.apply(x))), mae.loss(x, { seed: 3, maskRatio: 0.5 })) as tf.Scalar,
        dispose: () => {
          vit.dispose();
          mae.dispose();
        },
      };
    }),
  );
  assert.ok(err <= TOLERANCE, `relative error ${err}`);
});

test('Does every course loss have the same gradient on wasm as on cpu?', async () => {
  const z = (seed: number, rows = 6, cols = 5) => randomTensor([rows, cols], seed) as tf.Tensor2D;
  const cases: [string, (a: tf.Tensor2D, b: tf.Tensor2D) => tf.Scalar][] = [
    ['ntXent', (a, b) => losses.ntXentLoss(a, b, { temperature: 0.5 })],
    ['buggySimclr', (a, b) => losses.buggySimclrLoss(a, b)],
    ['infoNce', (a, b) => losses.infoNceLoss(a, b, z(40, 7, 5))],
    ['barlowTwins', (a, b) => losses.barlowTwinsLoss(a, b)],
    ['vicreg', (a, b) => losses.vicregLoss(a, b)],
    ['clip', (a, b) => losses.clipLoss(a, b)],
    ['negativeCosineSimilarity', (a, b) => losses.negativeCosineSimilarity(a, b)],
    ['alignmentLoss', (a, b) => losses.alignmentLoss(a, b)],
    ['uniformityLoss', (a) => losses.uniformityLoss(a)],
    ['swav', (a, b) => losses.swavLoss([tf.matMul(a, z(41, 5, 4)), tf.matMul(b, z(41, 5, 4))])],
    ['rotationPrediction', (a) => losses.rotationPredictionLoss(tf.slice(a, [0, 0], [6, 4]), [0, 1, 2, 3, 0, 1])],
  ];
  for (const [name, loss] of cases) {
    // (+ 0 * sum(b): a loss of one argument still depends on both inputs)
    const err = await wasmVsCpu(() => tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.add(loss(a as tf.Tensor2D, b as tf.Tensor2D), tf.mul(0, tf.sum(b))))([z(31), z(32)]));
    assert.ok(err <= TOLERANCE, `${name}: relative error ${err}`);
  }
});

test('Do the ops a ViT/MAE exercise may use have the same gradients on wasm as on cpu?', async () => {
  const x = () => randomTensor([2, 3, 4], 51);
  const cases: [string, (a: tf.Tensor) => tf.Tensor][] = [
    ['gather + gatherND', (a) => tf.add(tf.sum(tf.gather(a, tf.tensor1d([1, 1, 0], 'int32'), 1)), tf.sum(tf.gatherND(a, tf.tensor2d([[0, 2], [1, 0], [0, 2]], [3, 2], 'int32'))))],
    ['layer norm (moments on the last axis)', (a) => {
      const { mean, variance } = tf.moments(a, -1, true);
      return tf.sum(tf.mul(tf.div(tf.sub(a, mean), tf.sqrt(tf.add(variance, 1e-6))), randomTensor([2, 3, 4], 52)));
    }],
    ['softmax, logSoftmax, logSumExp', (a) => tf.sum(tf.add(tf.mul(tf.softmax(a), randomTensor([2, 3, 4], 53)), tf.add(tf.logSoftmax(a), tf.logSumExp(a, -1, true))))],
    ['attention: batchMatMul with transposes, transpose', (a) => tf.sum(tf.mul(tf.matMul(tf.softmax(tf.matMul(a, a, false, true)), tf.transpose(a, [0, 2, 1]), false, true), randomTensor([2, 3, 4], 54)))],
    ['gelu (erf), tanh, sigmoid', (a) => tf.sum(tf.add(gelu(a), tf.mul(tf.tanh(a), tf.sigmoid(a))))],
    ['concat, slice, split, stack, pad, tile', (a) => tf.sum(tf.mul(tf.tile(tf.pad(tf.concat([tf.slice(a, [0, 0, 1], [2, 3, 2]), tf.split(a, 2, 2)[1]], 2), [[0, 0], [1, 0], [0, 0]]), [1, 1, 2]), randomTensor([2, 4, 8], 55)))],
    ['normalize (l2), rsqrt, sqrt, maximum', (a) => tf.sum(tf.mul(tf.div(a, tf.maximum(tf.sqrt(tf.sum(tf.square(a), -1, true)), 1e-12)), tf.rsqrt(tf.add(tf.abs(a), 1))))],
    ['cumsum, clipByValue, where, exp, log', (a) => tf.sum(tf.add(tf.cumsum(tf.clipByValue(a, -0.5, 0.5), 2), tf.where(tf.greater(randomTensor([2, 3, 4], 58), 0), tf.exp(a), tf.log(tf.add(tf.abs(a), 1)))))],
    ['max, min, prod, mean over axes', (a) => tf.add(tf.add(tf.sum(tf.max(a, 2)), tf.sum(tf.min(a, 1))), tf.add(tf.sum(tf.prod(a, 2)), tf.sum(tf.mean(a, [0, 1]))))],
    ['argsort by topk (MAE masking): gather with the sorted indices', (a) => {
      const order = tf.topk(tf.neg(randomTensor([4], 56)), 4).indices;
      return tf.sum(tf.mul(tf.gather(a, order, 2), randomTensor([2, 3, 4], 57)));
    }],
  ];
  for (const [name, f] of cases) {
    const err = await wasmVsCpu(() => tf.grad(f)(x()));
    assert.ok(err <= TOLERANCE, `${name}: relative error ${err}`);
  }
});

test('Is a wasm training step leak-free (tf.memory().numTensors unchanged across steps)?', async () => {
  await setUpBackends();
  await tf.setBackend('wasm');
  const encoder = new ResNetEncoder(smallResNet);
  const head = new ProjectionHead({ inputDim: 8, hiddenDim: 16, outputDim: 8, seed: 6 });
  const optimizer = tf.train.adam(1e-3);
  const x = randomTensor([8, 12, 12, 3], 1) as tf.Tensor4D;
  const step = () => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const z = head.apply(encoder.apply(x, { training: true }), { training: true });
        const [z1, z2] = tf.split(z, 2, 0) as tf.Tensor2D[];
        return losses.ntXentLoss(z1, z2);
      }, [...encoder.trainableVariables, ...head.trainableVariables]);
      optimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0]);
      return value;
    });
    const v = loss.dataSync()[0];
    loss.dispose();
    return v;
  };
  const first = step(); // burn-in: Adam creates its slots
  const before = tf.memory().numTensors;
  let last = first;
  for (let i = 0; i < 3; i++) last = step();
  assert.equal(tf.memory().numTensors, before);
  assert.ok(Number.isFinite(last));
  tf.dispose([x]);
  optimizer.dispose();
  encoder.dispose();
  head.dispose();
});

test('Does the same seeded ResNet give the same features on wasm and cpu (eval mode)?', async () => {
  const fn = () => {
    const encoder = new ResNetEncoder(smallResNet);
    const h = encoder.apply(randomTensor([2, 12, 12, 3], 3) as tf.Tensor4D);
    const out = tf.clone(h);
    encoder.dispose();
    return out;
  };
  const [wasm] = await runOn('wasm', fn);
  const [cpu] = await runOn('cpu', fn);
  assert.ok(relativeError(wasm, cpu) <= TOLERANCE);
});
