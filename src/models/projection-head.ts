import * as tf from '@tensorflow/tfjs';
import { BatchNorm, Dense } from './layers';
import { type ApplyOptions, BaseModule, rngFrom } from './module';
import { resolveConfig } from '../config';

/** Configuration of a `ProjectionHead` (and of a `PredictionHead`). */
export interface ProjectionHeadConfig {
  /** Input size: the encoder's feature size. */
  inputDim: number;
  /** Width of the hidden layers. */
  hiddenDim: number;
  /** Output size: the embedding the loss sees. */
  outputDim: number;
  /** Number of Dense layers, >= 1 (SimCLR, BYOL: 2; SimSiam's projector: 3). */
  numLayers: number;
  /** BatchNorm after every hidden Dense layer (before the ReLU). */
  batchNorm: boolean;
  /** BatchNorm (without scale and shift) after the last Dense layer too (SimSiam's projector). */
  lastBatchNorm: boolean;
  /** Seed of the initialisation. */
  seed: number;
}

/** SimCLR's head on the small CIFAR encoder: 128 -> 256 -> 64, BatchNorm, ReLU. */
export function defaultProjectionHeadConfig(): ProjectionHeadConfig {
  return { inputDim: 128, hiddenDim: 256, outputDim: 64, numLayers: 2, batchNorm: true, lastBatchNorm: false, seed: 0 };
}

/**
 * The MLP between encoder and loss (SimCLR's g(.), BYOL's and MoCo v2's projector):
 *
 *   h -> [Dense(hidden) -> BatchNorm -> ReLU] x (numLayers - 1) -> Dense(out) [-> BatchNorm]
 *
 * Dense layers start as PyTorch's nn.Linear does (uniform +-1/sqrt(fanIn)), seeded.
 * Paper: Chen et al., SimCLR (ICML 2020), Sec. 2.1 and B.4 ("nonlinear projection head").
 *
 * @example
 * const head = new ProjectionHead({ inputDim: 128, seed: 1 });
 * const z = head.apply(h, { training: true }); // [N, 128] -> [N, 64]
 * @see notebooks/10.3.3-simclr.ipynb
 */
export class ProjectionHead extends BaseModule<tf.Tensor2D, tf.Tensor2D> {
  readonly config: ProjectionHeadConfig;
  private readonly dense: Dense[] = [];
  private readonly norms: (BatchNorm | null)[] = [];

  constructor(config: Partial<ProjectionHeadConfig> = {}, name = 'ProjectionHead', defaults = defaultProjectionHeadConfig()) {
    super(name);
    this.config = resolveConfig(name, defaults, config);
    const { inputDim, hiddenDim, outputDim, numLayers, batchNorm, lastBatchNorm } = this.config;
    if (!Number.isInteger(numLayers) || numLayers < 1) {
      throw new Error(`Error in ${name}: numLayers must be an integer >= 1, but got ${String(numLayers)}`);
    }
    const rng = rngFrom(this.config.seed);
    for (let i = 0; i < numLayers; i++) {
      const last = i === numLayers - 1;
      const dIn = i === 0 ? inputDim : hiddenDim;
      const dOut = last ? outputDim : hiddenDim;
      // A BatchNorm right after a Dense makes its bias redundant (SimCLR and lightly drop it).
      const norm = last ? lastBatchNorm : batchNorm;
      this.dense.push(this.addChild(`layers.${i}`, new Dense(`${name}.layers.${i}`, dIn, dOut, rng, { useBias: !norm })));
      this.norms.push(norm ? this.addChild(`norms.${i}`, new BatchNorm(`${name}.norms.${i}`, dOut, { affine: !last })) : null);
    }
  }

  apply(x: tf.Tensor2D, options: ApplyOptions = {}): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.config.inputDim) {
      throw new Error(`Error in ${this.name}: input must be [N, ${this.config.inputDim}], but got shape [${x.shape.join(',')}]`);
    }
    return tf.tidy(() => {
      let h: tf.Tensor2D = x;
      this.dense.forEach((layer, i) => {
        h = layer.apply(h) as tf.Tensor2D;
        const norm = this.norms[i];
        if (norm) h = norm.apply(h, options);
        if (i < this.dense.length - 1) h = tf.relu(h);
      });
      return h;
    });
  }
}
