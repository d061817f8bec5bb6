import * as tf from '@tensorflow/tfjs';
import { createRng } from '../backend/seed';
import { checkRank, formatShape } from '../losses/common';

/** Options of `rotateBatch`. */
export interface RotateBatchOptions {
  /**
   * 'all' (default): every image in all 4 rotations, rotation-major — RotNet's choice, 4B images.
   * 'random': one rotation per image, drawn with `seed` (createRng) — B images.
   */
  mode?: 'all' | 'random';
  /** Seed for mode 'random'. */
  seed?: number;
}

/**
 * Rotate images by multiples of 90 degrees counter-clockwise (as np.rot90 / torch.rot90 on the
 * H, W axes) and return the rotation labels. tfjs has no rot90: 90 is transpose then flip
 * rows, 180 flips both axes, 270 is transpose then flip columns.
 *
 * @param x - [B, H, W, C] square images.
 * @returns images ([4B, H, W, C] for 'all', [B, H, W, C] for 'random') and int32 labels
 *   (number of quarter turns, 0..3). The caller disposes both.
 * @throws if x is not 4-D or not square, or mode 'random' has no seed.
 * @example
 * const { images, labels } = rotateBatch(x);             // 4 rotations of each image
 * const one = rotateBatch(x, { mode: 'random', seed: 7 });
 */
export function rotateBatch(x: tf.Tensor4D, options: RotateBatchOptions = {}): { images: tf.Tensor4D; labels: tf.Tensor1D } {
  const fn = 'rotateBatch';
  checkRank(fn, 'x', x, 4, '[B, H, W, C]');
  const [b, h, w] = x.shape;
  if (h !== w) {
    throw new Error(`Error in ${fn}: images must be square to rotate by 90 degrees, but got shape ${formatShape(x.shape)}`);
  }
  const mode = options.mode ?? 'all';
  if (mode !== 'all' && mode !== 'random') {
    throw new Error(`Error in ${fn}: mode must be 'all' or 'random', but got ${String(mode)}`);
  }
  if (mode === 'random' && options.seed === undefined) {
    throw new Error(`Error in ${fn}: mode 'random' needs a seed`);
  }
  return tf.tidy(() => {
    const rotations = [0, 1, 2, 3].map((k) => rot90(x, k));
    if (mode === 'all') {
      const labels = tf.tensor1d(
        Array.from({ length: 4 * b }, (_, i) => Math.floor(i / b)),
        'int32',
      );
      return { images: tf.concat(rotations, 0) as tf.Tensor4D, labels }; // [4B, H, W, C]
    }
    const rng = createRng(options.seed as number);
    const labels = tf.tensor1d(Array.from({ length: b }, () => rng.int(4)), 'int32');
    const oneHot = tf.reshape(tf.oneHot(labels, 4).toFloat(), [b, 4, 1, 1, 1]); // [B, 4, 1, 1, 1]
    const stacked = tf.stack(rotations, 1); // [B, 4, H, W, C]
    const images = tf.sum(tf.mul(stacked, oneHot), 1) as tf.Tensor4D; // [B, H, W, C]
    return { images, labels };
  });
}

/** k quarter turns counter-clockwise on the H, W axes of NHWC images. */
function rot90(x: tf.Tensor4D, k: number): tf.Tensor4D {
  switch (k % 4) {
    case 0:
      return tf.clone(x);
    case 1:
      return tf.reverse(tf.transpose(x, [0, 2, 1, 3]), 1) as tf.Tensor4D; // [B, W, H, C], rows flipped
    case 2:
      return tf.reverse(x, [1, 2]) as tf.Tensor4D;
    default:
      return tf.reverse(tf.transpose(x, [0, 2, 1, 3]), 2) as tf.Tensor4D; // [B, W, H, C], columns flipped
  }
}
