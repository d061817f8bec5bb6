import * as tf from '@tensorflow/tfjs';
import { type ApplyOptions, type Module } from './module';
import { resolveConfig } from '../config';

/**
 * Exponential moving average of weights, MoCo's momentum update:
 *
 *   theta_target <- m * theta_target + (1 - m) * theta_online
 *
 * applied to each trainable variable (pairs matched by position; both modules must have the
 * same architecture). BatchNorm running statistics are not averaged: as in MoCo and BYOL, the
 * target's own forward passes keep them.
 * MoCo: m = 0.999 on ImageNet; 0.99 is the usual choice for short CIFAR runs (MoCo CIFAR demo).
 *
 * Paper: He et al., MoCo (CVPR 2020), eq. (2); Grill et al., BYOL (NeurIPS 2020), Sec. 3.1.
 *
 * @param target - the momentum (key / target) module, updated in place.
 * @param online - the module trained by gradients (query / online).
 * @param momentum - m in [0, 1].
 * @throws if the variable lists differ in length or shape, or m is outside [0, 1].
 * @example
 * emaUpdate(keyEncoder, queryEncoder, 0.99);
 */
export function emaUpdate(target: Module | tf.Variable[], online: Module | tf.Variable[], momentum: number): void {
  const t = Array.isArray(target) ? target : target.trainableVariables;
  const o = Array.isArray(online) ? online : online.trainableVariables;
  if (!(momentum >= 0 && momentum <= 1)) throw new Error(`Error in emaUpdate: momentum must be in [0, 1], but got ${String(momentum)}`);
  if (t.length !== o.length) {
    throw new Error(`Error in emaUpdate: target and online must have the same variables, but got ${t.length} and ${o.length}`);
  }
  t.forEach((v, i) => {
    if (!tf.util.arraysEqual(v.shape, o[i].shape)) {
      throw new Error(`Error in emaUpdate: variable ${i} has shape [${v.shape.join(',')}] in target but [${o[i].shape.join(',')}] in online`);
    }
  });
  tf.tidy(() => {
    t.forEach((v, i) => v.assign(tf.add(tf.mul(v, momentum), tf.mul(o[i], 1 - momentum))));
  });
}

/**
 * BYOL's schedule for the target momentum: from `base` up to 1 along a half cosine,
 *   m(k) = 1 - (1 - base) * (cos(pi * k / K) + 1) / 2.
 */
export function cosineMomentum(step: number, totalSteps: number, base = 0.996): number {
  const progress = totalSteps > 0 ? Math.min(Math.max(step / totalSteps, 0), 1) : 1;
  return 1 - ((1 - base) * (Math.cos(Math.PI * progress) + 1)) / 2;
}

/** Configuration of `MomentumEncoder`. */
export interface MomentumEncoderConfig {
  /** m of the EMA, target <- m target + (1 - m) online. */
  momentum: number;
}

/** m = 0.99, MoCo's CIFAR-10 choice (0.999 on ImageNet). */
export function defaultMomentumEncoderConfig(): MomentumEncoderConfig {
  return { momentum: 0.99 };
}

/**
 * A slowly moving copy of a module: MoCo's key encoder, BYOL's target network.
 *
 * It starts as an exact copy of the online module (built by `makeCopy`, then overwritten with
 * the online weights, as MoCo's `param_k.data.copy_(param_q.data)`), receives no gradients
 * (its `trainableVariables` is empty), and moves toward the online weights with `update()`.
 *
 * @example
 * const keyEncoder = new MomentumEncoder(encoder, () => new ProjectionHead({ seed: 99 }), { momentum: 0.99 });
 * const k = keyEncoder.apply(xKey, { training: true }); // no gradient
 * keyEncoder.update();                                   // once per step
 */
export class MomentumEncoder<In extends tf.Tensor = tf.Tensor, Out extends tf.Tensor = tf.Tensor> implements Module<In, Out> {
  readonly name: string;
  /** The averaged copy. */
  readonly target: Module<In, Out>;
  momentum: number;

  constructor(
    readonly online: Module<In, Out>,
    makeCopy: () => Module<In, Out>,
    config: Partial<MomentumEncoderConfig> = {},
  ) {
    this.name = `MomentumEncoder(${online.name})`;
    this.momentum = resolveConfig('MomentumEncoder', defaultMomentumEncoderConfig(), config).momentum;
    if (!(this.momentum >= 0 && this.momentum <= 1)) {
      throw new Error(`Error in MomentumEncoder: momentum must be in [0, 1], but got ${String(this.momentum)}`);
    }
    this.target = makeCopy();
    this.target.setWeights(online.getWeights());
  }

  /** The target module's forward pass. Gradients are not meant to flow here. */
  apply(x: In, options: ApplyOptions = {}): Out {
    return this.target.apply(x, options);
  }

  /** One EMA step toward the online weights (call once per training step, after the optimiser). */
  update(momentum = this.momentum): void {
    emaUpdate(this.target, this.online, momentum);
  }

  /** Empty: the target is never trained by gradients. */
  get trainableVariables(): tf.Variable[] {
    return [];
  }

  getWeights(): tf.NamedTensorMap {
    return this.target.getWeights();
  }

  setWeights(weights: tf.NamedTensorMap): void {
    this.target.setWeights(weights);
  }

  /** Frees the target (not the online module, which the caller owns). */
  dispose(): void {
    this.target.dispose();
  }
}
