import * as tf from '@tensorflow/tfjs';
import { normalizeImages, type ChannelStats } from '../../augment/normalize-images';
import { simclrViews, type SimclrViewOptions } from '../../augment/simclr-views';
import { buggySimclrLoss } from '../../losses/buggy-simclr';
import { ntXentLoss } from '../../losses/nt-xent';
import type { Module } from '../../models/module';
import { resolveConfig } from '../../config';
import { ProjectionHead, type ProjectionHeadConfig } from '../../models/projection-head';
import { stepSeed } from '../step-seed';
import { type ImageBatch, type SslRecipe, featureDimOf } from './ssl-recipe';

/** Configuration of the `simclr` recipe. */
export interface SimclrConfig {
  /** NT-Xent temperature (0.5: SimCLR's CIFAR-10 setting). */
  temperature: number;
  /** Projection head overrides (inputDim defaults to the encoder's feature size). */
  projection: Partial<ProjectionHeadConfig>;
  /** View recipe (simclrViews); default: the course's PyTorch reference, crop scale (0.2, 1). */
  views: SimclrViewOptions;
  /** Standardise the views with these channel statistics before the encoder; null = feed [0, 1]. */
  normalize: ChannelStats | null;
  /** Run seed: views of step s use stepSeed(seed, s); the head is initialised from it. */
  seed: number;
  /**
   * The objective: 'nt-xent' (SimCLR's loss), or 'buggy-simclr', the textbook's "simplified
   * SimCLR" loss (buggySimclrLoss), to measure what its bugs do to training. Default 'nt-xent'.
   */
  loss: 'nt-xent' | 'buggy-simclr';
}

/** The course's PyTorch reference recipe (docs/training.md): T = 0.5, head 128 -> 256 -> 64, crops of scale (0.2, 1), CIFAR-10 statistics. */
export function defaultSimclrConfig(): SimclrConfig {
  return { temperature: 0.5, projection: {}, views: { scale: [0.2, 1] }, normalize: {}, seed: 0, loss: 'nt-xent' };
}

/**
 * SimCLR as a `fit` recipe: two augmented views per image, one encoder + projection head
 * for both (the 2B views go through the network as one batch), NT-Xent between them.
 *
 *   x -> (x1, x2) = views(x);  z = g(f([x1; x2]));  loss = ntXent(z[:B], z[B:], T)
 *
 * Paper: Chen, Kornblith, Norouzi, Hinton, "A Simple Framework for Contrastive Learning of
 * Visual Representations", ICML 2020, Algorithm 1.
 *
 * @param encoder - backbone, [B, H, W, 3] -> [B, D]; trained in place.
 * @example
 * const recipe = simclr(encoder, { temperature: 0.5, seed: 0 });
 * await fit({ ...recipe, data, config: { numSteps: 600, lr: 2e-3 } });
 * @see notebooks/10.3.3-simclr.ipynb
 */
export function simclr(encoder: Module<tf.Tensor4D, tf.Tensor2D>, config: Partial<SimclrConfig> = {}): SslRecipe<ImageBatch> & { recipeConfig: SimclrConfig; head: ProjectionHead } {
  const c = resolveConfig('simclr', defaultSimclrConfig(), config);
  if (c.loss !== 'nt-xent' && c.loss !== 'buggy-simclr') {
    throw new Error(`Error in simclr: loss must be 'nt-xent' or 'buggy-simclr', but got ${JSON.stringify(c.loss)}`);
  }
  const size = (c.views.size ?? 32);
  const head = new ProjectionHead({ inputDim: featureDimOf(encoder, size), seed: c.seed + 1, ...c.projection });
  return {
    name: 'SimCLR',
    recipeConfig: c,
    head,
    encoder,
    preprocess: (x: tf.Tensor4D) => (c.normalize ? normalizeImages(x, c.normalize) : x),
    modules: { encoder, head },
    variables: () => [...encoder.trainableVariables, ...head.trainableVariables],
    loss({ x }: ImageBatch, step: number) {
      const [x1, x2] = simclrViews(x, { ...c.views, seed: stepSeed(c.seed, step) });
      let views = tf.concat([x1, x2], 0) as tf.Tensor4D; // [2B, H, W, 3]
      if (c.normalize) views = normalizeImages(views, c.normalize);
      const z = head.apply(encoder.apply(views, { training: true }), { training: true }); // [2B, D]
      const b = x.shape[0];
      const z1 = tf.slice(z, [0, 0], [b, -1]) as tf.Tensor2D; // [B, D]
      const z2 = tf.slice(z, [b, 0], [b, -1]) as tf.Tensor2D; // [B, D]
      return c.loss === 'buggy-simclr' ? buggySimclrLoss(z1, z2, { temperature: c.temperature }) : ntXentLoss(z1, z2, { temperature: c.temperature });
    },
    dispose() {
      head.dispose();
    },
  };
}
