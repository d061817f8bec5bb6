import * as tf from '@tensorflow/tfjs';
import { checkMinRows, checkFloat, checkRank, checkSameShape } from './common';

/** Options of `barlowTwinsLoss`. */
export interface BarlowTwinsOptions {
  /** Weight of the redundancy-reduction (off-diagonal) term (paper default 5e-3). */
  lambda?: number;
}

/**
 * Barlow Twins: make the cross-correlation matrix of the two views' embeddings the identity.
 *
 *   za' = (za - mean_batch(za)) / sqrt(var_batch(za) + 1e-5)   per dimension, biased variance (over N)
 *   zb' likewise
 *   C   = za'^T zb' / N                                [D, D]
 *   loss = sum_i (1 - C_ii)^2  +  lambda * sum_{i != j} C_ij^2
 *
 * The standardisation is the official code's (facebookresearch/barlowtwins, main.py:
 * BatchNorm1d(affine=False) in training mode, i.e. biased variance with eps 1e-5), which current
 * lightly also uses (F.batch_norm). Older lightly versions divided by the unbiased std instead, a
 * difference of order 1/N. Thanks to eps, a dimension that is constant over the batch gives
 * C = 0 for its row and column, never NaN.
 *
 * Paper: Zbontar, Jing, Misra, LeCun, Deny, "Barlow Twins: Self-Supervised Learning via
 * Redundancy Reduction", ICML 2021, eq. (1)-(2), Algorithm 1.
 *
 * @param z1 - [N, D] embeddings of the first views, N >= 2.
 * @param z2 - [N, D] embeddings of the second views.
 * @returns a scalar (a sum over D^2 entries, not a mean: it grows with D).
 * @throws if z1 or z2 is not 2-D, their shapes differ, or N < 2.
 * @example
 * const loss = barlowTwinsLoss(z1, z2, { lambda: 5e-3 });
 */
export function barlowTwinsLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, options: BarlowTwinsOptions = {}): tf.Scalar {
  const fn = 'barlowTwinsLoss';
  const lambda = options.lambda ?? 5e-3;
  checkRank(fn, 'z1', z1, 2, '[N, D]');
  checkFloat(fn, 'z1', z1);
  checkRank(fn, 'z2', z2, 2, '[N, D]');
  checkFloat(fn, 'z2', z2);
  checkSameShape(fn, 'z1', 'z2', z1, z2);
  checkMinRows(fn, 'z1', z1, 2);
  return tf.tidy(() => {
    const [n, d] = z1.shape;
    const a = standardizeColumns(z1);
    const b = standardizeColumns(z2);
    const c = tf.div(tf.matMul(a, b, true, false), n); // [D, D]
    const eye = tf.eye(d);
    const diff = tf.square(tf.sub(c, eye));
    const weights = tf.add(eye, tf.mul(tf.sub(1, eye), lambda)); // 1 on the diagonal, lambda off it
    return tf.sum(tf.mul(diff, weights)) as tf.Scalar;
  });
}

/** BatchNorm1d(affine=False) in training mode: (z - mean) / sqrt(biased variance + 1e-5) per column. */
function standardizeColumns(z: tf.Tensor2D): tf.Tensor2D {
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(z, 0, true); // [1, D] each; variance over N
    return tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, BATCH_NORM_EPS))) as tf.Tensor2D;
  });
}

/** torch.nn.BatchNorm1d's default eps, as the official Barlow Twins code uses it. */
const BATCH_NORM_EPS = 1e-5;
