import * as tf from '@tensorflow/tfjs';
import { l2NormalizeRows } from '../losses/common';

/** Options of `nearestNeighbors`. */
export interface NearestNeighborsOptions {
  /** Neighbours per query (default 5). */
  k?: number;
  /** Query rows per similarity block (default 256). */
  batchSize?: number;
}

/** The k nearest bank rows of every query, most similar first. */
export interface Neighbors {
  /** indices[q][j]: the bank row of query q's (j+1)-th nearest neighbour. */
  indices: number[][];
  /** similarities[q][j]: its cosine similarity with the query, descending in j. */
  similarities: number[][];
}

/**
 * The k nearest neighbours of each query in a feature bank by cosine similarity (rows are
 * L2-normalised here), for retrieval grids and for reading what a kNN classifier votes with.
 *
 * @param queries - [Q, D] query features.
 * @param bank - [N, D] bank features, N >= k.
 * @returns plain arrays; no tensor is left behind.
 * @throws "Error in nearestNeighbors: ..." for non-2-D inputs, different D, an empty bank or k outside 1..N.
 * @example
 * const { indices } = nearestNeighbors(testFeatures.slice([0, 0], [8, -1]), trainFeatures, { k: 7 });
 * @see notebooks/10.3.3-simclr.ipynb
 */
export function nearestNeighbors(queries: tf.Tensor2D, bank: tf.Tensor2D, options: NearestNeighborsOptions = {}): Neighbors {
  const fn = 'nearestNeighbors';
  for (const key of Object.keys(options)) {
    if (key !== 'k' && key !== 'batchSize') throw new Error(`Error in ${fn}: Unknown config key: ${key} (expected one of k, batchSize)`);
  }
  const { k = 5, batchSize = 256 } = options;
  if (!(queries instanceof tf.Tensor) || queries.rank !== 2) throw new Error(`Error in ${fn}: queries must be 2-D [Q, D], but got shape [${queries?.shape?.join(',')}]`);
  if (!(bank instanceof tf.Tensor) || bank.rank !== 2) throw new Error(`Error in ${fn}: bank must be 2-D [N, D], but got shape [${bank?.shape?.join(',')}]`);
  if (queries.shape[1] !== bank.shape[1]) {
    throw new Error(`Error in ${fn}: queries and bank must have the same D, but got [${queries.shape.join(',')}] and [${bank.shape.join(',')}]`);
  }
  if (bank.shape[0] === 0) throw new Error(`Error in ${fn}: the bank is empty`);
  if (!(Number.isInteger(k) && k >= 1 && k <= bank.shape[0])) {
    throw new Error(`Error in ${fn}: k must be an integer in 1..${bank.shape[0]} (the bank's rows), but got ${k}`);
  }
  if (!(Number.isInteger(batchSize) && batchSize > 0)) throw new Error(`Error in ${fn}: batchSize must be a positive integer, but got ${batchSize}`);
  const indices: number[][] = [];
  const similarities: number[][] = [];
  const bankUnit = l2NormalizeRows(bank);
  try {
    for (let start = 0; start < queries.shape[0]; start += batchSize) {
      const size = Math.min(batchSize, queries.shape[0] - start);
      const [values, idx] = tf.tidy(() => {
        const q = l2NormalizeRows(tf.slice(queries, [start, 0], [size, -1]) as tf.Tensor2D);
        const top = tf.topk(tf.matMul(q, bankUnit, false, true), k);
        return [top.values.arraySync() as number[][], top.indices.arraySync() as number[][]];
      });
      similarities.push(...values);
      indices.push(...idx);
    }
  } finally {
    bankUnit.dispose();
  }
  return { indices, similarities };
}
