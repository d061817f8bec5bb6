import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { scatterChart, scatterChartSpec, scatterChartSummary } from '../../src/viz';
import { VEGALITE_MIME } from '../../src/viz/vega-lite-bundle';
import { assertNoLeak, captureWriter, checkSvg, compileVegaLite } from './helpers';

const points = [[0, 0], [1, 0.5], [2, 1], [3, 0], [4, 2], [5, 1]];
const labels = [2, 0, 1, 0, 2, 10];

test('scatterChart emits one bundle; one symbol per point; classes ordered by id', async () => {
  const { writer, messages } = captureWriter();
  await scatterChart(points, { labels, width: 300, height: 200 }, { writer });
  const { data } = messages[0].message;
  compileVegaLite(data[VEGALITE_MIME]);
  const roles = checkSvg(data['image/svg+xml'] as string, { width: 300, height: 200 });
  assert.equal(roles['point'], 6);
  assert.equal(data['text/plain'], 'scatter chart: 6 points in 4 classes (0 2, 1 1, 2 2, 10 1)');
  const spec = data[VEGALITE_MIME] as { encoding: { color: { scale: { domain: string[] } } } };
  assert.deepEqual(spec.encoding.color.scale.domain, ['0', '1', '2', '10']);
});

test('tooltips carry the image index and class name', () => {
  const spec = scatterChartSpec(points, { labels, classNames: ['cat', 'dog', 'ship'] }) as {
    data: { values: { index: number; class: string }[] };
    encoding: { tooltip: { field: string }[] };
  };
  assert.deepEqual(spec.data.values[4], { index: 4, x: 4, y: 2, class: 'ship' });
  assert.equal(spec.data.values[5].class, '10', 'an id without a name stays an id');
  assert.deepEqual(spec.encoding.tooltip.map((t) => t.field), ['index', 'class', 'x', 'y']);
});

test('accepts a Tensor2D and string labels; no labels means one colour', () => {
  const t = tf.tensor2d(points);
  assert.equal(scatterChartSummary(t, { labels: ['a', 'b', 'a', 'b', 'a', 'b'] }), 'scatter chart: 6 points in 2 classes (a 3, b 3)');
  const plain = scatterChartSpec(t) as { encoding: Record<string, unknown> };
  assert.equal(plain.encoding.color, undefined);
  compileVegaLite(plain);
  t.dispose();
});

test('wrong shapes and label counts fail with fixed-form messages', () => {
  assert.throws(() => scatterChartSpec([[1, 2, 3]]), { message: 'Error in scatterChart: points must have shape [N, 2], but got [1,3]' });
  assert.throws(() => scatterChartSpec(points, { labels: [1, 2] }), {
    message: 'Error in scatterChart: labels must have one entry per point, but got 2 labels for 6 points',
  });
  const t = tf.zeros([2, 3, 2]);
  assert.throws(() => scatterChartSpec(t as tf.Tensor2D), { message: 'Error in scatterChart: points must be a 2-D matrix, but got shape [2,3,2]' });
  t.dispose();
});

test('tensor inputs are read without leaking', async () => {
  const p = tf.tensor2d(points);
  const l = tf.tensor1d(labels, 'int32');
  const { writer } = captureWriter();
  await assertNoLeak(() => scatterChart(p, { labels: l }, { writer }));
  tf.dispose([p, l]);
});

test('large scatters drop per-point ARIA labels from the SVG', async () => {
  const many = Array.from({ length: 1001 }, (_, i) => [i, i % 7]);
  const spec = scatterChartSpec(many) as { config?: { aria?: boolean } };
  assert.equal(spec.config?.aria, false);
  assert.equal((scatterChartSpec(points) as { config?: { aria?: boolean } }).config?.aria, undefined, 'small scatters keep their ARIA labels');
  compileVegaLite(spec);
});

test('the colour legend is titled class by default, or as the caller says when the labels are runs', () => {
  const color = (o: object) => (scatterChartSpec([[0, 0], [1, 1]], { labels: ['a', 'b'], ...o }) as { encoding: { color: { title: string } } }).encoding.color.title;
  assert.equal(color({}), 'class');
  assert.equal(color({ legendTitle: 'temperature' }), 'temperature');
});
