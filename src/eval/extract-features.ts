import * as tf from '@tensorflow/tfjs';
import type { Module } from '../models/module';

/** Options of `extractFeatures`. */
export interface ExtractFeaturesOptions {
  /** Images per forward pass (default 256). */
  batchSize?: number;
  /** Applied to each image batch before the encoder (e.g. normalizeImages); must be tidy. */
  preprocess?: (x: tf.Tensor4D) => tf.Tensor4D;
  /** Called after each batch with the number of images done (progress bars). */
  onBatch?: (done: number, total: number) => void;
}

/**
 * The frozen encoder's features of every image: evaluation mode (BatchNorm uses its running
 * statistics), batch by batch, no gradient. The input images are not disposed.
 *
 * @param encoder - [B, H, W, C] -> [B, D].
 * @param images - [N, H, W, C].
 * @returns [N, D]; the caller owns it.
 * @throws if images is not 4-D or batchSize is not a positive integer.
 * @example
 * const bank = extractFeatures(encoder, xTrain, { batchSize: 512, preprocess: (x) => normalizeImages(x) });
 */
export function extractFeatures(
  encoder: Module<tf.Tensor4D, tf.Tensor2D>,
  images: tf.Tensor4D,
  options: ExtractFeaturesOptions = {},
): tf.Tensor2D {
  const { batchSize = 256, preprocess, onBatch } = options;
  if (!(images instanceof tf.Tensor) || images.rank !== 4) {
    throw new Error(`Error in extractFeatures: images must be 4-D [N, H, W, C], but got shape [${images?.shape?.join(',')}]`);
  }
  if (!(Number.isInteger(batchSize) && batchSize > 0)) {
    throw new Error(`Error in extractFeatures: batchSize must be a positive integer, but got ${batchSize}`);
  }
  const n = images.shape[0];
  const parts: tf.Tensor2D[] = [];
  try {
    for (let start = 0; start < n; start += batchSize) {
      const size = Math.min(batchSize, n - start);
      parts.push(
        tf.tidy(() => {
          let x = tf.slice(images, [start, 0, 0, 0], [size, -1, -1, -1]) as tf.Tensor4D; // [b, H, W, C]
          if (preprocess) x = preprocess(x);
          return encoder.apply(x, { training: false });
        }),
      );
      onBatch?.(start + size, n);
    }
    if (parts.length === 0) return tf.tidy(() => encoder.apply(tf.zeros([0, images.shape[1], images.shape[2], images.shape[3]]) as tf.Tensor4D));
    return tf.concat(parts, 0) as tf.Tensor2D; // [N, D]
  } finally {
    tf.dispose(parts);
  }
}
