import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { normalizeImages } from '../../src/augment/normalize-images';
import { simclrViews } from '../../src/augment/simclr-views';
import { buggySimclrLoss } from '../../src/losses/buggy-simclr';
import { ntXentLoss } from '../../src/losses/nt-xent';
import { simclr } from '../../src/train/recipes/simclr';
import { stepSeed } from '../../src/train/step-seed';
import { useCpu } from '../losses/helpers';
import { TinyEncoder } from './helpers';
import { shapesData } from './recipe-builds';

before(useCpu);

test("Issue 14: does simclr's loss option train on the textbook's loss, computed on the same views, and refuse anything else?", () => {
  const { x } = shapesData();
  const batch = tf.slice(x, [0, 0, 0, 0], [8, -1, -1, -1]) as tf.Tensor4D;
  const config = { temperature: 0.3, projection: { hiddenDim: 16, outputDim: 8 }, seed: 3 };
  for (const loss of ['nt-xent', 'buggy-simclr'] as const) {
    const encoder = new TinyEncoder(1);
    const recipe = simclr(encoder, { ...config, loss });
    const got = tf.tidy(() => recipe.loss({ x: batch }, 4) as tf.Scalar).dataSync()[0];
    const expected = tf.tidy(() => {
      const [x1, x2] = simclrViews(batch, { ...recipe.recipeConfig.views, seed: stepSeed(3, 4) });
      const views = normalizeImages(tf.concat([x1, x2], 0) as tf.Tensor4D);
      const z = recipe.head.apply(encoder.apply(views, { training: true }), { training: true });
      const [z1, z2] = tf.split(z, 2, 0) as [tf.Tensor2D, tf.Tensor2D];
      return (loss === 'nt-xent' ? ntXentLoss(z1, z2, { temperature: 0.3 }) : buggySimclrLoss(z1, z2, { temperature: 0.3 })).dataSync()[0];
    });
    assert.ok(Math.abs(got - expected) < 1e-4, `${loss}: recipe ${got}, by hand ${expected}`);
    recipe.dispose();
    encoder.dispose();
  }
  const encoder = new TinyEncoder(1);
  assert.throws(() => simclr(encoder, { loss: 'infonce' as 'nt-xent' }), { message: `Error in simclr: loss must be 'nt-xent' or 'buggy-simclr', but got "infonce"` });
  encoder.dispose();
  tf.dispose([x, batch]);
});
