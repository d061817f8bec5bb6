import * as tf from '@tensorflow/tfjs';

/** The part of the wasm backend our kernels touch (typed loosely: the class is not exported as a type we can import cheaply). */
export interface RefCountingBackend {
  incRef(dataId: object): void;
}

/** Inputs as the engine hands them to a kernel: usually Tensors, TensorInfos when one kernel calls another. */
export type KernelInputs = Record<string, tf.TensorInfo | undefined>;

/**
 * Turn a kernel input into a Tensor usable with tf ops. A bare TensorInfo gets a Tensor of its own that holds an
 * extra reference, released when the enclosing tidy disposes it; a Tensor is used as it is.
 */
export function asTensor<T extends tf.Tensor = tf.Tensor>(info: tf.TensorInfo | undefined, backend: tf.KernelBackend): T {
  if (info == null) throw new Error('Error in a selfsup wasm kernel: a required input is missing');
  if (info instanceof tf.Tensor) return info as T;
  (backend as unknown as RefCountingBackend).incRef(info.dataId);
  return tf.engine().makeTensorFromTensorInfo(info, backend) as T;
}

/**
 * Compute a kernel's output with ordinary tf ops (which run on the wasm backend's own XNNPACK kernels), free every
 * intermediate, and hand the result to the engine as a TensorInfo holding its own reference to the data.
 * `inputs` are the kernel's inputs: returning one of them unchanged is allowed (not a copy: wasm's Identity
 * kernel copies, so no tf.clone here).
 */
export function outputOf(backend: tf.KernelBackend, compute: () => tf.Tensor, inputs: unknown[] = []): tf.TensorInfo {
  const result = tf.tidy(compute);
  (backend as unknown as RefCountingBackend).incRef(result.dataId);
  const info: tf.TensorInfo = { dataId: result.dataId, shape: result.shape.slice(), dtype: result.dtype };
  if (!inputs.includes(result)) result.dispose();
  return info;
}

/** `[a, b]` from a number or a pair. */
export function pair(v: number | [number, number] | number[] | undefined, fallback = 1): [number, number] {
  if (v == null) return [fallback, fallback];
  if (typeof v === 'number') return [v, v];
  return [v[0], v.length > 1 ? v[1] : v[0]];
}

export function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}

/** Slice `x` along one axis to [begin, begin + size), skipping the op when it would be the identity. */
export function sliceAxis(x: tf.Tensor, axis: number, begin: number, size: number): tf.Tensor {
  if (begin === 0 && size === x.shape[axis]) return x;
  const b = x.shape.map(() => 0);
  const s = x.shape.slice();
  b[axis] = begin;
  s[axis] = size;
  return tf.slice(x, b, s);
}
