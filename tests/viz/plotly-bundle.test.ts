import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as vm from 'node:vm';
import * as tf from '@tensorflow/tfjs';
import { PLOTLY_MIME } from '../../src/viz/plotly-bundle';
import {
  PlotlySession,
  plotlyHtml,
  scatter3d,
  scatter3dSpec,
  scatter3dSummary,
  surfacePlotSpec,
  surfacePlot,
  surfaceSummary,
} from '../../src/viz';
import { assertNoLeak, captureWriter } from './helpers';

const LIBRARY_MARK = 'plotly.js v2.35.3';
const points = [[0, 0, 0], [1, 0, 0], [0, 1, 0], [0, 0, 1]];

test('scatter3d: plotly JSON with one trace per class and hover text naming the image index and class', () => {
  const fig = scatter3dSpec(points, { labels: [1, 0, 1, 0], classNames: ['cat', 'dog'], axisLabels: ['u1', 'u2', 'u3'] });
  assert.deepEqual(fig.data.map((t) => t.name), ['dog', 'cat']);
  const dog = fig.data[0] as { type: string; x: number[]; y: number[]; z: number[]; text: string[] };
  assert.equal(dog.type, 'scatter3d');
  assert.deepEqual([dog.x, dog.y, dog.z], [[0, 0], [0, 1], [0, 0]]);
  assert.deepEqual(dog.text, ['index 0, class dog', 'index 2, class dog']);
  assert.deepEqual((fig.layout.scene as { xaxis: unknown }).xaxis, { title: { text: 'u1' } });
  assert.equal(scatter3dSummary(points, { labels: [1, 0, 1, 0] }), '3-D scatter: 4 points in 2 classes');
  assert.throws(() => scatter3dSpec([[1, 2]]), { message: 'Error in scatter3d: points must have shape [N, 3], but got [1,2]' });
});

test('surfacePlot: z rows at y, columns at x; summary names the minimum', () => {
  const z = [
    [3, 2, 3],
    [2, 0.5, 2],
  ];
  const fig = surfacePlotSpec(z, { x: [-1, 0, 1], y: [0, 1], axisLabels: ['a', 'b', 'loss'] });
  const s = fig.data[0] as { type: string; x: number[]; y: number[]; z: number[][] };
  assert.equal(s.type, 'surface');
  assert.deepEqual([s.x, s.y, s.z], [[-1, 0, 1], [0, 1], z]);
  assert.equal(surfaceSummary(z, { x: [-1, 0, 1], y: [0, 1], axisLabels: ['a', 'b', 'loss'] }),
    'surface plot: 2x3 grid, z in [0.5, 3], minimum at a 0, b 1');
  assert.throws(() => surfacePlotSpec(z, { x: [1, 2] }), { message: 'Error in surfacePlot: x must have one value per column of z (3), but got 2' });
});

test('the bundle has plotly JSON, offline HTML and text; the library is inlined in the first output of a session only', () => {
  const session: PlotlySession = { libraryIncluded: false };
  const { writer, messages } = captureWriter();
  scatter3d(points, { labels: [0, 0, 1, 1] }, { writer, session });
  surfacePlot([[1, 2], [3, 4]], {}, { writer, session });
  scatter3d(points, {}, { writer, session });
  const bundles = messages.map((m) => m.message.data);
  for (const b of bundles) assert.deepEqual(Object.keys(b).sort(), [PLOTLY_MIME, 'text/html', 'text/plain']);
  const html = bundles.map((b) => b['text/html'] as string);
  assert.deepEqual(html.map((h) => h.includes(LIBRARY_MARK)), [true, false, false]);
  assert.equal(html.join('').split(LIBRARY_MARK).length - 1, 1);
  assert.ok(html.every((h) => h.includes('window.Plotly.newPlot(') && !/<script[^>]*\ssrc=/.test(h)), 'no external script');
  assert.deepEqual((bundles[1][PLOTLY_MIME] as { data: { type: string }[] }).data[0].type, 'surface');
  assert.equal(bundles[1]['text/plain'], 'surface plot: 2x2 grid, z in [1, 4], minimum at x 0, y 0');
  // A new kernel (a new session) sends the library again.
  const fresh = captureWriter();
  scatter3d(points, {}, { writer: fresh.writer, session: { libraryIncluded: false } });
  assert.ok((fresh.messages[0].message.data['text/html'] as string).includes(LIBRARY_MARK));
});

