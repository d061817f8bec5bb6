import * as tf from '@tensorflow/tfjs';
import type { Rng } from '../backend/seed';
import { type ApplyOptions, BaseModule, rngFrom, seededNormal } from './module';
import { resolveConfig } from '../config';
import { BatchNorm2d } from './batch-norm-2d';

/** Configuration of a `ResNetEncoder`. */
export interface ResNetEncoderConfig {
  /** Channels of the input images (3 for RGB). */
  inputChannels: number;
  /** Width of the 3x3 stem convolution. */
  stemChannels: number;
  /** Width of each stage; the last one is the feature size. */
  stageChannels: number[];
  /** Stride of the first block of each stage (2 halves the resolution). */
  stageStrides: number[];
  /** Residual blocks per stage (depth). */
  blocksPerStage: number[];
  /** BatchNorm running-statistics momentum, PyTorch's convention: running = (1 - m) running + m batch. */
  bnMomentum: number;
  /** BatchNorm epsilon. */
  bnEpsilon: number;
  /** Seed of the initialisation. */
  seed: number;
}

/**
 * The course's small CIFAR encoder: 3x3 stem (32 ch), blocks of 32 (stride 1), 64 (stride 2), 128 (stride 2)
 * channels, global average pool: 32x32x3 -> 128.
 */
export function defaultResNetEncoderConfig(): ResNetEncoderConfig {
  return {
    inputChannels: 3,
    stemChannels: 32,
    stageChannels: [32, 64, 128],
    stageStrides: [1, 2, 2],
    blocksPerStage: [1, 1, 1],
    bnMomentum: 0.1,
    bnEpsilon: 1e-5,
    seed: 0,
  };
}

/** Convolution weights [k, k, in, out] without bias (a BatchNorm follows), PyTorch-style padding k // 2. */
class Conv extends BaseModule<tf.Tensor4D, tf.Tensor4D> {
  readonly kernel: tf.Variable;
  private readonly pad: tf.backend_util.ExplicitPadding;

  constructor(name: string, size: number, inputChannels: number, outputChannels: number, readonly stride: number, rng: Rng) {
    super(name);
    // He (Kaiming) normal, fan-out mode, as torchvision's ResNet initialises its convolutions.
    const std = Math.sqrt(2 / (size * size * outputChannels));
    this.kernel = this.addWeight('kernel', seededNormal([size, size, inputChannels, outputChannels], std, rng));
    const p = Math.floor(size / 2);
    this.pad = [[0, 0], [p, p], [p, p], [0, 0]];
  }

  apply(x: tf.Tensor4D): tf.Tensor4D {
    return tf.conv2d(x, this.kernel as tf.Tensor4D, this.stride, this.pad);
  }
}

/** conv3x3-BN-ReLU-conv3x3-BN plus the input (through a 1x1 conv-BN when the shape changes), then ReLU. */
class BasicBlock extends BaseModule<tf.Tensor4D, tf.Tensor4D> {
  private readonly conv1: Conv;
  private readonly bn1: BatchNorm2d;
  private readonly conv2: Conv;
  private readonly bn2: BatchNorm2d;
  private readonly shortcut: { conv: Conv; bn: BatchNorm2d } | null;

  constructor(name: string, inputChannels: number, channels: number, stride: number, config: ResNetEncoderConfig, rng: Rng) {
    super(name);
    const bn = (key: string) => this.addChild(key, new BatchNorm2d(`${name}.${key}`, channels, { momentum: config.bnMomentum, eps: config.bnEpsilon }));
    this.conv1 = this.addChild('conv1', new Conv(`${name}.conv1`, 3, inputChannels, channels, stride, rng));
    this.bn1 = bn('bn1');
    this.conv2 = this.addChild('conv2', new Conv(`${name}.conv2`, 3, channels, channels, 1, rng));
    this.bn2 = bn('bn2');
    this.shortcut =
      stride !== 1 || inputChannels !== channels
        ? { conv: this.addChild('shortcut.conv', new Conv(`${name}.shortcut.conv`, 1, inputChannels, channels, stride, rng)), bn: bn('shortcut.bn') }
        : null;
  }

  apply(x: tf.Tensor4D, options: ApplyOptions = {}): tf.Tensor4D {
    const h = tf.relu(this.bn1.apply(this.conv1.apply(x), options));
    const y = this.bn2.apply(this.conv2.apply(h), options);
    const skip = this.shortcut ? this.shortcut.bn.apply(this.shortcut.conv.apply(x), options) : x;
    return tf.relu(tf.add<tf.Tensor4D>(y, skip));
  }
}

