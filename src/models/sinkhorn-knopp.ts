import * as tf from '@tensorflow/tfjs';
import { checkPositive, checkRank, stopGradient } from '../losses/common';

/** Options of `sinkhornKnopp`. */
export interface SinkhornKnoppOptions {
  /** Entropy regularisation: smaller is sharper (SwAV default 0.05). */
  epsilon?: number;
  /** Number of row/column normalisation rounds (SwAV default 3). */
  iterations?: number;
}

/**
 * Soft, equipartitioned cluster codes from prototype scores, by the Sinkhorn-Knopp algorithm
 * as in SwAV. No gradient flows through the codes.
 *
 * With B samples and K prototypes, start from Q = exp(scores / epsilon) scaled to sum to 1,
 * then `iterations` times:
 *
 *   each prototype (column of scores) gets total mass 1/K:  Q[:, k] <- Q[:, k] / sum_b Q[b, k] / K
 *   each sample (row of scores) gets total mass 1/B:        Q[b, :] <- Q[b, :] / sum_k Q[b, k] / B
 *
 * and finally Q <- B * Q, so every sample's codes sum to 1. Same algorithm and defaults as the
 * official SwAV code (facebookresearch/swav, main_swav.py, `distributed_sinkhorn`, on one
 * process) and lightly's `sinkhorn` (lightly/loss/swav_loss.py). We run it in log space
 * (log Q, normalising with log-sum-exp), which is exactly the same map but cannot overflow:
 * exp(1 / 0.01) = e^100 is beyond float32, the official code's first step would give inf.
 *
 * Paper: Caron, Misra, Mairal, Goyal, Bojanowski, Joulin, "Unsupervised Learning of Visual
 * Features by Contrasting Cluster Assignments" (SwAV), NeurIPS 2020, Sec. 3.1 and App. A.1;
 * Cuturi, "Sinkhorn Distances", NeurIPS 2013.
 *
 * @param scores - [B, K] similarities of (normalised) features to (normalised) prototypes.
 * @returns codes Q, [B, K]; each row sums to 1, each column to about B/K.
 * @throws if scores is not 2-D, if epsilon <= 0, or if iterations is not a non-negative integer.
 * @example
 * const q = sinkhornKnopp(scores, { epsilon: 0.05, iterations: 3 }); // [B, K]
 */
export function sinkhornKnopp(scores: tf.Tensor2D, options: SinkhornKnoppOptions = {}): tf.Tensor2D {
  const fn = 'sinkhornKnopp';
  const epsilon = options.epsilon ?? 0.05;
  const iterations = options.iterations ?? 3;
  checkRank(fn, 'scores', scores, 2, '[B, K]');
  checkPositive(fn, 'epsilon', epsilon);
  if (!Number.isInteger(iterations) || iterations < 0) {
    throw new Error(`Error in ${fn}: iterations must be a non-negative integer, but got ${String(iterations)}`);
  }
  return tf.tidy(() => {
    const [b, k] = scores.shape;
    let logQ: tf.Tensor2D = tf.div(stopGradient(scores), epsilon);
    logQ = tf.sub(logQ, tf.logSumExp(logQ)); // total mass 1
    const logK = Math.log(k);
    const logB = Math.log(b);
    for (let it = 0; it < iterations; it++) {
      logQ = tf.sub(logQ, tf.add(tf.logSumExp(logQ, 0, true), logK)); // per prototype: 1/K
      logQ = tf.sub(logQ, tf.add(tf.logSumExp(logQ, 1, true), logB)); // per sample: 1/B
    }
    return tf.mul(tf.exp(logQ), b) as tf.Tensor2D;
  });
}
