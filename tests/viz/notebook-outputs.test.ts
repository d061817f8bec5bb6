/**
 * Do notebook cells using the viz functions produce the promised outputs in a real tslab
 * kernel? Needs the built library (npm run build: notebooks import dist/ as 'selfsup').
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PNG } from 'pngjs';
import { KernelSession } from '../../src/jupyter/kernel-session';
import { tslabKernelSpec } from '../../src/jupyter/kernelspec';
import type { Output } from '../../src/jupyter/notebook';
import { checkSvg, compileVegaLite } from './helpers';

const root = path.resolve(__dirname, '..', '..', '..');
const VEGALITE = 'application/vnd.vegalite.v5+json';
const PLOTLY = 'application/vnd.plotly.v1+json';
let kernel: KernelSession;

before(async () => {
  assert.ok(fs.existsSync(path.join(root, 'dist', 'viz', 'index.js')), 'dist/viz is missing: run npm run build first');
  kernel = await KernelSession.start({ spec: tslabKernelSpec(root), cwd: path.join(root, 'notebooks') });
  const r = await run("import * as tf from '@tensorflow/tfjs';\nimport * as viz from 'selfsup';\nimport * as hooks from 'selfsup/dist/viz/display'; // the writer hooks are internal: not in the public index");
  assert.deepEqual(r, []);
});
after(async () => {
  await kernel?.shutdown();
});

/** Execute a cell; it must succeed. Returns its outputs. */
async function run(code: string): Promise<Output[]> {
  const r = await kernel.execute(code, { timeoutMs: 60_000 });
  assert.equal(r.status, 'ok', `cell failed: ${JSON.stringify(r.error ?? r.outputs).slice(0, 2000)}`);
  return r.outputs;
}

const displays = (outputs: Output[]) =>
  outputs.filter((o) => o.output_type === 'display_data').map((o) => (o as { data: Record<string, unknown> }).data);
const stdout = (outputs: Output[]) =>
  outputs.filter((o) => o.output_type === 'stream' && o.name === 'stdout').map((o) => String((o as { text: string }).text)).join('');

/** Cell code that records what the library sends through tslab's writer while `body` runs. */
const recording = (body: string) => `{
  const real = hooks.findDisplayWriter()!;
  const sent: string[] = [];
  hooks.setDisplayWriter((m, update) => { sent.push((update ? 'update ' : 'display ') + m.transient.display_id); real(m, update); });
  try {
${body}
  } finally {
    hooks.setDisplayWriter(undefined);
  }
  console.log(JSON.stringify(sent));
}`;

test('Do the vega-lite charts each give one output with vega-lite JSON, SVG and text?', async () => {
  const outputs = await run(
    [
      "await viz.lineChart({ simclr: [2.3, 1.9, 1.6], moco: [2.4, 2.0, 1.8] }, { yLabel: 'loss' });",
      'await viz.scatterChart([[0, 0], [1, 1], [2, 0]], { labels: [0, 1, 1] });',
      "await viz.barChart({ simclr: 0.52, moco: 0.49 }, { yLabel: 'kNN accuracy' });",
      'await viz.heatmap(tf.tensor2d([[1, 0.1], [0.1, 1]]));',
    ].join('\n'),
  );
  const data = displays(outputs);
  assert.equal(data.length, 4);
  for (const d of data) {
    assert.deepEqual(Object.keys(d).sort(), [VEGALITE, 'image/svg+xml', 'text/plain']);
    compileVegaLite(d[VEGALITE]);
    checkSvg(d['image/svg+xml'] as string);
  }
  assert.equal(checkSvg(data[0]['image/svg+xml'] as string)['line mark'], 2);
  assert.deepEqual(data.map((d) => String(d['text/plain']).split(':')[0]), ['line chart', 'scatter chart', 'bar chart', 'heatmap']);
});

test('Do the plotly charts give plotly JSON, offline HTML (library in the first only) and text?', async () => {
  const outputs = await run(
    [
      "viz.scatter3d([[0, 0, 0], [1, 1, 1]], { labels: ['cat', 'dog'] });",
      'viz.surfacePlot([[1, 2], [3, 4]]);',
    ].join('\n'),
  );
  const data = displays(outputs);
  assert.equal(data.length, 2);
  for (const d of data) assert.deepEqual(Object.keys(d).sort(), [PLOTLY, 'text/html', 'text/plain']);
  const withLibrary = data.map((d) => String(d['text/html']).includes('plotly.js v2.35.3'));
  assert.deepEqual(withLibrary, [true, false]);
  assert.equal((data[1][PLOTLY] as { data: { type: string }[] }).data[0].type, 'surface');
  // a later cell of the same kernel session does not send the library again
  const again = displays(await run('viz.scatter3d([[0, 0, 0]]);'));
  assert.equal(String(again[0]['text/html']).includes('plotly.js v2.35.3'), false);
});

test('Does imageGrid give a PNG that decodes to the right size?', async () => {
  const data = displays(await run("viz.imageGrid(tf.ones([3, 8, 8, 3]) as tf.Tensor4D, { scale: 2, padding: 1 });"));
  assert.deepEqual(Object.keys(data[0]).sort(), ['image/png', 'text/plain']);
  const png = PNG.sync.read(Buffer.from(String(data[0]['image/png']), 'base64'));
  assert.deepEqual([png.width, png.height], [1 + 3 * 17, 1 + 17]);
});

test('Does a progress bar send display_data then update_display_data for the same display_id?', async () => {
  const outputs = await run(
    recording(`    const bar = viz.progress(5, { label: 'epoch', minIntervalMs: 0 });
    for (let i = 0; i < 5; i++) bar.update(1, { loss: 1 / (i + 1) });
    bar.close();`),
  );
  const sent = JSON.parse(stdout(outputs)) as string[];
  assert.ok(sent.length >= 2);
  const id = sent[0].split(' ')[1];
  assert.equal(sent[0], `display ${id}`);
  assert.ok(sent.slice(1).every((s) => s === `update ${id}`), sent.join(', '));
  // The kernel client applies updates by display_id: one output holding the final state.
  const data = displays(outputs);
  assert.equal(data.length, 1);
  assert.deepEqual(Object.keys(data[0]).sort(), ['text/html', 'text/plain']);
  assert.match(String(data[0]['text/plain']), /^epoch: 5\/5 \(100%\) .*loss 0\.2$/);
});

test('Does a live chart redraw in place, ending with every point?', async () => {
  const outputs = await run(
    recording(`    const live = viz.liveLineChart({ yLabel: 'loss', minIntervalMs: 0 });
    for (let step = 0; step < 5; step++) await live.update({ loss: 1 / (step + 1) }, step);
    await live.close();`),
  );
  const sent = JSON.parse(stdout(outputs)) as string[];
  const id = sent[0].split(' ')[1];
  assert.deepEqual(sent, [`display ${id}`, ...Array(sent.length - 1).fill(`update ${id}`)]);
  assert.ok(sent.length >= 2);
  const data = displays(outputs);
  assert.equal(data.length, 1);
  assert.deepEqual(Object.keys(data[0]).sort(), [VEGALITE, 'image/svg+xml', 'text/plain']);
  assert.equal((data[0][VEGALITE] as { data: { values: unknown[] } }).data.values.length, 5);
  assert.equal(data[0]['text/plain'], 'line chart: loss over 5 steps, 1 series (last: loss 0.2)');
});
