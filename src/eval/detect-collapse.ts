import * as tf from '@tensorflow/tfjs';

/** Options of `detectCollapse`. */
export interface DetectCollapseOptions {
  /**
   * Flag collapse when mean std * sqrt(D) is below this (default 0.1, i.e. the embeddings
   * spread at most a tenth of what uniformly spread unit vectors do).
   */
  threshold?: number;
  /** Recent training losses, to check for a contrastive loss stuck at chance (ln K). */
  losses?: number[];
  /** K: the number of candidates each positive competes with, e.g. 2N - 1 for NT-Xent (N pairs), 1 + queue size for InfoNCE. */
  numCandidates?: number;
  /** How close to ln K counts as stuck, relative (default 0.02). */
  tolerance?: number;
  /** Losses at the end of `losses` that are averaged (default 20). */
  window?: number;
}

/** What `detectCollapse` finds. */
export interface CollapseReport {
  /** Mean over dimensions of the std of the L2-normalised embeddings. */
  meanStd: number;
  /** 1 / sqrt(D): the per-dimension std of unit vectors spread uniformly over the sphere. */
  uniformStd: number;
  /** meanStd / uniformStd: about 1 for well-spread embeddings, 0 for complete collapse. */
  ratio: number;
  /** Whether the embeddings have collapsed (ratio < threshold). */
  collapsed: boolean;
  /** Whether the recent loss sits at ln K (only when losses and numCandidates are given). */
  lossAtChance: boolean;
  /** Mean of the recent losses and ln K, when given. */
  recentLoss?: number;
  chanceLoss?: number;
  /** One line for a notebook: what was found and why. */
  message: string;
}

/**
 * Detect representation collapse, the failure where every image maps to (nearly) the same
 * embedding. Normalise the rows of z to unit length and take the std of each dimension over
 * the batch: for unit vectors spread uniformly on the sphere it is about 1 / sqrt(D); for
 * collapsed ones, 0 (SimSiam, Chen & He 2021, Sec. 4.1 and Fig. 2, "std of l2-normalised
 * output"; lightly's std-of-normalised-embeddings collapse level). Optionally also check the
 * loss: a contrastive loss stuck at ln K means the positive is no more similar than the K - 1
 * negatives (NT-Xent at uniform logits equals ln(2N - 1)).
 *
 * @param z - [N, D] embeddings, N >= 2.
 * @throws "Error in detectCollapse: ..." if z is not 2-D with at least 2 rows.
 * @example
 * const report = detectCollapse(z, { losses: history.loss, numCandidates: 2 * 256 - 1 });
 * report.message; // "collapsed: std of normalised embeddings 0.001 vs 0.125 for spread ones (ratio 0.01)"
 */
export function detectCollapse(z: tf.Tensor2D, options: DetectCollapseOptions = {}): CollapseReport {
  const { threshold = 0.1, losses, numCandidates, tolerance = 0.02, window = 20 } = options;
  if (!(z instanceof tf.Tensor) || z.rank !== 2 || z.shape[0] < 2) {
    throw new Error(`Error in detectCollapse: z must be 2-D [N, D] with N >= 2, but got shape [${z?.shape?.join(',')}]`);
  }
  const d = z.shape[1];
  const meanStd = tf.tidy(() => {
    const unit = tf.mul(z, tf.rsqrt(tf.maximum(tf.sum(tf.square(z), 1, true), 1e-24)));
    const { variance } = tf.moments(unit, 0);
    return tf.mean(tf.sqrt(variance)).dataSync()[0];
  });
  const uniformStd = 1 / Math.sqrt(d);
  const ratio = meanStd / uniformStd;
  const collapsed = ratio < threshold;
  let lossAtChance = false;
  let recentLoss: number | undefined;
  let chanceLoss: number | undefined;
  if (losses && losses.length > 0 && numCandidates !== undefined) {
    const recent = losses.slice(-window);
    recentLoss = recent.reduce((a, b) => a + b, 0) / recent.length;
    chanceLoss = Math.log(numCandidates);
    lossAtChance = Math.abs(recentLoss - chanceLoss) <= tolerance * chanceLoss;
  }
  const f = (x: number) => String(Number(x.toPrecision(3)));
  const parts = [
    `${collapsed ? 'collapsed' : 'not collapsed'}: std of normalised embeddings ${f(meanStd)} vs ${f(uniformStd)} for spread ones (ratio ${f(ratio)})`,
  ];
  if (recentLoss !== undefined && chanceLoss !== undefined) {
    parts.push(lossAtChance ? `loss stuck at chance: ${f(recentLoss)} ~ ln K = ${f(chanceLoss)}` : `loss ${f(recentLoss)} below chance ln K = ${f(chanceLoss)}`);
  }
  return { meanStd, uniformStd, ratio, collapsed, lossAtChance, recentLoss, chanceLoss, message: parts.join('; ') };
}
