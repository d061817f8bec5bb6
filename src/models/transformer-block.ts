import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../backend/seed';
import { Dense, LayerNorm, gelu } from './layers';
import { BaseModule } from './module';
import { MultiHeadAttention } from './multi-head-attention';

/**
 * A pre-norm Transformer block as in ViT / MAE (timm's `Block`):
 *
 *   x <- x + MHA(LayerNorm(x))
 *   x <- x + Dense(GELU(Dense(LayerNorm(x))))        hidden width mlpRatio * D
 *
 * @example
 * const block = new TransformerBlock('block0', 128, 4, 4, createRng(0));
 * const y = block.apply(tokens); // [B, T, 128]
 */
export class TransformerBlock extends BaseModule<tf.Tensor3D, tf.Tensor3D> {
  readonly norm1: LayerNorm;
  readonly attn: MultiHeadAttention;
  readonly norm2: LayerNorm;
  readonly fc1: Dense;
  readonly fc2: Dense;

  constructor(name: string, readonly dim: number, numHeads: number, mlpRatio: number, rng: Rng) {
    super(name);
    const hidden = Math.round(dim * mlpRatio);
    this.norm1 = this.addChild('norm1', new LayerNorm(`${name}.norm1`, dim));
    this.attn = this.addChild('attn', new MultiHeadAttention(`${name}.attn`, dim, numHeads, rng));
    this.norm2 = this.addChild('norm2', new LayerNorm(`${name}.norm2`, dim));
    this.fc1 = this.addChild('fc1', new Dense(`${name}.fc1`, dim, hidden, rng, { init: 'xavier' }));
    this.fc2 = this.addChild('fc2', new Dense(`${name}.fc2`, hidden, dim, rng, { init: 'xavier' }));
  }

  apply(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const a = tf.add(x, this.attn.apply(this.norm1.apply(x) as tf.Tensor3D));
      const m = this.fc2.apply(gelu(this.fc1.apply(this.norm2.apply(a))));
      return tf.add(a, m) as tf.Tensor3D;
    });
  }
}
