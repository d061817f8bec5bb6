import * as tf from '@tensorflow/tfjs';
import { Dense } from './layers';
import { BaseModule, rngFrom } from './module';

/**
 * RotNet's classifier: one linear layer from encoder features to 4 rotation logits
 * (0, 90, 180, 270 degrees), trained with rotationPredictionLoss.
 * Paper: Gidaris et al., ICLR 2018.
 *
 * @example
 * const head = new RotationHead(128, 3);
 * const logits = head.apply(features); // [N, 128] -> [N, 4]
 */
export class RotationHead extends BaseModule<tf.Tensor2D, tf.Tensor2D> {
  private readonly linear: Dense;

  constructor(readonly inputDim: number, seed: number) {
    super('RotationHead');
    this.linear = this.addChild('linear', new Dense('RotationHead.linear', inputDim, 4, rngFrom(seed)));
  }

  apply(x: tf.Tensor2D): tf.Tensor2D {
    if (x.rank !== 2 || x.shape[1] !== this.inputDim) {
      throw new Error(`Error in RotationHead: input must be [N, ${this.inputDim}], but got shape [${x.shape.join(',')}]`);
    }
    return this.linear.apply(x) as tf.Tensor2D;
  }
}
