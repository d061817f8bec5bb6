import * as tf from '@tensorflow/tfjs';
import { checkRank, crossEntropyWithLabels, formatShape } from './common';

/**
 * RotNet's pretext loss: 4-way cross-entropy on which rotation (0, 90, 180, 270 degrees) was
 * applied.
 *
 *   loss = (1/N) * sum_i -log softmax(logits_i)[label_i],   label = number of 90-degree turns
 *
 * Paper: Gidaris, Singh, Komodakis, "Unsupervised Representation Learning by Predicting Image
 * Rotations", ICLR 2018, eq. (1)-(2).
 *
 * @param logits - [N, 4] rotation scores (see RotationHead).
 * @param rotationLabels - N integers in 0..3 (a tensor or an array), e.g. from `rotateBatch`.
 * @returns a scalar.
 * @throws if logits is not [N, 4], or the labels do not match N or fall outside 0..3.
 * @example
 * const { images, labels } = rotateBatch(x);
 * const loss = rotationPredictionLoss(head.apply(encoder.apply(images)), labels);
 */
export function rotationPredictionLoss(logits: tf.Tensor2D, rotationLabels: tf.Tensor1D | number[]): tf.Scalar {
  const fn = 'rotationPredictionLoss';
  checkRank(fn, 'logits', logits, 2, '[N, 4]');
  if (logits.shape[1] !== 4) {
    throw new Error(`Error in ${fn}: logits must be [N, 4] (one score per rotation), but got shape ${formatShape(logits.shape)}`);
  }
  const labels = Array.isArray(rotationLabels) ? rotationLabels : Array.from(rotationLabels.dataSync());
  if (labels.length !== logits.shape[0]) {
    throw new Error(`Error in ${fn}: need one label per row of logits, but got ${labels.length} labels and shape ${formatShape(logits.shape)}`);
  }
  if (labels.some((l) => !Number.isInteger(l) || l < 0 || l > 3)) {
    throw new Error(`Error in ${fn}: rotation labels must be integers 0..3`);
  }
  return crossEntropyWithLabels(logits, labels);
}
