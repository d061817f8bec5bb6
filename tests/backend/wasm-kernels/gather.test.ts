import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { randomTensor, setUpBackends, wasmVsCpu } from './helpers';

/** GatherV2 on wasm (selfsup's block-copying kernel, or the stock one it hands small blocks to) against cpu. */

before(async () => {
  await setUpBackends();
});

const CASES: [string, number[], number, number[] | number[][]][] = [
  ['a batch of images, repeats and reverse order (axis 0, blocks of 192)', [50, 8, 8, 3], 0, [49, 0, 7, 7, 23, 1]],
  ['filter tap rows (axis 0, blocks of 384)', [3, 3, 16, 8], 0, [0, 2]],
  ['filter tap columns (axis 1, blocks of 128, 3 outer rows)', [3, 3, 16, 8], 1, [1]],
  ['2-D indices along the middle axis (blocks of 70)', [2, 5, 70], 1, [[0, 4], [2, 2]]],
  ['small blocks (stock kernel, axis 0, blocks of 48)', [20, 4, 4, 3], 0, [3, 19, 0]],
  ['the last axis (stock kernel)', [6, 100], 1, [99, 0, 50]],
];

for (const [what, shape, axis, indices] of CASES) {
  test(`Does GatherV2 on wasm give cpu's result: ${what}?`, async () => {
    const err = await wasmVsCpu(() => tf.gather(randomTensor(shape, 3), tf.tensor(indices as number[], undefined, 'int32'), axis));
    assert.equal(err, 0);
  });
}

test('Does GatherV2 on wasm gather int32 tensors and keep batchDims working?', async () => {
  const ints = await wasmVsCpu(() => tf.cast(tf.gather(tf.cast(tf.mul(randomTensor([10, 80], 4), 1000), 'int32'), [9, 2, 2], 0), 'float32'));
  assert.equal(ints, 0);
  const batched = await wasmVsCpu(() => tf.gather(randomTensor([4, 6, 70], 5), tf.tensor2d([[0, 5], [1, 1], [2, 0], [5, 3]], [4, 2], 'int32'), 1, 1));
  assert.equal(batched, 0);
});

test('Does GatherV2 on wasm reject an index out of range with a fixed-form error, leaking nothing?', async () => {
  await setUpBackends();
  await tf.setBackend('wasm');
  const x = randomTensor([5, 8, 8, 3], 6);
  const before = tf.memory().numTensors;
  assert.throws(
    () => tf.gather(x, tf.tensor1d([0, 5], 'int32'), 0),
    /^Error: Error in GatherV2 \(selfsup wasm kernel\): index 5 is not in \[0, 4\] \(axis 0 of \[5,8,8,3\]\)$/,
  );
  assert.equal(tf.memory().numTensors, before + 1); // the indices tensor made in the call, nothing else
  x.dispose();
});
