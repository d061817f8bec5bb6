import * as tf from '@tensorflow/tfjs';
import { checkMinRows, checkPositive, checkFloat, checkRank } from './common';

/** Options of `uniformity`. */
export interface UniformityOptions {
  /** Scale of the Gaussian potential (default 2). */
  t?: number;
}

/**
 * Uniformity of embeddings on the sphere (Wang & Isola): log of the average Gaussian potential
 * over all pairs.
 *
 *   uniformity = log( (2 / (N (N - 1))) * sum_{i < j} exp(-t * ||z_i - z_j||_2^2) )
 *
 * Lower is better (more uniform); 0 when all embeddings coincide (collapse). The authors' code
 * (SsnL/align_uniform, `uniform_loss`: pdist, pow 2, mul -t, exp, mean, log) expects
 * normalised embeddings and does not normalise; neither do we. Computed as a log-sum-exp, so it
 * does not underflow for large t.
 *
 * Paper: Wang & Isola, ICML 2020, Sec. 4.1, eq. (3).
 *
 * @param z - [N, D] embeddings, N >= 2.
 * @returns a scalar.
 * @throws if z is not 2-D, N < 2, or t <= 0.
 * @example
 * const u = uniformityLoss(l2normalised, { t: 2 });
 */
export function uniformityLoss(z: tf.Tensor2D, options: UniformityOptions = {}): tf.Scalar {
  const fn = 'uniformityLoss';
  const t = options.t ?? 2;
  checkRank(fn, 'z', z, 2, '[N, D]');
  checkFloat(fn, 'z', z);
  checkMinRows(fn, 'z', z, 2);
  checkPositive(fn, 't', t);
  return tf.tidy(() => {
    const n = z.shape[0];
    const sqNorms = tf.sum(tf.square(z), 1); // [N]
    const gram = tf.matMul(z, z, false, true); // [N, N]
    const sqDist = tf.relu(tf.sub(tf.add(tf.reshape(sqNorms, [n, 1]), tf.reshape(sqNorms, [1, n])), tf.mul(gram, 2))); // [N, N]
    const upper = tf.cast(tf.sub(tf.linalg.bandPart(tf.ones([n, n]), 0, -1), tf.eye(n)), 'bool'); // i < j
    const exponents = tf.where(upper, tf.mul(sqDist, -t), tf.fill([n, n], -Infinity));
    return tf.sub(tf.logSumExp(exponents), Math.log((n * (n - 1)) / 2)) as tf.Scalar;
  });
}
