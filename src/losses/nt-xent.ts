import * as tf from '@tensorflow/tfjs';
import { checkOptionKeys, checkPositive, checkFloat, checkRank, checkSameShape, eyeBool, l2NormalizeRows, logSumExpWithSoftmaxGrad } from './common';

/** Options of `ntXentLoss`. */
export interface NtXentOptions {
  /** Softmax temperature tau (SimCLR's CIFAR setting and lightly's default: 0.5). */
  temperature?: number;
}

/**
 * NT-Xent, the normalised temperature-scaled cross-entropy of SimCLR.
 *
 * The 2N embeddings u = [z1; z2] are L2-normalised. Sample k (of 2N) has one positive, the
 * other view of the same image p(k), and 2N - 2 negatives, every other row:
 *
 *   sim(a, b) = a · b / (||a|| ||b||)
 *   l(k)      = -log( exp(sim(u_k, u_p(k)) / tau) / sum_{j != k} exp(sim(u_k, u_j) / tau) )
 *   loss      = (1 / 2N) * sum_k l(k)
 *
 * Numerically the same as lightly's `NTXentLoss(temperature, memory_bank_size=0)`
 * (lightly/loss/ntx_ent_loss.py): cross-entropy over the 2N rows of the 2N x (2N-1) logits,
 * mean-reduced. At uniform logits (all similarities equal) the loss is ln(2N - 1); it is
 * symmetric: ntXentLoss(z1, z2) = ntXentLoss(z2, z1).
 *
 * Paper: Chen, Kornblith, Norouzi, Hinton, "A Simple Framework for Contrastive Learning of
 * Visual Representations" (SimCLR), ICML 2020, eq. (1) and Algorithm 1.
 *
 * @param z1 - [N, D] embeddings of the first views (not necessarily normalised).
 * @param z2 - [N, D] embeddings of the second views; row i is the other view of row i of z1.
 * @returns a scalar.
 * @throws if z1 or z2 is not 2-D, if their shapes differ, if N < 2, or if temperature <= 0.
 * @example
 * const loss = ntXentLoss(z1, z2, { temperature: 0.5 }); // z1, z2: [256, 64]
 * @see notebooks/10.3.1-contrastive-loss.ipynb
 */
export function ntXentLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, options: NtXentOptions = {}): tf.Scalar {
  const fn = 'ntXentLoss';
  checkOptionKeys(fn, options, ['temperature']);
  const temperature = options.temperature ?? 0.5;
  checkRank(fn, 'z1', z1, 2, '[N, D]');
  checkFloat(fn, 'z1', z1);
  checkRank(fn, 'z2', z2, 2, '[N, D]');
  checkFloat(fn, 'z2', z2);
  checkSameShape(fn, 'z1', 'z2', z1, z2);
  if (z1.shape[0] < 2) {
    throw new Error(`Error in ${fn}: the batch needs at least 2 samples (N >= 2), but got shape [${z1.shape.join(',')}]`);
  }
  checkPositive(fn, 'temperature', temperature);
  return tf.tidy(() => {
    const n = z1.shape[0];
    const a = l2NormalizeRows(z1);
    const b = l2NormalizeRows(z2);
    const u = tf.concat([a, b], 0); // [2N, D]
    const logits = tf.div(tf.matMul(u, u, false, true), temperature); // [2N, 2N]
    // Each sample against itself is no candidate: drop the diagonal from the log-sum-exp.
    const masked = tf.where(eyeBool(2 * n), tf.fill([2 * n, 2 * n], -Infinity), logits);
    const logDenominator = logSumExpWithSoftmaxGrad(masked, 1); // [2N]
    const positive = tf.div(tf.sum(tf.mul(a, b), 1), temperature); // [N]
    const positives = tf.concat([positive, positive], 0); // [2N]
    return tf.mean(tf.sub(logDenominator, positives)) as tf.Scalar;
  });
}
