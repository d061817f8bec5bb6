import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../src/backend/seed';
import { labelSubset } from '../../src/data/label-subset';
import { useBackend } from '../../src/backend/use-backend';
import { detectCollapse } from '../../src/eval/detect-collapse';
import { embeddingMetrics } from '../../src/eval/embedding-metrics';
import { extractFeatures } from '../../src/eval/extract-features';
import { linearProbe } from '../../src/eval/linear-probe';
import { pca } from '../../src/eval/pca';
import { umapProjection } from '../../src/eval/umap-projection';
import { alignmentLoss } from '../../src/losses/alignment';
import { uniformityLoss } from '../../src/losses/uniformity';
import { TinyEncoder } from '../train/helpers';

function gaussian(n: number, d: number, seed: number): number[][] {
  const rng = createRng(seed);
  const normal = () => Math.sqrt(-2 * Math.log(Math.max(rng.next(), 1e-12))) * Math.cos(2 * Math.PI * rng.next());
  return Array.from({ length: n }, () => Array.from({ length: d }, normal));
}

describe('evaluation', () => {
  before(async () => {
    await useBackend('cpu', { log: () => {} });
  });

  it('Does extractFeatures give the same features as one eval-mode forward pass, in any batch size, leak-free?', () => {
    const enc = new TinyEncoder(3);
    const x = tf.randomUniform([10, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
    const whole = enc.apply(x);
    const f = extractFeatures(enc, x, { batchSize: 3 });
    assert.deepEqual(f.shape, [10, 8]);
    const diff = tf.max(tf.abs(tf.sub(f, whole))).dataSync()[0];
    assert.ok(diff < 1e-5, `max difference ${diff}`);
    const before = tf.memory().numTensors;
    extractFeatures(enc, x, { batchSize: 4, preprocess: (v) => tf.mul(v, 2) }).dispose();
    assert.equal(tf.memory().numTensors, before);
    assert.throws(() => extractFeatures(enc, x, { batchSize: 0 }), { message: 'Error in extractFeatures: batchSize must be a positive integer, but got 0' });
    tf.dispose([x, whole, f]);
    enc.dispose();
  });

  it('Does the linear probe separate a linearly separable set, also with 10% of the labels?', async () => {
    // Three classes around the corners of a triangle in 5-D, plus noise.
    const rng = createRng(4);
    const centres = [[4, 0, 0, 0, 0], [0, 4, 0, 0, 0], [0, 0, 4, 0, 0]];
    const make = (n: number, seed: number) => {
      const noise = gaussian(n, 5, seed);
      const y = Array.from({ length: n }, () => rng.int(3));
      return { x: tf.tensor2d(noise.map((row, i) => row.map((v, j) => v * 0.5 + centres[y[i]][j]))), y };
    };
    const train = make(300, 1);
    const test = make(100, 2);
    const before = tf.memory().numTensors;
    const full = await linearProbe(train, test, { numClasses: 3, numEpochs: 100 });
    assert.equal(tf.memory().numTensors, before, 'the probe frees its weights, optimiser state and standardised copies');
    assert.ok(full.accuracy >= 0.98, `accuracy ${full.accuracy}`);
    assert.equal(full.numTrain, 300);
    assert.ok(full.losses[full.losses.length - 1] < full.losses[0]);
    const few = await linearProbe(train, test, { numClasses: 3, labelFraction: 0.1, numEpochs: 100, batchSize: 8 });
    assert.equal(few.numTrain, labelSubset(train.y, { fraction: 0.1, seed: 0 }).length);
    assert.ok(few.accuracy >= 0.95, `accuracy with 10% labels ${few.accuracy}`);
    await assert.rejects(linearProbe(train, test, { classes: 3 } as never), { message: /^Unknown config key: classes/ });
    tf.dispose([train.x, test.x]);
  });

  it('Does PCA recover the axes and variances of a known covariance?', () => {
    // x = z diag(3, 2, 0.5) R with R a rotation: covariance eigenvalues 9, 4, 0.25, eigenvectors the rows of R.
    const c = Math.cos(0.6);
    const s = Math.sin(0.6);
    const rot = [[c, s, 0], [-s, c, 0], [0, 0, 1]];
    const z = gaussian(4000, 3, 7);
    // Whiten the sample exactly so the sample covariance is the target one (removes sampling error).
    const zt = tf.tensor2d(z);
    const whitened = tf.tidy(() => {
      const centred = tf.sub(zt, tf.mean(zt, 0));
      const cov = tf.div(tf.matMul(centred, centred, true, false), 3999).arraySync() as number[][];
      // Cholesky of the 3x3 covariance, then multiply by its inverse.
      const l = [[0, 0, 0], [0, 0, 0], [0, 0, 0]];
      for (let i = 0; i < 3; i++) for (let j = 0; j <= i; j++) {
        let sum = cov[i][j];
        for (let k = 0; k < j; k++) sum -= l[i][k] * l[j][k];
        l[i][j] = i === j ? Math.sqrt(sum) : sum / l[j][j];
      }
      const linv = tf.tensor2d(invertLower(l));
      return tf.matMul(centred, linv, false, true);
    });
    const x = tf.tidy(() => tf.add(tf.matMul(tf.mul(whitened, tf.tensor1d([3, 2, 0.5])), tf.tensor2d(rot)), 5));
    const result = pca(x as tf.Tensor2D, { k: 2 });
    assert.ok(Math.abs(result.explainedVariance[0] - 9) < 1e-2, `${result.explainedVariance}`);
    assert.ok(Math.abs(result.explainedVariance[1] - 4) < 1e-2, `${result.explainedVariance}`);
    assert.ok(Math.abs(result.explainedVarianceRatio[0] - 9 / 13.25) < 1e-3);
    for (let i = 0; i < 2; i++) {
      const dot = result.components[i].reduce((a, v, j) => a + v * rot[i][j], 0);
      assert.ok(Math.abs(Math.abs(dot) - 1) < 1e-4, `component ${i} along row ${i} of R (|cos| ${Math.abs(dot)})`);
    }
    result.mean.forEach((m) => assert.ok(Math.abs(m - 5) < 1e-3));
    assert.deepEqual(result.projected.shape, [4000, 2]);
    const pv = tf.moments(result.projected, 0).variance.dataSync();
    assert.ok(Math.abs((pv[0] * 4000) / 3999 - 9) < 1e-2);
    assert.throws(() => pca(x as tf.Tensor2D, { k: 4 }), { message: 'Error in pca: k must be an integer in 1..3, but got 4' });
    tf.dispose([zt, whitened, x, result.projected]);
  });

  it('Does the collapse detector flag constant embeddings and pass random ones, and spot a loss stuck at ln K?', () => {
    const constant = tf.tidy(() => tf.add(tf.zeros([64, 32]), tf.randomNormal([1, 32], 0, 1, 'float32', 1))) as tf.Tensor2D;
    const collapsed = detectCollapse(constant);
    assert.equal(collapsed.collapsed, true);
    assert.ok(collapsed.ratio < 1e-3);
    assert.match(collapsed.message, /^collapsed: std of normalised embeddings /);
    const random = tf.tensor2d(gaussian(512, 32, 3));
    const spread = detectCollapse(random);
    assert.equal(spread.collapsed, false);
    assert.ok(Math.abs(spread.ratio - 1) < 0.1, `random: ratio ${spread.ratio}`);
    const k = 2 * 256 - 1;
    const stuck = detectCollapse(random, { losses: Array(30).fill(Math.log(k)), numCandidates: k });
    assert.equal(stuck.lossAtChance, true);
    const learning = detectCollapse(random, { losses: Array(30).fill(Math.log(k) / 2), numCandidates: k });
    assert.equal(learning.lossAtChance, false);
    assert.throws(() => detectCollapse(tf.zeros([1, 4]) as tf.Tensor2D), { message: 'Error in detectCollapse: z must be 2-D [N, D] with N >= 2, but got shape [1,4]' });
    tf.dispose([constant, random]);
  });

  it('Do the dataset alignment and uniformity equal the losses on one block, and average over blocks?', () => {
    const z1 = tf.tidy(() => tf.div(tf.tensor2d(gaussian(40, 4, 5)), 3)) as tf.Tensor2D;
    const z2 = tf.tidy(() => tf.add(z1, 0.1)) as tf.Tensor2D;
    const one = embeddingMetrics(z1, z2, { normalize: false });
    assert.ok(Math.abs(one.alignment - alignmentLoss(z1, z2).dataSync()[0]) < 1e-6);
    assert.ok(Math.abs(one.uniformity - uniformityLoss(z1).dataSync()[0]) < 1e-6);
    const blocks = embeddingMetrics(z1, z2, { batchSize: 20, normalize: false });
    assert.ok(Math.abs(blocks.alignment - one.alignment) < 1e-6, 'alignment is a mean over rows');
    const halves = [0, 20].map((s) => uniformityLoss(tf.slice(z1, [s, 0], [20, -1]) as tf.Tensor2D).dataSync()[0]);
    assert.ok(Math.abs(blocks.uniformity - (halves[0] + halves[1]) / 2) < 1e-6);
    tf.dispose([z1, z2]);
  });

  it('Issue 14: are alignment and uniformity measured on the unit sphere by default (scale-free, in their ranges)?', () => {
    const z1 = tf.tensor2d(gaussian(30, 5, 15));
    const z2 = tf.tidy(() => tf.add(z1, tf.mul(tf.tensor2d(gaussian(30, 5, 16)), 0.3))) as tf.Tensor2D;
    const unit = (z: tf.Tensor2D) => tf.tidy(() => tf.div(z, tf.norm(z, 'euclidean', 1, true))) as tf.Tensor2D;
    const [u1, u2] = [unit(z1), unit(z2)];
    const m = embeddingMetrics(z1, z2);
    assert.ok(Math.abs(m.alignment - alignmentLoss(u1, u2).dataSync()[0]) < 1e-5, 'alignment of the normalised rows');
    assert.ok(Math.abs(m.uniformity - uniformityLoss(u1).dataSync()[0]) < 1e-5, 'uniformity of the normalised rows');
    assert.ok(m.alignment >= 0 && m.alignment <= 4 && m.uniformity <= 0 && m.uniformity >= -8, `in range: ${JSON.stringify(m)}`);
    const big = tf.tidy(() => [tf.mul(z1, 40), tf.mul(z2, 0.2)]) as tf.Tensor2D[];
    const scaled = embeddingMetrics(big[0], big[1]);
    assert.ok(Math.abs(scaled.alignment - m.alignment) < 1e-5 && Math.abs(scaled.uniformity - m.uniformity) < 1e-5, 'lengths do not matter');
    tf.dispose([z1, z2, u1, u2, ...big]);
  });

  it('Is the UMAP projection seeded (same seed, same layout) and of the requested shape?', () => {
    const t = tf.tensor2d(gaussian(40, 6, 9));
    const rows = t.arraySync();
    const a = umapProjection(rows, { seed: 1, nEpochs: 50, nNeighbors: 5 });
    const b = umapProjection(t, { seed: 1, nEpochs: 50, nNeighbors: 5 });
    const c = umapProjection(rows, { seed: 2, nEpochs: 50, nNeighbors: 5 });
    assert.equal(a.length, 40);
    assert.equal(a[0].length, 2);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, c);
    t.dispose();
    assert.throws(() => umapProjection(rows.slice(0, 5)), { message: 'Error in umapProjection: need more rows than nNeighbors (15), but got 5' });
  });
});

/** Inverse of a lower-triangular matrix by forward substitution. */
function invertLower(l: number[][]): number[][] {
  const n = l.length;
  const inv = l.map(() => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    inv[i][i] = 1 / l[i][i];
    for (let j = 0; j < i; j++) {
      let sum = 0;
      for (let k = j; k < i; k++) sum += l[i][k] * inv[k][j];
      inv[i][j] = -sum / l[i][i];
    }
  }
  return inv;
}
