import * as tf from '@tensorflow/tfjs';
import { patchify } from './patchify';
import { Dense, LayerNorm } from './layers';
import { type ApplyOptions, BaseModule, rngFrom, seededNormal } from './module';
import { resolveConfig } from '../config';
import { sinCosPositionEmbedding2d } from './sincos-position-embedding';
import { TransformerBlock } from './transformer-block';

/** Configuration of a `VitEncoder`. */
export interface VitEncoderConfig {
  /** Square input side in pixels. */
  imageSize: number;
  /** Patch side p; the image becomes (imageSize / p)^2 tokens. */
  patchSize: number;
  /** Input channels C. */
  channels: number;
  /** Token width D (a multiple of 4 and of numHeads). */
  dim: number;
  /** Number of Transformer blocks. */
  depth: number;
  /** Attention heads per block. */
  numHeads: number;
  /** MLP hidden width as a multiple of dim. */
  mlpRatio: number;
  /** Image feature from `apply`: the CLS token, or the mean of the patch tokens. */
  pool: 'cls' | 'mean';
  /** Seed of the initialisation. */
  seed: number;
}

/** A small ViT for 32x32 CIFAR images: 4x4 patches (64 tokens), width 128, 4 blocks, 4 heads. */
export function defaultVitEncoderConfig(): VitEncoderConfig {
  return { imageSize: 32, patchSize: 4, channels: 3, dim: 128, depth: 4, numHeads: 4, mlpRatio: 4, pool: 'cls', seed: 0 };
}

/**
 * Vision Transformer encoder with our own multi-head attention.
 *
 *   x [B, H, W, C] -> patchify -> Dense (= a conv with stride p) -> + fixed 2-D sin-cos position
 *   -> prepend CLS token -> pre-norm Transformer blocks -> LayerNorm -> CLS (or mean) feature [B, D]
 *
 * Initialisation as MAE's: Dense layers Xavier-uniform with zero bias, CLS token normal(0.02),
 * LayerNorm 1 / 0, the position embedding fixed (not trained).
 * Papers: Dosovitskiy et al., ViT (ICLR 2021); He et al., MAE (CVPR 2022), for the details.
 *
 * @example
 * const vit = new VitEncoder({ seed: 1 });
 * const h = vit.apply(x); // [B, 32, 32, 3] -> [B, 128]
 */
export class VitEncoder extends BaseModule<tf.Tensor4D, tf.Tensor2D> {
  readonly config: VitEncoderConfig;
  readonly numPatches: number;
  readonly patchEmbed: Dense;
  readonly clsToken: tf.Variable;
  /** [1 + L, D], fixed. */
  readonly posEmbed: tf.Tensor2D;
  readonly blocks: TransformerBlock[] = [];
  readonly norm: LayerNorm;

  constructor(config: Partial<VitEncoderConfig> = {}) {
    super('VitEncoder');
    this.config = resolveConfig('VitEncoder', defaultVitEncoderConfig(), config);
    const { imageSize, patchSize, channels, dim, depth, numHeads, mlpRatio } = this.config;
    if (imageSize % patchSize !== 0) {
      throw new Error(`Error in VitEncoder: imageSize must be a multiple of patchSize, but got ${imageSize} and ${patchSize}`);
    }
    const rng = rngFrom(this.config.seed);
    const grid = imageSize / patchSize;
    this.numPatches = grid * grid;
    this.patchEmbed = this.addChild('patchEmbed', new Dense('VitEncoder.patchEmbed', patchSize * patchSize * channels, dim, rng, { init: 'xavier' }));
    this.clsToken = this.addWeight('clsToken', seededNormal([1, 1, dim], 0.02, rng));
    this.posEmbed = tf.keep(sinCosPositionEmbedding2d(dim, grid, true)); // survives a surrounding tidy
    for (let i = 0; i < depth; i++) {
      this.blocks.push(this.addChild(`blocks.${i}`, new TransformerBlock(`VitEncoder.blocks.${i}`, dim, numHeads, mlpRatio, rng)));
    }
    this.norm = this.addChild('norm', new LayerNorm('VitEncoder.norm', dim));
  }

  get outputDim(): number {
    return this.config.dim;
  }

  /** Patch tokens with their position embedding, no CLS: [B, H, W, C] -> [B, L, D]. */
  embedPatches(x: tf.Tensor4D): tf.Tensor3D {
    const { imageSize, channels, patchSize } = this.config;
    if (x.rank !== 4 || x.shape[1] !== imageSize || x.shape[2] !== imageSize || x.shape[3] !== channels) {
      throw new Error(
        `Error in VitEncoder: input must be [B, ${imageSize}, ${imageSize}, ${channels}], but got shape [${x.shape.join(',')}]`,
      );
    }
    return tf.tidy(() => {
      const tokens = this.patchEmbed.apply(patchify(x, patchSize)); // [B, L, D]
      const pos = tf.slice(this.posEmbed, [1, 0], [this.numPatches, this.config.dim]); // [L, D]
      return tf.add(tokens, pos) as tf.Tensor3D;
    });
  }

  /** Prepend the CLS token (plus its position row) and run blocks and final norm: [B, T, D] -> [B, 1 + T, D]. */
  encodeTokens(tokens: tf.Tensor3D): tf.Tensor3D {
    return tf.tidy(() => {
      const b = tokens.shape[0];
      const cls = tf.add(this.clsToken, tf.reshape(tf.slice(this.posEmbed, [0, 0], [1, this.config.dim]), [1, 1, -1])); // [1, 1, D]
      let h = tf.concat([tf.tile(cls, [b, 1, 1]), tokens], 1) as tf.Tensor3D; // [B, 1 + T, D]
      for (const block of this.blocks) h = block.apply(h);
      return this.norm.apply(h) as tf.Tensor3D;
    });
  }

  /** Image features [B, D]: the CLS token after the final norm (or the mean of the patch tokens). */
  apply(x: tf.Tensor4D, _options: ApplyOptions = {}): tf.Tensor2D {
    return tf.tidy(() => {
      const h = this.encodeTokens(this.embedPatches(x)); // [B, 1 + L, D]
      if (this.config.pool === 'mean') {
        return tf.mean(tf.slice(h, [0, 1, 0], [-1, -1, -1]), 1) as tf.Tensor2D; // [B, D]
      }
      return tf.reshape(tf.slice(h, [0, 0, 0], [-1, 1, -1]), [h.shape[0], this.config.dim]) as tf.Tensor2D; // [B, D]
    });
  }

  override dispose(): void {
    this.posEmbed.dispose();
    super.dispose();
  }
}
