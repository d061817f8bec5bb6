/**
 * fit's data source: a function of the step (the resumable kind), or a sync or async iterator,
 * fast-forwarded past the steps a resumed run has already done. Batches are freed by fit.
 */
import * as tf from '@tensorflow/tfjs';
import type { FitData } from './fit-types';

/** The batch of each step, and a close for an iterator left early. */
export interface FitDataSource<B> {
  next(step: number): Promise<IteratorResult<B>>;
  close(): Promise<void>;
}

export async function openFitData<B>(data: FitData<B>, startStep: number): Promise<FitDataSource<B>> {
  if (typeof data === 'function') {
    const at = data as (step: number) => B;
    return { next: async (step) => ({ done: false, value: at(step) }), close: async () => undefined };
  }
  const iterator: Iterator<B> | AsyncIterator<B> =
    Symbol.asyncIterator in (data as object) ? (data as AsyncIterable<B>)[Symbol.asyncIterator]() : (data as Iterable<B>)[Symbol.iterator]();
  for (let s = 0; s < startStep; s++) {
    const r = await iterator.next();
    if (r.done) break;
    disposeBatch(r.value);
  }
  return {
    next: async () => iterator.next(),
    close: async () => {
      if (iterator.return) await iterator.return();
    },
  };
}

/** Free every tensor of a batch: a tensor, or an object of tensors and arrays of tensors. */
export function disposeBatch(batch: unknown): void {
  if (batch instanceof tf.Tensor) {
    batch.dispose();
  } else if (batch && typeof batch === 'object') {
    for (const value of Object.values(batch)) {
      if (value instanceof tf.Tensor) value.dispose();
      else if (Array.isArray(value)) value.forEach((v) => v instanceof tf.Tensor && v.dispose());
    }
  }
}

/** The `epoch` a batch says it belongs to (the `batches` generator's field), or null. */
export function batchEpoch(batch: unknown): number | null {
  if (batch && typeof batch === 'object' && !(batch instanceof tf.Tensor)) {
    const e = (batch as { epoch?: unknown }).epoch;
    if (typeof e === 'number') return e;
  }
  return null;
}
