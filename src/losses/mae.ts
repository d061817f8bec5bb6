import * as tf from '@tensorflow/tfjs';
import { checkRank, formatShape } from './common';
import { patchify } from '../models/patchify';

/** Options of `maeLoss`. */
export interface MaeLossOptions {
  /** Patch side p (the same as the model's). */
  patchSize: number;
  /**
   * Normalise each target patch by its own mean and variance first (MAE's `norm_pix_loss`,
   * which the paper found gives better features). Default false.
   */
  normPixLoss?: boolean;
}

/**
 * MAE's reconstruction loss: mean squared error per patch, averaged over the masked patches only.
 *
 *   target      = patchify(images)                                  [B, L, p*p*C]
 *   (normPixLoss: target <- (target - mean) / sqrt(var + 1e-6), per patch, var unbiased)
 *   e[b, l]     = mean_j (pred[b, l, j] - target[b, l, j])^2
 *   loss        = sum_{b,l} e[b, l] * mask[b, l] / sum_{b,l} mask[b, l]
 *
 * as in the official MAE (facebookresearch/mae, models_mae.py `forward_loss`). When no patch
 * is masked the official code divides 0 by 0; we return 0 instead.
 *
 * Paper: He et al., "Masked Autoencoders Are Scalable Vision Learners", CVPR 2022, Sec. 3
 * ("Reconstruction target").
 *
 * @param pred - [B, L, p*p*C] predicted pixels per patch (decoder output).
 * @param images - [B, H, W, C] the original images, float32.
 * @param mask - [B, L], 1 = masked (counted), 0 = visible (ignored).
 * @returns a scalar.
 * @throws if shapes do not match each other or the patch size.
 * @example
 * const loss = maeLoss(pred, x, mask, { patchSize: 4, normPixLoss: true });
 */
export function maeLoss(pred: tf.Tensor3D, images: tf.Tensor4D, mask: tf.Tensor2D, options: MaeLossOptions): tf.Scalar {
  const fn = 'maeLoss';
  checkMaeShapes(fn, pred, images, mask, options?.patchSize);
  const p = options.patchSize;
  if (tf.tidy(() => tf.sum(tf.cast(mask, 'float32')).dataSync()[0]) === 0) {
    throw new Error(`Error in ${fn}: the mask removes no patch (every entry is 0); the loss is over masked patches (mask 1 = removed)`);
  }
  return tf.tidy(() => {
    let target: tf.Tensor = patchify(images, p); // [B, L, p*p*C]
    if (options.normPixLoss) {
      const { mean, std } = patchMeanStd(target as tf.Tensor3D);
      target = tf.div(tf.sub(target, mean), std);
    }
    const perPatch = tf.mean(tf.squaredDifference(pred, target), -1); // [B, L]
    const m = tf.cast(mask, 'float32');
    return tf.div(tf.sum(tf.mul(perPatch, m)), tf.maximum(tf.sum(m), 1e-12)) as tf.Scalar;
  });
}

/**
 * Each patch's mean and sqrt(var + 1e-6), var unbiased as torch's `.var()`: MAE's norm_pix_loss
 * statistics, [B, L, 1] each. The caller tidies.
 */
export function patchMeanStd(patches: tf.Tensor3D): { mean: tf.Tensor; std: tf.Tensor } {
  const n = patches.shape[2];
  const { mean, variance } = tf.moments(patches, -1, true);
  return { mean, std: tf.sqrt(tf.add(tf.mul(variance, n / (n - 1)), 1e-6)) };
}

/**
 * The shapes an MAE prediction must have for its images: pred [B, L, p*p*C], mask [B, L], with
 * H and W multiples of p. Returns the patch grid [H/p, W/p]; throws "Error in <fn>: ..." otherwise.
 */
export function checkMaeShapes(fn: string, pred: tf.Tensor3D, images: tf.Tensor4D, mask: tf.Tensor2D, patchSize: number): [number, number] {
  checkRank(fn, 'pred', pred, 3, '[B, L, p*p*C]');
  checkRank(fn, 'images', images, 4, '[B, H, W, C]');
  checkRank(fn, 'mask', mask, 2, '[B, L]');
  const p = patchSize;
  const [b, h, w, c] = images.shape;
  if (!Number.isInteger(p) || p <= 0 || h % p !== 0 || w % p !== 0) {
    throw new Error(`Error in ${fn}: image height and width must be multiples of patchSize ${String(p)}, but got shape ${formatShape(images.shape)}`);
  }
  const expected = [b, (h / p) * (w / p), p * p * c];
  if (!tf.util.arraysEqual(pred.shape, expected)) {
    throw new Error(`Error in ${fn}: pred must have shape ${formatShape(expected)} for these images, but got ${formatShape(pred.shape)}`);
  }
  if (!tf.util.arraysEqual(mask.shape, expected.slice(0, 2))) {
    throw new Error(`Error in ${fn}: mask must have shape ${formatShape(expected.slice(0, 2))}, but got ${formatShape(mask.shape)}`);
  }
  return [h / p, w / p];
}
