import * as tf from '@tensorflow/tfjs';
import { makeShapes } from '../../src/data/make-shapes';
import { MaskedAutoencoder } from '../../src/models/masked-autoencoder';
import { byol } from '../../src/train/recipes/byol';
import { mae } from '../../src/train/recipes/mae';
import { moco } from '../../src/train/recipes/moco';
import { rotation } from '../../src/train/recipes/rotation';
import { simclr } from '../../src/train/recipes/simclr';
import { simsiam } from '../../src/train/recipes/simsiam';
import type { SslRecipe, ImageBatch } from '../../src/train/recipes/ssl-recipe';
import { swav } from '../../src/train/recipes/swav';
import { batchIndices } from '../../src/train/step-seed';
import { FlatEncoder, TinyEncoder } from './helpers';

/** Tiny versions of every recipe, for the smoke and learning tests. */
const N = 32;
const BATCH = 16;

/** A trivial dataset: 32 synthetic 16x16 shapes, batches of 16 drawn by step. */
export function shapesData(): { x: tf.Tensor4D; data: (step: number) => ImageBatch } {
  const { x } = makeShapes({ n: N, size: 16, seed: 3 });
  const data = (step: number) => ({ x: tf.tidy(() => tf.gather(x, batchIndices(step, { n: N, batchSize: BATCH, seed: 1 }).indices)) as tf.Tensor4D });
  return { x, data };
}

export type Build = () => { recipe: SslRecipe<ImageBatch>; extra: () => void };

export const builds: Record<string, Build> = {
  SimCLR: () => {
    const enc = new TinyEncoder(1);
    return { recipe: simclr(enc, { projection: { hiddenDim: 16, outputDim: 8 }, seed: 5 }), extra: () => enc.dispose() };
  },
  'MoCo v2': () => {
    const enc = new TinyEncoder(1);
    return {
      recipe: moco(enc, () => new TinyEncoder(99), { queueSize: 64, projection: { hiddenDim: 16, outputDim: 8 }, seed: 5 }),
      extra: () => enc.dispose(),
    };
  },
  SwAV: () => {
    const enc = new TinyEncoder(1);
    return {
      recipe: swav(enc, { numPrototypes: 10, freezePrototypesSteps: 2, crops: { numLocal: 2 }, projection: { hiddenDim: 16, outputDim: 8 }, seed: 5 }),
      extra: () => enc.dispose(),
    };
  },
  BYOL: () => {
    const enc = new TinyEncoder(1);
    return { recipe: byol(enc, () => new TinyEncoder(7), { projection: { hiddenDim: 16, outputDim: 8 }, prediction: { hiddenDim: 16 }, seed: 5 }), extra: () => enc.dispose() };
  },
  SimSiam: () => {
    const enc = new TinyEncoder(1);
    return { recipe: simsiam(enc, { projection: { hiddenDim: 16, outputDim: 8 }, prediction: { hiddenDim: 4 }, seed: 5 }), extra: () => enc.dispose() };
  },
  MAE: () => {
    const model = new MaskedAutoencoder({
      encoder: { imageSize: 16, patchSize: 4, dim: 16, depth: 1, numHeads: 2, mlpRatio: 2, seed: 1 },
      decoderDim: 16,
      decoderDepth: 1,
      decoderHeads: 2,
      seed: 2,
    });
    return { recipe: mae(model, { seed: 5 }), extra: () => model.dispose() };
  },
  Rotation: () => {
    // Not TinyEncoder: a pooled per-pixel encoder cannot tell rotations apart.
    const enc = new FlatEncoder(1, 16);
    return { recipe: rotation(enc, { flipP: 0, seed: 5 }), extra: () => enc.dispose() };
  },
};

