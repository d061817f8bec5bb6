import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { lineChart, lineChartSpec, lineChartSummary } from '../../src/viz';
import { VEGALITE_MIME } from '../../src/viz/vega-lite-bundle';
import { assertNoLeak, captureWriter, checkSvg, compileVegaLite } from './helpers';

const runs = { simclr: [2.3, 1.9, 1.6, 1.4], moco: [2.4, 2.1, 1.8, 1.7] };

test('lineChart emits one output with vega-lite, SVG and text, one line path per series', async () => {
  const { writer, messages } = captureWriter();
  await lineChart(runs, { yLabel: 'loss', width: 400, height: 250 }, { writer });
  assert.equal(messages.length, 1);
  const { data } = messages[0].message;
  assert.deepEqual(Object.keys(data).sort(), ['application/vnd.vegalite.v5+json', 'image/svg+xml', 'text/plain']);
  compileVegaLite(data[VEGALITE_MIME]);
  const roles = checkSvg(data['image/svg+xml'] as string, { width: 400, height: 250 });
  assert.equal(roles['line mark'], 2);
  assert.equal(data['text/plain'], 'line chart: loss over 4 steps, 2 series (last: simclr 1.4, moco 1.7)');
});

test('the spec holds every point in long form, series in the given order', () => {
  const spec = lineChartSpec(runs) as { data: { values: unknown[] }; encoding: { color: { sort: string[] } } };
  assert.equal(spec.data.values.length, 8);
  assert.deepEqual(spec.data.values[5], { series: 'moco', x: 1, y: 2.1 });
  assert.deepEqual(spec.encoding.color.sort, ['simclr', 'moco']);
});

test('accepts one array, a tensor, or LineSeries with x; non-finite values become gaps', () => {
  const one = lineChartSpec([1, NaN, 3], { yLabel: 'loss' }) as { data: { values: { series: string; y: unknown }[] } };
  assert.equal(one.data.values[0].series, 'loss');
  assert.equal(one.data.values[1].y, null);
  const t = tf.tensor1d([0.5, 0.25]);
  const withX = lineChartSpec([{ name: 'acc', y: t, x: [10, 20] }]) as { data: { values: unknown[] } };
  assert.deepEqual(withX.data.values, [
    { series: 'acc', x: 10, y: 0.5 },
    { series: 'acc', x: 20, y: 0.25 },
  ]);
  assert.equal(t.isDisposed, false, 'the caller owns the tensor');
  t.dispose();
  assert.equal(lineChartSummary([{ name: 'acc', y: [0.5, NaN], x: [1, 2] }], { xLabel: 'epoch', yLabel: 'accuracy', title: 'kNN' }),
    'kNN: line chart: accuracy over 2 epochs, 1 series (last: acc 0.5); 1 NaN or infinite value not drawn');
  compileVegaLite(lineChartSpec([1, 2, 3], { logY: true }));
});

test('mismatched x and y lengths fail with a fixed-form message', () => {
  assert.throws(() => lineChartSpec([{ name: 'a', y: [1, 2, 3], x: [0, 1] }]), {
    message: 'Error in lineChart: series "a" has 2 x values and 3 y values',
  });
});

test('tensor inputs are read without leaking', async () => {
  const y = tf.tensor1d([3, 2, 1]);
  const { writer } = captureWriter();
  await assertNoLeak(() => lineChart({ loss: y }, {}, { writer }));
  y.dispose();
});

test('Does the summary say how many NaN values (a diverged run) were not drawn?', () => {
  assert.equal(lineChartSummary({ loss: [3, 2, NaN, NaN] }), 'line chart: value over 4 steps, 1 series (last: loss 2); 2 NaN or infinite values not drawn');
  assert.equal(lineChartSummary({ loss: [3, 2] }), 'line chart: value over 2 steps, 1 series (last: loss 2)');
});
