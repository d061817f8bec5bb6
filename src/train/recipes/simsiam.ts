import * as tf from '@tensorflow/tfjs';
import { normalizeImages, type ChannelStats } from '../../augment/normalize-images';
import { simclrViews, type SimclrViewOptions } from '../../augment/simclr-views';
import { negativeCosineSimilarity } from '../../losses/negative-cosine-similarity';
import type { Module } from '../../models/module';
import { resolveConfig } from '../../config';
import { PredictionHead } from '../../models/prediction-head';
import { ProjectionHead, type ProjectionHeadConfig } from '../../models/projection-head';
import { stepSeed } from '../step-seed';
import { type ImageBatch, type SslRecipe, featureDimOf } from './ssl-recipe';

/** Configuration of the `simsiam` recipe. */
export interface SimsiamConfig {
  /** Projector overrides (SimSiam: 3 layers, BatchNorm after the last one too). */
  projection: Partial<ProjectionHeadConfig>;
  /** Predictor overrides (SimSiam: a bottleneck, hidden = output / 4). */
  prediction: Partial<ProjectionHeadConfig>;
  views: SimclrViewOptions;
  normalize: ChannelStats | null;
  seed: number;
}

/** SimSiam on small images: projector 128 -> 256 -> 256 -> 64 (last BN), predictor 64 -> 16 -> 64. */
export function defaultSimsiamConfig(): SimsiamConfig {
  return {
    projection: { numLayers: 3, lastBatchNorm: true },
    prediction: { hiddenDim: 16 },
    views: { scale: [0.2, 1] },
    normalize: {},
    seed: 0,
  };
}

/**
 * SimSiam as a `fit` recipe: BYOL without the momentum network. The stop-gradient on
 * the target branch is what prevents collapse:
 *
 *   z_i = g(f(x_i));  p_i = h(z_i);  loss = (D(p1, stopgrad(z2)) + D(p2, stopgrad(z1))) / 2
 *
 * Paper: Chen & He, "Exploring Simple Siamese Representation Learning", CVPR 2021, Algorithm 1.
 *
 * @example
 * const recipe = simsiam(encoder, { seed: 0 });
 */
export function simsiam(encoder: Module<tf.Tensor4D, tf.Tensor2D>, config: Partial<SimsiamConfig> = {}): SslRecipe<ImageBatch> & { recipeConfig: SimsiamConfig } {
  const c = resolveConfig('simsiam', defaultSimsiamConfig(), config);
  const projector = new ProjectionHead({ inputDim: featureDimOf(encoder, c.views.size ?? 32), seed: c.seed + 1, ...c.projection });
  const out = projector.config.outputDim;
  const predictor = new PredictionHead({ inputDim: out, outputDim: out, seed: c.seed + 2, ...c.prediction });
  const prep = (v: tf.Tensor4D) => (c.normalize ? normalizeImages(v, c.normalize) : v);
  return {
    name: 'SimSiam',
    recipeConfig: c,
    encoder,
    preprocess: (x: tf.Tensor4D) => (c.normalize ? normalizeImages(x, c.normalize) : x),
    modules: { encoder, projector, predictor },
    variables: () => [...encoder.trainableVariables, ...projector.trainableVariables, ...predictor.trainableVariables],
    loss({ x }: ImageBatch, step: number) {
      const [x1, x2] = simclrViews(x, { ...c.views, seed: stepSeed(c.seed, step) });
      const b = x.shape[0];
      const z = projector.apply(encoder.apply(prep(tf.concat([x1, x2], 0) as tf.Tensor4D), { training: true }), { training: true });
      const p = predictor.apply(z, { training: true }); // [2B, D]
      const half = (t: tf.Tensor2D, i: number) => tf.slice(t, [i * b, 0], [b, -1]) as tf.Tensor2D;
      return tf.div(
        tf.add(negativeCosineSimilarity(half(p, 0), half(z, 1)), negativeCosineSimilarity(half(p, 1), half(z, 0))),
        2,
      ) as tf.Scalar;
    },
    dispose() {
      predictor.dispose();
      projector.dispose();
    },
  };
}
