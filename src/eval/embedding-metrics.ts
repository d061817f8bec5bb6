import * as tf from '@tensorflow/tfjs';
import { alignmentLoss } from '../losses/alignment';
import { uniformityLoss } from '../losses/uniformity';
import { l2NormalizeRows } from '../losses/common';

/** Options of `embeddingMetrics`. */
export interface EmbeddingMetricsOptions {
  /** alpha of alignment (default 2). */
  alpha?: number;
  /** t of uniformity (default 2). */
  t?: number;
  /** Rows per block (default 1024): uniformity is averaged over blocks of this many rows, as Wang & Isola evaluate it per batch. */
  batchSize?: number;
  /** L2-normalise every row first, as the metrics are defined on the unit sphere (default true). */
  normalize?: boolean;
}

/**
 * Alignment and uniformity of a dataset's embeddings (Wang & Isola, ICML 2020):
 *
 *   alignment  = mean_i || f(x_i) - f(x_i+) ||^alpha                      (lower: positives closer)
 *   uniformity = log mean_{i != j} exp(-t || f(x_i) - f(x_j) ||^2)       (lower: more spread)
 *
 * over row blocks of `batchSize` (alignment: weighted mean of the blocks, i.e. the mean over all
 * rows; uniformity: mean of the per-block values), on the L2-normalised rows unless
 * `normalize: false`: the paper defines both on the unit sphere (alignment in [0, 4] for
 * alpha 2, uniformity in [-4t, 0]). The losses' own `alignmentLoss` and `uniformityLoss`, which do not
 * normalise, are used per block.
 *
 * @param z1 - [N, D] embeddings of one view, row i pairs with row i of z2.
 * @param z2 - [N, D] embeddings of the other view.
 * @returns `{ alignment, uniformity }` as numbers.
 * @throws "Error in embeddingMetrics: ..." if the shapes differ.
 * @example
 * const { alignment, uniformity } = embeddingMetrics(z1, z2);
 * @see notebooks/10.3.1-contrastive-loss.ipynb
 */
export function embeddingMetrics(z1: tf.Tensor2D, z2: tf.Tensor2D, options: EmbeddingMetricsOptions = {}): { alignment: number; uniformity: number } {
  const { alpha = 2, t = 2, batchSize = 1024, normalize = true } = options;
  if (z1.rank !== 2 || !tf.util.arraysEqual(z1.shape, z2.shape)) {
    throw new Error(`Error in embeddingMetrics: z1 and z2 must be 2-D with the same shape, but got [${z1.shape.join(',')}] and [${z2.shape.join(',')}]`);
  }
  const n = z1.shape[0];
  let alignSum = 0;
  const uniform: number[] = [];
  for (let start = 0; start < n; start += batchSize) {
    const size = Math.min(batchSize, n - start);
    const [a, u] = tf.tidy(() => {
      let a1 = tf.slice(z1, [start, 0], [size, -1]) as tf.Tensor2D;
      let a2 = tf.slice(z2, [start, 0], [size, -1]) as tf.Tensor2D;
      if (normalize) [a1, a2] = [l2NormalizeRows(a1), l2NormalizeRows(a2)];
      const al = alignmentLoss(a1, a2, { alpha }).dataSync()[0];
      const un = size >= 2 ? uniformityLoss(a1, { t }).dataSync()[0] : NaN;
      return [al, un];
    });
    alignSum += a * size;
    if (Number.isFinite(u)) uniform.push(u);
  }
  return {
    alignment: n > 0 ? alignSum / n : NaN,
    uniformity: uniform.length > 0 ? uniform.reduce((x, y) => x + y, 0) / uniform.length : NaN,
  };
}
