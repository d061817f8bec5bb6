/**
 * Line charts: loss curves of one or several runs.
 */
import * as tf from '@tensorflow/tfjs';
import type { TopLevelSpec } from 'vega-lite';
import { readValues, formatNumber, Values } from './read-values';
import { baseSpec, ChartOptions, showVegaLite } from './vega-lite-bundle';
import type { DisplayBundleOptions } from './display';

/** One named curve. `x` defaults to 0, 1, 2, ... */
export interface LineSeries {
  name: string;
  y: Values;
  x?: Values;
}

/**
 * What a line chart accepts: one curve (`losses`), named curves (`{ simclr: a, moco: b }`)
 * or a list of `LineSeries`. Arrays, typed arrays and 1-D tensors all work.
 */
export type LineChartData = Values | Record<string, Values> | LineSeries[];

export interface LineChartOptions extends ChartOptions {
  /** x axis title and the unit in the summary; default 'step'. */
  xLabel?: string;
  /** y axis title and the quantity in the summary; default 'value'. */
  yLabel?: string;
  /** Logarithmic y axis (losses spanning decades). */
  logY?: boolean;
}

/** Points of a line chart in long form, one row per (series, x). */
interface LinePoint {
  series: string;
  x: number;
  y: number | null;
}

/** Normalise any accepted input to a list of named series of plain numbers. */
export function lineSeries(data: LineChartData, fn = 'lineChart', yLabel = 'value'): { name: string; x: number[]; y: number[] }[] {
  let list: LineSeries[];
  if (Array.isArray(data) && data.length > 0 && typeof data[0] === 'object' && data[0] !== null && 'y' in data[0]) {
    list = data as LineSeries[];
  } else if (isValues(data)) {
    list = [{ name: yLabel, y: data }];
  } else {
    list = Object.entries(data as Record<string, Values>).map(([name, y]) => ({ name, y }));
  }
  return list.map((s) => {
    for (const v of [s.y, s.x]) {
      if (v instanceof tf.Tensor && v.rank !== 1) throw new Error(`Error in ${fn}: a series must be 1-D, but got a tensor of shape [${v.shape.join(',')}] (pass one series per row: { name, y } objects)`);
    }
    const y = readValues(s.y);
    const x = s.x !== undefined ? readValues(s.x) : y.map((_, i) => i);
    if (x.length !== y.length) {
      throw new Error(`Error in ${fn}: series "${s.name}" has ${x.length} x values and ${y.length} y values`);
    }
    return { name: s.name, x, y };
  });
}

function isValues(data: unknown): data is Values {
  return (
    (typeof data === 'object' && data !== null && 'dataSync' in data) ||
    ArrayBuffer.isView(data) ||
    (Array.isArray(data) && (data.length === 0 || typeof data[0] === 'number'))
  );
}

/**
 * The vega-lite spec of a line chart: one coloured line per series, tooltips with series, x, y.
 * Non-finite values (a diverged loss) become gaps.
 *
 * @example
 * lineChartSpec({ simclr: [2.1, 1.7, 1.5], moco: [2.3, 1.9, 1.6] }, { yLabel: 'loss' });
 */
export function lineChartSpec(data: LineChartData, options: LineChartOptions = {}): TopLevelSpec {
  const xLabel = options.xLabel ?? 'step';
  const yLabel = options.yLabel ?? 'value';
  const values: LinePoint[] = [];
  const series = lineSeries(data, 'lineChart', yLabel);
  for (const s of series) {
    s.y.forEach((y, i) => values.push({ series: s.name, x: s.x[i], y: Number.isFinite(y) ? y : null }));
  }
  return {
    ...baseSpec(options, { width: 480, height: 300 }),
    data: { values },
    mark: { type: 'line', interpolate: 'linear' },
    encoding: {
      x: { field: 'x', type: 'quantitative', title: xLabel },
      y: {
        field: 'y',
        type: 'quantitative',
        title: yLabel,
        scale: options.logY ? { type: 'log' } : { zero: false },
      },
      color: { field: 'series', type: 'nominal', title: null, sort: series.map((s) => s.name) },
      tooltip: [
        { field: 'series', type: 'nominal' },
        { field: 'x', type: 'quantitative', title: xLabel },
        { field: 'y', type: 'quantitative', title: yLabel, format: '.4~g' },
      ],
    },
  } as TopLevelSpec;
}

/** The text/plain part: "line chart: loss over 200 steps, 2 series (last: simclr 0.512, moco 0.634)". */
export function lineChartSummary(data: LineChartData, options: LineChartOptions = {}): string {
  const xLabel = options.xLabel ?? 'step';
  const yLabel = options.yLabel ?? 'value';
  const series = lineSeries(data, 'lineChart', yLabel);
  const steps = new Set(series.flatMap((s) => s.x)).size;
  const last = series
    .map((s) => ({ name: s.name, y: s.y.filter(Number.isFinite) }))
    .filter((s) => s.y.length > 0)
    .map((s) => `${s.name} ${formatNumber(s.y[s.y.length - 1])}`)
    .join(', ');
  const title = options.title ? `${options.title}: ` : '';
  // A diverged run's NaN losses are not drawn (vega leaves them out); the text says so.
  const skipped = series.reduce((n, s) => n + s.y.filter((v) => !Number.isFinite(v)).length, 0);
  return (
    `${title}line chart: ${yLabel} over ${steps} ${plural(xLabel, steps)}, ${series.length} series` +
    (last ? ` (last: ${last})` : '') +
    (skipped > 0 ? `; ${skipped} NaN or infinite value${skipped === 1 ? '' : 's'} not drawn` : '')
  );
}

/**
 * Show a line chart as one notebook output (vega-lite + SVG + text). Await it: the SVG is
 * rendered asynchronously.
 *
 * @example
 * await lineChart({ simclr: lossesA, moco: lossesB }, { yLabel: 'loss', title: 'Training loss' });
 */
export async function lineChart(
  data: LineChartData,
  options: LineChartOptions = {},
  display: DisplayBundleOptions = {},
): Promise<void> {
  await showVegaLite(lineChartSpec(data, options), lineChartSummary(data, options), display);
}

/** "step" → "steps" for counts other than one (only when the label is a single word). */
export function plural(word: string, n: number): string {
  return n === 1 || /\s|s$/.test(word) ? word : `${word}s`;
}
