import * as tf from '@tensorflow/tfjs';
import { createRng } from '../backend/seed';
import { checkRank, formatShape } from '../losses/common';

/** Options of `randomMasking`. */
export interface RandomMaskingOptions {
  /** Seed for the uniform noise (drawn with createRng, so the same on every backend). Ignored when `noise` is given. */
  seed?: number;
  /** The noise itself, [B, L]: lets a test replay the official algorithm's exact draw. */
  noise?: tf.Tensor2D;
}

/** What `randomMasking` returns. The caller owns (and disposes) all four tensors. */
export interface RandomMaskingResult {
  /** [B, lenKeep, D] the kept tokens, in the order of increasing noise. */
  kept: tf.Tensor3D;
  /** [B, L] float32, 0 = kept, 1 = removed (masked), in the original token order. */
  mask: tf.Tensor2D;
  /** [B, L] int32: position of each original token in the shuffled order (argsort of idsShuffle). */
  idsRestore: tf.Tensor2D;
  /** [B, lenKeep] int32: original index of each kept token. */
  idsKeep: tf.Tensor2D;
}

/**
 * MAE's per-sample random masking by argsort of noise.
 *
 *   lenKeep    = floor(L * (1 - maskRatio))
 *   idsShuffle = argsort(noise, ascending)      small noise is kept, large is removed
 *   idsRestore = argsort(idsShuffle)            the inverse permutation
 *   kept       = tokens[b, idsShuffle[b, :lenKeep]]
 *   mask[b, j] = 1 if idsRestore[b, j] >= lenKeep else 0
 *
 * as in the official MAE (facebookresearch/mae, models_mae.py `random_masking`). tfjs has no
 * argsort: we take tf.topk of -noise (ties go to the lower index, a stable sort; with
 * continuous noise ties are rare and any order is a valid mask). The kept tokens are gathered
 * with a one-hot matmul, so the gradient to `tokens` needs no gather gradient
 * (UnsortedSegmentSum, missing on wasm).
 *
 * Paper: He, Chen, Xie, Li, Dollar, Girshick, "Masked Autoencoders Are Scalable Vision
 * Learners", CVPR 2022, Sec. 3 ("Masking").
 *
 * @param tokens - [B, L, D] patch tokens (usually with positional embedding added).
 * @param maskRatio - fraction removed, in [0, 1) (MAE: 0.75).
 * @returns kept tokens, mask, restore and keep indices.
 * @throws if tokens is not 3-D, maskRatio is outside [0, 1), noise has the wrong shape, or
 *   neither seed nor noise is given.
 * @example
 * const { kept, mask, idsRestore } = randomMasking(tokens, 0.75, { seed: 1 });
 */
export function randomMasking(tokens: tf.Tensor3D, maskRatio: number, options: RandomMaskingOptions = {}): RandomMaskingResult {
  const fn = 'randomMasking';
  checkRank(fn, 'tokens', tokens, 3, '[B, L, D]');
  if (typeof maskRatio !== 'number' || !(maskRatio >= 0 && maskRatio < 1)) {
    throw new Error(`Error in ${fn}: maskRatio must be in [0, 1), but got ${String(maskRatio)}`);
  }
  const [b, l] = tokens.shape;
  if (options.noise !== undefined) {
    checkRank(fn, 'noise', options.noise, 2, '[B, L]');
    if (options.noise.shape[0] !== b || options.noise.shape[1] !== l) {
      throw new Error(`Error in ${fn}: noise must have shape [B, L] = ${formatShape([b, l])}, but got ${formatShape(options.noise.shape)}`);
    }
  } else if (options.seed === undefined) {
    throw new Error(`Error in ${fn}: pass a seed (or the noise itself); masking is random`);
  }
  const lenKeep = Math.floor(l * (1 - maskRatio));
  const result = tf.tidy(() => {
    const noise = options.noise ? tf.cast(options.noise, 'float32') : uniformNoise(b, l, options.seed as number);
    const idsShuffle = tf.topk(tf.neg(noise), l).indices; // [B, L] ascending noise
    const idsRestore = tf.topk(tf.neg(tf.cast(idsShuffle, 'float32')), l).indices; // [B, L] inverse permutation
    const idsKeep = tf.slice(idsShuffle, [0, 0], [b, lenKeep]); // [B, lenKeep]
    const select = tf.oneHot(idsKeep, l).toFloat(); // [B, lenKeep, L]
    const kept = tf.matMul(select, tokens); // [B, lenKeep, D]
    const mask = tf.cast(tf.greaterEqual(idsRestore, lenKeep), 'float32'); // [B, L]
    return { kept, mask, idsRestore, idsKeep };
  });
  return result as unknown as RandomMaskingResult;
}

/** [B, L] uniform noise in [0, 1) from a seeded generator. */
function uniformNoise(b: number, l: number, seed: number): tf.Tensor2D {
  const rng = createRng(seed);
  const values = new Float32Array(b * l);
  for (let i = 0; i < values.length; i++) values[i] = rng.next();
  return tf.tensor2d(values, [b, l]);
}
