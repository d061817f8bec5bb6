import * as tf from '@tensorflow/tfjs';
import { Dense } from './layers';
import { BaseModule, rngFrom } from './module';
import { resolveConfig } from '../config';

/** Configuration of `RotationHead`. */
export interface RotationHeadConfig {
  /** Width of the encoder features it reads (the course ResNet's: 128). */
  inputDim: number;
  /** Seed of the initialisation. */
  seed: number;
}

/** Reads 128-d features, seed 0. */
export function defaultRotationHeadConfig(): RotationHeadConfig {
  return { inputDim: 128, seed: 0 };
}

/**
 * RotNet's classifier: one linear layer from encoder features to 4 rotation logits
 * (0, 90, 180, 270 degrees), trained with rotationPredictionLoss.
 * Paper: Gidaris et al., ICLR 2018.
 *
 * @example
 * const head = new RotationHead({ inputDim: 128, seed: 3 });
 * const logits = head.apply(features); // [N, 128] -> [N, 4]
 */
export class RotationHead extends BaseModule<tf.Tensor2D, tf.Tensor2D> {
  private readonly linear: Dense;
  readonly config: RotationHeadConfig;
  readonly inputDim: number;

  /** @throws "Error in RotationHead: ..." for an inputDim that is not a positive integer, or an unknown config key. */
  constructor(config: Partial<RotationHeadConfig> = {}) {
    super('RotationHead');
    this.config = resolveConfig('RotationHead', defaultRotationHeadConfig(), config);
    const { inputDim, seed } = this.config;
    if (!(Number.isInteger(inputDim) && inputDim >= 1)) throw new Error(`Error in RotationHead: inputDim must be a positive integer, but got ${String(inputDim)}`);
    this.inputDim = inputDim;
    this.linear = this.addChild('linear', new Dense('RotationHead.linear', inputDim, 4, rngFrom(seed)));
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.inputDim) {
      throw new Error(`Error in RotationHead: input must be [N, ${this.inputDim}], but got shape [${x.shape.join(',')}]`);
    }
    return this.linear.apply(x) as tf.Tensor2D;
  }
}
