import * as tf from '@tensorflow/tfjs';
import { resolveConfig } from '../config';
import { type TrainOptimizer, OptimizerSlots, checkUpdateArgs, decaysByDefault } from './train-optimizer';

/** Configuration of `Lars`. */
export interface LarsConfig {
  /** Heavy-ball momentum (default 0.9). */
  momentum: number;
  /** L2 weight decay added to the gradient (default 1e-6, SimCLR's LARS setting). */
  weightDecay: number;
  /** Trust coefficient eta (default 0.001, You et al.; SimCLR's EETA_DEFAULT). */
  eta: number;
}

/** SimCLR's LARS defaults (google-research/simclr, lars_optimizer.py; weight decay 1e-6). */
export function defaultLarsConfig(): LarsConfig {
  return { momentum: 0.9, weightDecay: 1e-6, eta: 0.001 };
}

/**
 * LARS, layer-wise adaptive rate scaling, as SimCLR implements it. For each parameter w with
 * gradient g:
 *
 *   g     <- g + lambda * w                                 (adapted parameters only)
 *   trust <- eta * ||w|| / ||g||   if ||w|| > 0 and ||g|| > 0, else 1   (adapted only; else 1)
 *   u     <- momentum * u + lr * trust * g
 *   w     <- w - u
 *
 * Adapted parameters (weight decay and trust ratio) are chosen by `adapts(variable, name)`,
 * by default `decaysByDefault`: rank >= 2, so biases and BatchNorm parameters are
 * excluded from both, as SimCLR excludes 'bias' and 'batch_normalization'.
 *
 * Paper: You, Gitman, Ginsburg, "Large Batch Training of Convolutional Networks" (2017),
 * Algorithm 1; Chen et al., SimCLR (ICML 2020), Sec. 2 / B.1 (LARS with eta = 0.001).
 *
 * @example
 * const optimizer = new Lars({ weightDecay: 1e-6 });
 * await fit({ ...recipe, optimizer, data, config: { lr: 0.3 * batchSize / 256 } });
 */
export class Lars implements TrainOptimizer {
  readonly name = 'LARS';
  readonly config: LarsConfig;
  iterations = 0;
  private readonly slots = new OptimizerSlots(['momentum']);

  constructor(
    config: Partial<LarsConfig> = {},
    private readonly adapts: (variable: tf.Variable, name: string) => boolean = decaysByDefault,
  ) {
    this.config = resolveConfig('Lars', defaultLarsConfig(), config);
    const { momentum, weightDecay, eta } = this.config;
    if (!(momentum >= 0 && momentum < 1) || !(weightDecay >= 0) || !(eta > 0)) {
      throw new Error(
        `Error in Lars: need momentum in [0, 1), weightDecay >= 0 and eta > 0, but got ${momentum}, ${weightDecay} and ${eta}`,
      );
    }
  }

  applyGradients(variables: tf.Variable[], grads: tf.Tensor[], lr: number, names: string[]): void {
    checkUpdateArgs('Lars', variables, grads, names);
    const { momentum, weightDecay, eta } = this.config;
    this.iterations += 1;
    tf.tidy(() => {
      variables.forEach((w, i) => {
        let g = grads[i];
        const [u] = this.slots.get(w);
        let scaledLr: tf.Tensor | number = lr;
        if (this.adapts(w, names[i])) {
          if (weightDecay > 0) g = tf.add(g, tf.mul(w, weightDecay));
          const wNorm = tf.norm(w);
          const gNorm = tf.norm(g);
          const ratio = tf.where(
            tf.greater(wNorm, 0),
            tf.where(tf.greater(gNorm, 0), tf.div(tf.mul(wNorm, eta), gNorm), tf.onesLike(wNorm)),
            tf.onesLike(wNorm),
          );
          scaledLr = tf.mul(ratio, lr);
        }
        const uNew = tf.add(tf.mul(u, momentum), tf.mul(g, scaledLr));
        u.assign(uNew);
        w.assign(tf.sub(w, uNew));
      });
    });
  }

  getState(names: Map<tf.Variable, string>): tf.NamedTensorMap {
    return this.slots.getState(names);
  }

  setState(state: tf.NamedTensorMap, iterations: number, variables: Map<string, tf.Variable>): void {
    this.slots.setState('Lars', state, variables);
    this.iterations = iterations;
  }

  numStateTensors(): number {
    return this.slots.size;
  }

  dispose(): void {
    this.slots.dispose();
  }
}
