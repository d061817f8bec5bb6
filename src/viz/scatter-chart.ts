/**
 * Scatter charts: 2-D embeddings (t-SNE, UMAP, PCA) coloured by class.
 */
import type { TopLevelSpec } from 'vega-lite';
import { readLabels, readMatrix, requireFinite, Matrix, Values } from './read-values';
import { baseSpec, BASE_CONFIG, ChartOptions, showVegaLite, type StaticImage } from './vega-lite-bundle';
import type { DisplayBundleOptions } from './display';

export interface ScatterChartOptions extends ChartOptions {
  /** One class per point: class ids (array or 1-D tensor) or names. */
  labels?: Values | readonly string[];
  /** Names for class ids, e.g. CIFAR-10's ['airplane', 'automobile', ...]. */
  classNames?: readonly string[];
  /** Axis titles; default 'x' and 'y'. */
  xLabel?: string;
  yLabel?: string;
  /** Point area in square pixels; default 30. */
  pointSize?: number;
  /** Title of the colour legend; default 'class' (say 'run' or 'temperature' when the labels are not classes). */
  legendTitle?: string;
  /**
   * The static picture beside the interactive chart: 'auto' (default) is an SVG up to
   * `PNG_ABOVE_POINTS` points and a PNG above, where one SVG element per point makes the SVG
   * several times larger than the PNG.
   */
  staticImage?: StaticImage | 'auto';
}

/** Above this many points, scatterChart's static picture is a PNG (see `staticImage`). */
export const PNG_ABOVE_POINTS = 500;

/** Coordinates are kept to 4 significant digits in the spec: a tenth of a pixel on a 480-pixel chart, and about 60% less JSON. */
const round4 = (v: number) => Number(v.toPrecision(4));

/**
 * The vega-lite spec of a scatter chart of `points` [N, 2]. Points are coloured by class;
 * the tooltip shows the point's index (its row in `points`, i.e. the image index), class and
 * coordinates.
 *
 * @throws "Error in scatterChart: points must have shape [N, 2], but got [N, D]"
 */
export function scatterChartSpec(points: Matrix, options: ScatterChartOptions = {}): TopLevelSpec {
  const { rows, labels, classes } = readScatter(points, options);
  // The point's index (its row in `points`) is not stored: a window transform numbers the rows.
  const values = rows.map(([x, y], i) => (labels ? { x: round4(x), y: round4(y), class: labels[i] } : { x: round4(x), y: round4(y) }));
  return {
    ...baseSpec(options, { width: 480, height: 400 }),
    data: { values },
    transform: [{ window: [{ op: 'row_number', as: 'row' }] }, { calculate: 'datum.row - 1', as: 'index' }],
    mark: { type: 'point', filled: true, opacity: 0.7, size: options.pointSize ?? 30 },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: options.xLabel ?? 'x', scale: { zero: false } },
      y: { field: 'y', type: 'quantitative', title: options.yLabel ?? 'y', scale: { zero: false } },
      ...(labels
        ? { color: { field: 'class', type: 'nominal', title: options.legendTitle ?? 'class', scale: { domain: classes } } }
        : {}),
      tooltip: [
        { field: 'index', type: 'quantitative', title: 'index' },
        ...(labels ? [{ field: 'class', type: 'nominal' as const }] : []),
        { field: 'x', type: 'quantitative', format: '.3~g' },
        { field: 'y', type: 'quantitative', format: '.3~g' },
      ],
    },
    // Past 1000 points, drop the SVG's per-point ARIA labels: they make it ~1.7x larger.
    ...(values.length > 1000 ? { config: { ...BASE_CONFIG, aria: false } } : {}),
  } as TopLevelSpec;
}

/** The text/plain part: "scatter chart: 500 points in 10 classes (airplane 50, ...)". */
export function scatterChartSummary(points: Matrix, options: ScatterChartOptions = {}): string {
  const { rows, labels, classes } = readScatter(points, options);
  const title = options.title ? `${options.title}: ` : '';
  if (!labels) return `${title}scatter chart: ${rows.length} points`;
  const counts = classes.map((c) => `${c} ${labels.filter((l) => l === c).length}`);
  const shown = counts.length > 10 ? [...counts.slice(0, 10), '…'] : counts;
  return `${title}scatter chart: ${rows.length} points in ${classes.length} classes (${shown.join(', ')})`;
}

/**
 * Show a 2-D embedding as one notebook output (vega-lite + SVG + text). Await it.
 *
 * @example
 * await scatterChart(embedding2d, { labels: testLabels, classNames: CIFAR10_CLASSES, title: 'SimCLR, UMAP' });
 */
export async function scatterChart(
  points: Matrix,
  options: ScatterChartOptions = {},
  display: DisplayBundleOptions = {},
): Promise<void> {
  const n = 'shape' in points ? points.shape[0] : points.length; // the rows are read (and checked) by the spec
  const choice = options.staticImage ?? 'auto';
  if (choice !== 'auto' && choice !== 'svg' && choice !== 'png') {
    throw new Error(`Error in scatterChart: staticImage must be 'auto', 'svg' or 'png', but got ${JSON.stringify(choice)}`);
  }
  const staticImage = choice === 'auto' ? (n > PNG_ABOVE_POINTS ? 'png' : 'svg') : choice;
  await showVegaLite(scatterChartSpec(points, options), scatterChartSummary(points, options), { ...display, staticImage });
}

function readScatter(points: Matrix, options: ScatterChartOptions) {
  const { rows, shape } = readMatrix(points, 'scatterChart', 'points');
  if (shape[1] !== 2) {
    throw new Error(`Error in scatterChart: points must have shape [N, 2], but got [${shape}]`);
  }
  requireFinite(rows, 'scatterChart', 'points');
  if (options.labels === undefined) return { rows, labels: null, classes: [] as string[] };
  const labels = readLabels(options.labels, options.classNames);
  if (labels.length !== rows.length) {
    throw new Error(
      `Error in scatterChart: labels must have one entry per point, but got ${labels.length} labels for ${rows.length} points`,
    );
  }
  return { rows, labels, classes: classOrder(options.labels, labels, options.classNames) };
}

/** Class order for the legend: by class id when ids were given, else by first appearance. */
function classOrder(raw: Values | readonly string[], labels: string[], classNames?: readonly string[]): string[] {
  const seen = [...new Set(labels)];
  const numeric = typeof (raw as ArrayLike<unknown>)[0] !== 'string'; // a tensor has no [0]: ids
  if (!numeric) return seen;
  const id = (name: string) => (classNames ? classNames.indexOf(name) : Number(name));
  return seen.sort((a, b) => id(a) - id(b));
}
