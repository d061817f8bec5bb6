import * as tf from '@tensorflow/tfjs';
import { createRng } from '../backend/seed';
import { colorJitter } from './color-jitter';
import { composeAugmentations, type AugmentStep } from './compose-augmentations';
import { gaussianBlur } from './gaussian-blur';
import { horizontalFlip } from './horizontal-flip';
import { onePassViews } from './one-pass-views';
import { checkImageBatch, checkImages01, checkProbability, checkRange, withCheckedImages, type Augmentation } from './per-sample';
import { randomGrayscale } from './random-grayscale';
import { randomResizedCrop } from './random-resized-crop';
import { solarize } from './solarize';

/** The SimCLR view recipe. Defaults are the paper's CIFAR-10 setting (Chen et al. 2020, appendix B.9). */
export interface SimclrViewOptions {
  /** Output side (default: the input's height). */
  size?: number;
  /** Crop area range (default [0.08, 1], the Inception crop SimCLR uses for CIFAR-10 too). */
  scale?: [number, number];
  /** Crop aspect-ratio range (default [3/4, 4/3]). */
  ratio?: [number, number];
  /** Horizontal flip probability (default 0.5). */
  flipP?: number;
  /**
   * Colour distortion strength s (default 0.5 for CIFAR-10; 1.0 on ImageNet): brightness,
   * contrast and saturation 0.8 s, hue 0.2 s, i.e. 0.4 / 0.4 / 0.4 / 0.1 at s = 0.5.
   */
  strength?: number;
  /** Hue jitter (default 0.2 s, the paper's; 0 turns hue off, as in the course's PyTorch reference run). */
  hue?: number;
  /** Probability of the colour jitter (default 0.8). */
  jitterP?: number;
  /**
   * Order of the four colour adjustments: random per sample (default true, as SimCLR's code
   * and torchvision) or fixed brightness, contrast, saturation, hue (the paper's pseudo-code),
   * which is about 3x cheaper on wasm.
   */
  randomOrder?: boolean;
  /** Probability of colour drop, i.e. greyscale (default 0.2). */
  grayscaleP?: number;
  /** Probability of gaussian blur (default 0: SimCLR leaves it out on 32 x 32 images; 0.5 on ImageNet). */
  blurP?: number;
  /** Probability of solarize, applied last (default 0; BYOL's second view uses 0.2). */
  solarizeP?: number;
}

/**
 * The resolved SimCLR view recipe for images of the given height: the paper's CIFAR-10 setting
 * (Inception crop (0.08, 1), flip 0.5, colour strength 0.5 at p = 0.8 in random order,
 * greyscale 0.2, no blur, no solarize), with `overrides` merged in.
 * @throws "Error in simclrViews: Unknown config key: ..." for a key the recipe does not have.
 */
export function defaultSimclrViewOptions(height: number, overrides: SimclrViewOptions = {}): Required<SimclrViewOptions> {
  const defaults: Required<SimclrViewOptions> = {
    size: height, scale: [0.08, 1], ratio: [3 / 4, 4 / 3], flipP: 0.5, strength: 0.5, jitterP: 0.8,
    randomOrder: true, grayscaleP: 0.2, blurP: 0, solarizeP: 0, hue: 0.2 * (overrides.strength ?? 0.5),
  };
  checkKeys('simclrViews', overrides, Object.keys(defaults));
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  return { ...defaults, ...defined };
}

/** Reject option keys outside `allowed` with the project's fixed-form message. */
export function checkKeys(fn: string, options: object, allowed: string[]): void {
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new Error(`Error in ${fn}: Unknown config key: ${key} (expected one of ${allowed.join(', ')})`);
  }
}

