import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../backend/seed';
import { Dense } from './layers';
import { BaseModule } from './module';

/**
 * Scaled dot-product attention over heads: softmax(q k^T / sqrt(d)) v.
 *
 * @param q - [B, H, T, d] queries. @param k - [B, H, S, d] keys. @param v - [B, H, S, d] values.
 * @returns output [B, H, T, d] and the attention weights [B, H, T, S] (rows sum to 1).
 */
export function scaledDotProductAttention(q: tf.Tensor4D, k: tf.Tensor4D, v: tf.Tensor4D): { output: tf.Tensor4D; weights: tf.Tensor4D } {
  return tf.tidy(() => {
    const [b, h, t, d] = q.shape;
    const s = k.shape[2];
    const q3 = tf.reshape(q, [b * h, t, d]); // [B*H, T, d]
    const k3 = tf.reshape(k, [b * h, s, d]); // [B*H, S, d]
    const v3 = tf.reshape(v, [b * h, s, d]); // [B*H, S, d]
    const scores = tf.mul(tf.matMul(q3, k3, false, true), 1 / Math.sqrt(d)); // [B*H, T, S]
    const weights = tf.softmax(scores, -1);
    const out = tf.matMul(weights, v3); // [B*H, T, d]
    return {
      output: tf.reshape(out, [b, h, t, d]) as tf.Tensor4D, // [B, H, T, d]
      weights: tf.reshape(weights, [b, h, t, s]) as tf.Tensor4D, // [B, H, T, S]
    };
  });
}

/**
 * Multi-head self-attention (tfjs has none), as in ViT / timm's `Attention`:
 *
 *   [q, k, v] = x W_qkv + b_qkv          split into H heads of size d = D / H
 *   head_h    = softmax(q_h k_h^T / sqrt(d)) v_h
 *   y         = concat_h(head_h) W_o + b_o
 *
 * Paper: Vaswani et al., "Attention Is All You Need", NeurIPS 2017, Sec. 3.2; Dosovitskiy et al.,
 * "An Image is Worth 16x16 Words" (ViT), ICLR 2021.
 *
 * @example
 * const mha = new MultiHeadAttention('attn', 128, 4, createRng(0));
 * const y = mha.apply(tokens); // [B, T, 128] -> [B, T, 128]
 */
export class MultiHeadAttention extends BaseModule<tf.Tensor3D, tf.Tensor3D> {
  readonly qkv: Dense;
  readonly proj: Dense;
  readonly headDim: number;

  constructor(
    name: string,
    readonly dim: number,
    readonly numHeads: number,
    rng: Rng,
  ) {
    super(name);
    if (!Number.isInteger(numHeads) || numHeads < 1 || dim % numHeads !== 0) {
      throw new Error(`Error in ${name}: dim must be a multiple of numHeads, but got ${dim} and ${numHeads}`);
    }
    this.headDim = dim / numHeads;
    this.qkv = this.addChild('qkv', new Dense(`${name}.qkv`, dim, 3 * dim, rng, { init: 'xavier' }));
    this.proj = this.addChild('proj', new Dense(`${name}.proj`, dim, dim, rng, { init: 'xavier' }));
  }

  apply(x: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => this.forward(x).output);
  }

  /** The attention weights, [B, H, T, T], for inspection and plots. */
  attentionWeights(x: tf.Tensor3D): tf.Tensor4D {
    return tf.tidy(() => this.forward(x).weights);
  }

  private forward(x: tf.Tensor3D): { output: tf.Tensor3D; weights: tf.Tensor4D } {
    if (x.rank !== 3 || x.shape[2] !== this.dim) {
      throw new Error(`Error in ${this.name}: input must be [B, T, ${this.dim}], but got shape [${x.shape.join(',')}]`);
    }
    const [b, t] = x.shape;
    const h = this.numHeads;
    const d = this.headDim;
    // Split, then rank-4 transposes: one rank-5 transpose is ~100x slower on the wasm backend.
    const heads = (part: tf.Tensor) => tf.transpose(tf.reshape(part, [b, t, h, d]), [0, 2, 1, 3]) as tf.Tensor4D; // [B, H, T, d]
    const [q, k, v] = tf.split(this.qkv.apply(x), 3, -1).map(heads); // each [B, H, T, d]
    const { output, weights } = scaledDotProductAttention(q, k, v);
    const merged = tf.reshape(tf.transpose(output, [0, 2, 1, 3]), [b, t, this.dim]); // [B, T, D]
    return { output: this.proj.apply(merged) as tf.Tensor3D, weights };
  }
}
