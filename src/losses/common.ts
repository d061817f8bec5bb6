/**
 * Small helpers shared by the loss files: shape checks with fixed-form messages, a row-wise
 * L2 normalisation that never divides by zero, cross-entropy against integer labels, and a
 * stop-gradient. Used inside the library (losses, models, train recipes); not re-exported from
 * `selfsup`, so the names stay free for the public API.
 */
import * as tf from '@tensorflow/tfjs';

/** `[8,16]` — the shape format used in every error message. */
export function formatShape(shape: readonly number[]): string {
  return `[${shape.join(',')}]`;
}

/** Throws "Error in fn: name must be 2-D [N, D], but got shape [8]" unless `x` has the given rank. */
export function checkRank(fn: string, name: string, x: tf.Tensor, rank: number, layout: string): void {
  if (!(x instanceof tf.Tensor)) {
    throw new Error(`Error in ${fn}: ${name} must be a tf.Tensor, but got ${typeof x}`);
  }
  if (x.rank !== rank) {
    throw new Error(`Error in ${fn}: ${name} must be ${rank}-D ${layout}, but got shape ${formatShape(x.shape)}`);
  }
}

/** Throws "Error in fn: a and b must have the same shape, but got [8,16] and [8,32]". */
/** Throw the fixed-form error for an option key outside `allowed` (a misspelt option would otherwise be ignored). */
export function checkOptionKeys(fn: string, options: object, allowed: readonly string[]): void {
  for (const key of Object.keys(options ?? {})) {
    if (!allowed.includes(key)) throw new Error(`Error in ${fn}: Unknown config key: ${key} (expected one of ${allowed.join(', ')})`);
  }
}

/** Throw the fixed-form error unless `x` is float32 (embeddings and logits; int32 ones are a cast forgotten). */
export function checkFloat(fn: string, name: string, x: tf.Tensor): void {
  if (x.dtype !== 'float32') throw new Error(`Error in ${fn}: ${name} must be float32, but got ${x.dtype} (use tf.cast(${name}, 'float32'))`);
}

export function checkSameShape(fn: string, aName: string, bName: string, a: tf.Tensor, b: tf.Tensor): void {
  if (!tf.util.arraysEqual(a.shape, b.shape)) {
    throw new Error(
      `Error in ${fn}: ${aName} and ${bName} must have the same shape, but got ${formatShape(a.shape)} and ${formatShape(b.shape)}`,
    );
  }
}

/** Throws "Error in fn: name must be a positive number, but got 0". */
export function checkPositive(fn: string, name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new Error(`Error in ${fn}: ${name} must be a positive number, but got ${String(value)}`);
  }
}

/** Throws "Error in fn: name needs at least 2 rows, but got shape [1,16]". */
export function checkMinRows(fn: string, name: string, x: tf.Tensor, min: number): void {
  if (x.shape[0] < min) {
    throw new Error(`Error in ${fn}: ${name} needs at least ${min} row${min === 1 ? '' : 's'}, but got shape ${formatShape(x.shape)}`);
  }
}

/**
 * Rows divided by their L2 norm, x / max(||x||, eps) as torch.nn.functional.normalize does
 * (eps = 1e-12). A zero row stays zero, and its gradient is finite (no 0/0).
 */
export function l2NormalizeRows<T extends tf.Tensor>(x: T, eps = 1e-12): T {
  return tf.tidy(() => {
    const sumSq = tf.sum(tf.square(x), -1, true);
    return tf.mul(x, tf.rsqrt(tf.maximum(sumSq, eps * eps))) as T;
  });
}

/**
 * log(sum(exp(x))) over `axis` (removed), stabilised by the maximum as tf.logSumExp is, with its gradient written
 * out: dy * softmax(x) = dy * exp(x - logSumExp). The same value and gradient as tf.logSumExp, without the
 * gradient tfjs would take through the maximum (zero in the sum, but computed: a broadcast comparison that wasm
 * runs element by element, 8 ms per step for NT-Xent's [256, 256] logits).
 */
export function logSumExpWithSoftmaxGrad(x: tf.Tensor, axis: number): tf.Tensor {
  const ax = axis < 0 ? axis + x.rank : axis;
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const t = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    const m = tf.max(t, ax, true);
    const value = tf.add(tf.squeeze(m, [ax]), tf.log(tf.sum(tf.exp(tf.sub(t, m)), ax)));
    save([t, value]);
    return {
      value,
      // tidy: tfjs does not free what a custom gradient creates until the whole backward pass ends.
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => tf.mul(tf.expandDims(dy, ax), tf.exp(tf.sub(saved[0], tf.expandDims(saved[1], ax))))),
    };
  });
  return f(x);
}

/**
 * Identity in the forward pass, zero gradient in the backward pass (torch's `.detach()`,
 * SimSiam's stopgrad). tfjs has no such op; this is a customGrad.
 *
 * @example
 * const loss = tf.losses.meanSquaredError(stopGradient(target), prediction); // no gradient into target
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const f = tf.customGrad((...inputs) => ({
    value: tf.clone(inputs[0] as tf.Tensor),
    gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
  }));
  return f(x) as T;
}

/**
 * Mean cross-entropy of `logits` [N, C] against integer class `labels` (length N):
 * mean_i ( logsumexp_j logits[i, j] - logits[i, labels[i]] ), i.e. torch's
 * nn.CrossEntropyLoss(reduction='mean'). Stable for any logit scale.
 */
export function crossEntropyWithLabels(logits: tf.Tensor2D, labels: tf.Tensor1D | number[]): tf.Scalar {
  return tf.tidy(() => {
    const numClasses = logits.shape[1];
    const labelTensor = Array.isArray(labels) ? tf.tensor1d(labels, 'int32') : tf.cast(labels, 'int32');
    // tf.oneHot refuses a depth of 1 (which a batch of one makes here): then one-hot rows by comparison. The
    // comparison broadcasts, which wasm runs element by element (a [256, 1] against [1, 256] Equal took 7-8 ms).
    // tfjs-wasm's OneHot writes int32 whatever dtype it is given, hence the default dtype and a cast.
    const oneHot =
      numClasses > 1
        ? tf.cast(tf.oneHot(labelTensor, numClasses), 'float32')
        : tf.cast(tf.equal(tf.range(0, numClasses, 1, 'int32').expandDims(0), tf.expandDims(labelTensor, 1)), 'float32'); // [N, C]
    const logProbs = tf.logSoftmax(logits, -1);
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, logProbs), -1))) as tf.Scalar;
  });
}

/** 1 on the diagonal, 0 elsewhere, as a boolean [n, n] tensor. */
export function eyeBool(n: number): tf.Tensor2D {
  return tf.tidy(() => tf.cast(tf.eye(n), 'bool') as tf.Tensor2D);
}
