import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { nearestNeighbors, knnPredict } from '../../src/eval';

test('nearestNeighbors ranks bank rows by cosine similarity, most similar first, whatever their length', () => {
  const bank = tf.tensor2d([[1, 0], [0, 5], [3, 3], [-1, 0], [10, 1]]); // directions 0°, 90°, 45°, 180°, ~5.7°
  const queries = tf.tensor2d([[2, 0], [0, 0.1]]);
  const before = tf.memory().numTensors;
  const nn = nearestNeighbors(queries, bank, { k: 3 });
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
  assert.deepEqual(nn.indices, [[0, 4, 2], [1, 2, 4]]);
  assert.ok(Math.abs(nn.similarities[0][0] - 1) < 1e-6);
  assert.ok(Math.abs(nn.similarities[0][1] - 10 / Math.sqrt(101)) < 1e-6);
  assert.ok(Math.abs(nn.similarities[1][1] - Math.SQRT1_2) < 1e-6);
  for (const row of nn.similarities) for (let j = 1; j < row.length; j++) assert.ok(row[j] <= row[j - 1]);
  tf.dispose([bank, queries]);
});

test('nearestNeighbors in query blocks gives what one block gives, and agrees with knnPredict at k = 1', () => {
  const bank = tf.randomNormal([40, 6], 0, 1, 'float32', 1) as tf.Tensor2D;
  const queries = tf.randomNormal([13, 6], 0, 1, 'float32', 2) as tf.Tensor2D;
  const labels = Array.from({ length: 40 }, (_, i) => i % 4);
  const one = nearestNeighbors(queries, bank, { k: 4, batchSize: 100 });
  const blocks = nearestNeighbors(queries, bank, { k: 4, batchSize: 5 });
  assert.deepEqual(blocks.indices, one.indices);
  const pred = knnPredict(queries, bank, labels, { k: 1, numClasses: 4 });
  assert.deepEqual(Array.from(pred.dataSync()), one.indices.map((row) => labels[row[0]]));
  tf.dispose([bank, queries, pred]);
});

test('nearestNeighbors refuses bad input with a message that says what was wrong', () => {
  const bank = tf.ones([3, 2]) as tf.Tensor2D;
  const q = tf.ones([1, 2]) as tf.Tensor2D;
  assert.throws(() => nearestNeighbors(q, bank, { k: 4 }), { message: 'Error in nearestNeighbors: k must be an integer in 1..3 (the bank\'s rows), but got 4' });
  assert.throws(() => nearestNeighbors(tf.ones([1, 3]) as tf.Tensor2D, bank), /must have the same D, but got \[1,3\] and \[3,2\]/);
  assert.throws(() => nearestNeighbors(tf.ones([2]) as unknown as tf.Tensor2D, bank), /queries must be 2-D \[Q, D\], but got shape \[2\]/);
  assert.throws(() => nearestNeighbors(q, tf.zeros([0, 2]) as tf.Tensor2D), /the bank is empty/);
  assert.throws(() => nearestNeighbors(q, bank, { kk: 2 } as object), /Unknown config key: kk/);
  tf.dispose([bank, q]);
});
