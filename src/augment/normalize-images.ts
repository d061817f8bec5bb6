import * as tf from '@tensorflow/tfjs';
import { CIFAR10_MEAN, CIFAR10_STD } from '../data/cifar10';
import { checkImageBatch } from './per-sample';

/** Per-channel statistics (default: CIFAR-10's training mean and std). */
export interface ChannelStats {
  mean?: readonly number[];
  std?: readonly number[];
}

function stats(fn: string, x: tf.Tensor4D, options: ChannelStats): [tf.Tensor1D, tf.Tensor1D] {
  checkImageBatch(fn, x);
  const { mean = CIFAR10_MEAN, std = CIFAR10_STD } = options;
  const c = x.shape[3];
  if (mean.length !== c || std.length !== c) {
    throw new Error(`Error in ${fn}: mean and std need ${c} values (one per channel), but got ${mean.length} and ${std.length}`);
  }
  return [tf.tensor1d(mean as number[]), tf.tensor1d(std as number[])];
}

/**
 * Standardise each channel: out = (x - mean) / std. The result is no longer in [0, 1]: apply
 * it last, just before the encoder.
 * @param x - [B, H, W, C] images.
 * @example
 * const input = normalizeImages(views);            // CIFAR-10 statistics
 */
export function normalizeImages(x: tf.Tensor4D, options: ChannelStats = {}): tf.Tensor4D {
  return tf.tidy(() => {
    const [mean, std] = stats('normalizeImages', x, options);
    return x.sub(mean).div(std);
  });
}

/** Undo `normalizeImages` (for showing images): out = x std + mean. */
export function denormalizeImages(x: tf.Tensor4D, options: ChannelStats = {}): tf.Tensor4D {
  return tf.tidy(() => {
    const [mean, std] = stats('denormalizeImages', x, options);
    return x.mul(std).add(mean);
  });
}