/**
 * The course's small CIFAR ResNet encoder f(.): images [N, H, W, C] in, features [N, D] out.
 *
 *   x -> conv3x3(stem) -> BN -> ReLU -> [BasicBlock] per stage -> global average pool -> h
 *
 * BasicBlock (He et al., "Deep Residual Learning for Image Recognition", CVPR 2016):
 * relu(BN(conv3x3(relu(BN(conv3x3(x))))) + shortcut(x)), the shortcut a strided 1x1 conv + BN when the width or
 * resolution changes. Default widths 32/64/128 with strides 1/2/2: 32x32x3 -> [N, 128], the encoder of DESIGN's
 * PyTorch SimCLR reference. Convolutions are He-normal initialised from `seed` (the same weights on every
 * backend); padding is PyTorch's k // 2, so a PyTorch model with the same weights computes the same features.
 *
 * @example
 * const encoder = new ResNetEncoder({ seed: 1 });
 * const h = encoder.apply(x, { training: true }); // [256, 32, 32, 3] -> [256, 128]
 * const weights = cloneWeights(encoder);           // 'stem.conv.kernel', 'stages.1.blocks.0.bn1.gamma', ...
 */
export class ResNetEncoder extends BaseModule<tf.Tensor4D, tf.Tensor2D> {
  readonly config: ResNetEncoderConfig;
  /** Size of the feature vector: the last stage's width. */
  readonly outputDim: number;
  private readonly stemConv: Conv;
  private readonly stemBn: BatchNorm2d;
  private readonly blocks: BasicBlock[] = [];

  constructor(config: Partial<ResNetEncoderConfig> = {}, name = 'ResNetEncoder') {
    super(name);
    this.config = resolveConfig(name, defaultResNetEncoderConfig(), config);
    const c = this.config;
    const stages = c.stageChannels.length;
    if (stages === 0 || c.stageStrides.length !== stages || c.blocksPerStage.length !== stages) {
      throw new Error(
        `Error in ${name}: stageChannels, stageStrides and blocksPerStage must be non-empty and of equal length, ` +
          `but got ${c.stageChannels.length}, ${c.stageStrides.length} and ${c.blocksPerStage.length}`,
      );
    }
    const positive = [c.inputChannels, c.stemChannels, ...c.stageChannels, ...c.stageStrides, ...c.blocksPerStage];
    if (!positive.every((v) => Number.isInteger(v) && v >= 1)) {
      throw new Error(`Error in ${name}: channel counts, strides and block counts must be integers >= 1`);
    }
    const rng = rngFrom(c.seed);
    this.stemConv = this.addChild('stem.conv', new Conv(`${name}.stem.conv`, 3, c.inputChannels, c.stemChannels, 1, rng));
    this.stemBn = this.addChild('stem.bn', new BatchNorm2d(`${name}.stem.bn`, c.stemChannels, { momentum: c.bnMomentum, eps: c.bnEpsilon }));
    let width = c.stemChannels;
    for (let s = 0; s < stages; s++) {
      for (let b = 0; b < c.blocksPerStage[s]; b++) {
        const key = `stages.${s}.blocks.${b}`;
        const stride = b === 0 ? c.stageStrides[s] : 1;
        this.blocks.push(this.addChild(key, new BasicBlock(`${name}.${key}`, width, c.stageChannels[s], stride, c, rng)));
        width = c.stageChannels[s];
      }
    }
    this.outputDim = width;
  }

  /**
   * Features of a batch of images.
   * @param x - [N, H, W, inputChannels] images.
   * @param options - `training: true` uses batch statistics in BatchNorm and updates the running ones.
   * @returns [N, outputDim].
   * @throws if x is not [N, H, W, inputChannels].
   */
  apply(x: tf.Tensor4D, options: ApplyOptions = {}): tf.Tensor2D {
    if (x.rank !== 4 || x.shape[3] !== this.config.inputChannels) {
      throw new Error(`Error in ${this.name}: input must be [N, H, W, ${this.config.inputChannels}], but got shape [${x.shape.join(',')}]`);
    }
    return tf.tidy(() => {
      let h = tf.relu(this.stemBn.apply(this.stemConv.apply(x), options));
      for (const block of this.blocks) h = block.apply(h, options);
      return tf.mean(h, [1, 2]) as tf.Tensor2D; // global average pool: [N, H', W', D] -> [N, D]
    });
  }
}
