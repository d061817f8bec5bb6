import * as tf from '@tensorflow/tfjs';
import { CheckFailure } from './check';

type Numeric = tf.Tensor | number | number[] | number[][] | number[][][] | number[][][][] | Float32Array | Int32Array;

function describe(value: Numeric): { shape: number[]; values: Float64Array } {
  if (value instanceof tf.Tensor) {
    if (value.isDisposed) throw new CheckFailure('the tensor was already disposed');
    return { shape: value.shape.slice(), values: Float64Array.from(value.dataSync() as ArrayLike<number>) };
  }
  if (typeof value === 'number') return { shape: [], values: Float64Array.of(value) };
  if (value instanceof Float32Array || value instanceof Int32Array) return { shape: [value.length], values: Float64Array.from(value) };
  const shape: number[] = [];
  let level: unknown = value;
  while (Array.isArray(level)) {
    shape.push(level.length);
    level = level[0];
  }
  return { shape, values: Float64Array.from((value as unknown[]).flat(Infinity as 1) as number[]) };
}

const fmt = (x: number) => (Number.isInteger(x) ? String(x) : x.toPrecision(6));

function indexOf(flat: number, shape: number[]): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]);
    flat = Math.floor(flat / shape[d]);
  }
  return `[${idx.join(', ')}]`;
}

export interface CloseOptions {
  /** Relative tolerance (default 1e-5). */
  rtol?: number;
  /** Absolute tolerance (default 1e-6). */
  atol?: number;
  /** What is compared, for the message (default 'value'). */
  what?: string;
}

/**
 * Expect `actual` to equal `expected` within |a - e| <= atol + rtol * |e| everywhere, with the
 * same shape. Tensors, numbers and nested arrays are accepted. Fails with the shapes, or the
 * number of differing elements and the first few with their index, expected and actual value.
 */
export function expectClose(actual: Numeric, expected: Numeric, options: CloseOptions = {}): void {
  const { rtol = 1e-5, atol = 1e-6, what = 'value' } = options;
  const a = describe(actual);
  const e = describe(expected);
  if (a.shape.join(',') !== e.shape.join(',')) {
    throw new CheckFailure(`${what} has shape [${a.shape}], expected [${e.shape}]`);
  }
  const bad: number[] = [];
  for (let i = 0; i < e.values.length; i++) {
    const x = a.values[i];
    const y = e.values[i];
    const ok = Number.isNaN(y) ? Number.isNaN(x) : Math.abs(x - y) <= atol + rtol * Math.abs(y);
    if (!ok) bad.push(i);
  }
  if (bad.length > 0) {
    const first = bad
      .slice(0, 3)
      .map((i) => `at ${indexOf(i, e.shape)} expected ${fmt(e.values[i])}, got ${fmt(a.values[i])}`)
      .join('; ');
    throw new CheckFailure(`${what} differs in ${bad.length} of ${e.values.length} elements: ${first} (rtol ${rtol}, atol ${atol})`);
  }
}

/** Expect a tensor (or array) to have exactly `shape`. */
export function expectShape(actual: Numeric, shape: number[], what = 'value'): void {
  const a = describe(actual);
  if (a.shape.join(',') !== shape.join(',')) throw new CheckFailure(`${what} has shape [${a.shape}], expected [${shape}]`);
}

/** Expect `condition` to hold; `message` says what was expected. */
export function expectTrue(condition: boolean, message: string): void {
  if (!condition) throw new CheckFailure(message);
}

/**
 * Expect `fn` not to leave tensors behind: runs it once to warm up, then again, and compares
 * tf.memory().numTensors before and after the second run (`allowed` extra tensors, e.g. 1
 * for a returned tensor that the check then disposes).
 */
export async function expectNoLeaks(fn: () => unknown, allowed = 0, what = 'the function'): Promise<void> {
  const dispose = (r: unknown) => tf.dispose(r as tf.TensorContainer);
  dispose(await fn());
  const before = tf.memory().numTensors;
  const result = await fn();
  const leaked = tf.memory().numTensors - before - allowed;
  dispose(result);
  if (leaked > 0) throw new CheckFailure(`${what} leaked ${leaked} tensor${leaked === 1 ? '' : 's'} per call (wrap its work in tf.tidy)`);
}
