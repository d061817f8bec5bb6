import * as tf from '@tensorflow/tfjs';
import { checkMinRows, checkFloat, checkRank, checkSameShape } from './common';

/** Options of `vicregLoss`. */
export interface VicregOptions {
  /** Weight of the invariance term, lambda (default 25). */
  invarianceWeight?: number;
  /** Weight of the variance term, mu (default 25). */
  varianceWeight?: number;
  /** Weight of the covariance term, nu (default 1). */
  covarianceWeight?: number;
  /** Added to the variance under the square root (default 1e-4). */
  eps?: number;
}

/**
 * VICReg's invariance term: mean squared distance between the two views' embeddings,
 *   s(za, zb) = (1 / (N D)) * sum_{i,d} (za[i,d] - zb[i,d])^2.
 * Same as lightly's `invariance_loss` (F.mse_loss).
 * @throws if the shapes differ or are not 2-D.
 */
export function invarianceLoss(z1: tf.Tensor2D, z2: tf.Tensor2D): tf.Scalar {
  const fn = 'invarianceLoss';
  checkRank(fn, 'z1', z1, 2, '[N, D]');
  checkFloat(fn, 'z1', z1);
  checkRank(fn, 'z2', z2, 2, '[N, D]');
  checkFloat(fn, 'z2', z2);
  checkSameShape(fn, 'z1', 'z2', z1, z2);
  return tf.tidy(() => tf.mean(tf.squaredDifference(z1, z2)) as tf.Scalar);
}

/**
 * VICReg's variance term: a hinge keeping every dimension's standard deviation over the batch
 * at least 1,
 *   v(z) = (1 / D) * sum_d max(0, 1 - sqrt(Var_batch(z[:, d]) + eps)),   Var unbiased (N - 1).
 * Same as lightly's `variance_loss`.
 * @throws if z is not 2-D or has fewer than 2 rows.
 */
export function varianceLoss(z: tf.Tensor2D, eps = 1e-4): tf.Scalar {
  const fn = 'varianceLoss';
  checkRank(fn, 'z', z, 2, '[N, D]');
  checkFloat(fn, 'z', z);
  checkMinRows(fn, 'z', z, 2);
  return tf.tidy(() => {
    const n = z.shape[0];
    const { variance } = tf.moments(z, 0);
    const std = tf.sqrt(tf.add(tf.mul(variance, n / (n - 1)), eps)); // [D]
    return tf.mean(tf.relu(tf.sub(1, std))) as tf.Scalar;
  });
}

/**
 * VICReg's covariance term: squared off-diagonal covariances, summed, divided by D,
 *   C(z) = (1 / (N - 1)) * (z - mean)^T (z - mean),   c(z) = (1 / D) * sum_{i != j} C_ij^2.
 * Same as lightly's `covariance_loss` for [N, D] input.
 * @throws if z is not 2-D or has fewer than 2 rows.
 */
export function covarianceLoss(z: tf.Tensor2D): tf.Scalar {
  const fn = 'covarianceLoss';
  checkRank(fn, 'z', z, 2, '[N, D]');
  checkFloat(fn, 'z', z);
  checkMinRows(fn, 'z', z, 2);
  return tf.tidy(() => {
    const [n, d] = z.shape;
    const centred = tf.sub(z, tf.mean(z, 0));
    const cov = tf.div(tf.matMul(centred, centred, true, false), n - 1); // [D, D]
    const offDiagonal = tf.sub(1, tf.eye(d));
    return tf.div(tf.sum(tf.mul(tf.square(cov), offDiagonal)), d) as tf.Scalar;
  });
}

/**
 * VICReg: Variance-Invariance-Covariance Regularization.
 *
 *   loss = lambda * s(za, zb) + mu * (v(za) + v(zb)) / 2 + nu * (c(za) + c(zb))
 *
 * with s = `invarianceLoss`, v = `varianceLoss`, c = `covarianceLoss` and
 * defaults lambda = 25, mu = 25, nu = 1, eps = 1e-4 — as lightly's VICRegLoss
 * (lightly/loss/vicreg_loss.py) and the official code (facebookresearch/vicreg).
 *
 * Paper: Bardes, Ponce, LeCun, "VICReg: Variance-Invariance-Covariance Regularization for
 * Self-Supervised Learning", ICLR 2022, eq. (1)-(6).
 *
 * @param z1 - [N, D] embeddings of the first views, N >= 2.
 * @param z2 - [N, D] embeddings of the second views.
 * @returns a scalar.
 * @throws if z1 or z2 is not 2-D, their shapes differ, or N < 2.
 * @example
 * const loss = vicregLoss(z1, z2); // 25 / 25 / 1
 */
export function vicregLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, options: VicregOptions = {}): tf.Scalar {
  const fn = 'vicregLoss';
  checkRank(fn, 'z1', z1, 2, '[N, D]');
  checkFloat(fn, 'z1', z1);
  checkRank(fn, 'z2', z2, 2, '[N, D]');
  checkFloat(fn, 'z2', z2);
  checkSameShape(fn, 'z1', 'z2', z1, z2);
  checkMinRows(fn, 'z1', z1, 2);
  const lambda = options.invarianceWeight ?? 25;
  const mu = options.varianceWeight ?? 25;
  const nu = options.covarianceWeight ?? 1;
  const eps = options.eps ?? 1e-4;
  return tf.tidy(() => {
    const inv = invarianceLoss(z1, z2);
    const variance = tf.mul(tf.add(varianceLoss(z1, eps), varianceLoss(z2, eps)), 0.5);
    const cov = tf.add(covarianceLoss(z1), covarianceLoss(z2));
    return tf.addN([tf.mul(inv, lambda), tf.mul(variance, mu), tf.mul(cov, nu)]) as tf.Scalar;
  });
}
