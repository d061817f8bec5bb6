import * as tf from '@tensorflow/tfjs';
import { createRng } from '../backend/seed';
import { applyToSome, checkImageBatch, checkImages01, checkProbability, checkRange, drawMask, drawUniform } from './per-sample';

/** Options of `gaussianBlur`. */
export interface GaussianBlurOptions {
  /** Range the per-sample sigma (in pixels) is drawn from (default [0.1, 2], SimCLR/BYOL). */
  sigma?: [number, number];
  /** Odd kernel side (default: about 10% of the image height, odd, at least 3, as SimCLR). */
  kernelSize?: number;
  /** Probability of blurring each sample (default 1). */
  p?: number;
  seed: number;
}

/** Index of position i after reflect padding ("dcb|abcd|cba") in a line of n pixels. */
function reflect(i: number, n: number): number {
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const m = ((i % period) + period) % period;
  return m < n ? m : period - m;
}

/**
 * The n x n matrix of a 1-D gaussian blur with reflect padding: out[i] = sum_j M[i][j] in[j],
 * M[i][reflect(i + t)] += w(t), w(t) = exp(-t^2 / (2 sigma^2)) / sum, t = -r..r.
 */
export function blurMatrix(n: number, sigma: number, kernelSize: number): Float32Array {
  const r = (kernelSize - 1) / 2;
  const w = Array.from({ length: kernelSize }, (_, k) => Math.exp(-((k - r) ** 2) / (2 * sigma * sigma)));
  const total = w.reduce((a, b) => a + b, 0);
  const m = new Float32Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < kernelSize; k++) m[i * n + reflect(i + k - r, n)] += w[k] / total;
  return m;
}

/**
 * Gaussian blur with a random sigma per sample. Separable and batched as two matrix products,
 * one per axis (out = M_H x M_W^T per channel, with each sample's own blur matrices), so
 * samples can have different sigmas in one op and it needs only BatchMatMul, which every
 * backend has.
 *
 * @param x - [B, H, W, C] images.
 * @returns same shape; values stay in the input's range (weights are positive and sum to 1).
 */
export function gaussianBlur(x: tf.Tensor4D, options: GaussianBlurOptions): tf.Tensor4D {
  checkImageBatch('gaussianBlur', x);
  checkImages01('gaussianBlur', x);
  const [, height, width, channels] = x.shape;
  const { sigma = [0.1, 2], p = 1, seed } = options;
  const kernelSize = options.kernelSize ?? Math.max(3, 2 * Math.floor((0.1 * height) / 2) + 1);
  if (!(Number.isInteger(kernelSize) && kernelSize % 2 === 1 && kernelSize > 0)) {
    throw new Error(`Error in gaussianBlur: kernelSize must be a positive odd integer, but got ${kernelSize}`);
  }
  checkRange('gaussianBlur', 'sigma', sigma, 0, Infinity, true);
  checkProbability('gaussianBlur', 'p', p);
  const rng = createRng(seed);
  const mask = drawMask(rng, x.shape[0], p);
  const sigmas = drawUniform(rng, x.shape[0], sigma[0], sigma[1]);
  return applyToSome('gaussianBlur', x, mask, (chosen) =>
    tf.tidy(() => {
      const s = mask.flatMap((m, i) => (m ? [sigmas[i]] : []));
      const b = chosen.shape[0];
      const stack = (n: number) => {
        const data = new Float32Array(b * n * n);
        s.forEach((sg, i) => data.set(blurMatrix(n, sg, kernelSize), i * n * n));
        return tf.tensor3d(data, [b, n, n]);
      };
      // along H: [B, H, H] @ [B, H, W*C]
      const alongH = tf.matMul(stack(height), chosen.reshape([b, height, width * channels])); // [B, H, W*C]
      // along W: bring W first: [B, H, W, C] -> [B, W, H, C] -> [B, W, H*C]
      const wFirst = alongH.reshape([b, height, width, channels]).transpose([0, 2, 1, 3]).reshape([b, width, height * channels]);
      const alongW = tf.matMul(stack(width), wFirst); // [B, W, H*C]
      return alongW.reshape([b, width, height, channels]).transpose([0, 2, 1, 3]) as tf.Tensor4D; // [B, H, W, C]
    }),
  );
}
