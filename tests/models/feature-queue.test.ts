import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { FeatureQueue, defaultFeatureQueueConfig } from '../../src/models/feature-queue';
import { assertClose, useCpu } from '../losses/helpers';

before(useCpu);

/** Batch b of n keys, every entry equal to its global key number (1-based), D = 2. */
const batch = (start: number, n: number) => tf.tensor2d(Array.from({ length: n }, (_, i) => [start + i, start + i]));
const ids = (q: FeatureQueue) => (q.keys.arraySync() as number[][]).map((r) => r[0]);

test('starts as K random unit keys, seeded', () => {
  const a = new FeatureQueue({ queueSize: 6, dim: 3, seed: 1 });
  const b = new FeatureQueue({ queueSize: 6, dim: 3, seed: 1 });
  assertClose(tf.sum(tf.square(a.keys), 1), Array(6).fill(1), 1e-5, 1e-6);
  assertClose(a.keys, b.keys, 0, 0);
  assert.equal(a.pointer, 0);
  a.dispose();
  b.dispose();
});

test('FIFO: keys land at the pointer, oldest are overwritten first, pointer wraps', () => {
  const q = new FeatureQueue({ queueSize: 6, dim: 2, seed: 1 });
  const b1 = batch(1, 2);
  q.enqueue(b1);
  assert.deepEqual(ids(q).slice(0, 2), [1, 2]);
  assert.equal(q.pointer, 2);
  q.enqueue(batch(3, 2));
  q.enqueue(batch(5, 2));
  assert.deepEqual(ids(q), [1, 2, 3, 4, 5, 6]);
  assert.equal(q.pointer, 0);
  q.enqueue(batch(7, 2)); // replaces the oldest two
  assert.deepEqual(ids(q), [7, 8, 3, 4, 5, 6]);
  // the queue copied the values: disposing the batch changes nothing
  b1.dispose();
  assert.deepEqual(ids(q), [7, 8, 3, 4, 5, 6]);
  q.dispose();
});

test('a batch that crosses the end wraps around (K not a multiple of N)', () => {
  const q = new FeatureQueue({ queueSize: 5, dim: 2, seed: 1 });
  q.enqueue(batch(1, 3));
  q.enqueue(batch(4, 3)); // 4, 5 at the end, 6 at the start
  assert.deepEqual(ids(q), [6, 2, 3, 4, 5]);
  assert.equal(q.pointer, 1);
  q.enqueue(batch(7, 5)); // a full lap
  assert.deepEqual(ids(q), [11, 7, 8, 9, 10]);
  assert.equal(q.pointer, 1);
  q.dispose();
});

test('the pointer is saved with the keys; enqueue leaks nothing; errors are clear', () => {
  const q = new FeatureQueue({ queueSize: 4, dim: 2, seed: 1 });
  q.enqueue(batch(1, 3));
  const r = new FeatureQueue({ queueSize: 4, dim: 2, seed: 2 });
  r.setWeights(q.getWeights());
  assert.equal(r.pointer, 3);
  assert.deepEqual(ids(r), ids(q));
  const k = batch(9, 2);
  q.enqueue(k);
  const before = tf.memory().numTensors;
  q.enqueue(k);
  assert.equal(tf.memory().numTensors, before);
  assert.throws(() => q.enqueue(batch(1, 5)), { message: 'Error in FeatureQueue.enqueue: a batch of 5 keys does not fit a queue of 4' });
  assert.throws(() => q.enqueue(tf.zeros([2, 3]) as tf.Tensor2D), { message: 'Error in FeatureQueue.enqueue: keys must be [N, 2], but got shape [2,3]' });
  assert.deepEqual(q.trainableVariables, []);
  tf.dispose(k);
  q.dispose();
  r.dispose();
});

test('FeatureQueue takes a config: MoCo CIFAR defaults, the recipe\'s name queueSize, unknown keys refused', () => {
  const q = new FeatureQueue();
  assert.deepEqual(q.config, defaultFeatureQueueConfig());
  assert.deepEqual([q.queueSize, q.dim], [4096, 128]);
  assert.deepEqual(q.keys.shape, [4096, 128]);
  q.dispose();
  assert.throws(() => new FeatureQueue({ size: 8 } as never), { message: /^Unknown config key: size \(FeatureQueue accepts queueSize, dim, seed\)/ });
  assert.throws(() => new FeatureQueue({ queueSize: 0 }), { message: 'Error in FeatureQueue: queueSize and dim must be positive integers, but got 0 and 128' });
});
