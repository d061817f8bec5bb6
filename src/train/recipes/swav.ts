import * as tf from '@tensorflow/tfjs';
import { multiCropViews, type MultiCropOptions } from '../../augment/multi-crop-views';
import { normalizeImages, type ChannelStats } from '../../augment/normalize-images';
import { l2NormalizeRows } from '../../losses/common';
import { swavLoss } from '../../losses/swav';
import type { Module } from '../../models/module';
import { resolveConfig } from '../../config';
import { ProjectionHead, type ProjectionHeadConfig } from '../../models/projection-head';
import { Prototypes } from '../../models/prototypes';
import { stepSeed } from '../step-seed';
import { type ImageBatch, type SslRecipe, featureDimOf } from './ssl-recipe';

/** Configuration of the `swav` recipe. */
export interface SwavConfig {
  /** Softmax temperature of the swapped prediction (SwAV: 0.1). */
  temperature: number;
  /** Sinkhorn-Knopp entropy regularisation (SwAV: 0.05). */
  epsilon: number;
  /** Sinkhorn-Knopp iterations (SwAV: 3). */
  iterations: number;
  /** K prototypes (lightly's CIFAR benchmark: 512). */
  numPrototypes: number;
  /**
   * Steps during which the prototypes are not trained. SwAV freezes them for the first epoch of
   * runs of hundreds of epochs; the default, 50 steps, is a similar early share of a lesson's run.
   */
  freezePrototypesSteps: number;
  /** Projection head overrides. */
  projection: Partial<ProjectionHeadConfig>;
  /** Multi-crop views (without the seed): 2 global crops and numLocal small ones. Overrides merge into the defaults key by key. */
  crops: Omit<MultiCropOptions, 'seed'>;
  /** Standardise views with these channel statistics; null = feed [0, 1]. */
  normalize: ChannelStats | null;
  /** Run seed. */
  seed: number;
}

/**
 * SwAV sized for a lesson of minutes on a laptop CPU: the paper's T = 0.1, eps = 0.05 and
 * 3 Sinkhorn iterations; 512 prototypes (lightly's CIFAR-10 benchmark); multi-crop of 2 global
 * crops of 16 x 16 and 2 local crops of 8 x 8 (the course's SimCLR trains on 16 x 16 views; the
 * paper uses 2 x 224 + 6 x 96 on ImageNet); the prototypes frozen for the first 50 steps.
 * For the paper's CIFAR-scale setting pass
 * `{ crops: { globalSize: 32, localSize: 16, numLocal: 4 }, freezePrototypesSteps: 313 }`.
 */
export function defaultSwavConfig(): SwavConfig {
  return {
    temperature: 0.1,
    epsilon: 0.05,
    iterations: 3,
    numPrototypes: 512,
    freezePrototypesSteps: 50,
    projection: {},
    crops: { numLocal: 2, globalSize: 16, localSize: 8 },
    normalize: {},
    seed: 0,
  };
}

/**
 * SwAV as a `fit` recipe: multi-crop views, features projected and L2-normalised, scored
 * against normalised prototypes; codes from Sinkhorn-Knopp on the global crops; each crop
 * predicts the other crops' codes (swavLoss). The prototypes are renormalised after every
 * optimiser step and frozen for the first `freezePrototypesSteps` steps.
 *
 *   z_v = normalize(g(f(crop_v)));  s_v = z_v C^T;  loss = swavLoss(s_global, s_local, T, eps)
 *
 * Paper: Caron et al., "Unsupervised Learning of Visual Features by Contrasting Cluster
 * Assignments" (SwAV), NeurIPS 2020, Sec. 3 and App. A.
 *
 * @param encoder - backbone accepting every crop size (global average pooling), trained in place.
 * @example
 * const recipe = swav(encoder, { numPrototypes: 100, freezePrototypesSteps: 195 });
 */
export function swav(encoder: Module<tf.Tensor4D, tf.Tensor2D>, config: Partial<SwavConfig> = {}): SslRecipe<ImageBatch> & { recipeConfig: SwavConfig; head: ProjectionHead; prototypes: Prototypes } {
  const c = resolveConfig('swav', defaultSwavConfig(), config);
  c.crops = { ...defaultSwavConfig().crops, ...config.crops };
  const head = new ProjectionHead({ inputDim: featureDimOf(encoder, c.crops.globalSize ?? 32), seed: c.seed + 1, ...c.projection });
  const prototypes = new Prototypes({
    dim: head.config.outputDim,
    numPrototypes: c.numPrototypes,
    freezePrototypesSteps: c.freezePrototypesSteps,
    seed: c.seed + 2,
  });
  prototypes.normalize();
  const scores = (views: tf.Tensor4D[]): tf.Tensor2D[] => {
    if (views.length === 0) return [];
    let x = tf.concat(views, 0) as tf.Tensor4D; // [V B, h, w, 3]
    if (c.normalize) x = normalizeImages(x, c.normalize);
    const z = l2NormalizeRows(head.apply(encoder.apply(x, { training: true }), { training: true }));
    const s = prototypes.apply(z); // [V B, K]
    return tf.split(s, views.length, 0) as tf.Tensor2D[];
  };
  return {
    name: 'SwAV',
    recipeConfig: c,
    head,
    prototypes,
    encoder,
    preprocess: (x: tf.Tensor4D) => (c.normalize ? normalizeImages(x, c.normalize) : x),
    modules: { encoder, head, prototypes },
    variables: (step: number) => [...encoder.trainableVariables, ...head.trainableVariables, ...prototypes.trainableVariablesAt(step)],
    loss({ x }: ImageBatch, step: number) {
      const { global, local } = multiCropViews(x, { ...c.crops, seed: stepSeed(c.seed, step) });
      return swavLoss(scores(global), scores(local), { temperature: c.temperature, epsilon: c.epsilon, iterations: c.iterations });
    },
    afterStep() {
      prototypes.normalize();
    },
    dispose() {
      head.dispose();
      prototypes.dispose();
    },
  };
}
