/**
 * A progress bar for long loops (training, data preparation, evaluation): count, rate, ETA and
 * the latest metrics. In a notebook it is one output updated in place; in a terminal one line
 * redrawn with \r; in CI logs and other non-TTY output, a plain line every 10% or 30 s.
 */
import { newDisplayHandle, DisplayHandle } from './display';
import { detectOutputEnv, outputMode, OutputEnv, OutputMode } from './output-env';
import { formatNumber } from './read-values';

export interface ProgressOptions {
  /** What is counted, e.g. 'epoch 3' or 'CIFAR-10 batches'. */
  label?: string;
  /** Unit of the rate; default 'it' (12.3 it/s). */
  unit?: string;
  /** Force a mode instead of detecting it. */
  mode?: OutputMode;
  /** Fakes for the kernel writer, TTY, CI flag, output and clock (tests). */
  env?: Partial<OutputEnv>;
  /** Least time between redraws in notebook and terminal modes; default 200 ms. */
  minIntervalMs?: number;
  /** Lines mode: print when another this many percent are done; default 10. */
  linePercent?: number;
  /** Lines mode: print at least this often; default 30000 ms. */
  lineIntervalMs?: number;
  /**
   * The loop also ends after this many seconds (fit's timeLimitSeconds); 0 or undefined: no
   * limit. The percentage, the bar and the ETA then follow whichever ends first, the count or
   * the time.
   */
  timeLimitSeconds?: number;
}

/** Metric values shown after the counts, e.g. `{ loss: 0.42, lr: 0.002 }`. */
export type ProgressMetrics = Record<string, number>;

/** A running progress bar; make one with `progress(total, options)`. */
export class ProgressBar {
  /** Items done so far. */
  count = 0;
  /** The latest metrics passed to `update`. */
  metrics: ProgressMetrics = {};
  readonly mode: OutputMode;
  private readonly env: OutputEnv;
  private readonly start: number;
  private lastDraw = -Infinity;
  private lastLine: number;
  private lastDecile = 0;
  private ttyWidth = 0;
  private closed = false;
  private readonly handle: DisplayHandle | null = null;

  constructor(
    /** Items expected in all; undefined when unknown (no percentage or ETA then). */
    readonly total: number | undefined,
    private readonly options: ProgressOptions = {},
  ) {
    if (total !== undefined && !(Number.isFinite(total) && total >= 0)) {
      throw new Error(`Error in progress: total must be a non-negative number, but got ${total}`);
    }
    this.env = detectOutputEnv(options.env);
    this.mode = options.mode ?? outputMode(this.env);
    this.start = this.env.now();
    this.lastLine = this.start;
    if (this.mode === 'notebook') {
      this.handle = newDisplayHandle({ writer: this.env.writer, now: this.env.now, minIntervalMs: options.minIntervalMs ?? 200 });
      this.draw();
    } else if (this.mode === 'tty') {
      this.draw();
    }
  }

  /**
   * Count `increment` more items done (default 1; 0 just sets metrics) and remember `metrics`.
   * Redraws at most every `minIntervalMs`; in lines mode prints every 10% or 30 s.
   */
  update(increment = 1, metrics?: ProgressMetrics): void {
    if (this.closed) return;
    this.count += increment;
    if (metrics) this.metrics = { ...this.metrics, ...metrics };
    const now = this.env.now();
    if (this.mode === 'lines') {
      const step = this.options.linePercent ?? 10;
      const done = this.fractionDone();
      const decile = done !== null ? Math.floor((done * 100) / step) : 0;
      if (decile > this.lastDecile || now - this.lastLine >= (this.options.lineIntervalMs ?? 30000)) {
        this.lastDecile = Math.max(decile, this.lastDecile);
        this.lastLine = now;
        this.env.write(this.text() + '\n');
      }
      return;
    }
    if (now - this.lastDraw >= (this.options.minIntervalMs ?? 200)) this.draw();
  }

  /** Draw the final state (always) and end the bar; later updates are ignored. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.mode === 'lines') this.env.write(this.text() + '\n');
    else this.draw();
    this.handle?.flush(); // the final state is never held back by the update rate limit
    if (this.mode === 'tty') this.env.write('\n');
  }

  /**
   * The status line: "train: 45/100 (45%) 12.3 it/s, elapsed 0:03, ETA 0:04, loss 0.42"; when a
   * time limit will end the loop first, "train: 1510 (time 1:00 of 5:00, 20%) 25.1 it/s, ...".
   */
  text(withBar = false): string {
    const elapsed = this.elapsedSeconds();
    const parts: string[] = [];
    const limit = this.timeLimit();
    const byTime = this.timeBound();
    const done = this.fractionDone();
    const pct = done !== null ? Math.min(100, Math.floor(done * 100 + 1e-9)) : null;
    let head = this.options.label ? `${this.options.label}: ` : '';
    if (byTime) head += `${this.count} (time ${clock(elapsed)} of ${clock(limit)}, ${pct}%)`;
    else head += (this.total !== undefined ? `${this.count}/${this.total}` : `${this.count}`) + (pct !== null ? ` (${pct}%)` : '');
    if (withBar && pct !== null) head += ` |${'█'.repeat(Math.round(pct / 5)).padEnd(20, '·')}|`;
    const rate = elapsed > 0 ? this.count / elapsed : NaN;
    parts.push(`${head} ${Number.isFinite(rate) ? formatNumber(rate) : '?'} ${this.options.unit ?? 'it'}/s`);
    parts.push(`elapsed ${clock(elapsed)}`);
    if (!this.closed) {
      const byCount = this.total !== undefined && rate > 0 && this.count < this.total ? (this.total - this.count) / rate : Infinity;
      const eta = Math.min(byCount, limit > 0 ? Math.max(0, limit - elapsed) : Infinity);
      if (Number.isFinite(eta)) parts.push(`ETA ${clock(eta)}`);
    }
    for (const [k, v] of Object.entries(this.metrics)) parts.push(`${k} ${formatNumber(v)}`);
    return parts.join(', ');
  }

