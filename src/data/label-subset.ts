import * as tf from '@tensorflow/tfjs';
import { createRng, shuffle } from '../backend/seed';

/** Options of `labelSubset`: give exactly one of `fraction` and `perClass`. */
export interface LabelSubsetOptions {
  /** Fraction of each class to keep, in (0, 1]: per class round(fraction * count), at least 1. */
  fraction?: number;
  /** Exactly this many examples of each class. */
  perClass?: number;
  /** Seed of the per-class draw. */
  seed: number;
}

/**
 * Choose a class-balanced subset of labelled examples, e.g. the 1% or 10% of labels kept in
 * label-efficiency experiments (SimCLR, Table 7). Within each class the kept examples are a
 * seeded uniform draw; the same seed and labels give the same subset.
 *
 * @param labels - one integer class label per example (array or 1-D tensor).
 * @returns indices of the kept examples, ascending.
 * @throws "Error in labelSubset: ..." on bad options or when a class has fewer than perClass examples.
 * @example
 * const keep = labelSubset(yTrain, { fraction: 0.01, seed: 0 }); // 50 per class of CIFAR-10
 */
export function labelSubset(labels: ArrayLike<number> | tf.Tensor, options: LabelSubsetOptions): Int32Array {
  const { fraction, perClass, seed } = options;
  if ((fraction === undefined) === (perClass === undefined)) {
    throw new Error('Error in labelSubset: give exactly one of fraction and perClass');
  }
  if (fraction !== undefined && !(fraction > 0 && fraction <= 1)) {
    throw new Error(`Error in labelSubset: fraction must be in (0, 1], but got ${fraction}`);
  }
  if (perClass !== undefined && !(Number.isInteger(perClass) && perClass > 0)) {
    throw new Error(`Error in labelSubset: perClass must be a positive integer, but got ${perClass}`);
  }
  const values = labels instanceof tf.Tensor ? labels.dataSync() : labels;
  const byClass = new Map<number, number[]>();
  for (let i = 0; i < values.length; i++) {
    const c = values[i];
    if (!byClass.has(c)) byClass.set(c, []);
    byClass.get(c)!.push(i);
  }
  const rng = createRng(seed);
  const kept: number[] = [];
  for (const c of [...byClass.keys()].sort((a, b) => a - b)) {
    const members = byClass.get(c)!;
    const k = perClass ?? Math.max(1, Math.round(fraction! * members.length));
    if (k > members.length) {
      throw new Error(`Error in labelSubset: class ${c} has only ${members.length} examples, but perClass is ${k}`);
    }
    kept.push(...shuffle(members, rng).slice(0, k));
  }
  return Int32Array.from(kept.sort((a, b) => a - b));
}
