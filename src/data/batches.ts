import * as tf from '@tensorflow/tfjs';
import { createRng, shuffle as shuffleInPlace } from '../backend/seed';

/** A column of a dataset: a tensor (rows along axis 0), a plain array or a typed array. */
export type BatchColumn = tf.Tensor | readonly unknown[] | Int32Array | Float32Array | Uint8Array;

/** Where a batch sits in the run. */
export interface BatchInfo {
  /** Epoch, from 0. */
  epoch: number;
  /** Batch number over the whole run (all epochs), from 0. */
  step: number;
  /** The dataset rows in this batch, in batch order. */
  indices: Int32Array;
}

/** Options of `batches`. */
export interface BatchesOptions {
  batchSize: number;
  /** Reshuffle the rows at the start of every epoch (default false: file order). */
  shuffle?: boolean;
  /** Seed of the shuffles; required when shuffle is true. */
  seed?: number;
  /** Skip the last, smaller batch of each epoch (default false). */
  dropLast?: boolean;
  /** Passes over the data (default 1). */
  numEpochs?: number;
}

const RESERVED = ['epoch', 'step', 'indices'];

function rowCount(column: BatchColumn): number {
  return column instanceof tf.Tensor ? (column.rank === 0 ? -1 : column.shape[0]) : column.length;
}

function take(column: BatchColumn, indices: Int32Array): BatchColumn {
  if (column instanceof tf.Tensor) {
    return tf.tidy(() => tf.gather(column, tf.tensor1d(indices, 'int32')));
  }
  if (Array.isArray(column)) return Array.from(indices, (i) => column[i]);
  const typed = column as Int32Array | Float32Array | Uint8Array;
  const out = new (typed.constructor as new (n: number) => typeof typed)(indices.length);
  indices.forEach((i, k) => (out[k] = typed[i]));
  return out;
}

/** Number of batches one epoch of `n` rows gives. */
export function batchesPerEpoch(n: number, batchSize: number, dropLast = false): number {
  return dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);
}

/**
 * Iterate over a dataset in mini-batches, optionally reshuffled (seeded) every epoch.
 * Every column (tensors, arrays, typed arrays of the same length) is sliced with the same rows.
 *
 * Memory: the iterator holds no tensors of its own. Each yielded batch's tensors are new
 * (tf.gather) and OWNED BY THE CALLER: dispose them (or create them inside tf.tidy) when done.
 * Stopping early (break) leaks nothing. The dataset's own tensors are never disposed.
 *
 * @example
 * for (const batch of batches({ x: images, y: labels }, { batchSize: 256, shuffle: true, seed: 0, numEpochs: 3 })) {
 *   trainStep(batch.x, batch.y, batch.epoch);
 *   tf.dispose([batch.x, batch.y]);
 * }
 * @throws "Error in batches: ..." when columns differ in length or options are out of range.
 */
export function* batches<T extends Record<string, BatchColumn>>(
  data: T,
  options: BatchesOptions,
): Generator<T & BatchInfo, void, undefined> {
  const allowed = ['batchSize', 'shuffle', 'seed', 'dropLast', 'numEpochs'];
  for (const key of Object.keys(options)) {
    if (!allowed.includes(key)) throw new Error(`Error in batches: Unknown config key: ${key} (expected one of ${allowed.join(', ')})`);
  }
  const { batchSize, shuffle = false, seed, dropLast = false, numEpochs = 1 } = options;
  const names = Object.keys(data);
  if (names.length === 0) throw new Error('Error in batches: the dataset has no columns');
  for (const name of names) {
    if (RESERVED.includes(name)) throw new Error(`Error in batches: column name '${name}' is reserved (${RESERVED.join(', ')})`);
  }
  if (!(Number.isInteger(batchSize) && batchSize > 0)) {
    throw new Error(`Error in batches: batchSize must be a positive integer, but got ${batchSize}`);
  }
  if (!(Number.isInteger(numEpochs) && numEpochs >= 0)) throw new Error(`Error in batches: numEpochs must be a non-negative integer, but got ${numEpochs}`);
  if (shuffle && seed === undefined) throw new Error('Error in batches: shuffle needs a seed');
  const n = rowCount(data[names[0]]);
  for (const name of names) {
    const rows = rowCount(data[name]);
    if (rows !== n) throw new Error(`Error in batches: ${names[0]} has ${n} rows but ${name} has ${rows}`);
  }
  const rng = createRng(seed ?? 0);
  const order = [...Array(n).keys()];
  const perEpoch = batchesPerEpoch(n, batchSize, dropLast);
  let step = 0;
  for (let epoch = 0; epoch < numEpochs; epoch++) {
    if (shuffle) shuffleInPlace(order, rng);
    for (let b = 0; b < perEpoch; b++) {
      const indices = Int32Array.from(order.slice(b * batchSize, Math.min(n, (b + 1) * batchSize)));
      const batch: Record<string, unknown> = {};
      for (const name of names) batch[name] = take(data[name], indices);
      yield { ...(batch as T), epoch, step: step++, indices };
    }
  }
}
