import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { loadMnist } from '../../src/data/load-mnist';

before(async () => {
  await tf.setBackend('cpu');
});

test('Does loadMnist give all 10,000 digits as [N, 28, 28, 1] floats in [0, 1] with the package class counts?', () => {
  const { x, y, classNames } = loadMnist();
  assert.deepEqual(x.shape, [10000, 28, 28, 1]);
  assert.equal(x.dtype, 'float32');
  assert.equal(y.dtype, 'int32');
  const counts = new Array(10).fill(0);
  for (const label of y.dataSync()) counts[label]++;
  assert.deepEqual(counts, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  const [min, max] = tf.tidy(() => [x.min().dataSync()[0], x.max().dataSync()[0]]);
  assert.equal(min, 0);
  assert.equal(max, 1);
  assert.deepEqual(classNames, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
  tf.dispose([x, y]);
});

test('Is a limited load a seeded, mixed-class subset?', () => {
  const a = loadMnist({ limit: 100, seed: 3 });
  const b = loadMnist({ limit: 100, seed: 3 });
  const c = loadMnist({ limit: 100, seed: 4 });
  assert.deepEqual(a.x.shape, [100, 28, 28, 1]);
  assert.deepEqual(a.y.dataSync(), b.y.dataSync());
  assert.deepEqual(a.x.dataSync(), b.x.dataSync());
  assert.notDeepEqual(a.y.dataSync(), c.y.dataSync());
  assert.ok(new Set(a.y.dataSync()).size >= 8, 'a random 100 of 10,000 digits covers most classes');
  tf.dispose([a.x, a.y, b.x, b.y, c.x, c.y]);
});

test('Is a bad limit rejected?', () => {
  assert.throws(() => loadMnist({ limit: 1.5 }), { message: 'Error in loadMnist: limit must be a positive integer, but got 1.5' });
});
