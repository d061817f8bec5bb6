import * as tf from '@tensorflow/tfjs';
import { maeLoss } from '../losses/mae';
import { randomMasking } from './random-masking';
import { Dense, LayerNorm } from './layers';
import { type ApplyOptions, BaseModule, rngFrom, seededNormal } from './module';
import { resolveConfig } from '../config';
import { sinCosPositionEmbedding2d } from './sincos-position-embedding';
import { TransformerBlock } from './transformer-block';
import { type VitEncoderConfig, VitEncoder, defaultVitEncoderConfig } from './vit-encoder';

/** Configuration of a `MaskedAutoencoder`. */
export interface MaskedAutoencoderConfig {
  /** The ViT encoder's configuration (overrides of `defaultVitEncoderConfig`). */
  encoder: Partial<VitEncoderConfig>;
  /** Decoder token width. */
  decoderDim: number;
  /** Decoder Transformer blocks. */
  decoderDepth: number;
  /** Decoder attention heads. */
  decoderHeads: number;
  /** Fraction of patches removed (MAE: 0.75). */
  maskRatio: number;
  /** Reconstruct per-patch normalised pixels (MAE's norm_pix_loss). */
  normPixLoss: boolean;
  /** Seed of the decoder's initialisation (the encoder has its own in `encoder.seed`). */
  seed: number;
}

/** A small MAE for 32x32 images: the default ViT encoder, a 64-wide 2-block decoder, 75% masking. */
export function defaultMaskedAutoencoderConfig(): MaskedAutoencoderConfig {
  return { encoder: {}, decoderDim: 64, decoderDepth: 2, decoderHeads: 4, maskRatio: 0.75, normPixLoss: true, seed: 0 };
}

/** Options of `MaskedAutoencoder.forward`. */
export interface MaeForwardOptions {
  /** Seed of the masking noise. */
  seed?: number;
  /** The masking noise itself, [B, L] (see randomMasking). */
  noise?: tf.Tensor2D;
  /** Override the configured mask ratio. */
  maskRatio?: number;
}

/** What `MaskedAutoencoder.forward` returns; the caller disposes all three. */
export interface MaeForwardResult {
  /** [B, L, p*p*C] predicted pixels of every patch. */
  pred: tf.Tensor3D;
  /** [B, L], 1 = masked. */
  mask: tf.Tensor2D;
  /** [B, L] int32, see randomMasking. */
  idsRestore: tf.Tensor2D;
}

/**
 * Masked autoencoder (MAE) with a ViT encoder and a light Transformer decoder.
 *
 *   encoder: patch tokens + position -> randomMasking (keep 1 - maskRatio) -> + CLS -> blocks -> norm
 *   decoder: Dense to decoderDim -> append mask tokens -> unshuffle with idsRestore -> + position
 *            -> blocks -> norm -> Dense to p*p*C per patch (CLS dropped)
 *
 * The encoder never sees mask tokens; the unshuffle is a one-hot matmul (no gather gradient
 * needed). Structure and initialisation follow facebookresearch/mae models_mae.py.
 * Paper: He et al., "Masked Autoencoders Are Scalable Vision Learners", CVPR 2022, Sec. 3.
 *
 * @example
 * const mae = new MaskedAutoencoder({ encoder: { seed: 1 }, seed: 2 });
 * const loss = mae.loss(x, { seed: step });          // training objective
 * const features = mae.apply(x);                     // [B, 128], no masking, for kNN / probes
 */
export class MaskedAutoencoder extends BaseModule<tf.Tensor4D, tf.Tensor2D> {
  readonly config: MaskedAutoencoderConfig;
  readonly encoder: VitEncoder;
  readonly decoderEmbed: Dense;
  readonly maskToken: tf.Variable;
  /** [1 + L, decoderDim], fixed. */
  readonly decoderPosEmbed: tf.Tensor2D;
  readonly decoderBlocks: TransformerBlock[] = [];
  readonly decoderNorm: LayerNorm;
  readonly decoderPred: Dense;

