import * as tf from '@tensorflow/tfjs';
import { normalizeImages, type ChannelStats } from '../../augment/normalize-images';
import { simclrViews, type SimclrViewOptions } from '../../augment/simclr-views';
import { l2NormalizeRows } from '../../losses/common';
import { infoNceLoss } from '../../losses/info-nce';
import { FeatureQueue } from '../../models/feature-queue';
import { MomentumEncoder } from '../../models/momentum-encoder';
import type { Module } from '../../models/module';
import { resolveConfig } from '../../config';
import { ProjectionHead, type ProjectionHeadConfig } from '../../models/projection-head';
import { stepSeed } from '../step-seed';
import { EncoderWithHead, type ImageBatch, type SslRecipe, featureDimOf } from './ssl-recipe';

/** Configuration of the `moco` recipe. */
export interface MocoConfig {
  /** InfoNCE temperature (MoCo v2: 0.2). */
  temperature: number;
  /** K, keys in the queue (MoCo CIFAR demo: 4096). */
  queueSize: number;
  /** m of the key encoder's EMA (0.99 for short CIFAR runs, MoCo CIFAR demo). */
  momentum: number;
  /** Symmetric loss: both views act as query and key, both key sets are enqueued (MoCo CIFAR demo option). */
  symmetric: boolean;
  /** Projection head overrides; MoCo v2's MLP head has no BatchNorm. */
  projection: Partial<ProjectionHeadConfig>;
  /** View recipe (MoCo v2 uses SimCLR's augmentations). */
  views: SimclrViewOptions;
  /** Standardise views with these channel statistics; null = feed [0, 1]. */
  normalize: ChannelStats | null;
  /** Run seed (views, head, queue initialisation). */
  seed: number;
}

/** MoCo v2 on small images: T = 0.2, K = 4096, m = 0.99, MLP head without BatchNorm. */
export function defaultMocoConfig(): MocoConfig {
  return {
    temperature: 0.2,
    queueSize: 4096,
    momentum: 0.99,
    symmetric: false,
    projection: { batchNorm: false },
    views: { scale: [0.2, 1] },
    normalize: {},
    seed: 0,
  };
}

/**
 * MoCo v2 as a `fit` recipe. A query network (encoder + MLP head) is trained by
 * gradients; a key network, its exponential moving average, encodes the other view; the
 * negatives are the keys of earlier batches, kept in a FIFO queue:
 *
 *   q = normalize(g_q(f_q(x1)));  k = normalize(g_k(f_k(x2)))        (no gradient into k)
 *   loss = infoNce(q, k, queue, T)
 *   after the optimiser step:  theta_k <- m theta_k + (1 - m) theta_q;  enqueue(k)
 *
 * The keys are enqueued AFTER the loss, so a batch never sees its own keys as negatives.
 * Single device: no shuffling BN (the official code shuffles the key batch across GPUs).
 *
 * Paper: He et al., "Momentum Contrast for Unsupervised Visual Representation Learning",
 * CVPR 2020, Algorithm 1; Chen et al., "Improved Baselines with Momentum Contrastive Learning"
 * (MoCo v2), 2020.
 *
 * @param encoder - the query backbone, trained in place.
 * @param makeEncoder - builds a backbone of the same architecture for the key network (its
 *   weights are overwritten with the query's at the start).
 * @example
 * const recipe = moco(encoder, () => new ResNetEncoder(), { queueSize: 4096 });
 * await fit({ ...recipe, data, config: { numSteps: 600, lr: 2e-3 } });
 */
export function moco(
  encoder: Module<tf.Tensor4D, tf.Tensor2D>,
  makeEncoder: () => Module<tf.Tensor4D, tf.Tensor2D>,
  config: Partial<MocoConfig> = {},
): SslRecipe<ImageBatch> & { recipeConfig: MocoConfig; head: ProjectionHead; keyEncoder: MomentumEncoder<tf.Tensor4D, tf.Tensor2D>; queue: FeatureQueue } {
  const c = resolveConfig('moco', defaultMocoConfig(), config);
  const headConfig = { inputDim: featureDimOf(encoder, c.views.size ?? 32), seed: c.seed + 1, ...c.projection };
  const head = new ProjectionHead(headConfig);
  const online = new EncoderWithHead(encoder, head, 'MocoQuery');
  const keyEncoder = new MomentumEncoder<tf.Tensor4D, tf.Tensor2D>(
    online,
    () => new EncoderWithHead(makeEncoder(), new ProjectionHead(headConfig), 'MocoKey'),
    { momentum: c.momentum },
  );
  const queue = new FeatureQueue({ queueSize: c.queueSize, dim: head.config.outputDim, seed: c.seed + 2 });
  let pendingKeys: tf.Tensor2D | null = null;
  const prep = (v: tf.Tensor4D) => (c.normalize ? normalizeImages(v, c.normalize) : v);
  return {
    name: 'MoCo v2',
    recipeConfig: c,
    head,
    keyEncoder,
    queue,
    encoder,
    preprocess: (x: tf.Tensor4D) => (c.normalize ? normalizeImages(x, c.normalize) : x),
    modules: { encoder, head, keyEncoder, queue },
    variables: () => online.trainableVariables,
    loss({ x }: ImageBatch, step: number) {
      const [x1, x2] = simclrViews(x, { ...c.views, seed: stepSeed(c.seed, step) });
      const b = x.shape[0];
      const q = l2NormalizeRows(online.apply(prep(tf.concat([x1, x2], 0) as tf.Tensor4D), { training: true })); // [2B, D]
      const q1 = tf.slice(q, [0, 0], [b, -1]) as tf.Tensor2D;
      const q2 = tf.slice(q, [b, 0], [b, -1]) as tf.Tensor2D;
      const opts = { temperature: c.temperature };
      // Keys: separate forward passes of the key network, so its BatchNorm sees one view at a time.
      const k2 = l2NormalizeRows(keyEncoder.apply(prep(x2), { training: true }));
      if (!c.symmetric) {
        if (pendingKeys) pendingKeys.dispose();
        pendingKeys = tf.keep(k2);
        return infoNceLoss(q1, k2, queue.keys, opts);
      }
      const k1 = l2NormalizeRows(keyEncoder.apply(prep(x1), { training: true }));
      if (pendingKeys) pendingKeys.dispose();
      pendingKeys = tf.keep(tf.concat([k2, k1], 0) as tf.Tensor2D); // [2B, D]
      return tf.div(tf.add(infoNceLoss(q1, k2, queue.keys, opts), infoNceLoss(q2, k1, queue.keys, opts)), 2) as tf.Scalar;
    },
    afterStep() {
      keyEncoder.update();
      if (pendingKeys) {
        queue.enqueue(pendingKeys);
        pendingKeys.dispose();
        pendingKeys = null;
      }
    },
    dispose() {
      pendingKeys?.dispose();
      keyEncoder.dispose();
      queue.dispose();
      head.dispose();
    },
  };
}
