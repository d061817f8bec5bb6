/**
 * The small layers the heads and the ViT are built from: Dense, BatchNorm over [N, D], and
 * LayerNorm. Each is a `BaseModule` with a seeded initialisation.
 */
import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../backend/seed';
import { type ApplyOptions, BaseModule, seededUniform } from './module';

/** How a Dense layer initialises its kernel and bias. */
export type DenseInit =
  /** PyTorch nn.Linear default: kernel and bias uniform in +-1/sqrt(fanIn). */
  | 'torch'
  /** Xavier/Glorot uniform kernel, zero bias (ViT, MAE). */
  | 'xavier';

/** y = x W + b on the last axis; any leading shape ([N, in] or [B, T, in]). */
export class Dense extends BaseModule {
  readonly kernel: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(
    name: string,
    readonly inputDim: number,
    readonly outputDim: number,
    rng: Rng,
    { useBias = true, init = 'torch' as DenseInit } = {},
  ) {
    super(name);
    const bound = init === 'xavier' ? Math.sqrt(6 / (inputDim + outputDim)) : 1 / Math.sqrt(inputDim);
    this.kernel = this.addWeight('kernel', seededUniform([inputDim, outputDim], -bound, bound, rng));
    const biasBound = 1 / Math.sqrt(inputDim);
    this.bias = useBias
      ? this.addWeight('bias', init === 'xavier' ? tf.zeros([outputDim]) : seededUniform([outputDim], -biasBound, biasBound, rng))
      : null;
  }

  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      const flat = tf.reshape(x, [-1, this.inputDim]); // [*, in]
      let y: tf.Tensor = tf.matMul(flat as tf.Tensor2D, this.kernel as tf.Tensor2D); // [*, out]
      if (this.bias) y = tf.add(y, this.bias);
      return tf.reshape(y, [...lead, this.outputDim]); // [..., out]
    });
  }
}

/**
 * BatchNorm over the batch axis of [N, D] (PyTorch BatchNorm1d): training normalises with the
 * batch mean and biased variance and updates the running statistics (momentum 0.1, running
 * variance unbiased); evaluation uses the running statistics.
 */
export class BatchNorm extends BaseModule<tf.Tensor2D, tf.Tensor2D> {
  readonly gamma: tf.Variable | null;
  readonly beta: tf.Variable | null;
  readonly movingMean: tf.Variable;
  readonly movingVariance: tf.Variable;
  private readonly momentum: number;
  private readonly eps: number;

  constructor(
    name: string,
    readonly dim: number,
    { affine = true, momentum = 0.1, eps = 1e-5 } = {},
  ) {
    super(name);
    this.momentum = momentum;
    this.eps = eps;
    this.gamma = affine ? this.addWeight('gamma', tf.ones([dim])) : null;
    this.beta = affine ? this.addWeight('beta', tf.zeros([dim])) : null;
    this.movingMean = this.addWeight('movingMean', tf.zeros([dim]), false);
    this.movingVariance = this.addWeight('movingVariance', tf.ones([dim]), false);
  }

  apply(x: tf.Tensor2D, options: ApplyOptions = {}): tf.Tensor2D {
    return tf.tidy(() => {
      let mean: tf.Tensor;
      let variance: tf.Tensor;
      if (options.training) {
        const n = x.shape[0];
        if (n < 2) throw new Error(`Error in ${this.name}: training-mode BatchNorm needs at least 2 rows, but got shape [${x.shape.join(',')}]`);
        ({ mean, variance } = tf.moments(x, 0));
        const m = this.momentum;
        // Running statistics are bookkeeping, not part of the graph being differentiated.
        const meanValue = tf.clone(mean);
        const unbiased = tf.mul(variance, n / (n - 1));
        this.movingMean.assign(tf.add(tf.mul(this.movingMean, 1 - m), tf.mul(meanValue, m)));
        this.movingVariance.assign(tf.add(tf.mul(this.movingVariance, 1 - m), tf.mul(unbiased, m)));
      } else {
        mean = this.movingMean;
        variance = this.movingVariance;
      }
      let y: tf.Tensor = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.eps)));
      if (this.gamma && this.beta) y = tf.add(tf.mul(y, this.gamma), this.beta);
      return y as tf.Tensor2D;
    });
  }
}

/** LayerNorm over the last axis (eps 1e-6 as in MAE's ViT), with learnable scale and shift. */
export class LayerNorm extends BaseModule {
  readonly gamma: tf.Variable;
  readonly beta: tf.Variable;

  constructor(
    name: string,
    readonly dim: number,
    readonly eps = 1e-6,
  ) {
    super(name);
    this.gamma = this.addWeight('gamma', tf.ones([dim]));
    this.beta = this.addWeight('beta', tf.zeros([dim]));
  }

  apply(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, -1, true);
      const y = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, this.eps)));
      return tf.add(tf.mul(y, this.gamma), this.beta);
    });
  }
}

/** GELU, exact form 0.5 x (1 + erf(x / sqrt 2)) as torch.nn.GELU(). tfjs has no gelu op. */
export function gelu(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2)))));
}
