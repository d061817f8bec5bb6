/**
 * Plotly figures as notebook outputs: `application/vnd.plotly.v1+json` (rendered by
 * JupyterLab's plotly extension), a `text/html` fallback that draws the figure with
 * plotly.js-dist-min read from node_modules (no CDN), and text/plain.
 *
 * The library (4.5 MB) goes into the first plotly output of a kernel session only; later
 * outputs use the `window.Plotly` it defined. If the page has no Plotly (e.g. a notebook
 * reopened with only a later cell re-run), the fallback says which cell to re-run.
 */
import * as fs from 'fs';
import { randomBytes } from 'crypto';
import { displayBundle, findDisplayWriter, DisplayBundleOptions, MimeBundle } from './display';

/** The MIME type of a plotly figure. */
export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

/** A plotly figure: traces and layout, as plotly.js takes them. */
export interface PlotlyFigure {
  data: Record<string, unknown>[];
  layout: Record<string, unknown>;
}

/** Whether this kernel session has already sent plotly.js to the page. */
export interface PlotlySession {
  libraryIncluded: boolean;
}

/** One session per process, i.e. per kernel: a restarted kernel sends the library again. */
const processSession: PlotlySession = { libraryIncluded: false };

export interface PlotlyDisplayOptions extends DisplayBundleOptions {
  /** Session state to use instead of the process-wide one (tests). */
  session?: PlotlySession;
}

let libraryCache: string | null = null;

/** plotly.js-dist-min's bundle, read once from node_modules. */
export function plotlyLibrary(): string {
  if (libraryCache === null) libraryCache = fs.readFileSync(require.resolve('plotly.js-dist-min/plotly.min.js'), 'utf8');
  return libraryCache;
}

/** JSON safe to embed in a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * The offline HTML for a figure. With `includeLibrary`, plotly.js is inlined first, with
 * AMD/CommonJS hidden so it defines `window.Plotly` even under classic Notebook's require.js.
 */
export function plotlyHtml(figure: PlotlyFigure, options: { includeLibrary: boolean; id?: string; height?: number }): string {
  const id = options.id ?? `selfsup-plotly-${randomBytes(6).toString('hex')}`;
  const height = options.height ?? (typeof figure.layout.height === 'number' ? figure.layout.height : 480);
  const library = options.includeLibrary
    ? `<script type="text/javascript">(function (define, module, exports) {\n${plotlyLibrary()}\n}).call(window);</script>\n`
    : '';
  const draw =
    `<script type="text/javascript">(function () {\n` +
    `  var fig = ${scriptJson(figure)};\n` +
    `  var id = ${JSON.stringify(id)};\n` +
    `  function draw(tries) {\n` +
    `    if (window.Plotly) { window.Plotly.newPlot(id, fig.data, fig.layout, { responsive: true }); return; }\n` +
    `    if (tries < 50) { setTimeout(function () { draw(tries + 1); }, 100); return; }\n` +
    `    var el = document.getElementById(id);\n` +
    `    if (el) el.textContent = 'plotly.js is not loaded in this page: re-run the first cell that draws a plotly chart (selfsup sends the library once per kernel session).';\n` +
    `  }\n` +
    `  draw(0);\n` +
    `})();</script>`;
  return `${library}<div id="${id}" style="width: 100%; height: ${height}px;"></div>\n${draw}`;
}

/** The three-part bundle: plotly JSON, offline HTML, text summary. */
export function plotlyBundle(figure: PlotlyFigure, summary: string, options: { includeLibrary: boolean }): MimeBundle {
  return {
    [PLOTLY_MIME]: figure,
    'text/html': plotlyHtml(figure, options),
    'text/plain': summary,
  };
}

/**
 * Display a plotly figure as one output. The library is included when this session has not
 * sent it yet; the session remembers it only once a kernel actually received it.
 */
export function plotlyChart(figure: PlotlyFigure, summary: string, options: PlotlyDisplayOptions = {}): void {
  const { session = processSession, ...display } = options;
  const writer = display.writer !== undefined ? display.writer : findDisplayWriter();
  const includeLibrary = writer !== null && !session.libraryIncluded; // no page outside a kernel
  const target = displayBundle(plotlyBundle(figure, summary, { includeLibrary }), { ...display, writer });
  if (target === 'kernel' && includeLibrary) session.libraryIncluded = true;
}
