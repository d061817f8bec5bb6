import * as tf from '@tensorflow/tfjs';
import { checkPositive, checkFloat, checkRank, checkSameShape, formatShape, l2NormalizeRows, stopGradient } from './common';

/** Options of `infoNceLoss`. */
export interface InfoNceOptions {
  /** Softmax temperature (MoCo v2: 0.2; MoCo v1: 0.07). Default 0.2. */
  temperature?: number;
  /**
   * L2-normalise q, k and the queue rows inside (default true). MoCo's paper normalises its
   * outputs ("the output vector is normalized by its L2-norm", Sec. 3.3); the official code does
   * it in the model's forward pass, so passing already-normalised vectors changes nothing.
   */
  normalize?: boolean;
}

/**
 * InfoNCE with a queue of negative keys, as in MoCo.
 *
 * For each query q_i its positive is the key k_i (the other view through the momentum
 * encoder) and its negatives are the K keys in the queue:
 *
 *   l_pos(i)    = q_i · k_i / tau
 *   l_neg(i, j) = q_i · queue_j / tau          (j = 1..K)
 *   l(i)        = -log( exp(l_pos(i)) / (exp(l_pos(i)) + sum_j exp(l_neg(i, j))) )
 *   loss        = mean_i l(i)
 *
 * which is cross-entropy over logits [N, 1 + K] with label 0, mean-reduced — the official
 * MoCo code (facebookresearch/moco, moco/builder.py) with nn.CrossEntropyLoss.
 * No gradient flows into k or the queue (MoCo's keys come from the momentum encoder under
 * torch.no_grad()).
 *
 * Paper: He, Fan, Wu, Xie, Girshick, "Momentum Contrast for Unsupervised Visual Representation
 * Learning", CVPR 2020, eq. (1) and Algorithm 1; MoCo v2 (Chen et al. 2020) for tau = 0.2.
 *
 * @param q - [N, D] queries (online encoder).
 * @param k - [N, D] positive keys (momentum encoder), row i pairs with row i of q.
 * @param queue - [K, D] negative keys from earlier batches (see FeatureQueue).
 * @returns a scalar.
 * @throws if an input is not 2-D, if q and k differ in shape, if the queue's D differs, or if
 *   temperature <= 0.
 * @example
 * const loss = infoNceLoss(q, k, queue.keys, { temperature: 0.2 }); // queue: a FeatureQueue
 */
export function infoNceLoss(q: tf.Tensor2D, k: tf.Tensor2D, queue: tf.Tensor2D, options: InfoNceOptions = {}): tf.Scalar {
  const fn = 'infoNceLoss';
  const temperature = options.temperature ?? 0.2;
  const normalize = options.normalize ?? true;
  checkRank(fn, 'q', q, 2, '[N, D]');
  checkFloat(fn, 'q', q);
  checkRank(fn, 'k', k, 2, '[N, D]');
  checkFloat(fn, 'k', k);
  checkRank(fn, 'queue', queue, 2, '[K, D]');
  checkFloat(fn, 'queue', queue);
  checkSameShape(fn, 'q', 'k', q, k);
  if (queue.shape[0] === 0) {
    throw new Error(`Error in ${fn}: the queue is empty (shape ${formatShape(queue.shape)}): fill it before computing the loss, or use ntXentLoss for in-batch negatives`);
  }
  if (queue.shape[1] !== q.shape[1]) {
    throw new Error(
      `Error in ${fn}: queue rows must have the embedding size of q, but got ${formatShape(queue.shape)} and ${formatShape(q.shape)}`,
    );
  }
  checkPositive(fn, 'temperature', temperature);
  return tf.tidy(() => {
    const qn = normalize ? l2NormalizeRows(q) : q;
    const kn = stopGradient(normalize ? l2NormalizeRows(k) : k);
    const negatives = stopGradient(normalize ? l2NormalizeRows(queue) : queue);
    const positive = tf.sum(tf.mul(qn, kn), 1, true); // [N, 1]
    const negative = tf.matMul(qn, negatives, false, true); // [N, K]
    const logits = tf.div(tf.concat([positive, negative], 1), temperature); // [N, 1 + K]
    const logProbs = tf.logSoftmax(logits, -1);
    return tf.neg(tf.mean(tf.slice(logProbs, [0, 0], [-1, 1]))) as tf.Scalar;
  });
}
