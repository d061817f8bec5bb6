import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barChart, barChartSpec, barChartSummary, renderVegaLiteSvg } from '../../src/viz';
import { VEGALITE_MIME } from '../../src/viz/vega-lite-bundle';
import { captureWriter, checkSvg, compileVegaLite } from './helpers';

test('barChart emits one bundle with one bar per entry, in the given order', async () => {
  const { writer, messages } = captureWriter();
  await barChart({ 'raw pixels': 0.41, random: 0.368, simclr: 0.516 }, { yLabel: 'kNN accuracy' }, { writer });
  const { data } = messages[0].message;
  compileVegaLite(data[VEGALITE_MIME]);
  const roles = checkSvg(data['image/svg+xml'] as string, { width: 480, height: 300 });
  assert.equal(roles['bar'], 3);
  assert.equal(data['text/plain'], 'bar chart: 3 bars (raw pixels 0.41, random 0.368, simclr 0.516)');
  const spec = data[VEGALITE_MIME] as { encoding: { x: { sort: string[] } } };
  assert.deepEqual(spec.encoding.x.sort, ['raw pixels', 'random', 'simclr']);
});

test('groups give grouped, coloured bars', async () => {
  const bars = [
    { label: 'epoch 1', value: 0.42, group: 'SimCLR' },
    { label: 'epoch 1', value: 0.4, group: 'MoCo' },
    { label: 'epoch 2', value: 0.48, group: 'SimCLR' },
    { label: 'epoch 2', value: 0.45, group: 'MoCo' },
  ];
  const spec = barChartSpec(bars) as { encoding: Record<string, { field?: string }> };
  assert.equal(spec.encoding.xOffset.field, 'group');
  assert.equal(spec.encoding.color.field, 'group');
  compileVegaLite(spec);
  assert.equal(barChartSummary(bars), 'bar chart: 4 bars (epoch 1/SimCLR 0.42, epoch 1/MoCo 0.4, epoch 2/SimCLR 0.48, epoch 2/MoCo 0.45)');
  const { writer, messages } = captureWriter();
  await barChart(bars, {}, { writer });
  assert.equal(checkSvg(messages[0].message.data['image/svg+xml'] as string)['bar'], 4);
});

test('a long legend entry and a long title are drawn whole, the title from the left edge', async () => {
  const long = 'before the projection head: h (128-d)';
  const spec = barChartSpec([{ label: 'kNN', group: long, value: 1 }, { label: 'kNN', group: 'after: z', value: 2 }], { title: 'Course checkpoint: before vs after the projection head', width: 600 });
  const svg = await renderVegaLiteSvg(spec);
  assert.ok(svg.includes(`>${long}<`), 'the legend label is not cut short with an ellipsis');
  assert.ok(!svg.includes('…'), 'nothing is truncated');
  const title = /<g class="mark-group role-title"><g transform="translate\(([\d.-]+),/.exec(svg);
  assert.ok(title && Number(title[1]) < 0, `the title starts at the image's left edge, left of the plot (x < 0), got x = ${title?.[1]}`);
});
