import * as tf from '@tensorflow/tfjs';

/**
 * Rescale a list of gradients so that their global norm is at most `maxNorm`
 * (tf.clip_by_global_norm):
 *
 *   norm = sqrt(sum_i ||g_i||^2)
 *   g_i  <- g_i * maxNorm / max(norm, maxNorm)
 *
 * Gradients are left unchanged when norm <= maxNorm. Tidy; the caller owns the results.
 *
 * Paper: Pascanu, Mikolov, Bengio, "On the difficulty of training recurrent neural networks",
 * ICML 2013, Algorithm 1.
 *
 * @returns the clipped gradients (new tensors) and the global norm before clipping (scalar).
 * @throws if maxNorm is not a positive number.
 * @example
 * const { grads: clipped, norm } = clipByGlobalNorm(grads, 1.0);
 */
export function clipByGlobalNorm(grads: tf.Tensor[], maxNorm: number): { grads: tf.Tensor[]; norm: tf.Scalar } {
  if (!(typeof maxNorm === 'number' && maxNorm > 0)) {
    throw new Error(`Error in clipByGlobalNorm: maxNorm must be a positive number, but got ${String(maxNorm)}`);
  }
  return tf.tidy(() => {
    const norm = globalNorm(grads);
    const scale = tf.div(maxNorm, tf.maximum(norm, maxNorm));
    return { grads: grads.map((g) => tf.mul(g, scale)), norm };
  });
}

/** sqrt(sum_i ||g_i||^2) as a scalar tensor (0 for an empty list). */
export function globalNorm(tensors: tf.Tensor[]): tf.Scalar {
  return tf.tidy(() => {
    if (tensors.length === 0) return tf.scalar(0);
    const squares = tensors.map((g) => tf.sum(tf.square(g)));
    return tf.sqrt(tf.addN(squares)) as tf.Scalar;
  });
}
