import * as tf from '@tensorflow/tfjs';
import { l2NormalizeRows } from '../losses/common';
import { BaseModule, rngFrom, seededUniform } from './module';
import { resolveConfig } from '../config';

/** Configuration of `Prototypes`. */
export interface PrototypesConfig {
  /** D, the embedding size. */
  dim: number;
  /** K, the number of prototypes (clusters): 512 for CIFAR-sized runs (SwAV ImageNet: 3000). */
  numPrototypes: number;
  /** Do not train the prototypes for the first N steps (SwAV: 313 iterations, about one epoch); the swav recipe's option of the same name. */
  freezePrototypesSteps: number;
  /** Seed of the initialisation. */
  seed: number;
}

/** 512 prototypes of 128 numbers, never frozen, seed 0. */
export function defaultPrototypesConfig(): PrototypesConfig {
  return { dim: 128, numPrototypes: 512, freezePrototypesSteps: 0, seed: 0 };
}

/**
 * SwAV's prototypes: K learnable unit vectors c_k, [K, D]; scores are z · c_k for normalised z.
 *
 * Call `normalize()` at the start of every step (the official code L2-normalises the
 * prototype weights before each forward pass, outside the gradient). For the first
 * `freezePrototypesSteps` steps the prototypes are not trained: use `trainableVariablesAt(step)` (empty
 * while frozen) when choosing what the optimiser updates — the official code drops their
 * gradient instead, to the same effect.
 *
 * Paper: Caron et al., SwAV (NeurIPS 2020), Sec. 3.1 and App. A ("freeze the prototypes
 * during the first epoch").
 *
 * @example
 * const prototypes = new Prototypes({ dim: 64, numPrototypes: 512, freezePrototypesSteps: 300, seed: 4 });
 * prototypes.normalize();
 * const scores = prototypes.apply(l2normalisedZ); // [B, 64] -> [B, 512]
 */
export class Prototypes extends BaseModule<tf.Tensor2D, tf.Tensor2D> {
  readonly weight: tf.Variable;
  readonly config: PrototypesConfig;
  readonly dim: number;
  readonly numPrototypes: number;
  readonly freezePrototypesSteps: number;

  /** @throws "Error in Prototypes: ..." for a dim or count that is not a positive integer, a negative freeze, or an unknown config key. */
  constructor(config: Partial<PrototypesConfig> = {}) {
    super('Prototypes');
    this.config = resolveConfig('Prototypes', defaultPrototypesConfig(), config);
    const { dim, numPrototypes, freezePrototypesSteps, seed } = this.config;
    if (!(Number.isInteger(dim) && dim >= 1 && Number.isInteger(numPrototypes) && numPrototypes >= 1)) {
      throw new Error(`Error in Prototypes: dim and numPrototypes must be positive integers, but got ${String(dim)} and ${String(numPrototypes)}`);
    }
    if (!(Number.isInteger(freezePrototypesSteps) && freezePrototypesSteps >= 0)) {
      throw new Error(`Error in Prototypes: freezePrototypesSteps must be a non-negative integer, but got ${String(freezePrototypesSteps)}`);
    }
    this.dim = dim;
    this.numPrototypes = numPrototypes;
    this.freezePrototypesSteps = freezePrototypesSteps;
    const bound = 1 / Math.sqrt(dim); // nn.Linear(dim, K, bias=False) default
    this.weight = this.addWeight('weight', seededUniform([numPrototypes, dim], -bound, bound, rngFrom(seed)));
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
    return step < this.freezePrototypesSteps;
  }

  /** The variables to train at this step: none while frozen. */
  trainableVariablesAt(step: number): tf.Variable[] {
    return this.isFrozen(step) ? [] : this.trainableVariables;
  }
}
