import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { labelSubset } from '../../src/data/label-subset';

// 10 classes, class c has 20 + c examples, interleaved
const labels: number[] = [];
for (let i = 0; i < 300; i++) labels.push(i % 10);
for (let c = 0; c < 10; c++) for (let i = 0; i < c; i++) labels.push(c);

function countPerClass(indices: Int32Array): number[] {
  const counts = new Array(10).fill(0);
  for (const i of indices) counts[labels[i]]++;
  return counts;
}

test('Does perClass keep exactly that many of every class, sorted and without repeats?', () => {
  const keep = labelSubset(labels, { perClass: 5, seed: 0 });
  assert.deepEqual(countPerClass(keep), new Array(10).fill(5));
  assert.deepEqual(Array.from(keep), [...keep].sort((a, b) => a - b));
  assert.equal(new Set(keep).size, keep.length);
});

test('Does fraction keep round(fraction x count) per class, at least one?', () => {
  const keep = labelSubset(labels, { fraction: 0.1, seed: 0 });
  assert.deepEqual(countPerClass(keep), [3, 3, 3, 3, 3, 4, 4, 4, 4, 4]); // round(0.1 * (30 + c))
  assert.deepEqual(countPerClass(labelSubset(labels, { fraction: 0.001, seed: 0 })), new Array(10).fill(1));
});

test('Is the subset fixed by the seed, and does it accept a label tensor?', () => {
  const a = labelSubset(labels, { perClass: 3, seed: 1 });
  assert.deepEqual(a, labelSubset(tf.tensor1d(labels, 'int32'), { perClass: 3, seed: 1 }));
  assert.notDeepEqual(a, labelSubset(labels, { perClass: 3, seed: 2 }));
});

test('Are bad options rejected with fixed-form messages?', () => {
  assert.throws(() => labelSubset(labels, { seed: 0 }), { message: 'Error in labelSubset: give exactly one of fraction and perClass' });
  assert.throws(() => labelSubset(labels, { fraction: 1.5, seed: 0 }), { message: 'Error in labelSubset: fraction must be in (0, 1], but got 1.5' });
  assert.throws(() => labelSubset(labels, { perClass: 31, seed: 0 }), { message: 'Error in labelSubset: class 0 has only 30 examples, but perClass is 31' });
});
