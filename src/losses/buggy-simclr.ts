import * as tf from '@tensorflow/tfjs';
import { checkPositive, checkFloat, checkRank, checkSameShape, crossEntropyWithLabels } from './common';

/** Options of `buggySimclrLoss`. */
export interface BuggySimclrOptions {
  /** Softmax temperature (default 0.5, as `ntXentLoss`). */
  temperature?: number;
}

/**
 * DELIBERATELY WRONG: the textbook's "simplified SimCLR" loss, kept as a teaching artefact.
 * Do not train with it; use `ntXentLoss`.
 *
 * It stacks the two views, u = [z1; z2] (2N rows, NOT normalised), and takes the diagonal of
 * the 2N x 2N similarity matrix as the positive:
 *
 *   s(k, j) = u_k · u_j / tau
 *   loss    = (1 / 2N) * sum_k -log( exp(s(k, k)) / sum_j exp(s(k, j)) )
 *
 * Two bugs, each fatal:
 * 1. The positive of sample k is s(k, k) = ||u_k||^2 / tau, the sample with ITSELF. The other
 *    view of the same image never appears as a positive, so nothing pulls the two views
 *    together: shuffling the rows of z2 (breaking every pair) leaves the loss unchanged.
 * 2. Without normalisation, s(k, k) grows with ||u_k||^2: the loss is minimised by inflating
 *    norms, not by learning anything about the images.
 * The correct loss (SimCLR, Chen et al. 2020) normalises the embeddings and uses the other
 * view, s(k, p(k)), as the positive, with s(k, k) excluded from the denominator.
 *
 * @param z1 - [N, D] embeddings of the first views.
 * @param z2 - [N, D] embeddings of the second views.
 * @returns a scalar.
 * @throws if z1 or z2 is not 2-D, if their shapes differ, or if temperature <= 0.
 * @example
 * const wrong = buggySimclrLoss(z1, z2);  // compare with ntXentLoss(z1, z2)
 * @see notebooks/10.3.1-contrastive-loss.ipynb
 */
export function buggySimclrLoss(z1: tf.Tensor2D, z2: tf.Tensor2D, options: BuggySimclrOptions = {}): tf.Scalar {
  const fn = 'buggySimclrLoss';
  const temperature = options.temperature ?? 0.5;
  checkRank(fn, 'z1', z1, 2, '[N, D]');
  checkFloat(fn, 'z1', z1);
  checkRank(fn, 'z2', z2, 2, '[N, D]');
  checkFloat(fn, 'z2', z2);
  checkSameShape(fn, 'z1', 'z2', z1, z2);
  checkPositive(fn, 'temperature', temperature);
  return tf.tidy(() => {
    const u = tf.concat([z1, z2], 0); // [2N, D], no normalisation (bug 2)
    const logits = tf.div(tf.matMul(u, u, false, true), temperature) as tf.Tensor2D; // [2N, 2N]
    const labels = tf.range(0, u.shape[0], 1, 'int32') as tf.Tensor1D; // the diagonal (bug 1)
    return crossEntropyWithLabels(logits, labels);
  });
}
