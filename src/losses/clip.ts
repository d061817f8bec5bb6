import * as tf from '@tensorflow/tfjs';
import { checkMinRows, checkFloat, checkRank, checkSameShape, crossEntropyWithLabels, l2NormalizeRows } from './common';

/** Options of `clipLoss`. */
export interface ClipLossOptions {
  /**
   * Multiplier of the cosine similarities, exp(t) in the paper (a learnable scalar there,
   * initialised to 1/0.07 and clipped at 100). A number, or a scalar tensor to learn it.
   * Default 1/0.07.
   */
  logitScale?: number | tf.Scalar;
}

/**
 * CLIP's symmetric contrastive loss between N matched image and text embeddings.
 *
 *   I = normalize(imageEmb), T = normalize(textEmb)          (rows, L2)
 *   logits = logitScale * I T^T                              [N, N]; pair i matches pair i
 *   loss_i = cross_entropy(logits, labels = 0..N-1)          image -> text, over rows
 *   loss_t = cross_entropy(logits^T, labels = 0..N-1)        text -> image, over columns
 *   loss   = (loss_i + loss_t) / 2
 *
 * Written from the numpy-like pseudo-code of the CLIP paper (Figure 3), mean-reduced as
 * torch's cross-entropy. A batch of one has a single candidate pair, so both cross-entropies are
 * log(1) = 0, as in the reference: the loss is 0 and so is its gradient.
 *
 * Paper: Radford et al., "Learning Transferable Visual Models From Natural Language
 * Supervision" (CLIP), ICML 2021, Sec. 2.3 and Figure 3.
 *
 * @param imageEmb - [N, D] image embeddings (after the image projection).
 * @param textEmb - [N, D] text embeddings; row i describes image i.
 * @returns a scalar.
 * @throws if an input is not 2-D, the shapes differ, the batch is empty, or logitScale is not positive.
 * @example
 * const loss = clipLoss(imageEmb, textEmb, { logitScale: 1 / 0.07 });
 */
export function clipLoss(imageEmb: tf.Tensor2D, textEmb: tf.Tensor2D, options: ClipLossOptions = {}): tf.Scalar {
  const fn = 'clipLoss';
  checkRank(fn, 'imageEmb', imageEmb, 2, '[N, D]');
  checkFloat(fn, 'imageEmb', imageEmb);
  checkRank(fn, 'textEmb', textEmb, 2, '[N, D]');
  checkFloat(fn, 'textEmb', textEmb);
  checkSameShape(fn, 'imageEmb', 'textEmb', imageEmb, textEmb);
  checkMinRows(fn, 'imageEmb', imageEmb, 1);
  const scale = options.logitScale ?? 1 / 0.07;
  if (typeof scale === 'number' && !(Number.isFinite(scale) && scale > 0)) {
    throw new Error(`Error in ${fn}: logitScale must be a positive number, but got ${String(scale)}`);
  }
  return tf.tidy(() => {
    const n = imageEmb.shape[0];
    const logits = tf.mul(tf.matMul(l2NormalizeRows(imageEmb), l2NormalizeRows(textEmb), false, true), scale) as tf.Tensor2D; // [N, N]
    const labels = tf.range(0, n, 1, 'int32') as tf.Tensor1D;
    const imageToText = crossEntropyWithLabels(logits, labels);
    const textToImage = crossEntropyWithLabels(tf.transpose(logits) as tf.Tensor2D, labels); // over [N, N]^T: columns
    return tf.div(tf.add(imageToText, textToImage), 2) as tf.Scalar;
  });
}
