import * as tf from '@tensorflow/tfjs';
import { normalizeImages, type ChannelStats } from '../../augment/normalize-images';
import { simclrViews, type SimclrViewOptions } from '../../augment/simclr-views';
import { negativeCosineSimilarity } from '../../losses/negative-cosine-similarity';
import { MomentumEncoder, cosineMomentum } from '../../models/momentum-encoder';
import type { Module } from '../../models/module';
import { resolveConfig } from '../../config';
import { PredictionHead } from '../../models/prediction-head';
import { ProjectionHead, type ProjectionHeadConfig } from '../../models/projection-head';
import { stepSeed } from '../step-seed';
import { EncoderWithHead, type ImageBatch, type SslRecipe, featureDimOf } from './ssl-recipe';

/** Configuration of the `byol` recipe. */
export interface ByolConfig {
  /** Base momentum of the target network (BYOL: 0.996; 0.99 suits short runs). */
  momentum: number;
  /** Raise the momentum to 1 along a cosine over this many steps (BYOL); 0 keeps it constant. */
  momentumSteps: number;
  /** Projector overrides. */
  projection: Partial<ProjectionHeadConfig>;
  /** Predictor overrides (inputDim and outputDim default to the projector's output). */
  prediction: Partial<ProjectionHeadConfig>;
  views: SimclrViewOptions;
  normalize: ChannelStats | null;
  seed: number;
}

/** BYOL on small images: m = 0.99 constant, projector 128 -> 256 -> 64, predictor 64 -> 128 -> 64. */
export function defaultByolConfig(): ByolConfig {
  return { momentum: 0.99, momentumSteps: 0, projection: {}, prediction: {}, views: { scale: [0.2, 1] }, normalize: {}, seed: 0 };
}

/**
 * BYOL as a `fit` recipe: the online network (encoder, projector, predictor) predicts the
 * target network's projection of the other view; the target is an EMA of the online encoder
 * and projector and gets no gradient. Symmetrised as lightly does:
 *
 *   p_i = q(g(f(x_i)));  z_i = g_t(f_t(x_i));  loss = (D(p1, z2) + D(p2, z1)) / 2
 *
 * with D the negative cosine similarity (so loss in [-1, 1]; BYOL's 2 - 2 cos is 2 + 2 D).
 * Paper: Grill et al., "Bootstrap Your Own Latent", NeurIPS 2020, Sec. 3.1 and Algorithm 1.
 *
 * @param makeEncoder - builds a same-architecture backbone for the target network.
 * @example
 * const recipe = byol(encoder, () => new ResNetEncoder(), { momentum: 0.99 });
 */
export function byol(
  encoder: Module<tf.Tensor4D, tf.Tensor2D>,
  makeEncoder: () => Module<tf.Tensor4D, tf.Tensor2D>,
  config: Partial<ByolConfig> = {},
): SslRecipe<ImageBatch> & { recipeConfig: ByolConfig; target: MomentumEncoder<tf.Tensor4D, tf.Tensor2D> } {
  const c = resolveConfig('byol', defaultByolConfig(), config);
  const projConfig = { inputDim: featureDimOf(encoder, c.views.size ?? 32), seed: c.seed + 1, ...c.projection };
  const projector = new ProjectionHead(projConfig);
  const out = projector.config.outputDim;
  const predictor = new PredictionHead({ inputDim: out, outputDim: out, seed: c.seed + 2, ...c.prediction });
  const online = new EncoderWithHead(encoder, projector, 'ByolOnline');
  const target = new MomentumEncoder<tf.Tensor4D, tf.Tensor2D>(
    online,
    () => new EncoderWithHead(makeEncoder(), new ProjectionHead(projConfig), 'ByolTarget'),
    { momentum: c.momentum },
  );
  const prep = (v: tf.Tensor4D) => (c.normalize ? normalizeImages(v, c.normalize) : v);
  return {
    name: 'BYOL',
    recipeConfig: c,
    target,
    encoder,
    preprocess: (x: tf.Tensor4D) => (c.normalize ? normalizeImages(x, c.normalize) : x),
    modules: { encoder, projector, predictor, target },
    variables: () => [...online.trainableVariables, ...predictor.trainableVariables],
    loss({ x }: ImageBatch, step: number) {
      const [x1, x2] = simclrViews(x, { ...c.views, seed: stepSeed(c.seed, step) });
      const b = x.shape[0];
      const both = prep(tf.concat([x1, x2], 0) as tf.Tensor4D); // [2B, H, W, 3]
      const p = predictor.apply(online.apply(both, { training: true }), { training: true }); // [2B, D]
      const z = target.apply(both, { training: true }); // [2B, D], no gradient
      const half = (t: tf.Tensor2D, i: number) => tf.slice(t, [i * b, 0], [b, -1]) as tf.Tensor2D;
      return tf.div(
        tf.add(negativeCosineSimilarity(half(p, 0), half(z, 1)), negativeCosineSimilarity(half(p, 1), half(z, 0))),
        2,
      ) as tf.Scalar;
    },
    afterStep(step: number) {
      target.update(c.momentumSteps > 0 ? cosineMomentum(step + 1, c.momentumSteps, c.momentum) : c.momentum);
    },
    dispose() {
      target.dispose();
      predictor.dispose();
      projector.dispose();
    },
  };
}
