import * as tf from '@tensorflow/tfjs';
import { registerWasmTrainingKernels, setSimdKernelsEnabled } from '../../../src/backend/wasm-kernels';
import { silenceTfjsBanner } from '../../../src/backend/quiet';

/** Seeded uniform values in [-1, 1) (a small LCG: tests must not depend on tfjs's random ops per backend). */
export function values(n: number, seed: number, quantum = 0): Float32Array {
  const out = new Float32Array(n);
  let s = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const v = (s / 4294967296) * 2 - 1;
    out[i] = quantum > 0 ? Math.round(v / quantum) * quantum : v;
  }
  return out;
}

export function randomTensor(shape: number[], seed: number, quantum = 0): tf.Tensor {
  return tf.tensor(values(shape.reduce((a, b) => a * b, 1), seed, quantum), shape);
}

let ready: Promise<void> | null = null;

/** Register our kernels and make sure both backends exist. */
export function setUpBackends(): Promise<void> {
  ready ??= (async () => {
    registerWasmTrainingKernels();
    await tf.setBackend('cpu');
    silenceTfjsBanner();
    await tf.setBackend('wasm');
    await tf.ready();
  })();
  return ready;
}

/** Run `fn` on one backend and read every returned tensor into plain arrays; all tensors are freed. */
export async function runOn(backend: 'cpu' | 'wasm', fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  await setUpBackends();
  await tf.setBackend(backend);
  const out: Float32Array[] = [];
  tf.tidy(() => {
    const r = fn();
    for (const t of Array.isArray(r) ? r : [r]) out.push(Float32Array.from(t.dataSync() as ArrayLike<number>));
  });
  return out;
}

/** max|a - b| / max(1, max|b|). */
export function relativeError(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Infinity;
  let diff = 0;
  let scale = 1;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= diff)) diff = Number.isNaN(d) ? Infinity : d;
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return diff / scale;
}

/** Run `fn` on wasm and on cpu; return the worst relative error over its outputs (wasm against cpu). */
export async function wasmVsCpu(fn: () => tf.Tensor | tf.Tensor[]): Promise<number> {
  const cpu = await runOn('cpu', fn);
  const wasm = await runOn('wasm', fn);
  if (cpu.length !== wasm.length) return Infinity;
  return Math.max(...cpu.map((c, i) => relativeError(wasm[i], c)));
}

export const TOLERANCE = 1e-4;

/** Run `fn` with selfsup's SIMD kernels on or off (off: the composed routes), switching them back on afterwards. */
export async function withSimdKernels<T>(on: boolean, fn: () => Promise<T>): Promise<T> {
  setSimdKernelsEnabled(on);
  try {
    return await fn();
  } finally {
    setSimdKernelsEnabled(true);
  }
}
