/**
 * Interactive 3-D scatter of an embedding (plotly): rotate it, hover a point to see which
 * image it is.
 */
import { readLabels, readMatrix, requireFinite, Matrix, Values } from './read-values';
import { PlotlyFigure, PlotlyDisplayOptions, plotlyChart } from './plotly-bundle';

export interface Scatter3dOptions {
  title?: string;
  /** One class per point: class ids (array or 1-D tensor) or names. */
  labels?: Values | readonly string[];
  /** Names for class ids. */
  classNames?: readonly string[];
  /** Axis titles; default 'x', 'y', 'z'. */
  axisLabels?: [string, string, string];
  /** Marker diameter in pixels; default 3. */
  pointSize?: number;
  /** Figure height in pixels; default 520. */
  height?: number;
}

/**
 * The plotly figure of `points` [N, 3]: one trace per class (so the legend toggles classes),
 * hover text "index 17, class cat" where the index is the point's row, i.e. the image index.
 *
 * @throws "Error in scatter3d: points must have shape [N, 3], but got [N, D]"
 */
export function scatter3dSpec(points: Matrix, options: Scatter3dOptions = {}): PlotlyFigure {
  const { rows, labels } = read(points, options);
  const groups = new Map<string, number[]>();
  rows.forEach((_, i) => {
    const key = labels ? labels[i] : 'points';
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key)!.push(i);
  });
  const [xt, yt, zt] = options.axisLabels ?? ['x', 'y', 'z'];
  const data = [...groups].map(([name, idx]) => ({
    type: 'scatter3d',
    mode: 'markers',
    name,
    x: idx.map((i) => rows[i][0]),
    y: idx.map((i) => rows[i][1]),
    z: idx.map((i) => rows[i][2]),
    text: idx.map((i) => (labels ? `index ${i}, class ${labels[i]}` : `index ${i}`)),
    hovertemplate: '%{text}<extra></extra>',
    marker: { size: options.pointSize ?? 3, opacity: 0.8 },
  }));
  return {
    data,
    layout: {
      ...(options.title !== undefined ? { title: { text: options.title } } : {}),
      height: options.height ?? 520,
      margin: { l: 0, r: 0, b: 0, t: options.title !== undefined ? 40 : 10 },
      scene: { xaxis: { title: { text: xt } }, yaxis: { title: { text: yt } }, zaxis: { title: { text: zt } } },
      showlegend: labels !== null,
    },
  };
}

/** The text/plain part: "3-D scatter: 500 points in 10 classes". */
export function scatter3dSummary(points: Matrix, options: Scatter3dOptions = {}): string {
  const { rows, labels } = read(points, options);
  const title = options.title ? `${options.title}: ` : '';
  const classes = labels ? ` in ${new Set(labels).size} classes` : '';
  return `${title}3-D scatter: ${rows.length} points${classes}`;
}

/**
 * Show a 3-D embedding as an interactive plotly output (with an offline HTML fallback).
 *
 * @example
 * scatter3d(umap3d, { labels: testLabels, classNames: CIFAR10_CLASSES, title: 'SimCLR embedding' });
 */
export function scatter3d(points: Matrix, options: Scatter3dOptions = {}, display: PlotlyDisplayOptions = {}): void {
  plotlyChart(scatter3dSpec(points, options), scatter3dSummary(points, options), display);
}

function read(points: Matrix, options: Scatter3dOptions) {
  const { rows, shape } = readMatrix(points, 'scatter3d', 'points');
  requireFinite(rows, 'scatter3d', 'points');
  if (shape[1] !== 3) throw new Error(`Error in scatter3d: points must have shape [N, 3], but got [${shape}]`);
  if (options.labels === undefined) return { rows, labels: null };
  const labels = readLabels(options.labels, options.classNames);
  if (labels.length !== rows.length) {
    throw new Error(
      `Error in scatter3d: labels must have one entry per point, but got ${labels.length} labels for ${rows.length} points`,
    );
  }
  return { rows, labels };
}
