import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { createRng, shuffle } from '../backend/seed';
import {
  CIFAR10_CLASSES,
  CIFAR10_FILES,
  CIFAR10_RECORD_BYTES,
  defaultCifar10Dir,
  type ExpectedFile,
} from './cifar10';

/** Options of `loadCifar10`. */
export interface LoadCifar10Options {
  /** 'train' (50,000 images, data_batch_1..5.bin) or 'test' (10,000, test_batch.bin). */
  split: 'train' | 'test';
  /** Keep only this many images (default: all). */
  limit?: number;
  /**
   * Shuffle seed. Without it images come in file order (and `limit` takes the first ones);
   * with it the order is a seeded random permutation, so `limit` takes a uniformly random
   * subset (not stratified: class counts vary a little; use `labelSubset` for exact per-class counts).
   */
  seed?: number;
  /** Folder holding the .bin files (default `<data dir>/cifar10`). */
  dir?: string;
  /** The files to read (default CIFAR10_FILES); tests pass a small fixture's. */
  files?: readonly ExpectedFile[];
}

/** An image classification dataset held as tensors. */
export interface ImageDataset {
  /** Images, NHWC float32 in [0, 1]. */
  x: tf.Tensor4D;
  /** Integer class labels, int32. */
  y: tf.Tensor1D;
  /** Name of each class, indexed by label. */
  classNames: readonly string[];
}

/**
 * Load a CIFAR-10 split from the official binary files written by `npm run data`.
 * One typed-array pass per file, no image decoding: the whole training set loads in about a second.
 *
 * @returns `{ x: [N, 32, 32, 3] float32 in [0, 1], y: [N] int32, classNames }`; the caller owns x and y.
 * @throws "Error in loadCifar10: ... run `npm run data` ..." when the data is missing or truncated.
 * @example
 * const { x, y } = loadCifar10({ split: 'test', limit: 1000, seed: 0 });
 */
export function loadCifar10(options: LoadCifar10Options): ImageDataset {
  for (const key of Object.keys(options)) {
    if (!['split', 'limit', 'seed', 'dir', 'files'].includes(key)) {
      throw new Error(`Error in loadCifar10: Unknown config key: ${key} (expected one of split, limit, seed, dir, files)`);
    }
  }
  const { split, limit, seed } = options;
  if (split !== 'train' && split !== 'test') {
    throw new Error(`Error in loadCifar10: split must be 'train' or 'test', but got ${JSON.stringify(split)}`);
  }
  const dir = path.resolve(options.dir ?? defaultCifar10Dir());
  const all = options.files ?? CIFAR10_FILES;
  const files = all.filter((f) => (split === 'test') === f.name.startsWith('test_batch'));
  const counts = files.map((f) => {
    const file = path.join(dir, f.name);
    let size: number;
    try {
      size = fs.statSync(file).size;
    } catch {
      throw new Error(
        `Error in loadCifar10: CIFAR-10 is not in ${dir} (missing ${f.name}); run \`npm run data\` to download and convert it`,
      );
    }
    if (size !== f.bytes) {
      throw new Error(
        `Error in loadCifar10: ${file} has ${size} bytes, expected ${f.bytes}; run \`npm run data\` to rebuild it`,
      );
    }
    return size / CIFAR10_RECORD_BYTES;
  });
  const total = counts.reduce((a, b) => a + b, 0);
  if (limit !== undefined && !(Number.isInteger(limit) && limit > 0)) {
    throw new Error(`Error in loadCifar10: limit must be a positive integer, but got ${limit}`);
  }
  const n = Math.min(limit ?? total, total);

  // order[k] = global index of the k-th image returned.
  let order: number[] = [...Array(total).keys()];
  if (seed !== undefined) order = shuffle(order, createRng(seed));
  order = order.slice(0, n);
  // where[g] = output slot of global image g, or -1 when not selected.
  const where = new Int32Array(total).fill(-1);
  order.forEach((g, k) => (where[g] = k));

  const x = new Float32Array(n * 3072);
  const y = new Int32Array(n);
  let base = 0;
  for (const [i, f] of files.entries()) {
    const buf = fs.readFileSync(path.join(dir, f.name));
    for (let r = 0; r < counts[i]; r++) {
      const k = where[base + r];
      if (k < 0) continue;
      const o = r * CIFAR10_RECORD_BYTES;
      y[k] = buf[o];
      // record: label, R plane (1024), G plane, B plane  ->  NHWC: pixel p, channel c at p*3+c
      const dst = k * 3072;
      for (let p = 0; p < 1024; p++) {
        x[dst + 3 * p] = buf[o + 1 + p] / 255;
        x[dst + 3 * p + 1] = buf[o + 1025 + p] / 255;
        x[dst + 3 * p + 2] = buf[o + 2049 + p] / 255;
      }
    }
    base += counts[i];
  }
  return {
    x: tf.tensor4d(x, [n, 32, 32, 3], 'float32'),
    y: tf.tensor1d(y, 'int32'),
    classNames: CIFAR10_CLASSES,
  };
}