/** The pipeline steps for the given recipe (shared by simclrViews and multiCropViews). */
export function simclrSteps(height: number, options: SimclrViewOptions = {}): AugmentStep[] {
  const { size, scale, ratio, flipP, strength, jitterP, randomOrder, grayscaleP, blurP, solarizeP, hue } =
    defaultSimclrViewOptions(height, options);
  const s = strength;
  const steps: AugmentStep[] = [
    { name: 'randomResizedCrop', apply: (x, seed) => randomResizedCrop(x, { size, scale, ratio, seed }) },
    { name: 'horizontalFlip', apply: (x, seed) => horizontalFlip(x, { p: flipP, seed }) },
    {
      name: 'colorJitter',
      p: jitterP,
      apply: (x, seed) =>
        colorJitter(x, { brightness: 0.8 * s, contrast: 0.8 * s, saturation: 0.8 * s, hue, randomOrder, seed }),
    },
    { name: 'randomGrayscale', apply: (x, seed) => randomGrayscale(x, { p: grayscaleP, seed }) },
  ];
  if (blurP > 0) steps.push({ name: 'gaussianBlur', apply: (x, seed) => gaussianBlur(x, { p: blurP, seed }) });
  if (solarizeP > 0) steps.push({ name: 'solarize', apply: (x, seed) => solarize(x, { p: solarizeP, seed }) });
  return steps;
}

/**
 * One SimCLR view as an Augmentation: random resized crop, flip, colour jitter (p = 0.8),
 * greyscale (p = 0.2), optional blur and solarize — every random choice drawn per sample from
 * the seed. Two differently configured ones give asymmetric views (BYOL: blurP 1 for the
 * first view; blurP 0.1 and solarizeP 0.2 for the second).
 */
export function simclrAugmentation(height: number, options: SimclrViewOptions = {}): Augmentation {
  return composeAugmentations(simclrSteps(height, options));
}

/**
 * Two independently augmented views of every image, as SimCLR trains on: the positive pair
 * (x1[i], x2[i]) shares its source image; everything else in the batch is a negative.
 * Defaults: the paper's CIFAR-10 recipe (Inception crop, flip, colour distortion of strength
 * 0.5 with p = 0.8, greyscale p = 0.2, no blur). Brightness is multiplicative (SimCLR v2 code,
 * torchvision); the adjustments come in a random order per sample. Recipes without hue, blur and
 * solarize (the course's training recipes) are made in one pass per view (one-pass-views.ts), with the
 * same draws and results as the chain of batch ops up to float rounding; the others by that chain.
 *
 * @param x - [B, H, W, 3] images in [0, 1].
 * @returns [x1, x2], each [B, size, size, 3] in [0, 1]; the caller owns both.
 * @example
 * const [x1, x2] = simclrViews(x, { seed: step });
 * @see notebooks/10.3.2-augmentations.ipynb
 */
export function simclrViews(x: tf.Tensor4D, options: SimclrViewOptions & { seed: number }): [tf.Tensor4D, tf.Tensor4D] {
  checkImageBatch('simclrViews', x, 3);
  checkImages01('simclrViews', x);
  const { seed, ...recipe } = options;
  const rng = createRng(seed);
  const seed1 = rng.seed();
  const seed2 = rng.seed();
  const r = defaultSimclrViewOptions(x.shape[1], recipe);
  if (onePass && r.hue === 0 && r.blurP === 0 && r.solarizeP === 0) {
    // the checks the chain's steps make, with their messages
    checkRange('randomResizedCrop', 'scale', r.scale, 0, 1, true);
    checkRange('randomResizedCrop', 'ratio', r.ratio, 0, Infinity, true);
    checkProbability('horizontalFlip', 'p', r.flipP);
    checkProbability('composeAugmentations', "p of step 'colorJitter'", r.jitterP);
    if (!(r.strength >= 0)) throw new Error(`Error in colorJitter: brightness must be >= 0, but got ${0.8 * r.strength}`);
    checkProbability('randomGrayscale', 'p', r.grayscaleP);
    return onePassViews(x, r, [seed1, seed2]);
  }
  const view = simclrAugmentation(x.shape[1], recipe);
  return withCheckedImages(() => tf.tidy(() => [view(x, seed1), view(x, seed2)])); // x checked above
}

let onePass = true;

/**
 * Make simclrViews' views by the one-pass route (the default, for recipes without hue, blur and solarize:
 * one-pass-views.ts) or always by the chain of batch ops (simclrSteps). Both draw the same per-sample
 * parameters from the seed; the outputs differ by float rounding only. For same-run comparisons
 * (`npm run bench:recipe -- --compare views`) and tests.
 */
export function setOnePassViewsEnabled(on: boolean): void {
  onePass = on;
}
