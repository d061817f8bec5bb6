import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { MaskedAutoencoder } from '../../src/models/masked-autoencoder';
import { cloneWeights } from '../../src/models/module';
import { patchify, unpatchify } from '../../src/models/patchify';
import { assertClose, assertNoLeak, useCpu } from '../losses/helpers';
import { assertGradientsReachAll } from './helpers';

before(useCpu);

const config = {
  encoder: { imageSize: 8, patchSize: 2, channels: 3, dim: 8, depth: 1, numHeads: 2, mlpRatio: 2, seed: 1 },
  decoderDim: 8,
  decoderDepth: 1,
  decoderHeads: 2,
  maskRatio: 0.75,
  seed: 2,
};

test('forward: predicts p*p*C per patch for all 16 patches, masks 12 of them; apply gives encoder features', () => {
  const mae = new MaskedAutoencoder(config);
  const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const { pred, mask, idsRestore } = mae.forward(x, { seed: 3 });
  assert.deepEqual(pred.shape, [2, 16, 12]);
  assert.deepEqual(Array.from(tf.sum(mask, 1).dataSync()), [12, 12]);
  assert.deepEqual(idsRestore.shape, [2, 16]);
  assert.deepEqual(mae.apply(x).shape, [2, 8]);
  tf.dispose([x, pred, mask, idsRestore]);
  mae.dispose();
});

test('the encoder sees only visible patches: changing masked pixels changes no prediction', () => {
  const mae = new MaskedAutoencoder(config);
  const x = tf.randomUniform([1, 8, 8, 3], 0, 1, 'float32', 4) as tf.Tensor4D;
  const noise = tf.tensor2d([Array.from({ length: 16 }, (_, i) => (i * 7) % 16)]); // token order by noise
  const a = mae.forward(x, { noise });
  const maskValues = Array.from(a.mask.dataSync());
  // Overwrite every masked patch, in patch space, and map back to pixels.
  const patches = patchify(x, 2).arraySync()[0];
  const changed = patches.map((p, l) => (maskValues[l] === 1 ? p.map((v) => 1 - v) : p));
  const x2 = unpatchify(tf.tensor3d([changed]), 2);
  const b = mae.forward(x2, { noise });
  assertClose(b.pred, a.pred, 1e-6, 1e-6);
  // ... while changing a visible patch does change them.
  const visible = maskValues.indexOf(0);
  const changed2 = patches.map((p, l) => (l === visible ? p.map((v) => v + 1) : p));
  const c = mae.forward(unpatchify(tf.tensor3d([changed2]), 2), { noise });
  assert.ok(tf.max(tf.abs(tf.sub(c.pred, a.pred))).dataSync()[0] > 1e-4);
  mae.dispose();
});

test('loss: seeded determinism, save/load round trip, gradients reach every variable, no leak', () => {
  const a = new MaskedAutoencoder(config);
  const x = tf.randomUniform([2, 8, 8, 3], 0, 1, 'float32', 5) as tf.Tensor4D;
  const l1 = a.loss(x, { seed: 7 }).dataSync()[0];
  assert.equal(a.loss(x, { seed: 7 }).dataSync()[0], l1);
  assert.notEqual(a.loss(x, { seed: 8 }).dataSync()[0], l1);
  const b = new MaskedAutoencoder({ ...config, encoder: { ...config.encoder, seed: 11 }, seed: 12 });
  assert.notEqual(b.loss(x, { seed: 7 }).dataSync()[0], l1);
  b.setWeights(cloneWeights(a));
  assert.equal(b.loss(x, { seed: 7 }).dataSync()[0], l1);
  assertGradientsReachAll(a, () => a.loss(x, { seed: 7 }));
  assertNoLeak(() => a.loss(x, { seed: 7 }));
  assertNoLeak(() => {
    const r = a.forward(x, { seed: 7 });
    return [r.pred, r.mask, r.idsRestore];
  }, 3);
  a.dispose();
  b.dispose();
  x.dispose();
});