  /** HTML for notebooks: a <progress> element and the status line. */
  html(): string {
    const done = this.fractionDone();
    const value = this.timeBound()
      ? ` value="${Math.round(done! * 1000)}" max="1000"`
      : this.total
        ? ` value="${Math.min(this.count, this.total)}" max="${this.total}"`
        : '';
    return (
      `<div style="font-family: monospace; display: flex; align-items: center; gap: 0.6em;">` +
      `<progress${value} style="width: 16em;"></progress><span>${escapeHtml(this.text())}</span></div>`
    );
  }

  private elapsedSeconds(): number {
    return (this.env.now() - this.start) / 1000;
  }

  private timeLimit(): number {
    const t = this.options.timeLimitSeconds ?? 0;
    return Number.isFinite(t) && t > 0 ? t : 0;
  }

  /** Will the time limit end the loop before the count does (at the current pace)? */
  private timeBound(): boolean {
    const limit = this.timeLimit();
    if (limit === 0) return false;
    const byTime = Math.min(1, this.elapsedSeconds() / limit);
    return !this.total || byTime >= this.count / this.total;
  }

  /** How much of the loop is done, 0..1: the larger of count/total and elapsed/limit; null if unknown. */
  private fractionDone(): number | null {
    const limit = this.timeLimit();
    const byCount = this.total ? Math.min(1, this.count / this.total) : null;
    const byTime = limit > 0 ? Math.min(1, this.elapsedSeconds() / limit) : null;
    if (byCount === null) return byTime;
    return byTime === null ? byCount : Math.max(byCount, byTime);
  }

  private draw(): void {
    this.lastDraw = this.env.now();
    if (this.handle) {
      this.handle.show({ 'text/plain': this.text(true), 'text/html': this.html() });
    } else if (this.mode === 'tty') {
      const line = this.text(true);
      this.env.write('\r' + line.padEnd(this.ttyWidth));
      this.ttyWidth = line.length;
    }
  }
}

/**
 * Start a progress bar for `total` items (undefined if unknown).
 *
 * @example
 * const bar = progress(numSteps, { label: 'SimCLR' });
 * for (let step = 0; step < numSteps; step++) { const loss = await trainStep(); bar.update(1, { loss }); }
 * bar.close();
 */
export function progress(total: number | undefined, options: ProgressOptions = {}): ProgressBar {
  return new ProgressBar(total, options);
}

export interface WithProgressOptions extends ProgressOptions {
  /** Items expected; default the iterable's length or size when it has one. */
  total?: number;
}

/** An iterable wrapped by `withProgress`, with its bar (to report metrics: `it.bar.update(0, { loss })`). */
export type ProgressIterable<T> = Iterable<T> & { bar: ProgressBar };
export type ProgressAsyncIterable<T> = AsyncIterable<T> & { bar: ProgressBar };

/**
 * Iterate with a progress bar: one step per item, closed when the loop ends (also on break or
 * throw). Works with sync and async iterables.
 *
 * @example
 * for (const batch of withProgress(batches({ x: images }, { batchSize: 500 }), { label: 'kNN bank' })) {
 *   parts.push(encoder.apply(batch.x));
 *   batch.x.dispose();
 * }
 */
export function withProgress<T>(items: AsyncIterable<T>, options?: WithProgressOptions): ProgressAsyncIterable<T>;
export function withProgress<T>(items: Iterable<T>, options?: WithProgressOptions): ProgressIterable<T>;
export function withProgress<T>(
  items: Iterable<T> | AsyncIterable<T>,
  options: WithProgressOptions = {},
): ProgressIterable<T> | ProgressAsyncIterable<T> {
  const sized = items as { length?: unknown; size?: unknown };
  const total =
    options.total ??
    (typeof sized.length === 'number' ? sized.length : typeof sized.size === 'number' ? sized.size : undefined);
  let bar: ProgressBar | null = null;
  const getBar = () => (bar ??= new ProgressBar(total, options));
  if (Symbol.asyncIterator in items) {
    const source = items as AsyncIterable<T>;
    return {
      get bar() {
        return getBar();
      },
      async *[Symbol.asyncIterator]() {
        const b = getBar();
        try {
          for await (const item of source) {
            yield item;
            b.update(1);
          }
        } finally {
          b.close();
        }
      },
    };
  }
  const source = items as Iterable<T>;
  return {
    get bar() {
      return getBar();
    },
    *[Symbol.iterator]() {
      const b = getBar();
      try {
        for (const item of source) {
          yield item;
          b.update(1);
        }
      } finally {
        b.close();
      }
    },
  };
}

/** Whole seconds (floored, as tqdm does) as m:ss, or h:mm:ss from an hour on. */
function clock(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds + 1e-9));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
