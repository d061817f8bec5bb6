/**
 * A line chart that redraws in place while a training loop runs: one notebook output,
 * replaced through Jupyter's update_display_data (same display_id), at most every 500 ms.
 */
import { newDisplayHandle, DisplayHandle } from './display';
import { detectOutputEnv, OutputEnv } from './output-env';
import { lineChartSpec, lineChartSummary, LineChartOptions, LineSeries } from './line-chart';
import { vegaLiteBundle } from './vega-lite-bundle';

export interface LiveLineChartOptions extends LineChartOptions {
  /** Least time between redraws; default 500 ms. */
  minIntervalMs?: number;
  /** Fakes for the kernel writer, output and clock (tests). */
  env?: Partial<OutputEnv>;
}

/** A live chart; make one with `liveLineChart(options)`. */
export interface LiveLineChart {
  /** The Jupyter display_id of the chart's output. */
  readonly id: string;
  /**
   * Append one point to each named series (at `step`, default that series' point count) and
   * redraw if the last redraw started at least `minIntervalMs` ago and none is running. The
   * promise settles when a redraw started here has been sent (it never rejects; a rendering
   * error is thrown by `close`). Loops need not await it.
   */
  update(values: Record<string, number>, step?: number): Promise<void>;
  /** Redraw now with every point so far (waits for a running redraw first). */
  flush(): Promise<void>;
  /** Final redraw; later updates are ignored. Outside a kernel, prints the text summary. */
  close(): Promise<void>;
  /** The points so far, one series per name. */
  series(): LineSeries[];
}

/**
 * Start a live line chart. In a notebook the first redraw adds an output and every later one
 * replaces it; outside a kernel nothing is rendered until `close()` prints a one-line summary.
 * Rendering is asynchronous (vega), so redraws happen while the loop awaits something (an
 * async training step, `await tf.nextFrame()`); a loop that never awaits shows its chart at
 * `close()`.
 *
 * @example
 * const live = liveLineChart({ yLabel: 'loss', title: 'SimCLR' });
 * for (let step = 0; step < numSteps; step++) live.update({ loss: await trainStep() }, step);
 * await live.close();
 */
export function liveLineChart(options: LiveLineChartOptions = {}): LiveLineChart {
  const env = detectOutputEnv(options.env);
  const { minIntervalMs = 500, env: _env, ...chart } = options;
  const data = new Map<string, { x: number[]; y: number[] }>();
  const handle: DisplayHandle = newDisplayHandle({ writer: env.writer, now: env.now, minIntervalMs });
  let lastStart = -Infinity;
  let inFlight: Promise<void> | null = null;
  let dirty = false;
  let closed = false;
  let failure: Error | null = null;

  const series = (): LineSeries[] => [...data].map(([name, s]) => ({ name, x: [...s.x], y: [...s.y] }));

  const render = (): Promise<void> => {
    lastStart = env.now();
    dirty = false;
    const snapshot = series();
    const run = (async () => {
      try {
        handle.show(await vegaLiteBundle(lineChartSpec(snapshot, chart), lineChartSummary(snapshot, chart)));
      } catch (e) {
        failure ??= e as Error;
      } finally {
        inFlight = null;
      }
    })();
    inFlight = run;
    return run;
  };

  return {
    id: handle.id,
    update(values, step) {
      if (closed) return Promise.resolve();
      for (const [name, y] of Object.entries(values)) {
        if (!data.has(name)) data.set(name, { x: [], y: [] });
        const s = data.get(name)!;
        s.x.push(step ?? s.x.length);
        s.y.push(y);
      }
      dirty = true;
      if (env.writer && !inFlight && env.now() - lastStart >= minIntervalMs) return render();
      return Promise.resolve();
    },
    async flush() {
      if (inFlight) await inFlight;
      if (env.writer && dirty) await render();
      handle.flush(); // "now" means now: not held back by the display's update rate limit
    },
    async close() {
      if (closed) return;
      await this.flush();
      closed = true;
      if (!env.writer) env.write(lineChartSummary(series(), chart) + '\n');
      if (failure) throw new Error(`Error in liveLineChart: rendering failed: ${failure.message}`);
    },
    series,
  };
}
