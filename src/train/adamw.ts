import * as tf from '@tensorflow/tfjs';
import { resolveConfig } from '../config';
import { type TrainOptimizer, OptimizerSlots, checkUpdateArgs, decaysByDefault } from './train-optimizer';

/** Configuration of `AdamW`. */
export interface AdamWConfig {
  /** Exponential decay of the first moment (default 0.9). */
  beta1: number;
  /** Exponential decay of the second moment (default 0.999). */
  beta2: number;
  /** Added to sqrt(v_hat) (default 1e-8, PyTorch's; tf.train.adam uses 1e-7). */
  eps: number;
  /** Decoupled weight decay lambda (default 0.01, PyTorch AdamW's). 0 gives plain Adam. */
  weightDecay: number;
}

/** PyTorch's torch.optim.AdamW defaults. */
export function defaultAdamWConfig(): AdamWConfig {
  return { beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0.01 };
}

/**
 * Adam with decoupled weight decay (AdamW), computed in the same order as torch.optim.AdamW:
 *
 *   theta <- theta * (1 - lr * lambda)                 (only parameters that decay)
 *   m     <- beta1 * m + (1 - beta1) * g
 *   v     <- beta2 * v + (1 - beta2) * g^2
 *   theta <- theta - (lr / (1 - beta1^t)) * m / (sqrt(v) / sqrt(1 - beta2^t) + eps)
 *
 * With weightDecay = 0 this is exactly Adam (torch.optim.Adam). Which parameters decay is
 * decided by `decays(variable, name)`, by default `decaysByDefault`: rank >= 2 only, so
 * biases and BatchNorm/LayerNorm parameters are not decayed.
 *
 * Paper: Loshchilov & Hutter, "Decoupled Weight Decay Regularization", ICLR 2019, Algorithm 2;
 * Kingma & Ba, "Adam", ICLR 2015, Algorithm 1.
 *
 * @example
 * const optimizer = new AdamW({ weightDecay: 0.05 });
 * await fit({ ...recipe, optimizer, data, config: { lr: 1.5e-4 } });
 */
export class AdamW implements TrainOptimizer {
  readonly name = 'AdamW';
  readonly config: AdamWConfig;
  iterations = 0;
  private readonly slots = new OptimizerSlots(['m', 'v']);

  constructor(
    config: Partial<AdamWConfig> = {},
    private readonly decays: (variable: tf.Variable, name: string) => boolean = decaysByDefault,
  ) {
    this.config = resolveConfig('AdamW', defaultAdamWConfig(), config);
    const { beta1, beta2, eps, weightDecay } = this.config;
    if (!(beta1 >= 0 && beta1 < 1 && beta2 >= 0 && beta2 < 1)) {
      throw new Error(`Error in AdamW: beta1 and beta2 must be in [0, 1), but got ${beta1} and ${beta2}`);
    }
    if (!(eps > 0) || !(weightDecay >= 0)) {
      throw new Error(`Error in AdamW: eps must be > 0 and weightDecay >= 0, but got ${eps} and ${weightDecay}`);
    }
  }

  applyGradients(variables: tf.Variable[], grads: tf.Tensor[], lr: number, names: string[]): void {
    checkUpdateArgs('AdamW', variables, grads, names);
    const { beta1, beta2, eps, weightDecay } = this.config;
    this.iterations += 1;
    const t = this.iterations;
    const bias1 = 1 - Math.pow(beta1, t);
    const sqrtBias2 = Math.sqrt(1 - Math.pow(beta2, t));
    const stepSize = lr / bias1;
    tf.tidy(() => {
      variables.forEach((variable, i) => {
        const g = grads[i];
        const [m, v] = this.slots.get(variable);
        let theta: tf.Tensor = variable;
        if (weightDecay > 0 && this.decays(variable, names[i])) theta = tf.mul(theta, 1 - lr * weightDecay);
        const mNew = tf.add(tf.mul(m, beta1), tf.mul(g, 1 - beta1));
        const vNew = tf.add(tf.mul(v, beta2), tf.mul(tf.square(g), 1 - beta2));
        const denom = tf.add(tf.div(tf.sqrt(vNew), sqrtBias2), eps);
        m.assign(mNew);
        v.assign(vNew);
        variable.assign(tf.sub(theta, tf.mul(tf.div(mNew, denom), stepSize)));
      });
    });
  }

  getState(names: Map<tf.Variable, string>): tf.NamedTensorMap {
    return this.slots.getState(names);
  }

  setState(state: tf.NamedTensorMap, iterations: number, variables: Map<string, tf.Variable>): void {
    this.slots.setState('AdamW', state, variables);
    this.iterations = iterations;
  }

  numStateTensors(): number {
    return this.slots.size;
  }

  dispose(): void {
    this.slots.dispose();
  }
}
