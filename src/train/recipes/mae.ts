import * as tf from '@tensorflow/tfjs';
import { horizontalFlip } from '../../augment/horizontal-flip';
import { normalizeImages, type ChannelStats } from '../../augment/normalize-images';
import { randomResizedCrop } from '../../augment/random-resized-crop';
import { createRng } from '../../backend/seed';
import type { MaskedAutoencoder } from '../../models/masked-autoencoder';
import { resolveConfig } from '../../config';
import { stepSeed } from '../step-seed';
import type { ImageBatch, SslRecipe } from './ssl-recipe';

/** Configuration of the `mae` recipe. */
export interface MaeRecipeConfig {
  /** Crop area range of the only augmentation besides the flip (MAE: (0.2, 1)); null = no crop. */
  cropScale: [number, number] | null;
  /** Flip probability (MAE: 0.5). */
  flipP: number;
  /** Standardise the images with these channel statistics (MAE normalises its input); null = [0, 1]. */
  normalize: ChannelStats | null;
  /** Run seed: crops, flips and masks of step s come from stepSeed(seed, s). */
  seed: number;
}

/** MAE's pre-training augmentation: random resized crop (0.2, 1) and flip, CIFAR-10 statistics. */
export function defaultMaeRecipeConfig(): MaeRecipeConfig {
  return { cropScale: [0.2, 1], flipP: 0.5, normalize: {}, seed: 0 };
}

/**
 * MAE as a `fit` recipe: crop and flip, mask 75% of the patches (a fresh mask per step,
 * seeded), reconstruct them; the loss is the MAE loss over the masked patches (see
 * MaskedAutoencoder.loss and maeLoss). Train with AdamW (MAE: weight decay 0.05, betas
 * (0.9, 0.95)) and a warm-up + cosine schedule.
 *
 * Paper: He et al., "Masked Autoencoders Are Scalable Vision Learners", CVPR 2022, Sec. 3-4.
 *
 * @example
 * const model = new MaskedAutoencoder({ encoder: { seed: 1 }, seed: 2 });
 * const recipe = mae(model);
 * const optimizer = new AdamW({ weightDecay: 0.05, beta2: 0.95 });
 * await fit({ ...recipe, data, optimizer,
 *   config: { numSteps: 2000, lr: 1.5e-4 * 256 / 256, schedule: 'warmup-cosine', warmupSteps: 200 } });
 * optimizer.dispose(); // an optimiser you pass stays yours
 */
export function mae(model: MaskedAutoencoder, config: Partial<MaeRecipeConfig> = {}): SslRecipe<ImageBatch> & { recipeConfig: MaeRecipeConfig } {
  const c = resolveConfig('mae', defaultMaeRecipeConfig(), config);
  return {
    name: 'MAE',
    recipeConfig: c,
    encoder: model,
    preprocess: (x: tf.Tensor4D) => (c.normalize ? normalizeImages(x, c.normalize) : x),
    modules: { model },
    variables: () => model.trainableVariables,
    loss({ x }: ImageBatch, step: number) {
      const rng = createRng(stepSeed(c.seed, step));
      let v = x;
      if (c.cropScale) v = randomResizedCrop(v, { scale: c.cropScale, seed: rng.seed() });
      v = horizontalFlip(v, { p: c.flipP, seed: rng.seed() });
      if (c.normalize) v = normalizeImages(v, c.normalize);
      return model.loss(v, { seed: rng.seed() });
    },
    dispose() {},
  };
}
