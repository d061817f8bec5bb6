/**
 * Heatmaps: similarity matrices (the 2N x 2N cosine similarities behind NT-Xent), confusion
 * matrices, attention maps.
 */
import type { TopLevelSpec } from 'vega-lite';
import { formatNumber, readMatrix, requireFinite, Matrix } from './read-values';
import { BASE_CONFIG, VEGALITE_SCHEMA, showVegaLite } from './vega-lite-bundle';
import type { DisplayBundleOptions } from './display';

export interface HeatmapOptions {
  title?: string;
  /** Column and row names (default: indices). */
  xLabels?: readonly string[];
  yLabels?: readonly string[];
  /** Axis titles; default 'column' and 'row'. */
  xTitle?: string;
  yTitle?: string;
  /** Colour scale domain, e.g. [-1, 1] for cosine similarity; default the data's range. */
  domain?: [number, number];
  /** A vega colour scheme; default 'viridis' ('redblue' suits [-1, 1]). */
  scheme?: string;
  /** Side of one cell in pixels; default fits the matrix in about 400 pixels (4 to 30). */
  cellSize?: number;
  /** Refuse larger matrices (an SVG rect per cell); default 10000 cells. */
  maxCells?: number;
}

/**
 * The vega-lite spec of a heatmap of `matrix` [R, C]: row 0 at the top, tooltips with row,
 * column and value.
 *
 * @throws "Error in heatmap: matrix has 262144 cells, more than maxCells = 10000; pass a slice or raise maxCells"
 */
export function heatmapSpec(matrix: Matrix, options: HeatmapOptions = {}): TopLevelSpec {
  const { rows, shape } = readHeatmap(matrix, options);
  const [r, c] = shape;
  const cell = options.cellSize ?? Math.max(4, Math.min(30, Math.floor(400 / Math.max(r, c, 1))));
  const values: { row: number; col: number; value: number | null }[] = [];
  rows.forEach((row, i) => row.forEach((v, j) => values.push({ row: i, col: j, value: Number.isFinite(v) ? v : null })));
  const axis = (names: readonly string[] | undefined, n: number) => ({
    ...(names ? { labelExpr: `${JSON.stringify(names)}[datum.value]` } : {}),
    ...(n > 40 ? { labels: false, ticks: false } : {}),
  });
  return {
    $schema: VEGALITE_SCHEMA,
    ...(options.title !== undefined ? { title: options.title } : {}),
    background: 'white',
    width: c * cell,
    height: r * cell,
    data: { values },
    mark: { type: 'rect' },
    encoding: {
      x: { field: 'col', type: 'ordinal', title: options.xTitle ?? 'column', axis: axis(options.xLabels, c) },
      y: { field: 'row', type: 'ordinal', title: options.yTitle ?? 'row', axis: axis(options.yLabels, r) },
      color: {
        field: 'value',
        type: 'quantitative',
        title: null,
        scale: { scheme: options.scheme ?? 'viridis', ...(options.domain ? { domain: options.domain } : {}) },
      },
      tooltip: [
        { field: 'row', type: 'ordinal' },
        { field: 'col', type: 'ordinal', title: 'column' },
        { field: 'value', type: 'quantitative', format: '.3~g' },
      ],
    },
    config: { ...BASE_CONFIG, axis: { grid: false }, view: { stroke: null } },
  } as TopLevelSpec;
}

/** The text/plain part: "heatmap: 16x16, values in [-0.12, 1], diagonal mean 1". */
export function heatmapSummary(matrix: Matrix, options: HeatmapOptions = {}): string {
  const { rows, shape } = readHeatmap(matrix, options);
  const flat = rows.flat().filter(Number.isFinite);
  const range = flat.length
    ? `, values in [${formatNumber(Math.min(...flat))}, ${formatNumber(Math.max(...flat))}]`
    : '';
  const diag =
    shape[0] === shape[1] && shape[0] > 0
      ? `, diagonal mean ${formatNumber(rows.reduce((s, row, i) => s + row[i], 0) / shape[0])}`
      : '';
  const title = options.title ? `${options.title}: ` : '';
  return `${title}heatmap: ${shape[0]}x${shape[1]}${range}${diag}`;
}

/**
 * Show a heatmap as one notebook output (vega-lite + SVG + text). Await it.
 *
 * @example
 * const sim = tf.tidy(() => tf.matMul(zn, zn, false, true) as tf.Tensor2D); // [2N, 2N] cosine similarities
 * await heatmap(sim, { title: 'cosine similarity', domain: [-1, 1], scheme: 'redblue' });
 * sim.dispose();
 */
export async function heatmap(
  matrix: Matrix,
  options: HeatmapOptions = {},
  display: DisplayBundleOptions = {},
): Promise<void> {
  await showVegaLite(heatmapSpec(matrix, options), heatmapSummary(matrix, options), display);
}

function readHeatmap(matrix: Matrix, options: HeatmapOptions) {
  const shape = matrixShape(matrix);
  const cells = shape[0] * shape[1];
  const maxCells = options.maxCells ?? 10000;
  if (cells > maxCells) {
    throw new Error(
      `Error in heatmap: matrix has ${cells} cells, more than maxCells = ${maxCells}; pass a slice or raise maxCells`,
    );
  }
  const read = readMatrix(matrix, 'heatmap', 'matrix');
  requireFinite(read.rows, 'heatmap', 'matrix');
  for (const [names, n, what] of [
    [options.xLabels, read.shape[1], 'xLabels'],
    [options.yLabels, read.shape[0], 'yLabels'],
  ] as const) {
    if (names && names.length !== n) {
      throw new Error(`Error in heatmap: ${what} must have ${n} entries, but got ${names.length}`);
    }
  }
  return read;
}

/** Shape without reading a large tensor's data. */
function matrixShape(matrix: Matrix): [number, number] {
  if ('shape' in matrix && Array.isArray((matrix as { shape: unknown }).shape)) {
    const s = (matrix as { shape: number[] }).shape;
    return [s[0] ?? 0, s[1] ?? 1];
  }
  const rows = matrix as ArrayLike<ArrayLike<number>>;
  return [rows.length, rows.length > 0 ? rows[0].length : 0];
}
