import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { batches, batchesPerEpoch } from '../../src/data/batches';

before(async () => {
  await tf.setBackend('cpu');
});

test('Does every row appear exactly once per epoch, reshuffled each epoch?', () => {
  const x = tf.range(0, 10).reshape([10, 1]) as tf.Tensor2D;
  const seen: number[][] = [[], []];
  const orders: number[][] = [[], []];
  for (const b of batches({ x }, { batchSize: 4, shuffle: true, seed: 1, numEpochs: 2 })) {
    seen[b.epoch].push(...Array.from(b.x.dataSync()));
    orders[b.epoch].push(...Array.from(b.indices));
    b.x.dispose();
  }
  for (const e of [0, 1]) {
    assert.deepEqual([...seen[e]].sort((a, b) => a - b), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.deepEqual(seen[e], orders[e]);
  }
  assert.notDeepEqual(orders[0], orders[1]);
  x.dispose();
});

test('Is the order fixed by the seed, and file order without shuffle?', () => {
  const y = Int32Array.from({ length: 9 }, (_, i) => i);
  const run = (opts: Parameters<typeof batches>[1]) => [...batches({ y }, opts)].map((b) => Array.from(b.y));
  assert.deepEqual(run({ batchSize: 4, shuffle: true, seed: 3 }), run({ batchSize: 4, shuffle: true, seed: 3 }));
  assert.notDeepEqual(run({ batchSize: 4, shuffle: true, seed: 3 }), run({ batchSize: 4, shuffle: true, seed: 4 }));
  assert.deepEqual(run({ batchSize: 4 }), [[0, 1, 2, 3], [4, 5, 6, 7], [8]]);
  assert.deepEqual(run({ batchSize: 4, dropLast: true }), [[0, 1, 2, 3], [4, 5, 6, 7]]);
  assert.equal(batchesPerEpoch(9, 4), 3);
  assert.equal(batchesPerEpoch(9, 4, true), 2);
});

test('Are all columns (tensors, arrays, typed arrays) cut with the same rows?', () => {
  const x = tf.tensor4d(Float32Array.from({ length: 6 * 2 * 2 * 1 }, (_, i) => Math.floor(i / 4)), [6, 2, 2, 1]);
  const captions = ['a', 'b', 'c', 'd', 'e', 'f'];
  const y = Int32Array.from([0, 1, 2, 3, 4, 5]);
  for (const b of batches({ x, captions, y }, { batchSize: 4, shuffle: true, seed: 9 })) {
    assert.deepEqual(b.x.shape, [b.indices.length, 2, 2, 1]);
    assert.deepEqual(Array.from(b.y), Array.from(b.indices));
    assert.deepEqual(b.captions, Array.from(b.indices, (i) => captions[i]));
    const firstPixels = Array.from(b.x.dataSync()).filter((_, i) => i % 4 === 0);
    assert.deepEqual(firstPixels, Array.from(b.indices));
    b.x.dispose();
  }
  x.dispose();
});

test('Does iterating (and stopping early) leak no tensors when the caller disposes its batches?', () => {
  const x = tf.randomUniform([20, 4, 4, 3]) as tf.Tensor4D;
  const y = tf.tensor1d(Array.from({ length: 20 }, (_, i) => i % 10), 'int32');
  const before = tf.memory().numTensors;
  for (const b of batches({ x, y }, { batchSize: 6, shuffle: true, seed: 0, numEpochs: 3 })) tf.dispose([b.x, b.y]);
  for (const b of batches({ x, y }, { batchSize: 6 })) {
    tf.dispose([b.x, b.y]);
    break;
  }
  assert.equal(tf.memory().numTensors, before);
  assert.ok(!x.isDisposed && !y.isDisposed);
  tf.dispose([x, y]);
});

test('Are bad datasets and options rejected with fixed-form messages?', () => {
  const x = tf.zeros([4, 2]);
  const first = <T>(it: Iterator<T>) => it.next();
  assert.throws(() => first(batches({ x, y: [1, 2, 3] }, { batchSize: 2 })), { message: 'Error in batches: x has 4 rows but y has 3' });
  assert.throws(() => first(batches({ x }, { batchSize: 0 })), { message: 'Error in batches: batchSize must be a positive integer, but got 0' });
  assert.throws(() => first(batches({ x }, { batchSize: 2, shuffle: true })), { message: 'Error in batches: shuffle needs a seed' });
  assert.throws(() => first(batches({ x }, { batchSize: 2, epochs: 3 } as never)), { message: 'Error in batches: Unknown config key: epochs (expected one of batchSize, shuffle, seed, dropLast, numEpochs)' });
  assert.throws(() => first(batches({ x, step: [1, 2, 3, 4] }, { batchSize: 2 })), {
    message: "Error in batches: column name 'step' is reserved (epoch, step, indices)",
  });
  x.dispose();
});
