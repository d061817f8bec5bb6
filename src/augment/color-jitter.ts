import * as tf from '@tensorflow/tfjs';
import { createRng, shuffle } from '../backend/seed';
import { adjustHue } from './adjust-color';
import { blendSamples, checkImageBatch, checkImages01, drawUniform, perSample, withCheckedImages } from './per-sample';
import { rgbToGrayscale } from './rgb-to-grayscale';

type Kind = 'brightness' | 'contrast' | 'saturation' | 'hue';

/** Options of `colorJitter`: strengths as in torchvision's ColorJitter (0 turns an adjustment off). */
export interface ColorJitterOptions {
  /** Brightness factor drawn from [max(0, 1 - b), 1 + b]. */
  brightness?: number;
  /** Contrast factor drawn from [max(0, 1 - c), 1 + c]. */
  contrast?: number;
  /** Saturation factor drawn from [max(0, 1 - s), 1 + s]. */
  saturation?: number;
  /** Hue shift drawn from [-h, h] turns, h <= 0.5. */
  hue?: number;
  /** Apply the adjustments in a random order drawn per sample (default true, as SimCLR's code may). */
  randomOrder?: boolean;
  seed: number;
}

/**
 * Random colour jitter with per-sample factors: brightness, contrast, saturation and hue
 * (via RGB <-> HSV), each factor drawn uniformly per sample, applied in a per-sample random
 * order. SimCLR's colour distortion of strength s is brightness = contrast = saturation = 0.8 s,
 * hue = 0.2 s (CIFAR-10: s = 0.5), applied with probability 0.8.
 *
 * Implementation: at each of the (up to) four steps, brightness, contrast and saturation are
 * one fused per-sample formula (the samples doing hue at that step get factor 1, an exact
 * no-op), and hue runs on the batch and is kept for the samples doing hue at that step. The
 * random order thus costs about four hue rotations; `randomOrder: false` (brightness, contrast,
 * saturation, hue) is cheaper, as in the SimCLR paper's pseudo-code.
 *
 * @param x - [B, H, W, 3] images in [0, 1].
 * @returns jittered images, same shape, in [0, 1].
 * @throws "Error in colorJitter: ..." for a bad batch or strengths.
 * @example
 * const y = colorJitter(x, { brightness: 0.4, contrast: 0.4, saturation: 0.4, hue: 0.1, seed: 1 });
 * @see notebooks/10.3.2-augmentations.ipynb
 */
export function colorJitter(x: tf.Tensor4D, options: ColorJitterOptions): tf.Tensor4D {
  checkImageBatch('colorJitter', x, 3);
  checkImages01('colorJitter', x);
  const { brightness = 0, contrast = 0, saturation = 0, hue = 0, randomOrder = true, seed } = options;
  for (const [name, v] of [['brightness', brightness], ['contrast', contrast], ['saturation', saturation]] as const) {
    if (!(v >= 0)) throw new Error(`Error in colorJitter: ${name} must be >= 0, but got ${v}`);
  }
  if (!(hue >= 0 && hue <= 0.5)) throw new Error(`Error in colorJitter: hue must be in [0, 0.5], but got ${hue}`);
  const n = x.shape[0];
  const rng = createRng(seed);
  const kinds: { kind: Kind; f: number[] }[] = [];
  if (brightness > 0) kinds.push({ kind: 'brightness', f: drawUniform(rng, n, Math.max(0, 1 - brightness), 1 + brightness) });
  if (contrast > 0) kinds.push({ kind: 'contrast', f: drawUniform(rng, n, Math.max(0, 1 - contrast), 1 + contrast) });
  if (saturation > 0) kinds.push({ kind: 'saturation', f: drawUniform(rng, n, Math.max(0, 1 - saturation), 1 + saturation) });
  if (hue > 0) kinds.push({ kind: 'hue', f: drawUniform(rng, n, -hue, hue) });
  const steps = kinds.map((_, j) => j);
  // order[i][k] = the adjustment sample i gets at step k
  const order = Array.from({ length: n }, () => (randomOrder ? shuffle([...steps], rng) : steps));
  return tf.tidy(() => {
    let y: tf.Tensor4D = x;
    for (let k = 0; k < steps.length; k++) {
      const at = order.map((o) => kinds[o[k]].kind);
      const factor = (i: number) => kinds[order[i][k]].f[i];
      if (at.some((a) => a !== 'hue')) {
        // brightness, contrast and saturation are one formula, out = clip(f y + (1 - f) ref), with
        // ref = 0, the image's mean grey, or each pixel's grey; f = 1 leaves a sample unchanged.
        const f = perSample(at.map((a, i) => (a === 'hue' ? 1 : factor(i))));
        let ref: tf.Tensor | null = null;
        if (at.includes('saturation') || at.includes('contrast')) {
          const gray = rgbToGrayscale(y); // [B, H, W, 1]
          const sat = at.includes('saturation') ? gray.mul(perSample(at.map((a) => (a === 'saturation' ? 1 : 0)))) : null;
          const con = at.includes('contrast')
            ? gray.mean([1, 2, 3], true).mul(perSample(at.map((a) => (a === 'contrast' ? 1 : 0)))) // [B, 1, 1, 1]
            : null;
          ref = sat && con ? sat.add(con) : (sat ?? con);
        }
        const scaled = y.mul(f);
        y = (ref ? scaled.add(tf.scalar(1).sub(f).mul(ref)) : scaled).clipByValue(0, 1) as tf.Tensor4D;
      }
      if (at.includes('hue')) {
        const mask = at.map((a) => a === 'hue');
        // y stays in [0, 1], so adjustHue need not read it back to check
        y = blendSamples(y, withCheckedImages(() => adjustHue(y, mask.map((m, i) => (m ? factor(i) : 0)))), mask);
      }
    }
    return y === x ? x.clone() : y;
  });
}
