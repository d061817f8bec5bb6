import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/backend/use-backend';
import { createRng } from '../../src/backend/seed';
import { knnAccuracy, knnPredict, knnScores } from '../../src/eval/knn-predict';

/** The MoCo colab's knn_predict written as plain loops over rows. */
function naiveScores(f: number[][], bank: number[][], labels: number[], k: number, t: number, c: number): number[][] {
  const unit = (v: number[]) => {
    const n = Math.sqrt(v.reduce((a, x) => a + x * x, 0));
    return v.map((x) => x / n);
  };
  const bankN = bank.map(unit);
  return f.map((row) => {
    const q = unit(row);
    const sims = bankN.map((b, j) => ({ s: b.reduce((a, x, i) => a + x * q[i], 0), j }));
    sims.sort((a, b) => b.s - a.s);
    const scores = new Array<number>(c).fill(0);
    for (const { s, j } of sims.slice(0, k)) scores[labels[j]] += Math.exp(s / t);
    return scores;
  });
}

function randomRows(n: number, d: number, seed: number): number[][] {
  const rng = createRng(seed);
  return Array.from({ length: n }, () => Array.from({ length: d }, () => rng.next() * 2 - 1));
}

describe('knnPredict', () => {
  before(async () => {
    await useBackend('cpu', { log: () => {} });
  });

  it('Does it match a naive loop (scores and predictions), with and without bank blocks?', () => {
    const f = randomRows(13, 5, 1);
    const bank = randomRows(40, 5, 2);
    const rng = createRng(3);
    const labels = bank.map(() => rng.int(4));
    const expected = naiveScores(f, bank, labels, 7, 0.1, 4);
    for (const bankBatchSize of [8192, 6, 40]) {
      const scores = knnScores(tf.tensor2d(f), tf.tensor2d(bank), labels, { k: 7, temperature: 0.1, numClasses: 4, batchSize: 5, bankBatchSize });
      const got = scores.arraySync();
      got.forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(v - expected[i][j]) <= 1e-3 * Math.max(1, expected[i][j]), `block ${bankBatchSize} [${i},${j}] ${v} vs ${expected[i][j]}`)));
      const pred = knnPredict(tf.tensor2d(f), tf.tensor2d(bank), labels, { k: 7, temperature: 0.1, numClasses: 4, bankBatchSize });
      assert.deepEqual(Array.from(pred.dataSync()), expected.map((row) => row.indexOf(Math.max(...row))));
    }
  });

  it('Does a hand-checked case give the expected class (close minority beats far majority)?', () => {
    // Query along x. Bank: one class-1 point at 0 degrees (sim 1), two class-0 points at 60 degrees (sim 0.5).
    const bank = tf.tensor2d([[1, 0], [0.5, Math.sqrt(3) / 2], [0.5, -Math.sqrt(3) / 2]]);
    const q = tf.tensor2d([[2, 0]]); // normalised inside
    // Weights: exp(1 / 0.1) = 22026 for class 1 vs 2 exp(0.5 / 0.1) = 297 for class 0.
    const scores = knnScores(q, bank, [1, 0, 0], { k: 3, temperature: 0.1, numClasses: 2 }).arraySync()[0];
    assert.ok(Math.abs(scores[1] - Math.exp(10)) < 1e-2 * Math.exp(10));
    assert.ok(Math.abs(scores[0] - 2 * Math.exp(5)) < 1e-2 * 2 * Math.exp(5));
    assert.equal(knnPredict(q, bank, [1, 0, 0], { k: 3, temperature: 0.1, numClasses: 2 }).dataSync()[0], 1);
    // With T = 10 the weights are nearly equal and the majority wins.
    assert.equal(knnPredict(q, bank, [1, 0, 0], { k: 3, temperature: 10, numClasses: 2 }).dataSync()[0], 0);
    // k = 1: only the nearest neighbour votes.
    assert.equal(knnAccuracy(q, [1], bank, [1, 0, 0], { k: 1, numClasses: 2 }), 1);
  });

  it('Does k larger than the bank use the whole bank?', () => {
    const pred = knnPredict(tf.tensor2d([[1, 0]]), tf.tensor2d([[1, 0], [0, 1]]), [0, 1], { numClasses: 2 });
    assert.equal(pred.dataSync()[0], 0);
  });

  it('Is it leak-free?', () => {
    const f = tf.tensor2d(randomRows(10, 4, 5));
    const bank = tf.tensor2d(randomRows(30, 4, 6));
    const labels = tf.tensor1d(Array.from({ length: 30 }, (_, i) => i % 3), 'int32');
    knnPredict(f, bank, labels, { k: 5, numClasses: 3, bankBatchSize: 7 }).dispose();
    const before = tf.memory().numTensors;
    knnPredict(f, bank, labels, { k: 5, numClasses: 3, bankBatchSize: 7 }).dispose();
    knnAccuracy(f, Array(10).fill(0), bank, labels, { k: 5, numClasses: 3 });
    assert.equal(tf.memory().numTensors, before);
  });

  it('Does it reject bad shapes with fixed-form messages?', () => {
    assert.throws(() => knnPredict(tf.tensor2d([[1, 2, 3]]), tf.tensor2d([[1, 2]]), [0], { numClasses: 2 }), {
      message: 'Error in knnPredict: features and bank must have the same D, but got [1,3] and [1,2]',
    });
    assert.throws(() => knnPredict(tf.tensor2d([[1, 2]]), tf.tensor2d([[1, 2]]), [0, 1], { numClasses: 2 }), {
      message: 'Error in knnPredict: bankLabels must have one label per bank row (1), but got 2',
    });
    assert.throws(() => knnPredict(tf.tensor2d([[1, 2]]), tf.tensor2d([[1, 2]]), [0], { numClasses: 2, k: 0 }), {
      message: 'Error in knnPredict: k must be a positive integer, but got 0',
    });
  });
});
