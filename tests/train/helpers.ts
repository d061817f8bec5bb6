import * as tf from '@tensorflow/tfjs';
import { createRng } from '../../src/backend/seed';
import { BatchNorm, Dense } from '../../src/models/layers';
import { type ApplyOptions, BaseModule } from '../../src/models/module';

/**
 * A tiny encoder for fast tests on any backend and any image size, with only matmul-type
 * gradients: a per-pixel Dense (a 1x1 convolution), ReLU, global average pool, BatchNorm, Dense.
 *   [B, H, W, 3] -> [B, outputDim]
 */
export class TinyEncoder extends BaseModule<tf.Tensor4D, tf.Tensor2D> {
  private readonly pixel: Dense;
  private readonly bn: BatchNorm;
  private readonly out: Dense;

  constructor(seed: number, readonly outputDim = 8, hidden = 12) {
    super('TinyEncoder');
    const rng = createRng(seed);
    this.pixel = this.addChild('pixel', new Dense('TinyEncoder.pixel', 3, hidden, rng));
    this.bn = this.addChild('bn', new BatchNorm('TinyEncoder.bn', hidden));
    this.out = this.addChild('out', new Dense('TinyEncoder.out', hidden, outputDim, rng));
  }

  apply(x: tf.Tensor4D, options: ApplyOptions = {}): tf.Tensor2D {
    return tf.tidy(() => {
      const h = tf.relu(this.pixel.apply(x)); // [B, H, W, hidden]
      const pooled = tf.mean(h, [1, 2]) as tf.Tensor2D; // [B, hidden]
      return this.out.apply(this.bn.apply(pooled, options)) as tf.Tensor2D; // [B, D]
    });
  }
}

/** Bit pattern of every weight of a module, for exact comparisons. */
export function weightBits(weights: tf.NamedTensorMap): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  for (const [k, v] of Object.entries(weights)) {
    const data = v.dataSync();
    out[k] = v.dtype === 'float32' ? Array.from(new Uint32Array(new Float32Array(data).buffer)) : Array.from(data);
  }
  return out;
}

/** Mean of the first and last `k` entries. */
export function headTailMeans(values: number[], k: number): [number, number] {
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  return [mean(values.slice(0, k)), mean(values.slice(-k))];
}

/** A flatten -> Dense -> BatchNorm -> ReLU -> Dense encoder for 16x16 images (not rotation-invariant). */
export class FlatEncoder extends BaseModule<tf.Tensor4D, tf.Tensor2D> {
  private readonly hidden: Dense;
  private readonly bn: BatchNorm;
  private readonly out: Dense;

  constructor(seed: number, readonly imageSize: number, readonly outputDim = 8, width = 32) {
    super('FlatEncoder');
    const rng = createRng(seed);
    this.hidden = this.addChild('hidden', new Dense('FlatEncoder.hidden', imageSize * imageSize * 3, width, rng));
    this.bn = this.addChild('bn', new BatchNorm('FlatEncoder.bn', width));
    this.out = this.addChild('out', new Dense('FlatEncoder.out', width, outputDim, rng));
  }

  apply(x: tf.Tensor4D, options: ApplyOptions = {}): tf.Tensor2D {
    return tf.tidy(() => {
      const flat = tf.reshape(x, [x.shape[0], -1]) as tf.Tensor2D; // [B, H*W*3]
      return this.out.apply(tf.relu(this.bn.apply(this.hidden.apply(flat) as tf.Tensor2D, options))) as tf.Tensor2D;
    });
  }
}
