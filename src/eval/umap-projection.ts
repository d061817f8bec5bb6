import * as tf from '@tensorflow/tfjs';
import { UMAP } from 'umap-js';
import { createRng } from '../backend/seed';

/** Options of `umapProjection`. */
export interface UmapProjectionOptions {
  /** Output dimensions (default 2). */
  nComponents?: number;
  /** Neighbours of the fuzzy graph (default 15, umap-learn's). */
  nNeighbors?: number;
  /** Minimum distance between embedded points (default 0.1, umap-learn's). */
  minDist?: number;
  /** Optimisation epochs (default: umap-js's choice by data size). */
  nEpochs?: number;
  /** Seed of every random draw (default 0): the same seed gives the same layout. */
  seed?: number;
}

/**
 * A UMAP embedding of the rows of x for scatter plots (umap-js, seeded through createRng).
 * Distances are euclidean on the rows as given: L2-normalise first to compare directions.
 *
 * Paper: McInnes, Healy, Melville, "UMAP: Uniform Manifold Approximation and Projection for
 * Dimension Reduction", 2018.
 *
 * @param x - [N, D] rows (a tensor or arrays), N > nNeighbors.
 * @returns N points of nComponents numbers.
 * @throws "Error in umapProjection: ..." if there are too few rows.
 * @example
 * const points = umapProjection(features, { seed: 0 }); // [[x, y], ...]
 * @see notebooks/10.3.3-simclr.ipynb
 */
export function umapProjection(x: tf.Tensor2D | number[][], options: UmapProjectionOptions = {}): number[][] {
  const { nComponents = 2, nNeighbors = 15, minDist = 0.1, nEpochs, seed = 0 } = options;
  const rows = x instanceof tf.Tensor ? (x.arraySync() as number[][]) : x;
  if (rows.length <= nNeighbors) {
    throw new Error(`Error in umapProjection: need more rows than nNeighbors (${nNeighbors}), but got ${rows.length}`);
  }
  const rng = createRng(seed);
  const umap = new UMAP({ nComponents, nNeighbors, minDist, nEpochs, random: () => rng.next() });
  return umap.fit(rows);
}