test('outside a kernel nothing is sent, the session is not marked, the summary is printed', () => {
  const session: PlotlySession = { libraryIncluded: false };
  const printed: string[] = [];
  scatter3d(points, {}, { writer: null, session, print: (s) => printed.push(s) });
  assert.equal(session.libraryIncluded, false);
  assert.deepEqual(printed, ['3-D scatter: 4 points']);
});

test('the HTML hides AMD/CommonJS from plotly.js and escapes </script> in figure text', () => {
  const html = plotlyHtml({ data: [], layout: { title: { text: '</script><b>x' } } }, { includeLibrary: true, id: 'p1' });
  assert.match(html, /^<script type="text\/javascript">\(function \(define, module, exports\) \{\n/);
  assert.ok(html.includes('<div id="p1" style="width: 100%; height: 480px;"></div>'));
  assert.ok(!html.slice(html.indexOf('<div id="p1"')).includes('</script><b>'));
  assert.ok(html.includes('\\u003c/script>\\u003cb>x'));
});

test('tensor inputs are read without leaking', async () => {
  const p = tf.tensor2d(points);
  const z = tf.tensor2d([[1, 2], [3, 4]]);
  const labels = tf.tensor1d([0, 1, 0, 1], 'int32');
  const x = tf.tensor1d([0, 1]);
  const { writer } = captureWriter();
  const session = { libraryIncluded: true };
  await assertNoLeak(() => {
    scatter3d(p, { labels }, { writer, session });
    surfacePlot(z, { x }, { writer, session });
  });
  tf.dispose([p, z, labels, x]);
});

test('under an AMD loader (classic Notebook\'s require.js) the inlined library still defines window.Plotly', () => {
  const html = plotlyHtml({ data: [], layout: {} }, { includeLibrary: true, id: 'p' });
  const library = html.slice(html.indexOf('>') + 1, html.indexOf('</script>'));
  // Just enough of a browser for plotly.js to initialise: everything DOM-ish is an inert stub.
  const stub: unknown = new Proxy(function () {}, {
    get: (_t, k) => (k === Symbol.toPrimitive ? () => '' : stub),
    apply: () => stub,
    construct: () => stub as object,
  });
  let defineCalls = 0;
  const define = Object.assign(() => void defineCalls++, { amd: true });
  const win: Record<string, unknown> = { URL: stub, Blob: stub, document: stub, navigator: { userAgent: 'node' } };
  win.self = win.window = win;
  const context = vm.createContext({
    ...win, define, self: win, window: win, console, setTimeout, clearTimeout, setInterval, clearInterval,
    DOMParser: stub, Image: stub, XMLSerializer: stub, Worker: stub, getComputedStyle: stub, requestAnimationFrame: stub,
  });
  vm.runInContext(library, context);
  assert.equal(defineCalls, 0);
  assert.equal(typeof (win.Plotly as { newPlot?: unknown })?.newPlot, 'function');
});

test('the drawing script calls Plotly.newPlot with the figure, or says which cell to re-run', async () => {
  const fig = { data: [{ type: 'surface', z: [[1]] }], layout: { title: { text: '<b>' } } };
  const html = plotlyHtml(fig, { includeLibrary: false, id: 'p9' });
  const script = html.slice(html.lastIndexOf('<script type="text/javascript">') + 31, html.lastIndexOf('</script>'));
  const calls: unknown[][] = [];
  vm.runInNewContext(script, { window: { Plotly: { newPlot: (...a: unknown[]) => calls.push(a) } }, setTimeout });
  assert.deepEqual(JSON.parse(JSON.stringify(calls)), [['p9', fig.data, fig.layout, { responsive: true }]]);
  // No Plotly in the page: retry, then explain (fake timers run the retries at once).
  const el = { textContent: '' };
  vm.runInNewContext(script, { window: {}, document: { getElementById: () => el }, setTimeout: (f: () => void) => f() });
  assert.match(el.textContent, /re-run the first cell that draws a plotly chart/);
});
