import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { heatmap, heatmapSpec, heatmapSummary } from '../../src/viz';
import { VEGALITE_MIME } from '../../src/viz/vega-lite-bundle';
import { assertNoLeak, captureWriter, checkSvg, compileVegaLite } from './helpers';

test('heatmap of a Tensor2D: one rect per cell, row 0 on top, summary with range and diagonal', async () => {
  const sim = tf.tensor2d([
    [1, 0.2, -0.1],
    [0.2, 1, 0.5],
    [-0.1, 0.5, 1],
  ]);
  const { writer, messages } = captureWriter();
  await heatmap(sim, { domain: [-1, 1], scheme: 'redblue', cellSize: 20 }, { writer });
  const { data } = messages[0].message;
  compileVegaLite(data[VEGALITE_MIME]);
  const roles = checkSvg(data['image/svg+xml'] as string);
  assert.equal(roles['rect mark'], 9);
  assert.equal(data['text/plain'], 'heatmap: 3x3, values in [-0.1, 1], diagonal mean 1');
  const spec = data[VEGALITE_MIME] as { width: number; height: number; data: { values: unknown[] } };
  assert.equal(spec.width, 60);
  assert.equal(spec.height, 60);
  assert.deepEqual(spec.data.values[1], { row: 0, col: 1, value: 0.2 });
  assert.equal(sim.isDisposed, false);
  await assertNoLeak(() => heatmap(sim, {}, { writer }));
  sim.dispose();
});

test('axis names become label expressions; rectangular matrices have no diagonal', () => {
  const spec = heatmapSpec([[1, 2], [3, 4], [5, 6]], { xLabels: ['a', 'b'], yLabels: ['x', 'y', 'z'] }) as {
    encoding: { x: { axis: { labelExpr: string } } };
  };
  assert.equal(spec.encoding.x.axis.labelExpr, '["a","b"][datum.value]');
  compileVegaLite(spec);
  assert.equal(heatmapSummary([[1, 2], [3, 4], [5, 6]], { title: 'logits' }), 'logits: heatmap: 3x2, values in [1, 6]');
});

test('bad inputs fail with fixed-form messages', () => {
  assert.throws(() => heatmapSpec([[1, 2], [3]]), {
    message: 'Error in heatmap: matrix must be a 2-D matrix, but row 1 has 1 values and row 0 has 2',
  });
  assert.throws(() => heatmapSpec([[1, 2]], { xLabels: ['a'] }), { message: 'Error in heatmap: xLabels must have 2 entries, but got 1' });
  const big = tf.zeros([512, 512]) as tf.Tensor2D;
  assert.throws(() => heatmapSpec(big), {
    message: 'Error in heatmap: matrix has 262144 cells, more than maxCells = 10000; pass a slice or raise maxCells',
  });
  big.dispose();
});
