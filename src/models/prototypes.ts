import * as tf from '@tensorflow/tfjs';
import { l2NormalizeRows } from '../losses/common';
import { BaseModule, rngFrom, seededUniform } from './module';

/** Options of {@link Prototypes}. */
export interface PrototypesOptions {
  /** D, the embedding size. */
  dim: number;
  /** K, the number of prototypes (clusters). Default 512 for CIFAR-sized runs (SwAV ImageNet: 3000). */
  numPrototypes?: number;
  /** Do not train the prototypes for the first N steps (SwAV: 313 iterations, about one epoch). Default 0. */
  freezeSteps?: number;
  /** Seed of the initialisation. */
  seed: number;
}

/**
 * SwAV's prototypes: K learnable unit vectors c_k, [K, D]; scores are z · c_k for normalised z.
 *
 * Call `normalize()` at the start of every step (the official code L2-normalises the
 * prototype weights before each forward pass, outside the gradient). For the first
 * `freezeSteps` steps the prototypes are not trained: use `trainableVariablesAt(step)` (empty
 * while frozen) when choosing what the optimiser updates — the official code drops their
 * gradient instead, to the same effect.
 *
 * Paper: Caron et al., SwAV (NeurIPS 2020), Sec. 3.1 and App. A ("freeze the prototypes
 * during the first epoch").
 *
 * @example
 * const prototypes = new Prototypes({ dim: 64, numPrototypes: 512, freezeSteps: 300, seed: 4 });
 * prototypes.normalize();
 * const scores = prototypes.apply(l2normalisedZ); // [B, 64] -> [B, 512]
 */
export class Prototypes extends BaseModule<tf.Tensor2D, tf.Tensor2D> {
  readonly weight: tf.Variable;
  readonly dim: number;
  readonly numPrototypes: number;
  readonly freezeSteps: number;

  constructor(options: PrototypesOptions) {
    super('Prototypes');
    this.dim = options.dim;
    this.numPrototypes = options.numPrototypes ?? 512;
    this.freezeSteps = options.freezeSteps ?? 0;
    const bound = 1 / Math.sqrt(this.dim); // nn.Linear(dim, K, bias=False) default
    this.weight = this.addWeight('weight', seededUniform([this.numPrototypes, this.dim], -bound, bound, rngFrom(options.seed)));
  }

  /** Scores z · c_k: [B, D] -> [B, K]. */
  apply(z: tf.Tensor2D): tf.Tensor2D {
    if (z.rank !== 2 || z.shape[1] !== this.dim) {
      throw new Error(`Error in Prototypes: input must be [B, ${this.dim}], but got shape [${z.shape.join(',')}]`);
    }
    return tf.tidy(() => tf.matMul(z, this.weight as tf.Tensor2D, false, true)); // [B, K]
  }

  /** Rescale every prototype to unit length, in place. */
  normalize(): void {
    tf.tidy(() => {
      this.weight.assign(l2NormalizeRows(this.weight));
    });
  }

  /** Whether the prototypes are frozen at this (0-based) step. */
  isFrozen(step: number): boolean {
    return step < this.freezeSteps;
  }

  /** The variables to train at this step: none while frozen. */
  trainableVariablesAt(step: number): tf.Variable[] {
    return this.isFrozen(step) ? [] : this.trainableVariables;
  }
}
