import * as tf from '@tensorflow/tfjs';
import { CheckFailure } from './check';
import { addProbe, requireCacheProbe, watch } from './guard';

// Captured at load (before any learner code runs, see guard.ts): the comparisons below go
// through these, so replacing Math.abs or Tensor.prototype.dataSync cannot change a verdict
// (and `check` reports the replacement).
const abs = Math.abs;
const floor = Math.floor;
const isNaN = Number.isNaN;
const isInteger = Number.isInteger;
const isArray = Array.isArray;
const F64 = Float64Array;
/** A copy by index (not through an iterator that could be replaced). */
const f64From = (xs: ArrayLike<number>): Float64Array => {
  const out = new F64(xs.length);
  for (let i = 0; i < xs.length; i++) out[i] = xs[i];
  return out;
};
const ReflectApply = Reflect.apply;
const TensorClass = tf.Tensor;
const dataSync = tf.Tensor.prototype.dataSync;
const engine = tf.engine();
const engineMemory = Object.getPrototypeOf(engine).memory as () => tf.MemoryInfo;
const tfDispose = tf.dispose;
const numTensors = () => (ReflectApply(engineMemory, engine, []) as tf.MemoryInfo).numTensors;
watch('tf', tf);
watch('tf.Tensor.prototype', tf.Tensor.prototype);
watch('tf.engine()', Object.getPrototypeOf(engine));
watch('tf.engine()', engine, ['memory', 'readSync', 'read', 'makeTensor', 'disposeTensor', 'tidy', 'startScope', 'endScope']);
addProbe(() => (tf.engine() === engine ? null : 'tf.engine() was replaced'));

type Numeric = tf.Tensor | number | number[] | number[][] | number[][][] | number[][][][] | Float32Array | Int32Array;

function describe(value: Numeric): { shape: number[]; values: Float64Array } {
  if (value instanceof TensorClass) {
    if (value.isDisposed) throw new CheckFailure('the tensor was already disposed');
    const shape: number[] = [];
    for (let i = 0; i < value.shape.length; i++) shape[i] = value.shape[i];
    return { shape, values: f64From(ReflectApply(dataSync, value, []) as ArrayLike<number>) };
  }
  if (typeof value === 'number') return { shape: [], values: f64From([value]) };
  if (value instanceof Float32Array || value instanceof Int32Array) return { shape: [value.length], values: f64From(value) };
  const shape: number[] = [];
  let level: unknown = value;
  while (isArray(level)) {
    shape[shape.length] = level.length;
    level = level[0];
  }
  const flat: number[] = [];
  const walk = (x: unknown): void => {
    if (isArray(x)) for (let i = 0; i < x.length; i++) walk(x[i]);
    else flat[flat.length] = x as number;
  };
  walk(value);
  return { shape, values: f64From(flat) };
}

const sameShape = (a: number[], b: number[]) => {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};

const fmt = (x: number) => (isInteger(x) ? String(x) : x.toPrecision(6));

function indexOf(flat: number, shape: number[]): string {
  const idx: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    idx.unshift(flat % shape[d]);
    flat = floor(flat / shape[d]);
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
  if (!sameShape(a.shape, e.shape)) {
    throw new CheckFailure(`${what} has shape [${a.shape}], expected [${e.shape}]`);
  }
  const bad: number[] = [];
  for (let i = 0; i < e.values.length; i++) {
    const x = a.values[i];
    const y = e.values[i];
    const ok = isNaN(y) ? isNaN(x) : abs(x - y) <= atol + rtol * abs(y);
    if (!ok) bad[bad.length] = i;
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
  if (!sameShape(a.shape, shape)) throw new CheckFailure(`${what} has shape [${a.shape}], expected [${shape}]`);
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
  const dispose = (r: unknown) => tfDispose(r as tf.TensorContainer);
  dispose(await fn());
  const before = numTensors();
  const result = await fn();
  const leaked = numTensors() - before - allowed;
  dispose(result);
  if (leaked > 0) throw new CheckFailure(`${what} leaked ${leaked} tensor${leaked === 1 ? '' : 's'} per call (wrap its work in tf.tidy)`);
}

addProbe(requireCacheProbe(module));
Object.freeze(module.exports);
