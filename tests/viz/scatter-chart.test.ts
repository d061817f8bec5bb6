import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { PNG } from 'pngjs';
import * as vega from 'vega';
import * as vegaLite from 'vega-lite';
import type { TopLevelSpec } from 'vega-lite';
import { scatterChart, scatterChartSpec, scatterChartSummary } from '../../src/viz';
import { PNG_ABOVE_POINTS } from '../../src/viz/scatter-chart';
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

test('tooltips carry the image index (numbered by vega, not stored) and class name', async () => {
  const spec = scatterChartSpec(points, { labels, classNames: ['cat', 'dog', 'ship'] }) as {
    data: { values: { class: string }[] };
    encoding: { tooltip: { field: string }[] };
  };
  assert.deepEqual(spec.data.values[4], { x: 4, y: 2, class: 'ship' });
  assert.equal(spec.data.values[5].class, '10', 'an id without a name stays an id');
  assert.deepEqual(spec.encoding.tooltip.map((t) => t.field), ['index', 'class', 'x', 'y']);
  const rows = await vegaRows(spec as unknown as TopLevelSpec);
  assert.deepEqual(rows.map((r) => r.index), [0, 1, 2, 3, 4, 5], 'vega numbers the points from 0, in the order given');
  assert.equal(rows[4].class, 'ship');
});

test('coordinates are stored to 4 significant digits', () => {
  const spec = scatterChartSpec([[1.23456789, -0.000123456], [12345.678, 2]]) as { data: { values: { x: number; y: number }[] } };
  assert.deepEqual(spec.data.values, [{ x: 1.235, y: -0.0001235 }, { x: 12350, y: 2 }]);
});

test('Is a big scatter shown as a PNG beside the interactive chart, and a small one as an SVG?', async () => {
  const many = Array.from({ length: 2000 }, (_, i) => [Math.cos(i % 10) * 8 + ((i * 7919) % 101) / 40, Math.sin(i % 10) * 8 + ((i * 104729) % 97) / 40]);
  const manyLabels = many.map((_, i) => i % 10);
  const { writer, messages } = captureWriter();
  await scatterChart(many, { labels: manyLabels, title: 'UMAP' }, { writer });
  await scatterChart(many, { labels: manyLabels, title: 'UMAP', staticImage: 'svg' }, { writer });
  await scatterChart(points, { labels }, { writer });
  const [big, bigSvg, small] = messages.map((m) => m.message.data);
  assert.equal(big['image/svg+xml'], undefined);
  const png = PNG.sync.read(Buffer.from(big['image/png'] as string, 'base64'));
  assert.deepEqual([png.width, png.height], [480, 400]);
  const bytes = (d: Record<string, unknown>) => JSON.stringify(d).length;
  assert.ok(bytes(big) < 0.5 * bytes(bigSvg), `the PNG bundle (${bytes(big)} B) is under half the SVG one (${bytes(bigSvg)} B)`);
  assert.ok(bytes(big) < 200_000, `a 2,000-point scatter's output is ${bytes(big)} B`);
  assert.equal(typeof small['image/svg+xml'], 'string');
  assert.equal(small['image/png'], undefined);
  assert.ok(PNG_ABOVE_POINTS < 2000 && PNG_ABOVE_POINTS >= points.length);
});

test('Does the PNG show the chart (white background, coloured points, dark text)?', async () => {
  const { writer, messages } = captureWriter();
  await scatterChart(points, { labels, title: 'Six points', staticImage: 'png' }, { writer });
  const png = PNG.sync.read(Buffer.from(messages[0].message.data['image/png'] as string, 'base64'));
  let white = 0, dark = 0, coloured = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
    if (r > 250 && g > 250 && b > 250) white++;
    else if (r < 60 && g < 60 && b < 60) dark++;
    else if (Math.max(r, g, b) - Math.min(r, g, b) > 60) coloured++;
  }
  const total = png.width * png.height;
  assert.ok(white > 0.6 * total, `mostly white background (${white} of ${total})`);
  assert.ok(dark > 200, `text and axes drawn (${dark} dark pixels): the bundled font rendered`);
  assert.ok(coloured > 100, `points drawn in colour (${coloured} pixels)`);
  await assert.rejects(scatterChart(points, { staticImage: 'jpeg' as never }, { writer }), {
    message: `Error in scatterChart: staticImage must be 'auto', 'svg' or 'png', but got "jpeg"`,
  });
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

/** The rows vega computes for the spec's marks (after its transforms). */
async function vegaRows(spec: TopLevelSpec): Promise<Array<Record<string, unknown>>> {
  const compiled = vegaLite.compile(spec).spec;
  const view = new vega.View(vega.parse(compiled), { renderer: 'none' });
  await view.runAsync();
  const names = (compiled.data ?? []).map((d) => d.name);
  const withIndex = names.map((n) => view.data(n) as Array<Record<string, unknown>>).find((rows) => rows.length > 0 && 'index' in rows[0]);
  view.finalize();
  assert.ok(withIndex, `a dataset with an index field among ${names}`);
  return withIndex!;
}
