import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { MaskedAutoencoder } from '../../src/models/masked-autoencoder';
import { assertClose, loadReference, useCpu } from '../losses/helpers';

const ref = loadReference('vit');
before(useCpu);

/** Loads the PyTorch reference weights (stored under our names and layouts) into a fresh MAE. */
function referenceMae(): MaskedAutoencoder {
  const c = ref.config;
  const mae = new MaskedAutoencoder({
    encoder: { imageSize: c.imageSize, patchSize: c.patchSize, channels: c.channels, dim: c.dim, depth: c.depth, numHeads: c.numHeads, mlpRatio: c.mlpRatio, seed: 1 },
    decoderDim: c.decoderDim,
    decoderDepth: c.decoderDepth,
    decoderHeads: c.decoderHeads,
    maskRatio: c.maskRatio,
    normPixLoss: true,
    seed: 2,
  });
  const weights: tf.NamedTensorMap = {};
  for (const [name, w] of Object.entries(ref.weights as Record<string, { shape: number[]; values: number[] }>)) {
    weights[name] = tf.tensor(w.values, w.shape);
  }
  mae.setWeights(weights);
  tf.dispose(Object.values(weights));
  return mae;
}

test('ViT encoder (patch-embed conv, sin-cos position, pre-norm blocks, CLS) matches the PyTorch reference', () => {
  const mae = referenceMae();
  const x = tf.tensor4d(ref.imagesNHWC);
  assertClose(mae.apply(x), ref.clsFeatures, 1e-4, 1e-5);
  x.dispose();
  mae.dispose();
});

test('MAE forward (masking from noise, decoder unshuffle) and norm-pix loss match the official forward_loss', () => {
  const mae = referenceMae();
  const x = tf.tensor4d(ref.imagesNHWC);
  const noise = tf.tensor2d(ref.noise);
  const { pred, mask, idsRestore } = mae.forward(x, { noise });
  assert.deepEqual(mask.arraySync(), ref.mask);
  assertClose(pred, ref.pred, 1e-4, 1e-5, 'pred');
  assertClose([mae.loss(x, { noise }).dataSync()[0]], [ref.loss], 1e-5, 1e-6, 'loss');
  tf.dispose([x, noise, pred, mask, idsRestore]);
  mae.dispose();
});
