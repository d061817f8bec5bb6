import * as tf from '@tensorflow/tfjs';
import { checkRank, formatShape } from '../losses/common';

/**
 * Cut NHWC images into non-overlapping p x p patches, one flattened patch per token.
 *
 *   images [B, H, W, C]  ->  patches [B, (H/p) * (W/p), p * p * C]
 *
 * Tokens go row by row over the patch grid; inside a token the order is row in patch, column
 * in patch, channel innermost — the official MAE layout (facebookresearch/mae, models_mae.py
 * `patchify`: einsum 'nchpwq->nhwpqc' on NCHW input). So token t = gi * (W/p) + gj, entry
 * (r * p + c) * C + ch holds pixel (gi * p + r, gj * p + c), channel ch.
 *
 * @param images - [B, H, W, C] with H and W multiples of patchSize.
 * @param patchSize - p.
 * @returns [B, L, p*p*C] with L = (H/p) * (W/p).
 * @throws if images is not 4-D or H, W are not multiples of patchSize.
 * @example
 * const tokens = patchify(x, 4); // x [8, 32, 32, 3] -> [8, 64, 48]
 */
export function patchify(images: tf.Tensor4D, patchSize: number): tf.Tensor3D {
  const fn = 'patchify';
  checkRank(fn, 'images', images, 4, '[B, H, W, C]');
  const [b, h, w, c] = images.shape;
  const p = patchSize;
  if (!Number.isInteger(p) || p <= 0 || h % p !== 0 || w % p !== 0) {
    throw new Error(
      `Error in ${fn}: image height and width must be multiples of patchSize ${String(p)}, but got shape ${formatShape(images.shape)}`,
    );
  }
  return tf.tidy(() => {
    const gh = h / p;
    const gw = w / p;
    const x = tf.reshape(images, [b, gh, p, gw, p, c]); // [B, H/p, p, W/p, p, C]
    const t = tf.transpose(x, [0, 1, 3, 2, 4, 5]); // [B, H/p, W/p, p, p, C]
    return tf.reshape(t, [b, gh * gw, p * p * c]) as tf.Tensor3D; // [B, L, p*p*C]
  });
}

/**
 * Inverse of `patchify`: tokens [B, L, p*p*C] back to images [B, H, W, C].
 *
 * @param patches - [B, L, p*p*C] in MAE's patch layout.
 * @param patchSize - p.
 * @param grid - [H/p, W/p]; default square, sqrt(L) x sqrt(L).
 * @returns [B, H, W, C].
 * @throws if patches is not 3-D, the grid does not hold L tokens, or the last dimension is not
 *   a multiple of p*p.
 * @example
 * const images = unpatchify(pred, 4); // [8, 64, 48] -> [8, 32, 32, 3]
 */
export function unpatchify(patches: tf.Tensor3D, patchSize: number, grid?: [number, number]): tf.Tensor4D {
  const fn = 'unpatchify';
  checkRank(fn, 'patches', patches, 3, '[B, L, p*p*C]');
  const [b, l, d] = patches.shape;
  const p = patchSize;
  const side = Math.round(Math.sqrt(l));
  const [gh, gw] = grid ?? [side, side];
  if (gh * gw !== l) {
    throw new Error(`Error in ${fn}: a ${gh}x${gw} patch grid does not hold L tokens, got shape ${formatShape(patches.shape)}`);
  }
  if (!Number.isInteger(p) || p <= 0 || d % (p * p) !== 0) {
    throw new Error(`Error in ${fn}: the last dimension must be p*p*C for patchSize ${String(p)}, but got shape ${formatShape(patches.shape)}`);
  }
  return tf.tidy(() => {
    const c = d / (p * p);
    const x = tf.reshape(patches, [b, gh, gw, p, p, c]); // [B, H/p, W/p, p, p, C]
    const t = tf.transpose(x, [0, 1, 3, 2, 4, 5]); // [B, H/p, p, W/p, p, C]
    return tf.reshape(t, [b, gh * p, gw * p, c]) as tf.Tensor4D; // [B, H, W, C]
  });
}
