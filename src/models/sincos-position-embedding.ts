import * as tf from '@tensorflow/tfjs';

/**
 * The fixed 2-D sine-cosine positional embedding of MAE (and MoCo v3), [L (+1), D].
 *
 * For the token at grid row i, column j (token index i * gridSize + j), with D/4 frequencies
 * w_k = 1 / 10000^(k / (D/4)), k = 0..D/4-1:
 *
 *   first half  (D/2): [ sin(j * w_k) ..., cos(j * w_k) ... ]   from the column index
 *   second half (D/2): [ sin(i * w_k) ..., cos(i * w_k) ... ]   from the row index
 *
 * With `clsToken` a row of zeros comes first, for the CLS token. This is exactly
 * facebookresearch/mae util/pos_embed.py `get_2d_sincos_pos_embed` (whose meshgrid puts the
 * column coordinate first, so the first half encodes the column).
 *
 * @param embedDim - D, a multiple of 4.
 * @param gridSize - patches per side.
 * @returns [gridSize^2 (+1), D] float32.
 * @throws if embedDim is not a multiple of 4.
 * @example
 * const pos = sinCosPositionEmbedding2d(128, 8, true); // [65, 128]
 */
export function sinCosPositionEmbedding2d(embedDim: number, gridSize: number, clsToken = false): tf.Tensor2D {
  if (!Number.isInteger(embedDim) || embedDim % 4 !== 0 || embedDim <= 0) {
    throw new Error(`Error in sinCosPositionEmbedding2d: embedDim must be a positive multiple of 4, but got ${String(embedDim)}`);
  }
  const quarter = embedDim / 4;
  const omega = Array.from({ length: quarter }, (_, k) => 1 / Math.pow(10000, k / quarter));
  const rows = gridSize * gridSize + (clsToken ? 1 : 0);
  const values = new Float32Array(rows * embedDim);
  let offset = clsToken ? embedDim : 0;
  for (let i = 0; i < gridSize; i++) {
    for (let j = 0; j < gridSize; j++) {
      for (let k = 0; k < quarter; k++) {
        values[offset + k] = Math.sin(j * omega[k]);
        values[offset + quarter + k] = Math.cos(j * omega[k]);
        values[offset + 2 * quarter + k] = Math.sin(i * omega[k]);
        values[offset + 3 * quarter + k] = Math.cos(i * omega[k]);
      }
      offset += embedDim;
    }
  }
  return tf.tensor2d(values, [rows, embedDim]);
}
