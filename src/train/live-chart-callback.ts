import { liveLineChart, type LiveLineChartOptions } from '../viz/live-line-chart';
import type { FitCallback } from './fit';

/** Options of `liveChartCallback`. */
export interface LiveChartCallbackOptions extends LiveLineChartOptions {
  /** What to plot: 'loss', 'lr', 'gradNorm' or a metric name (default ['loss']). */
  series?: string[];
  /** Plot every this many steps (default 1). */
  every?: number;
}

/**
 * A `fit` callback that draws the loss (and any other logged value) as a live line chart
 * in the notebook, redrawn in place; outside a kernel it prints a one-line summary at the end.
 *
 * @example
 * await fit({ ...recipe, data, callbacks: [liveChartCallback({ title: 'SimCLR', series: ['loss'] })] });
 */
export function liveChartCallback(options: LiveChartCallbackOptions = {}): FitCallback {
  const { series = ['loss'], every = 1, ...chartOptions } = options;
  const chart = liveLineChart({ xLabel: 'step', yLabel: series.join(', '), ...chartOptions });
  return {
    onStep(record) {
      if (record.step % every !== 0) return;
      const values: Record<string, number> = {};
      for (const name of series) {
        const v = name === 'loss' ? record.loss : name === 'lr' ? record.lr : name === 'gradNorm' ? record.gradNorm : record.metrics[name];
        if (v !== undefined && Number.isFinite(v)) values[name] = v;
      }
      void chart.update(values, record.step);
    },
    async onEnd() {
      await chart.close();
    },
  };
}
