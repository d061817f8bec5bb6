import { createRng, shuffle } from '../backend/seed';

/**
 * The seed for the random draws of one training step (augmentations, masking), a pure function
 * of the run's seed and the step. Because every draw of a run comes from (seed, step), a run
 * resumed at step s draws exactly what the uninterrupted run drew: no generator state needs
 * saving.
 *
 * @example
 * const [x1, x2] = simclrViews(x, { seed: stepSeed(config.seed, step) });
 */
export function stepSeed(seed: number, step: number): number {
  return createRng(`${seed}:step:${step}`).seed();
}

/** Options of `batchIndices`. */
export interface BatchIndicesOptions {
  /** Rows in the dataset. */
  n: number;
  batchSize: number;
  /** Seed of the per-epoch permutations. */
  seed: number;
}

/**
 * The dataset rows of batch `step` when every epoch visits the rows in a fresh seeded order and
 * the last incomplete batch of an epoch is dropped (so every batch has `batchSize` rows).
 * Random access: batch s is computed without drawing batches 0..s-1, which lets `fit` resume
 * at any step. The permutation of epoch e comes from createRng(`${seed}:epoch:${e}`).
 *
 * @returns `{ indices, epoch }` with indices of length batchSize.
 * @throws if batchSize > n or the options are not positive integers.
 * @example
 * const data = (step: number) => ({ x: tf.gather(xTrain, batchIndices(step, { n: 50000, batchSize: 256, seed: 0 }).indices) });
 */
export function batchIndices(step: number, options: BatchIndicesOptions): { indices: Int32Array; epoch: number } {
  const { n, batchSize, seed } = options;
  if (!(Number.isInteger(n) && Number.isInteger(batchSize) && batchSize > 0 && batchSize <= n)) {
    throw new Error(`Error in batchIndices: need integers 0 < batchSize <= n, but got batchSize ${batchSize} and n ${n}`);
  }
  const perEpoch = Math.floor(n / batchSize);
  const epoch = Math.floor(step / perEpoch);
  const b = step % perEpoch;
  let order = permutationCache.get(`${n}:${seed}:${epoch}`);
  if (!order) {
    order = Int32Array.from(shuffle([...Array(n).keys()], createRng(`${seed}:epoch:${epoch}`)));
    if (permutationCache.size > 4) permutationCache.clear();
    permutationCache.set(`${n}:${seed}:${epoch}`, order);
  }
  return { indices: order.slice(b * batchSize, (b + 1) * batchSize), epoch };
}

const permutationCache = new Map<string, Int32Array>();

/** Steps in one epoch of `batchIndices`: floor(n / batchSize). */
export function stepsPerEpoch(n: number, batchSize: number): number {
  return Math.floor(n / batchSize);
}
