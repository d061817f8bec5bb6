/**
 * Bar charts: one number per method, class or setting (kNN accuracy of SimCLR vs MoCo, ...).
 */
import type { TopLevelSpec } from 'vega-lite';
import { formatNumber } from './read-values';
import { baseSpec, ChartOptions, showVegaLite } from './vega-lite-bundle';
import type { DisplayBundleOptions } from './display';

/** One bar; bars sharing a `label` but differing in `group` stand side by side. */
export interface BarDatum {
  label: string;
  value: number;
  group?: string;
}

/** `{ simclr: 0.52, moco: 0.49 }` or a list of bars (with optional groups). */
export type BarChartData = Record<string, number> | readonly BarDatum[];

export interface BarChartOptions extends ChartOptions {
  /** Axis titles; default 'label' and 'value'. */
  xLabel?: string;
  yLabel?: string;
}

function bars(data: BarChartData): BarDatum[] {
  return Array.isArray(data)
    ? (data as BarDatum[]).map((b) => ({ ...b }))
    : Object.entries(data).map(([label, value]) => ({ label, value: value as number }));
}

/**
 * The vega-lite spec of a bar chart, bars in the given order; with groups, one colour per
 * group and grouped bars per label.
 */
export function barChartSpec(data: BarChartData, options: BarChartOptions = {}): TopLevelSpec {
  const values = bars(data);
  const grouped = values.some((b) => b.group !== undefined);
  const labels = [...new Set(values.map((b) => b.label))];
  const groups = [...new Set(values.map((b) => b.group ?? ''))];
  return {
    ...baseSpec(options, { width: 480, height: 300 }),
    data: { values },
    mark: { type: 'bar' },
    encoding: {
      x: { field: 'label', type: 'nominal', title: options.xLabel ?? 'label', sort: labels, axis: { labelAngle: 0 } },
      y: { field: 'value', type: 'quantitative', title: options.yLabel ?? 'value' },
      ...(grouped
        ? {
            xOffset: { field: 'group', type: 'nominal', sort: groups },
            color: { field: 'group', type: 'nominal', title: null, sort: groups },
          }
        : {}),
      tooltip: [
        { field: 'label', type: 'nominal' },
        ...(grouped ? [{ field: 'group', type: 'nominal' }] : []),
        { field: 'value', type: 'quantitative', format: '.4~g' },
      ],
    },
  } as TopLevelSpec;
}

/** The text/plain part: "bar chart: 3 bars (simclr 0.52, moco 0.49, random 0.37)". */
export function barChartSummary(data: BarChartData, options: BarChartOptions = {}): string {
  const values = bars(data);
  const items = values.map((b) => `${b.group !== undefined ? `${b.label}/${b.group}` : b.label} ${formatNumber(b.value)}`);
  const shown = items.length > 12 ? [...items.slice(0, 12), '…'] : items;
  const title = options.title ? `${options.title}: ` : '';
  return `${title}bar chart: ${values.length} bars (${shown.join(', ')})`;
}

/**
 * Show a bar chart as one notebook output (vega-lite + SVG + text). Await it.
 *
 * @example
 * await barChart({ 'raw pixels': 0.41, random: 0.37, simclr: 0.52 }, { yLabel: 'kNN accuracy' });
 */
export async function barChart(
  data: BarChartData,
  options: BarChartOptions = {},
  display: DisplayBundleOptions = {},
): Promise<void> {
  await showVegaLite(barChartSpec(data, options), barChartSummary(data, options), display);
}
