/** Test helpers for losses and models: reference fixtures, closeness, finite differences, leaks. */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { silenceTfjsBanner } from '../../src/backend/quiet';

/** Tests run on the pure-JS cpu backend: every kernel and gradient exists there. */
export async function useCpu(): Promise<void> {
  await tf.setBackend('cpu');
  await tf.ready();
  silenceTfjsBanner();
}

type Nested = number | Nested[];

/** Reads tests/fixtures/reference/<name>.json, looking upward from the compiled test file. */
export function loadReference(name = 'losses'): Record<string, any> {
  let dir = __dirname;
  for (let i = 0; i < 6; i++) {
    const candidate = path.join(dir, 'tests', 'fixtures', 'reference', `${name}.json`);
    if (fs.existsSync(candidate)) return JSON.parse(fs.readFileSync(candidate, 'utf8'));
    dir = path.dirname(dir);
  }
  throw new Error(`reference fixture ${name}.json not found above ${__dirname}`);
}

export function flat(x: Nested): number[] {
  return Array.isArray(x) ? x.flatMap((v) => flat(v)) : [x];
}

/** |a - e| <= atol + rtol * |e| elementwise, with the worst offender in the message. */
export function assertClose(actual: Nested | tf.Tensor, expected: Nested | tf.Tensor, rtol = 1e-5, atol = 1e-6, what = ''): void {
  const a = actual instanceof tf.Tensor ? Array.from(actual.dataSync()) : flat(actual);
  const e = expected instanceof tf.Tensor ? Array.from(expected.dataSync()) : flat(expected);
  assert.equal(a.length, e.length, `${what}: length ${a.length} vs ${e.length}`);
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < a.length; i++) {
    if (!Number.isFinite(a[i])) assert.fail(`${what}: element ${i} is ${a[i]}`);
    const excess = Math.abs(a[i] - e[i]) - (atol + rtol * Math.abs(e[i]));
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  if (worst >= 0) assert.fail(`${what}: element ${worst} is ${a[worst]}, expected ${e[worst]} (rtol ${rtol}, atol ${atol})`);
}

/** Scalar value of a tensor-returning function, disposing everything. */
export function scalarOf(f: () => tf.Tensor): number {
  return tf.tidy(() => f().dataSync()[0]);
}

/**
 * Central finite differences of a scalar function f(xs) with respect to xs[which], in float32
 * with a step suited to it (1e-2 by default: truncation O(h^2), rounding O(ulp / h)).
 */
export function numericGradient(f: (xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], which: number, h = 1e-2): number[] {
  const base = Array.from(xs[which].dataSync());
  const grad: number[] = [];
  for (let i = 0; i < base.length; i++) {
    const at = (delta: number) =>
      tf.tidy(() => {
        const moved = base.slice();
        moved[i] += delta;
        const args = xs.slice();
        args[which] = tf.tensor(moved, xs[which].shape);
        return f(args).dataSync()[0];
      });
    grad.push((at(h) - at(-h)) / (2 * h));
  }
  return grad;
}

/** Analytic gradient of f with respect to xs[which] (tf.grads), as numbers. */
export function analyticGradient(f: (xs: tf.Tensor[]) => tf.Tensor, xs: tf.Tensor[], which: number): number[] {
  return tf.tidy(() => {
    const g = tf.grad((x: tf.Tensor) => {
      const args = xs.slice();
      args[which] = x;
      return f(args) as tf.Scalar;
    })(xs[which]);
    return Array.from(g.dataSync());
  });
}

/** Gradient by tf.grad equals central finite differences (float32 tolerances). */
export function assertGradientMatchesFiniteDifferences(
  f: (xs: tf.Tensor[]) => tf.Tensor,
  xs: tf.Tensor[],
  which: number,
  { h = 1e-2, rtol = 2e-2, atol = 2e-3 } = {},
): void {
  const numeric = numericGradient(f, xs, which, h);
  const analytic = analyticGradient(f, xs, which);
  assertClose(analytic, numeric, rtol, atol, `gradient of input ${which} vs finite differences`);
}

/** Calls f once (burn-in), then again, and checks that only the returned tensor(s) remain. */
export function assertNoLeak(f: () => tf.TensorContainer, returned = 1): void {
  tf.dispose(f());
  const before = tf.memory().numTensors;
  const out = f();
  const after = tf.memory().numTensors;
  tf.dispose(out);
  assert.equal(after - before, returned, `leaked ${after - before - returned} tensors`);
}

export const t2 = (x: Nested) => tf.tensor2d(x as number[][]);

/** Naive float64 helpers for reference loops. */
export const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);
export const norm = (a: number[]) => Math.sqrt(dot(a, a));
export const normalize = (a: number[]) => {
  const n = Math.max(norm(a), 1e-12);
  return a.map((v) => v / n);
};
export const logSumExp = (xs: number[]) => {
  const m = Math.max(...xs);
  return m + Math.log(xs.reduce((s, v) => s + Math.exp(v - m), 0));
};
export function randn(rows: number, cols: number, seed: number): number[][] {
  // Box-Muller on a small LCG: deterministic, no dependency.
  let state = seed >>> 0 || 1;
  const uni = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return (state + 0.5) / 4294967296;
  };
  return Array.from({ length: rows }, () =>
    Array.from({ length: cols }, () => Math.sqrt(-2 * Math.log(uni())) * Math.cos(2 * Math.PI * uni())),
  );
}
