import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../backend/seed';

/**
 * Helpers shared by the augmentations: validation, per-sample random draws (always from a
 * seeded Rng in JS, so an op gives the same result on every backend), and applying an op to
 * a chosen subset of the batch.
 */

/** An augmentation: a batch of images and a seed in, a batch of images out (a new tensor). */
export type Augmentation = (x: tf.Tensor4D, seed: number) => tf.Tensor4D;

/** Throw the fixed-form error unless `x` is a [B, H, W, C] batch (with C = `channels` when given). */
export function checkImageBatch(fn: string, x: tf.Tensor, channels?: number): asserts x is tf.Tensor4D {
  if (!(x instanceof tf.Tensor) || x.rank !== 4 || (channels !== undefined && x.shape[3] !== channels)) {
    const want = channels === undefined ? '[B, H, W, C]' : `[B, H, W, ${channels}]`;
    const got = x instanceof tf.Tensor ? `[${x.shape.join(',')}]` : typeof x;
    throw new Error(`Error in ${fn}: x must be a ${want} image batch, but got shape ${got}`);
  }
}

let checkedDepth = 0;

/**
 * Run `fn` with the value-range part of `checkImages01` skipped: for a pipeline whose input was
 * checked once at its entry, since every step maps [0, 1] to [0, 1]. Without it the course's
 * view pipeline read its intermediates back 11 times per training step.
 */
export function withCheckedImages<T>(fn: () => T): T {
  checkedDepth++;
  try {
    return fn();
  } finally {
    checkedDepth--;
  }
}

/**
 * Throw the fixed-form error unless `x` is float32 with values in [0, 1] (a hair outside is
 * float rounding and allowed): the convention of every augmentation. The commonest mistake, 8-bit
 * pixels in 0..255, gets "images must be float32 in [0, 1], but got values up to 255 (divide by
 * 255)". Costs one small reduction and one read of two numbers.
 */
export function checkImages01(fn: string, x: tf.Tensor): void {
  if (x.dtype !== 'float32') throw new Error(`Error in ${fn}: images must be float32 in [0, 1], but got dtype ${x.dtype} (use tf.cast(x, 'float32') and divide by 255)`);
  if (x.size === 0 || checkedDepth > 0) return;
  const [max, min] = tf.tidy(() => Array.from(tf.stack([tf.max(x), tf.min(x)]).dataSync()));
  if (Number.isNaN(max) || Number.isNaN(min)) throw new Error(`Error in ${fn}: images must be float32 in [0, 1], but got NaN values`);
  if (max > 1 + 1e-3) {
    const hint = max > 2 ? 'divide by 255' : 'standardise with normalizeImages after the augmentations, not before';
    throw new Error(`Error in ${fn}: images must be float32 in [0, 1], but got values up to ${max} (${hint})`);
  }
  if (min < -1e-3) {
    throw new Error(`Error in ${fn}: images must be float32 in [0, 1], but got values down to ${min} (standardise with normalizeImages after the augmentations, not before)`);
  }
}

/** Throw the fixed-form error unless 0 <= p <= 1. */
export function checkProbability(fn: string, name: string, p: number): void {
  if (!(p >= 0 && p <= 1)) throw new Error(`Error in ${fn}: ${name} must be in [0, 1], but got ${p}`);
}

/**
 * Throw the fixed-form error unless range = [lo, hi] with min <= lo <= hi <= max (min < lo when
 * `openMin`), e.g. "Error in randomResizedCrop: scale must satisfy 0 < lo <= hi <= 1, but got [0.5, 0.2]".
 */
export function checkRange(
  fn: string, name: string, range: readonly [number, number], min: number, max: number, openMin = false,
): void {
  const [lo, hi] = range;
  if (!((openMin ? lo > min : lo >= min) && hi <= max && lo <= hi)) {
    const rule = `${min} ${openMin ? '<' : '<='} lo <= hi${max === Infinity ? '' : ` <= ${max}`}`;
    throw new Error(`Error in ${fn}: ${name} must satisfy ${rule}, but got [${lo}, ${hi}]`);
  }
}

/** n draws uniform in [lo, hi). */
export function drawUniform(rng: Rng, n: number, lo: number, hi: number): number[] {
  return Array.from({ length: n }, () => lo + (hi - lo) * rng.next());
}

/** n coin flips, each true with probability p. */
export function drawMask(rng: Rng, n: number, p: number): boolean[] {
  return Array.from({ length: n }, () => rng.next() < p);
}

/** One scalar per sample, shaped [B, 1, 1, 1] to broadcast over an NHWC batch. */
export function perSample(values: number[]): tf.Tensor4D {
  return tf.tensor4d(values, [values.length, 1, 1, 1], 'float32');
}

/**
 * Per-sample choice between two batches of the same shape: out[i] = mask[i] ? yes[i] : no[i],
 * computed as no (1 - m) + yes m with m in {0, 1} (exact, and cheap on every backend:
 * gather and broadcast `where` are slow on wasm).
 */
export function blendSamples(no: tf.Tensor4D, yes: tf.Tensor4D, mask: boolean[]): tf.Tensor4D {
  return tf.tidy(() => {
    const m = perSample(mask.map((v) => (v ? 1 : 0)));
    return no.mul(tf.scalar(1).sub(m)).add(yes.mul(m)) as tf.Tensor4D;
  });
}

/**
 * Apply `op` to the samples where `mask` is true and keep the others unchanged. The op runs on
 * the whole batch (so it must keep the per-sample shape) and the result is chosen per sample.
 */
export function applyToSome(fn: string, x: tf.Tensor4D, mask: boolean[], op: (x: tf.Tensor4D) => tf.Tensor4D): tf.Tensor4D {
  return tf.tidy(() => {
    if (!mask.some((m) => m)) return x.clone();
    const y = op(x);
    if (y.shape.join() !== x.shape.join()) {
      throw new Error(
        `Error in ${fn}: an op applied with probability < 1 must keep the image shape [${x.shape.slice(1).join(',')}], but it gave [${y.shape.slice(1).join(',')}]`,
      );
    }
    return mask.every((m) => m) ? y : blendSamples(x, y, mask);
  });
}
