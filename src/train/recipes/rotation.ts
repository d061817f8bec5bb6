import * as tf from '@tensorflow/tfjs';
import { horizontalFlip } from '../../augment/horizontal-flip';
import { normalizeImages, type ChannelStats } from '../../augment/normalize-images';
import { rotateBatch } from '../../augment/rotate-batch';
import { rotationPredictionLoss } from '../../losses/rotation-prediction';
import type { Module } from '../../models/module';
import { resolveConfig } from '../../config';
import { RotationHead } from '../../models/rotation-head';
import { stepSeed } from '../step-seed';
import { type ImageBatch, type SslRecipe, featureDimOf } from './ssl-recipe';

/** Configuration of the `rotation` recipe. */
export interface RotationConfig {
  /** Flip probability before rotating (RotNet trains on flipped images too); 0 = none. */
  flipP: number;
  normalize: ChannelStats | null;
  seed: number;
}

/** RotNet on small images: flip p = 0.5, all four rotations of every image, CIFAR-10 statistics. */
export function defaultRotationConfig(): RotationConfig {
  return { flipP: 0.5, normalize: {}, seed: 0 };
}

/**
 * Rotation prediction (RotNet) as a `fit` recipe: every image in its four rotations
 * (0, 90, 180, 270 degrees), a linear head on the encoder's features predicts which; the loss
 * is the 4-way cross-entropy, and the step also logs the accuracy ('acc', 0.25 at chance).
 *
 * Paper: Gidaris, Singh, Komodakis, "Unsupervised Representation Learning by Predicting Image
 * Rotations", ICLR 2018.
 *
 * @example
 * const recipe = rotation(encoder, { seed: 0 });
 * await fit({ ...recipe, data, config: { numSteps: 300, lr: 1e-3 } });
 */
export function rotation(encoder: Module<tf.Tensor4D, tf.Tensor2D>, config: Partial<RotationConfig> = {}): SslRecipe<ImageBatch> & { recipeConfig: RotationConfig; head: RotationHead } {
  const c = resolveConfig('rotation', defaultRotationConfig(), config);
  const h = new RotationHead({ inputDim: featureDimOf(encoder, 32), seed: c.seed + 1 });
  return {
    name: 'Rotation',
    recipeConfig: c,
    head: h,
    encoder,
    preprocess: (x: tf.Tensor4D) => (c.normalize ? normalizeImages(x, c.normalize) : x),
    modules: { encoder, head: h },
    variables: () => [...encoder.trainableVariables, ...h.trainableVariables],
    loss({ x }: ImageBatch, step: number) {
      const flipped = c.flipP > 0 ? horizontalFlip(x, { p: c.flipP, seed: stepSeed(c.seed, step) }) : x;
      const { images, labels } = rotateBatch(flipped); // [4B, H, W, C], [4B]
      const input = c.normalize ? normalizeImages(images, c.normalize) : images;
      const logits = h.apply(encoder.apply(input, { training: true })); // [4B, 4]
      const acc = tf.mean(tf.cast(tf.equal(tf.argMax(logits, 1), labels), 'float32')) as tf.Scalar;
      return { loss: rotationPredictionLoss(logits, labels), metrics: { acc } };
    },
    dispose() {
      h.dispose();
    },
  };
}
