/**
 * Interactive surface plot (plotly): a loss landscape z = L(θ + a·d1 + b·d2) over a grid of
 * (a, b).
 */
import { formatNumber, readMatrix, readValues, Matrix, Values } from './read-values';
import { PlotlyFigure, PlotlyDisplayOptions, plotlyChart } from './plotly-bundle';

export interface SurfacePlotOptions {
  title?: string;
  /** Coordinates of the columns (length C) and rows (length R) of z; default indices. */
  x?: Values;
  y?: Values;
  /** Axis titles; default 'x', 'y', 'z'. */
  axisLabels?: [string, string, string];
  /** A plotly colour scale name; default 'Viridis'. */
  colorscale?: string;
  /** Figure height in pixels; default 520. */
  height?: number;
}

/**
 * The plotly figure of a surface z [R, C] (row i at y[i], column j at x[j]).
 *
 * @throws "Error in surfacePlot: x must have one value per column of z (41), but got 40"
 */
export function surfacePlotSpec(z: Matrix, options: SurfacePlotOptions = {}): PlotlyFigure {
  const { rows, x, y } = read(z, options);
  const [xt, yt, zt] = options.axisLabels ?? ['x', 'y', 'z'];
  return {
    data: [
      {
        type: 'surface',
        x,
        y,
        z: rows.map((r) => r.map((v) => (Number.isFinite(v) ? v : null))),
        colorscale: options.colorscale ?? 'Viridis',
        hovertemplate: `${xt} %{x:.3g}<br>${yt} %{y:.3g}<br>${zt} %{z:.4g}<extra></extra>`,
      },
    ],
    layout: {
      ...(options.title !== undefined ? { title: { text: options.title } } : {}),
      height: options.height ?? 520,
      margin: { l: 0, r: 0, b: 0, t: options.title !== undefined ? 40 : 10 },
      scene: { xaxis: { title: { text: xt } }, yaxis: { title: { text: yt } }, zaxis: { title: { text: zt } } },
    },
  };
}

/** The text/plain part: "surface plot: 41x41 grid, z in [0.51, 3.2], minimum at x 0.1, y -0.2". */
export function surfaceSummary(z: Matrix, options: SurfacePlotOptions = {}): string {
  const { rows, x, y } = read(z, options);
  let best = { v: Infinity, i: -1, j: -1 };
  let max = -Infinity;
  rows.forEach((r, i) =>
    r.forEach((v, j) => {
      if (!Number.isFinite(v)) return;
      if (v < best.v) best = { v, i, j };
      if (v > max) max = v;
    }),
  );
  const [xt, yt] = options.axisLabels ?? ['x', 'y', 'z'];
  const title = options.title ? `${options.title}: ` : '';
  const where =
    best.i >= 0
      ? `, z in [${formatNumber(best.v)}, ${formatNumber(max)}], minimum at ${xt} ${formatNumber(x[best.j])}, ${yt} ${formatNumber(y[best.i])}`
      : '';
  return `${title}surface plot: ${rows.length}x${rows[0]?.length ?? 0} grid${where}`;
}

/**
 * Show a surface (a loss landscape) as an interactive plotly output (offline HTML fallback).
 *
 * @example
 * surfacePlot(losses, { x: alphas, y: betas, axisLabels: ['α', 'β', 'loss'], title: 'NT-Xent landscape' });
 */
export function surfacePlot(z: Matrix, options: SurfacePlotOptions = {}, display: PlotlyDisplayOptions = {}): void {
  plotlyChart(surfacePlotSpec(z, options), surfaceSummary(z, options), display);
}

function read(z: Matrix, options: SurfacePlotOptions) {
  const { rows, shape } = readMatrix(z, 'surfacePlot', 'z');
  const x = options.x !== undefined ? readValues(options.x) : Array.from({ length: shape[1] }, (_, j) => j);
  const y = options.y !== undefined ? readValues(options.y) : Array.from({ length: shape[0] }, (_, i) => i);
  if (x.length !== shape[1]) {
    throw new Error(`Error in surfacePlot: x must have one value per column of z (${shape[1]}), but got ${x.length}`);
  }
  if (y.length !== shape[0]) {
    throw new Error(`Error in surfacePlot: y must have one value per row of z (${shape[0]}), but got ${y.length}`);
  }
  return { rows, x, y };
}
