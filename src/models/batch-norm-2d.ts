import * as tf from '@tensorflow/tfjs';
import { type ApplyOptions, BaseModule } from './module';
import { fusedBatchNormReady } from '../backend/wasm-kernels/simd/batch-norm';

/** Options of `BatchNorm2d`. */
export interface BatchNorm2dOptions {
  /** Weight of the batch in the running statistics (PyTorch's momentum); default 0.1. */
  momentum?: number;
  /** Added to the variance before the square root; default 1e-5. */
  eps?: number;
}

/**
 * BatchNorm over N, H, W of [N, H, W, C] (PyTorch BatchNorm2d): training normalises with the batch mean and
 * biased variance and updates the running statistics (running variance unbiased); evaluation uses the running
 * statistics; the momentum follows PyTorch (0.1 by default). Training mode has a hand-written gradient (fewer whole-tensor passes than differentiating
 * moments):
 *
 *   xhat = (x - mean) / sqrt(var + eps),   y = gamma * xhat + beta
 *   dbeta = sum(dy),   dgamma = sum(dy * xhat)
 *   dx = gamma / sqrt(var + eps) * (dy - dbeta / M - xhat * dgamma / M)       (M = N * H * W)
 *
 * @example
 * const bn = new BatchNorm2d('bn', 32);
 * const y = bn.apply(x, { training: true }); // x: [N, H, W, 32]
 */
export class BatchNorm2d extends BaseModule<tf.Tensor4D, tf.Tensor4D> {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;
  readonly movingMean: tf.Variable;
  readonly movingVariance: tf.Variable;

  private readonly momentum: number;
  private readonly eps: number;

  /**
   * @param name - prefix of the weight names ('stem.bn' gives stem.bn.gamma, ...).
   * @param channels - C, the last axis of the input.
   * @param options - momentum of the running statistics (default 0.1, PyTorch's convention:
   *   running = (1 - momentum) * running + momentum * batch) and eps (default 1e-5).
   */
  constructor(name: string, readonly channels: number, { momentum = 0.1, eps = 1e-5 }: BatchNorm2dOptions = {}) {
    super(name);
    if (!(Number.isInteger(channels) && channels > 0)) throw new Error(`Error in BatchNorm2d: channels must be a positive integer, but got ${channels}`);
    if (!(momentum >= 0 && momentum <= 1)) throw new Error(`Error in BatchNorm2d: momentum must be in [0, 1], but got ${momentum}`);
    if (!(eps > 0)) throw new Error(`Error in BatchNorm2d: eps must be positive, but got ${eps}`);
    this.momentum = momentum;
    this.eps = eps;
    this.gamma = this.addWeight('gamma', tf.ones([channels]));
    this.beta = this.addWeight('beta', tf.zeros([channels]));
    this.movingMean = this.addWeight('movingMean', tf.zeros([channels]), false);
    this.movingVariance = this.addWeight('movingVariance', tf.ones([channels]), false);
  }

  apply(x: tf.Tensor4D, options: ApplyOptions = {}): tf.Tensor4D {
    if (!options.training) {
      return tf.tidy(() => {
        const scale = tf.mul(this.gamma, tf.rsqrt(tf.add(this.movingVariance, this.eps))); // [C]
        const shift = tf.sub(this.beta, tf.mul(this.movingMean, scale)); // [C]
        return tf.add(tf.mul(x, scale), shift);
      });
    }
    const m = x.shape[0] * x.shape[1] * x.shape[2];
    if (m < 2) throw new Error(`Error in ${this.name}: training-mode BatchNorm needs at least 2 values per channel, but got shape [${x.shape.join(',')}]`);
    const eps = this.eps;
    if (fusedBatchNormReady()) return this.fusedTraining(x, m);
    const normalize = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [xIn, gamma, beta] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
      const save = args[3] as tf.GradSaveFunc;
      const { mean, variance } = tf.moments(xIn, [0, 1, 2]); // [C], [C]
      this.updateRunningStats(mean, variance, m);
      const invStd = tf.rsqrt(tf.add(variance, eps)); // [C]
      const xhat = tf.mul(tf.sub(xIn, mean), invStd); // [N, H, W, C]
      save([xhat, invStd, gamma]);
      return {
        value: tf.add(tf.mul(xhat, gamma), beta),
        // tidy: tfjs does not free what a custom gradient creates until the whole backward pass ends.
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
          tf.tidy(() => {
            const [xh, inv, g] = saved;
            const dBeta = tf.sum(dy, [0, 1, 2]); // [C]
            const dGamma = tf.sum(tf.mul(dy, xh), [0, 1, 2]); // [C]
            const k = tf.mul(g, inv); // [C]
            const dx = tf.sub(tf.mul(dy, k), tf.add(tf.mul(xh, tf.mul(dGamma, tf.div(k, m))), tf.mul(dBeta, tf.div(k, m))));
            return [dx, dGamma, dBeta];
          }),
      };
    });
    return normalize(x, this.gamma, this.beta) as tf.Tensor4D;
  }

  /**
   * The same training-mode forward and gradient on selfsup's fused wasm kernels (src/backend/wasm-kernels/simd/
   * batch-norm.c): statistics in two reads of x, y in one pass, the gradient in two. x itself is saved for the
   * gradient (xhat is recomputed from it), so no extra tensor the size of x stays alive.
   */
  private fusedTraining(x: tf.Tensor4D, m: number): tf.Tensor4D {
    const eps = this.eps;
    const run = (name: string, inputs: tf.NamedTensorMap) => tf.engine().runKernel(name, inputs) as tf.Tensor | tf.Tensor[];
    const normalize = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
      const [xIn, gamma, beta] = args as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
      const save = args[3] as tf.GradSaveFunc;
      const [mean, variance] = run('SelfsupBatchNormStats', { x: xIn }) as tf.Tensor1D[]; // [C], [C]
      this.updateRunningStats(mean, variance, m);
      const invStd = tf.rsqrt(tf.add(variance, eps)); // [C]
      const scale = tf.mul(gamma, invStd); // [C]
      const shift = tf.sub(beta, tf.mul(mean, scale)); // [C]
      save([xIn, mean, invStd, gamma]);
      return {
        value: run('SelfsupBatchNormApply', { x: xIn, scale, shift }) as tf.Tensor4D,
        gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
          tf.tidy(() => {
            const [xs, mu, inv, g] = saved;
            const [sumDy, sumDyXhat] = run('SelfsupBatchNormGradSums', { dy, x: xs, mean: mu, invStd: inv }) as tf.Tensor1D[]; // dbeta, dgamma
            const dx = run('SelfsupBatchNormGradInput', { dy, x: xs, gamma: g, mean: mu, invStd: inv, sumDy, sumDyXhat }) as tf.Tensor;
            return [dx, sumDyXhat, sumDy];
          }),
      };
    });
    return normalize(x, this.gamma, this.beta) as tf.Tensor4D;
  }

  private updateRunningStats(mean: tf.Tensor, variance: tf.Tensor, m: number): void {
    tf.tidy(() => {
      const k = this.momentum;
      this.movingMean.assign(tf.add(tf.mul(this.movingMean, 1 - k), tf.mul(mean, k)));
      this.movingVariance.assign(tf.add(tf.mul(this.movingVariance, 1 - k), tf.mul(variance, (k * m) / (m - 1))));
    });
  }
}
