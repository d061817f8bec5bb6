import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../src/backend/seed';

/** Switch to the wasm backend (the default one), where every augmentation must run. */
export async function useWasm(): Promise<void> {
  require('@tensorflow/tfjs-backend-wasm');
  await tf.setBackend('wasm');
  await tf.ready();
}

/** Seeded uniform images in [lo, hi). */
export function randomImages(shape: [number, number, number, number], seed: number, lo = 0, hi = 1): tf.Tensor4D {
  const rng = createRng(seed);
  const n = shape.reduce((a, b) => a * b, 1);
  return tf.tensor4d(Float32Array.from({ length: n }, () => lo + (hi - lo) * rng.next()), shape);
}

/** Run `fn` once to warm up, then again: it must leave no tensor behind besides what it returns. */
export function assertNoLeak(fn: () => tf.Tensor | tf.Tensor[]): void {
  tf.dispose(fn());
  const before = tf.memory().numTensors;
  tf.dispose(fn());
  assert.equal(tf.memory().numTensors, before, 'leaked tensors');
}

export function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => a.sub(b).abs().max().dataSync()[0]);
}

export function range(t: tf.Tensor): [number, number] {
  return tf.tidy(() => [t.min().dataSync()[0], t.max().dataSync()[0]]);
}

/** Is |k/n - p| within 4 binomial standard deviations? */
export function assertBinomial(k: number, n: number, p: number, what: string): void {
  const sd = Math.sqrt((p * (1 - p)) / n);
  assert.ok(Math.abs(k / n - p) <= 4 * sd, `${what}: ${k}/${n} = ${(k / n).toFixed(3)}, expected ${p} ± ${(4 * sd).toFixed(3)}`);
}
