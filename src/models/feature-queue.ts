import * as tf from '@tensorflow/tfjs';
import { createRng } from '../backend/seed';
import { l2NormalizeRows } from '../losses/common';
import { BaseModule, seededNormal } from './module';
import { resolveConfig } from '../config';

/** Configuration of `FeatureQueue`. */
export interface FeatureQueueConfig {
  /** K, the number of keys kept (MoCo: 65536 on ImageNet, 4096 on CIFAR); the moco recipe's `queueSize`. */
  queueSize: number;
  /** D, the key size. */
  dim: number;
  /** Seed of the initial random unit keys (MoCo starts from normalised Gaussian noise). */
  seed: number;
}

/** MoCo's CIFAR-10 queue: 4096 keys of 128 numbers, seed 0. */
export function defaultFeatureQueueConfig(): FeatureQueueConfig {
  return { queueSize: 4096, dim: 128, seed: 0 };
}

/**
 * MoCo's dictionary: a FIFO queue of the last K keys, [K, D], overwritten in place at a
 * moving pointer (MoCo's `_dequeue_and_enqueue`).
 *
 * Enqueue once per step, AFTER computing the loss with the current queue, so a batch's own
 * keys are never its negatives. Unlike the official code (which asserts K % N == 0), a batch
 * that crosses the end wraps around to the start.
 *
 * Paper: He et al., MoCo (CVPR 2020), Sec. 3.2 ("Dictionary as a queue").
 *
 * @example
 * const queue = new FeatureQueue({ queueSize: 4096, dim: 64, seed: 3 });
 * const loss = infoNceLoss(q, k, queue.keys);
 * queue.enqueue(k);
 */
export class FeatureQueue extends BaseModule<tf.Tensor2D, tf.Tensor2D> {
  private readonly queue: tf.Variable;
  private readonly ptr: tf.Variable;
  readonly config: FeatureQueueConfig;
  /** K (config.queueSize). */
  readonly queueSize: number;
  /** D (config.dim). */
  readonly dim: number;

  /** @throws "Error in FeatureQueue: ..." for a queue size or dim that is not a positive integer, or an unknown config key. */
  constructor(config: Partial<FeatureQueueConfig> = {}) {
    super('FeatureQueue');
    this.config = resolveConfig('FeatureQueue', defaultFeatureQueueConfig(), config);
    const { queueSize, dim, seed } = this.config;
    if (!Number.isInteger(queueSize) || queueSize < 1 || !Number.isInteger(dim) || dim < 1) {
      throw new Error(`Error in FeatureQueue: queueSize and dim must be positive integers, but got ${String(queueSize)} and ${String(dim)}`);
    }
    this.queueSize = queueSize;
    this.dim = dim;
    const init = tf.tidy(() => l2NormalizeRows(seededNormal([queueSize, dim], 1, createRng(seed))));
    this.queue = this.addWeight('keys', init, false);
    this.ptr = this.addWeight('pointer', tf.scalar(0, 'int32'), false);
  }

  /** The queue, [K, D] (the live variable: do not dispose it). Row order is storage order. */
  get keys(): tf.Tensor2D {
    return this.queue as unknown as tf.Tensor2D;
  }

  /** Where the next key will be written. */
  get pointer(): number {
    return this.ptr.dataSync()[0];
  }

  /** Returns the queue itself (for the Module interface); same as `keys`. */
  apply(): tf.Tensor2D {
    return tf.clone(this.keys);
  }

  /**
   * Write `keys` ([N, D], N <= K) at the pointer, oldest first out, and advance the pointer by N
   * (mod K). The values are copied: later changes to `keys` do not reach the queue, nor does
   * any gradient.
   */
  enqueue(keys: tf.Tensor2D): void {
    if (keys.rank !== 2 || keys.shape[1] !== this.dim) {
      throw new Error(`Error in FeatureQueue.enqueue: keys must be [N, ${this.dim}], but got shape [${keys.shape.join(',')}]`);
    }
    const n = keys.shape[0];
    if (n > this.queueSize) {
      throw new Error(`Error in FeatureQueue.enqueue: a batch of ${n} keys does not fit a queue of ${this.queueSize}`);
    }
    const ptr = this.pointer;
    tf.tidy(() => {
      const k = this.queueSize;
      const first = Math.min(n, k - ptr); // rows written before wrapping
      const rest = n - first; // rows written at the start
      const parts: tf.Tensor[] = [];
      if (rest > 0) parts.push(tf.slice(keys, [first, 0], [rest, this.dim]));
      const keepFrom = rest;
      if (ptr > keepFrom) parts.push(tf.slice(this.queue, [keepFrom, 0], [ptr - keepFrom, this.dim]));
      parts.push(tf.slice(keys, [0, 0], [first, this.dim]));
      const after = ptr + first;
      if (after < k) parts.push(tf.slice(this.queue, [after, 0], [k - after, this.dim]));
      this.queue.assign(tf.concat(parts, 0)); // [K, D]
      this.ptr.assign(tf.scalar((ptr + n) % k, 'int32'));
    });
  }
}
