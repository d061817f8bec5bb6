/**
 * An MAE reconstruction as one picture: the originals, what the encoder saw, what the decoder
 * predicted, and the prediction pasted into the holes of the original — a row each.
 */
import * as tf from '@tensorflow/tfjs';
import { maeReconstruction, type MaeReconstructionOptions } from '../models/mae-reconstruction';
import { type DisplayBundleOptions } from './display';
import { imageGrid } from './image-grid';

/** Options of `maeReconstructionGrid`: the reconstruction's, plus the grid's upscaling. */
export interface MaeReconstructionGridOptions extends MaeReconstructionOptions {
  /** Integer upscaling of the images (default 'auto', as imageGrid). */
  scale?: number | 'auto';
}

/**
 * Show four rows for a batch of at most 16 images: original, masked (grey = removed),
 * reconstruction, reconstruction + visible. See `maeReconstruction` for how the pictures are made.
 *
 * @example
 * const { pred, mask, idsRestore } = model.forward(x, { seed: 0 });
 * maeReconstructionGrid(x, pred, mask, { patchSize: 4, normPixLoss: true });
 * tf.dispose([pred, mask, idsRestore]);
 */
export function maeReconstructionGrid(
  images: tf.Tensor4D,
  pred: tf.Tensor3D,
  mask: tf.Tensor2D,
  options: MaeReconstructionGridOptions,
  display: DisplayBundleOptions = {},
): void {
  const { scale, ...reconstructionOptions } = options ?? ({} as MaeReconstructionGridOptions);
  if (images?.shape?.[0] > 16) {
    throw new Error(`Error in maeReconstructionGrid: show at most 16 images (one row each), but got ${images.shape[0]}; pass a slice`);
  }
  const pics = maeReconstruction(images, pred, mask, reconstructionOptions);
  try {
    imageGrid([images, pics.masked, pics.reconstruction, pics.pasted], { rowLabels: ['original', 'masked', 'reconstruction', 'reconstruction + visible'], ...(scale !== undefined ? { scale } : {}) }, display);
  } finally {
    tf.dispose([pics.masked, pics.reconstruction, pics.pasted]);
  }
}
