import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { BatchNorm2d } from '../../../src/models/batch-norm-2d';
import { fusedBatchNormReady, setFusedBatchNormEnabled } from '../../../src/backend/wasm-kernels';
import { randomTensor, relativeError, runOn, setUpBackends, TOLERANCE } from './helpers';

/**
 * BatchNorm2d's training mode on selfsup's fused wasm kernels (simd/batch-norm.c) against the tfjs-op route on cpu
 * and on wasm: output, running statistics, and the gradients w.r.t. x, gamma and beta.
 */

before(async () => {
  await setUpBackends();
});

/** One training forward + backward of a fresh BatchNorm2d; returns y, dx, dgamma, dbeta, moving mean and variance. */
function bnStep(shape: [number, number, number, number], seed: number, offset: number): () => tf.Tensor[] {
  return () => {
    const c = shape[3];
    const bn = new BatchNorm2d('bn', c);
    bn.gamma.assign(tf.add(randomTensor([c], seed + 1), 1.5) as tf.Tensor1D);
    bn.beta.assign(randomTensor([c], seed + 2) as tf.Tensor1D);
    // values with a mean away from 0 and a per-channel spread, as conv outputs have
    const x = tf.add(tf.mul(randomTensor(shape, seed), tf.linspace(0.5, 3, c)), offset) as tf.Tensor4D;
    const w = randomTensor(shape, seed + 3); // a loss that weighs every output differently
    const xv = tf.variable(x, true, `x${seed}_${shape.join('x')}`);
    let y: tf.Tensor | null = null;
    const { grads } = tf.variableGrads(() => {
      y = tf.keep(bn.apply(xv, { training: true }));
      return tf.sum(tf.mul(y, w));
    }, [xv, bn.gamma, bn.beta]);
    const out = [y! as tf.Tensor, grads[xv.name], grads[bn.gamma.name], grads[bn.beta.name], bn.movingMean.clone(), bn.movingVariance.clone()];
    xv.dispose();
    bn.dispose();
    return out;
  };
}

/** The worst relative error of the fused route against cpu, with the fused kernels checked to be in use. */
async function fusedVsCpu(fn: () => tf.Tensor[]): Promise<{ cpu: number; composed: number }> {
  const cpu = await runOn('cpu', fn);
  await tf.setBackend('wasm');
  assert.equal(fusedBatchNormReady(), true, 'the fused BatchNorm kernels should run on wasm here');
  const fused = await runOn('wasm', fn);
  setFusedBatchNormEnabled(false);
  let composed: Float32Array[];
  try {
    composed = await runOn('wasm', fn);
  } finally {
    setFusedBatchNormEnabled(true);
  }
  return {
    cpu: Math.max(...cpu.map((c, i) => relativeError(fused[i], c))),
    composed: Math.max(...composed.map((c, i) => relativeError(fused[i], c))),
  };
}

const SHAPES: [string, [number, number, number, number]][] = [
  ['32 channels (two 16-channel groups)', [8, 6, 6, 32]],
  ['12 channels (a group of three vectors)', [4, 5, 5, 12]],
  ['5 channels (one vector and a scalar tail)', [3, 7, 7, 5]],
  ['3 channels (scalar tail only)', [2, 3, 3, 3]],
  ['20 channels, 2700 rows (several row blocks, a partial one last)', [300, 3, 3, 20]],
];

for (const [what, shape] of SHAPES) {
  test(`Does fused BatchNorm2d (training) give cpu's output, statistics and gradients: ${what}?`, async () => {
    const err = await fusedVsCpu(bnStep(shape, 11, 0.7));
    assert.ok(err.cpu <= TOLERANCE, `fused vs cpu: relative error ${err.cpu}`);
    assert.ok(err.composed <= TOLERANCE, `fused vs the tfjs-op route on wasm: relative error ${err.composed}`);
  });
}

test('Does fused BatchNorm2d keep float32 precision over 16,384 rows with a large mean?', async () => {
  const err = await fusedVsCpu(bnStep([64, 16, 16, 16], 5, 20));
  assert.ok(err.cpu <= TOLERANCE, `fused vs cpu: relative error ${err.cpu}`);
});

test('Does the fused route leave no tensors behind, and is it off when switched off?', async () => {
  await setUpBackends();
  await tf.setBackend('wasm');
  const step = bnStep([4, 4, 4, 8], 3, 0);
  tf.dispose(tf.tidy(step)); // burn-in
  const before = tf.memory().numTensors;
  tf.dispose(tf.tidy(step));
  assert.equal(tf.memory().numTensors, before);
  setFusedBatchNormEnabled(false);
  try {
    assert.equal(fusedBatchNormReady(), false);
  } finally {
    setFusedBatchNormEnabled(true);
  }
  await tf.setBackend('cpu');
  assert.equal(fusedBatchNormReady(), false, 'cpu has no fused kernels');
});

test('Do the fused kernels reject mismatched inputs with a fixed-form error?', async () => {
  await setUpBackends();
  await tf.setBackend('wasm');
  tf.tidy(() => {
    const x = tf.ones([2, 3, 3, 4]);
    assert.throws(
      () => tf.engine().runKernel('SelfsupBatchNormApply', { x, scale: tf.ones([3]), shift: tf.zeros([4]) }),
      /^Error: Error in SelfsupBatchNormApply \(selfsup wasm kernel\): scale must be float32 \[4\], but got float32 \[3\]$/,
    );
    assert.throws(
      () => tf.engine().runKernel('SelfsupBatchNormStats', { x: tf.ones([4], 'int32') }),
      /Error in SelfsupBatchNormStats \(selfsup wasm kernel\): x must be float32 of rank >= 2, but got int32 \[4\]/,
    );
  });
});
