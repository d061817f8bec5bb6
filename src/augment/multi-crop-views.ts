import * as tf from '@tensorflow/tfjs';
import { createRng } from '../backend/seed';
import { checkImageBatch, checkImages01, withCheckedImages } from './per-sample';
import { checkKeys, simclrAugmentation, type SimclrViewOptions } from './simclr-views';

/** Options of `multiCropViews` (SwAV's multi-crop). */
export interface MultiCropOptions extends Omit<SimclrViewOptions, 'size' | 'scale'> {
  seed: number;
  /** Number of small crops (default 6, as SwAV's 2 x 224 + 6 x 96). */
  numLocal?: number;
  /** Side of the two global crops (default: the input's height, 32 on CIFAR-10). */
  globalSize?: number;
  /** Side of the small crops (default: half the input's height, 16 on CIFAR-10). */
  localSize?: number;
  /** Area range of the global crops (default [0.14, 1], SwAV). */
  globalScale?: [number, number];
  /** Area range of the small crops (default [0.05, 0.14], SwAV). */
  localScale?: [number, number];
}

/**
 * SwAV's multi-crop views: two global crops at full resolution and `numLocal` small,
 * low-resolution crops of small regions, each with flip, colour jitter and greyscale drawn per
 * sample. Defaults suit 32 x 32 images: sizes 32 and 16, scales (0.14, 1) and (0.05, 0.14) as
 * in SwAV; colour strength 0.5 and no blur as SimCLR's CIFAR-10 setting (SwAV on ImageNet uses
 * strength 1 and blur p = 0.5: pass strength: 1, blurP: 0.5).
 *
 * @param x - [B, H, W, 3] images in [0, 1].
 * @returns `{ global: [2 x [B, globalSize, globalSize, 3]], local: numLocal x [B, localSize, localSize, 3] }`; the caller owns them all.
 * @example
 * const { global, local } = multiCropViews(x, { seed: 0, numLocal: 4 });
 */
export function multiCropViews(x: tf.Tensor4D, options: MultiCropOptions): { global: tf.Tensor4D[]; local: tf.Tensor4D[] } {
  checkImageBatch('multiCropViews', x, 3);
  checkImages01('multiCropViews', x);
  const height = x.shape[1];
  const {
    seed, numLocal = 6, globalSize = height, localSize = Math.round(height / 2),
    globalScale = [0.14, 1], localScale = [0.05, 0.14], ...recipe
  } = options;
  checkKeys('multiCropViews', recipe, ['ratio', 'flipP', 'strength', 'jitterP', 'randomOrder', 'grayscaleP', 'blurP', 'solarizeP']);
  if (!(Number.isInteger(numLocal) && numLocal >= 0)) {
    throw new Error(`Error in multiCropViews: numLocal must be a non-negative integer, but got ${numLocal}`);
  }
  const rng = createRng(seed);
  const globalView = simclrAugmentation(height, { ...recipe, size: globalSize, scale: globalScale });
  const localView = simclrAugmentation(height, { ...recipe, size: localSize, scale: localScale });
  const seeds = Array.from({ length: 2 + numLocal }, () => rng.seed());
  return withCheckedImages(() => tf.tidy(() => ({ // x checked above
    global: [globalView(x, seeds[0]), globalView(x, seeds[1])],
    local: seeds.slice(2).map((s) => localView(x, s)),
  })));
}
