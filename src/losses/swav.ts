import * as tf from '@tensorflow/tfjs';
import { checkPositive, checkRank, formatShape } from './common';
import { sinkhornKnopp } from '../models/sinkhorn-knopp';

/** Options of `swavLoss`. */
export interface SwavOptions {
  /** Temperature of the prediction softmax (SwAV default 0.1). */
  temperature?: number;
  /** Sinkhorn entropy regularisation (default 0.05). */
  epsilon?: number;
  /** Sinkhorn iterations (default 3). */
  iterations?: number;
}

/**
 * SwAV's swapped-prediction loss over multi-crop views.
 *
 * Codes are computed (Sinkhorn-Knopp, no gradient) for each high-resolution ("global") crop
 * only. Each code q_i is then predicted by every OTHER crop v, high or low resolution, through
 * p_v = softmax(scores_v / T):
 *
 *   ce(v, i)   = -(1/B) * sum_b sum_k q_i[b, k] * log p_v[b, k]
 *   loss       = (1 / H) * sum_{i in high} [ (1 / (V - 1)) * sum_{v != i} ce(v, i) ]
 *
 * with H high-resolution crops and V crops in all. This is the averaging of the official code
 * (facebookresearch/swav, main_swav.py `train`, crops_for_assign = the global crops, no queue)
 * and of lightly's SwaVLoss (lightly/loss/swav_loss.py).
 *
 * Paper: Caron et al., "Unsupervised Learning of Visual Features by Contrasting Cluster
 * Assignments" (SwAV), NeurIPS 2020, eq. (1)-(3) and Sec. 3.2 (multi-crop).
 *
 * @param highResScores - H >= 1 tensors [B, K]: global crops' features · prototypes.
 * @param lowResScores - tensors [B, K] for the small crops (may be empty).
 * @returns a scalar.
 * @throws if there is no high-resolution crop, fewer than 2 crops in all, a score tensor is not
 *   2-D, or the shapes differ; if temperature or epsilon <= 0.
 * @example
 * const loss = swavLoss([s1, s2], [s3, s4, s5, s6], { temperature: 0.1 });
 */
export function swavLoss(highResScores: tf.Tensor2D[], lowResScores: tf.Tensor2D[] = [], options: SwavOptions = {}): tf.Scalar {
  const fn = 'swavLoss';
  const temperature = options.temperature ?? 0.1;
  if (!Array.isArray(highResScores) || highResScores.length === 0) {
    throw new Error(`Error in ${fn}: highResScores must hold at least one [B, K] tensor, but got none`);
  }
  const all = [...highResScores, ...lowResScores];
  if (all.length < 2) {
    throw new Error(`Error in ${fn}: swapped prediction needs at least 2 crops, but got ${all.length}`);
  }
  all.forEach((s, i) => checkRank(fn, `scores[${i}]`, s, 2, '[B, K]'));
  const reference = highResScores[0].shape;
  for (let i = 1; i < all.length; i++) {
    if (!tf.util.arraysEqual(all[i].shape, reference)) {
      throw new Error(
        `Error in ${fn}: all crops must have the same [B, K] scores shape, but got ${formatShape(reference)} and ${formatShape(all[i].shape)}`,
      );
    }
  }
  checkPositive(fn, 'temperature', temperature);
  return tf.tidy(() => {
    const logProbs = all.map((s) => tf.logSoftmax(tf.div(s, temperature), -1));
    let loss: tf.Tensor = tf.scalar(0);
    for (let i = 0; i < highResScores.length; i++) {
      const q = sinkhornKnopp(highResScores[i], { epsilon: options.epsilon, iterations: options.iterations });
      let subloss: tf.Tensor = tf.scalar(0);
      for (let v = 0; v < all.length; v++) {
        if (v === i) continue;
        subloss = tf.add(subloss, tf.neg(tf.mean(tf.sum(tf.mul(q, logProbs[v]), 1))));
      }
      loss = tf.add(loss, tf.div(subloss, all.length - 1));
    }
    return tf.div(loss, highResScores.length) as tf.Scalar;
  });
}
