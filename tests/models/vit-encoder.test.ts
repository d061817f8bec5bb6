import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../src/backend/seed';
import { cloneWeights } from '../../src/models/module';
import { MultiHeadAttention } from '../../src/models/multi-head-attention';
import { sinCosPositionEmbedding2d } from '../../src/models/sincos-position-embedding';
import { VitEncoder } from '../../src/models/vit-encoder';
import { assertClose, assertNoLeak, loadReference, useCpu } from '../losses/helpers';
import { assertGradientsReachAll } from './helpers';

const ref = loadReference();
before(useCpu);

const tiny = { imageSize: 8, patchSize: 4, channels: 3, dim: 8, depth: 2, numHeads: 2, mlpRatio: 2 };

test('2-D sin-cos position embedding equals the official MAE get_2d_sincos_pos_embed', () => {
  const c = ref.posEmbed;
  const pos = sinCosPositionEmbedding2d(c.embedDim, c.gridSize, c.clsToken);
  assert.deepEqual(pos.shape, [17, 16]);
  assertClose(pos, c.values, 1e-6, 1e-6);
  assert.throws(() => sinCosPositionEmbedding2d(6, 2), { message: 'Error in sinCosPositionEmbedding2d: embedDim must be a positive multiple of 4, but got 6' });
  pos.dispose();
});

/** Multi-head attention written per head with plain arrays (float64). */
function naiveMha(mha: MultiHeadAttention, x: number[][][]): number[][][] {
  const D = mha.dim;
  const H = mha.numHeads;
  const d = D / H;
  const wq = mha.qkv.kernel.arraySync() as number[][];
  const bq = mha.qkv.bias!.arraySync() as number[];
  const wo = mha.proj.kernel.arraySync() as number[][];
  const bo = mha.proj.bias!.arraySync() as number[];
  return x.map((tokens) => {
    const qkv = tokens.map((t) => bq.map((b, j) => b + t.reduce((s, v, i) => s + v * wq[i][j], 0)));
    const merged = tokens.map(() => new Array(D).fill(0));
    for (let h = 0; h < H; h++) {
      const q = qkv.map((r) => r.slice(h * d, h * d + d));
      const k = qkv.map((r) => r.slice(D + h * d, D + h * d + d));
      const v = qkv.map((r) => r.slice(2 * D + h * d, 2 * D + h * d + d));
      q.forEach((qi, i) => {
        const scores = k.map((kj) => qi.reduce((s, a, m) => s + a * kj[m], 0) / Math.sqrt(d));
        const max = Math.max(...scores);
        const e = scores.map((s) => Math.exp(s - max));
        const z = e.reduce((a, b) => a + b, 0);
        for (let m = 0; m < d; m++) merged[i][h * d + m] = e.reduce((s, w, j) => s + (w / z) * v[j][m], 0);
      });
    }
    return merged.map((row) => bo.map((b, j) => b + row.reduce((s, a, i) => s + a * wo[i][j], 0)));
  });
}

test('multi-head attention equals a naive per-head loop; attention rows sum to 1', () => {
  const mha = new MultiHeadAttention('attn', 8, 2, createRng(3));
  const x = tf.randomNormal([2, 5, 8], 0, 1, 'float32', 1) as tf.Tensor3D;
  assertClose(mha.apply(x), naiveMha(mha, x.arraySync()), 1e-4, 1e-5);
  const w = mha.attentionWeights(x);
  assert.deepEqual(w.shape, [2, 2, 5, 5]);
  assertClose(tf.sum(w, -1), Array(20).fill(1), 1e-6, 1e-6);
  assert.ok((w.dataSync() as Float32Array).every((v) => v >= 0));
  assert.throws(() => new MultiHeadAttention('a', 6, 4, createRng(1)), { message: 'Error in a: dim must be a multiple of numHeads, but got 6 and 4' });
  assertNoLeak(() => mha.apply(x));
  tf.dispose([x, w]);
  mha.dispose();
});

test('ViT: shapes, CLS and mean pooling, defaults for CIFAR (64 tokens of width 128)', () => {
  const vit = new VitEncoder({ ...tiny, seed: 1 });
  const x = tf.randomUniform([3, 8, 8, 3], 0, 1, 'float32', 2) as tf.Tensor4D;
  assert.deepEqual(vit.embedPatches(x).shape, [3, 4, 8]);
  assert.deepEqual(vit.apply(x).shape, [3, 8]);
  const mean = new VitEncoder({ ...tiny, pool: 'mean', seed: 1 });
  assert.deepEqual(mean.apply(x).shape, [3, 8]);
  const cifar = new VitEncoder();
  assert.equal(cifar.numPatches, 64);
  assert.equal(cifar.outputDim, 128);
  assert.throws(() => vit.apply(tf.zeros([1, 32, 32, 3]) as tf.Tensor4D), { message: 'Error in VitEncoder: input must be [B, 8, 8, 3], but got shape [1,32,32,3]' });
  [vit, mean, cifar].forEach((m) => m.dispose());
  x.dispose();
});

test('ViT: seed determinism, save/load round trip, leak-free apply, gradients reach every variable', () => {
  const a = new VitEncoder({ ...tiny, seed: 5 });
  const b = new VitEncoder({ ...tiny, seed: 5 });
  const c = new VitEncoder({ ...tiny, seed: 6 });
  const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 3) as tf.Tensor4D;
  assertClose(b.apply(x), a.apply(x), 0, 0, 'same seed');
  assert.notDeepEqual(Array.from(c.apply(x).dataSync()), Array.from(a.apply(x).dataSync()));
  const saved = cloneWeights(a);
  c.setWeights(saved);
  assertClose(c.apply(x), a.apply(x), 0, 0, 'round trip');
  assertNoLeak(() => a.apply(x));
  assertGradientsReachAll(a, () => tf.sum(tf.square(a.apply(x))));
  tf.dispose([x, ...Object.values(saved)]);
  [a, b, c].forEach((m) => m.dispose());
});
