import * as tf from '@tensorflow/tfjs';
import { checkMaeShapes, patchMeanStd } from '../losses/mae';
import { patchify, unpatchify } from './patchify';

/** Options of `maeReconstruction`. */
export interface MaeReconstructionOptions {
  /** Patch side p (the model's). */
  patchSize: number;
  /**
   * The model was trained on per-patch normalised targets (MAE's `norm_pix_loss`, the
   * MaskedAutoencoder default): its predictions are in units of each patch's own standard
   * deviation around its mean, and are put back into pixels with the original patch's mean and
   * variance. Default false.
   */
  normPixLoss?: boolean;
  /** Grey level that stands for a removed patch in `masked`; default 0.5. */
  maskValue?: number;
}

/** The pictures of an MAE reconstruction, each [B, H, W, C] in [0, 1]; the caller disposes them. */
export interface MaeReconstruction {
  /** What the encoder saw: the original with the masked patches grey. */
  masked: tf.Tensor4D;
  /** The decoder's prediction for every patch, visible ones included. */
  reconstruction: tf.Tensor4D;
  /** The visible patches of the original with the predicted ones pasted into the holes. */
  pasted: tf.Tensor4D;
}

/**
 * Turn an MAE's per-patch prediction into images to look at, as MAE's own demo does:
 *
 *   target = patchify(images)                                          [B, L, p*p*C]
 *   pixels = normPixLoss ? pred * sqrt(var(target) + 1e-6) + mean(target) : pred   (per patch)
 *   reconstruction = clip(unpatchify(pixels), 0, 1)
 *   masked         = unpatchify(target * (1 - mask) + maskValue * mask)
 *   pasted         = clip(unpatchify(target * (1 - mask) + pixels * mask), 0, 1)
 *
 * With normPixLoss the brightness and contrast of each predicted patch come from the original
 * patch (the prediction carries only its structure), so judge those pictures by their shapes.
 *
 * @param images - [B, H, W, C] the original images in [0, 1].
 * @param pred - [B, L, p*p*C] the decoder's output (`MaskedAutoencoder.forward(...).pred`).
 * @param mask - [B, L], 1 = removed.
 * @throws "Error in maeReconstruction: ..." when the shapes do not fit each other or the patch size.
 * @example
 * const { pred, mask, idsRestore } = model.forward(x, { seed: 0 });
 * const pics = maeReconstruction(x, pred, mask, { patchSize: 4, normPixLoss: true });
 * imageGrid([x, pics.masked, pics.reconstruction, pics.pasted], { rowLabels: ['original', 'masked', 'reconstruction', 'pasted'] });
 */
export function maeReconstruction(images: tf.Tensor4D, pred: tf.Tensor3D, mask: tf.Tensor2D, options: MaeReconstructionOptions): MaeReconstruction {
  const fn = 'maeReconstruction';
  for (const key of Object.keys(options ?? {})) {
    if (!['patchSize', 'normPixLoss', 'maskValue'].includes(key)) {
      throw new Error(`Error in ${fn}: Unknown config key: ${key} (expected one of patchSize, normPixLoss, maskValue)`);
    }
  }
  const p = options?.patchSize;
  const grid = checkMaeShapes(fn, pred, images, mask, p);
  const maskValue = options.maskValue ?? 0.5;
  return tf.tidy(() => {
    const target = patchify(images, p); // [B, L, p*p*C]
    let pixels: tf.Tensor3D = pred;
    if (options.normPixLoss) {
      const { mean, std } = patchMeanStd(target); // [B, L, 1] each, as maeLoss normalised with
      pixels = tf.add(tf.mul(pred, std), mean) as tf.Tensor3D;
    }
    const m = tf.expandDims(tf.cast(mask, 'float32'), -1); // [B, L, 1]
    const keep = tf.sub(1, m);
    const toImages = (t: tf.Tensor) => tf.clipByValue(unpatchify(t as tf.Tensor3D, p, grid), 0, 1) as tf.Tensor4D; // [B, H, W, C]
    return {
      masked: toImages(tf.add(tf.mul(target, keep), tf.mul(m, maskValue))),
      reconstruction: toImages(pixels),
      pasted: toImages(tf.add(tf.mul(target, keep), tf.mul(pixels, m))),
    };
  });
}
