import * as tf from '@tensorflow/tfjs';
import type { ApplyOptions, Module } from '../../models/module';
import { BaseModule } from '../../models/module';
import type { LossWithMetrics } from '../fit';

/** The images a recipe trains on: one batch, [B, H, W, 3] float32 in [0, 1]. */
export interface ImageBatch {
  x: tf.Tensor4D;
}

/**
 * What every recipe returns: the four things `fit` needs (spread it into fit's options)
 * plus the encoder to evaluate and a dispose.
 *
 * @example
 * const recipe = simclr(encoder, { seed: 0 });
 * await fit({ ...recipe, data, config: { numSteps: 100 } });
 * const features = extractFeatures(recipe.encoder, xTest, { preprocess: recipe.preprocess });
 * const { top1 } = knnEvaluate(recipe, { train, test }); // the same preprocessing, in one call
 */
export interface SslRecipe<B = ImageBatch> {
  /** 'SimCLR', 'MoCo v2', ... */
  readonly name: string;
  /** The recipe's resolved configuration (fit prints it at the start of the run). */
  readonly recipeConfig: object;
  /** The objective of one batch (called inside tf.variableGrads). */
  loss(batch: B, step: number): tf.Scalar | LossWithMetrics;
  /** What the optimiser updates at this step. */
  variables(step: number): tf.Variable[];
  /** Bookkeeping after the optimiser step (EMA, queue, prototype normalisation). */
  afterStep?(step: number): void;
  /** Every module with weights, by name (checkpoints). */
  modules: Record<string, Module>;
  /** The backbone whose features are evaluated (kNN, linear probe). */
  encoder: Module<tf.Tensor4D, tf.Tensor2D>;
  /**
   * The input standardisation the encoder is trained with (the recipe's `normalize`; the
   * identity when it is null). Evaluate with the same: `extractFeatures(recipe.encoder, x,
   * { preprocess: recipe.preprocess })`, or `knnEvaluate(recipe, data)`, which applies it.
   */
  preprocess(x: tf.Tensor4D): tf.Tensor4D;
  /** Free what the recipe created (heads, momentum copies, queues) — not the encoder passed in. */
  dispose(): void;
}

/** A backbone followed by a head, as one module: weights `encoder.*` and `head.*`. */
export class EncoderWithHead extends BaseModule<tf.Tensor4D, tf.Tensor2D> {
  constructor(
    readonly encoder: Module<tf.Tensor4D, tf.Tensor2D>,
    readonly head: Module<tf.Tensor2D, tf.Tensor2D>,
    name = 'EncoderWithHead',
  ) {
    super(name);
    this.addChild('encoder', encoder);
    this.addChild('head', head);
  }

  apply(x: tf.Tensor4D, options: ApplyOptions = {}): tf.Tensor2D {
    return tf.tidy(() => this.head.apply(this.encoder.apply(x, options), options));
  }
}

/** The encoder's output width: `outputDim` if it has one, else measured on a 2-image batch. */
export function featureDimOf(encoder: Module<tf.Tensor4D, tf.Tensor2D>, imageSize: number, channels = 3): number {
  const declared = (encoder as unknown as { outputDim?: unknown }).outputDim;
  if (typeof declared === 'number') return declared;
  return tf.tidy(() => encoder.apply(tf.zeros([2, imageSize, imageSize, channels]) as tf.Tensor4D).shape[1]);
}
