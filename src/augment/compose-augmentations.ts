import * as tf from '@tensorflow/tfjs';
import { createRng } from '../backend/seed';
import { applyToSome, checkImageBatch, checkImages01, checkProbability, drawMask, withCheckedImages, type Augmentation } from './per-sample';

/** One step of a pipeline: an augmentation applied to each sample with probability p (default 1). */
export interface AugmentStep {
  /** For error messages and printing the pipeline. */
  name: string;
  apply: Augmentation;
  p?: number;
}

/**
 * Chain augmentations into one: each step runs on a random subset of the batch (each sample
 * with probability p, drawn per sample) and every step gets its own seed derived from the
 * pipeline's seed, so `pipeline(x, seed)` is reproducible. Steps that change the image size
 * (crops) must have p = 1.
 *
 * @example
 * const view = composeAugmentations([
 *   { name: 'crop', apply: (x, seed) => randomResizedCrop(x, { seed }) },
 *   { name: 'jitter', p: 0.8, apply: (x, seed) => colorJitter(x, { brightness: 0.4, seed }) },
 * ]);
 * const v1 = view(x, 1);
 */
export function composeAugmentations(steps: AugmentStep[]): Augmentation {
  for (const step of steps) checkProbability('composeAugmentations', `p of step '${step.name}'`, step.p ?? 1);
  return (x: tf.Tensor4D, seed: number) => {
    checkImageBatch('composeAugmentations', x);
    checkImages01('composeAugmentations', x);
    const rng = createRng(seed);
    // checked once here: every step maps [0, 1] to [0, 1], so the steps skip their own range reads
    return withCheckedImages(() => tf.tidy(() => {
      let y = x;
      for (const step of steps) {
        const stepSeed = rng.seed();
        const p = step.p ?? 1;
        const mask = p < 1 ? drawMask(rng, y.shape[0], p) : null;
        const input = y;
        y = mask ? applyToSome(`composeAugmentations (step '${step.name}')`, input, mask, (chosen) => step.apply(chosen, stepSeed)) : step.apply(input, stepSeed);
      }
      return y === x ? x.clone() : y;
    }));
  };
}
