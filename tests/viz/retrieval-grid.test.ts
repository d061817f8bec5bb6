import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import { retrievalGrid } from '../../src/viz';
import { captureWriter } from './helpers';

const rgb = (png: PNG, x: number, y: number) => Array.from(png.data.subarray(4 * (y * png.width + x), 4 * (y * png.width + x) + 3));

test('retrievalGrid shows each query then its neighbours, frames other-class neighbours in red and counts the same-class ones', () => {
  // 4x4 grey images: bank image i has grey level i / 10; queries are black.
  const bank = tf.concat(Array.from({ length: 6 }, (_, i) => tf.fill([1, 4, 4, 3], i / 10))) as tf.Tensor4D;
  const queries = tf.zeros([2, 4, 4, 3]) as tf.Tensor4D;
  const { writer, messages } = captureWriter();
  const before = tf.memory().numTensors;
  const result = retrievalGrid(queries, bank, [[5, 1], [2, 3]], { queryLabels: [0, 1], bankLabels: [0, 0, 1, 0, 1, 0], classNames: ['cat', 'dog'], scale: 1 }, { writer });
  assert.equal(tf.memory().numTensors, before, 'no tensor left behind');
  assert.deepEqual(result, { total: 4, sameClass: 3 });
  const data = messages[0].message.data;
  assert.equal(data['text/plain'], "retrieval grid: 2 queries (framed in blue), each followed by its 2 nearest neighbours; 3 of 4 neighbours share their query's class (others framed in red)");
  const png = PNG.sync.read(Buffer.from(data['image/png'] as string, 'base64'));
  // Padding 2: cell (row r, column c) starts at x = 2 + c * 6; rows are taller (captions), so find row 1 by the query's black pixel.
  assert.deepEqual(rgb(png, 2, 2), [26, 77, 229], 'query 0 first, framed in blue');
  assert.deepEqual(rgb(png, 3, 3), [0, 0, 0], 'inside the frame, the query itself');
  assert.deepEqual(rgb(png, 8 + 1, 2 + 1), [128, 128, 128], 'then bank image 5 (grey 0.5), inside');
  assert.deepEqual(rgb(png, 8 + 1, 2 + 1), rgb(png, 8 + 2, 2 + 2));
  assert.deepEqual(rgb(png, 8, 2), [128, 128, 128], 'same class: no frame');
  let rowTop = 6; // below the first row's images: find the second row by bank image 2 (grey 0.2, same class, unframed)
  while (rowTop < png.height && rgb(png, 8, rowTop).join() !== '51,51,51') rowTop++;
  assert.ok(rowTop < png.height, 'a second row shows bank image 2 first');
  assert.deepEqual(rgb(png, 2, rowTop), [26, 77, 229], 'after query 1, framed in blue');
  assert.deepEqual(rgb(png, 14, rowTop), [229, 26, 26], 'bank image 3 is a cat next to a dog query: red frame');
  assert.deepEqual(rgb(png, 14 + 1, rowTop + 1), [77, 77, 77], 'its inside is untouched');
  tf.dispose([bank, queries]);
});

test('retrievalGrid refuses neighbours outside the bank, uneven rows and unknown options', () => {
  const bank = tf.zeros([3, 4, 4, 3]) as tf.Tensor4D;
  const queries = tf.zeros([1, 4, 4, 3]) as tf.Tensor4D;
  const { writer } = captureWriter();
  assert.throws(() => retrievalGrid(queries, bank, [[3]], {}, { writer }), { message: 'Error in retrievalGrid: neighbour index 3 is outside the bank (0..2)' });
  assert.throws(() => retrievalGrid(queries, bank, [[0], [1]], {}, { writer }), /one list per query \(1\), but got 2/);
  assert.throws(() => retrievalGrid(queries, tf.zeros([3, 8, 8, 3]) as tf.Tensor4D, [[0]], {}, { writer }), /same H, W, C/);
  assert.throws(() => retrievalGrid(queries, bank, [[0]], { labels: [] } as object, { writer }), /Unknown config key: labels/);
  const unlabelled = retrievalGrid(queries, bank, [[0, 2]], {}, { writer });
  assert.ok(Number.isNaN(unlabelled.sameClass));
  tf.dispose([bank, queries]);
});