  constructor(config: Partial<MaskedAutoencoderConfig> = {}) {
    super('MaskedAutoencoder');
    this.config = resolveConfig('MaskedAutoencoder', defaultMaskedAutoencoderConfig(), config);
    const { decoderDim, decoderDepth, decoderHeads } = this.config;
    this.encoder = this.addChild('encoder', new VitEncoder(this.config.encoder));
    const enc = this.encoder.config;
    const rng = rngFrom(this.config.seed);
    this.decoderEmbed = this.addChild('decoderEmbed', new Dense('MaskedAutoencoder.decoderEmbed', enc.dim, decoderDim, rng, { init: 'xavier' }));
    this.maskToken = this.addWeight('maskToken', seededNormal([1, 1, decoderDim], 0.02, rng));
    this.decoderPosEmbed = tf.keep(sinCosPositionEmbedding2d(decoderDim, enc.imageSize / enc.patchSize, true));
    for (let i = 0; i < decoderDepth; i++) {
      this.decoderBlocks.push(
        this.addChild(`decoderBlocks.${i}`, new TransformerBlock(`MaskedAutoencoder.decoderBlocks.${i}`, decoderDim, decoderHeads, enc.mlpRatio, rng)),
      );
    }
    this.decoderNorm = this.addChild('decoderNorm', new LayerNorm('MaskedAutoencoder.decoderNorm', decoderDim));
    const patchDim = enc.patchSize * enc.patchSize * enc.channels;
    this.decoderPred = this.addChild('decoderPred', new Dense('MaskedAutoencoder.decoderPred', decoderDim, patchDim, rng, { init: 'xavier' }));
  }

  /** Encoder features of whole (unmasked) images, [B, D]. */
  apply(x: tf.Tensor4D, options: ApplyOptions = {}): tf.Tensor2D {
    return this.encoder.apply(x, options);
  }

  /** Mask, encode the visible patches, decode all patches. */
  forward(x: tf.Tensor4D, options: MaeForwardOptions = {}): MaeForwardResult {
    const ratio = options.maskRatio ?? this.config.maskRatio;
    const result = tf.tidy(() => {
      const tokens = this.encoder.embedPatches(x); // [B, L, D]
      const masked = randomMasking(tokens, ratio, { seed: options.seed, noise: options.noise });
      const latent = this.encoder.encodeTokens(masked.kept); // [B, 1 + keep, D]
      const pred = this.decode(latent, masked.idsRestore);
      return { pred, mask: masked.mask, idsRestore: masked.idsRestore };
    });
    return result as unknown as MaeForwardResult;
  }

  /** The MAE objective on a batch: maeLoss over the masked patches. */
  loss(x: tf.Tensor4D, options: MaeForwardOptions = {}): tf.Scalar {
    return tf.tidy(() => {
      const { pred, mask } = this.forward(x, options);
      return maeLoss(pred, x, mask, { patchSize: this.encoder.config.patchSize, normPixLoss: this.config.normPixLoss });
    });
  }

  /** latent [B, 1 + keep, D] and idsRestore [B, L] -> predicted patches [B, L, p*p*C]. */
  private decode(latent: tf.Tensor3D, idsRestore: tf.Tensor2D): tf.Tensor3D {
    return tf.tidy(() => {
      const [b, t] = latent.shape;
      const l = idsRestore.shape[1];
      const dd = this.config.decoderDim;
      const h = this.decoderEmbed.apply(latent) as tf.Tensor3D; // [B, 1 + keep, Dd]
      const visible = tf.slice(h, [0, 1, 0], [b, t - 1, dd]); // [B, keep, Dd]
      const maskTokens = tf.tile(this.maskToken, [b, l - (t - 1), 1]); // [B, L - keep, Dd]
      const shuffled = tf.concat([visible, maskTokens], 1) as tf.Tensor3D; // [B, L, Dd], shuffled order
      const unshuffle = tf.oneHot(idsRestore, l).toFloat() as tf.Tensor3D; // [B, L, L]
      const ordered = tf.matMul(unshuffle, shuffled); // [B, L, Dd], original order
      let y = tf.concat([tf.slice(h, [0, 0, 0], [b, 1, dd]), ordered], 1) as tf.Tensor3D; // [B, 1 + L, Dd]
      y = tf.add(y, this.decoderPosEmbed) as tf.Tensor3D;
      for (const block of this.decoderBlocks) y = block.apply(y);
      y = this.decoderNorm.apply(y) as tf.Tensor3D;
      const pred = this.decoderPred.apply(y) as tf.Tensor3D; // [B, 1 + L, p*p*C]
      return tf.slice(pred, [0, 1, 0], [-1, -1, -1]) as tf.Tensor3D; // [B, L, p*p*C]
    });
  }

  override dispose(): void {
    this.decoderPosEmbed.dispose();
    super.dispose();
  }
}
