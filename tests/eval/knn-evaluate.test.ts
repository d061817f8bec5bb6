import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/backend/use-backend';
import { normalizeImages } from '../../src/augment/normalize-images';
import { makeShapes } from '../../src/data/make-shapes';
import { extractFeatures } from '../../src/eval/extract-features';
import { knnAccuracy } from '../../src/eval/knn-predict';
import { knnEvaluate } from '../../src/eval/knn-evaluate';
import { ResNetEncoder } from '../../src/models/resnet-encoder';
import { simclr } from '../../src/train/recipes/simclr';

before(async () => {
  await useBackend('cpu', { log: () => {} });
});

function data() {
  const a = makeShapes({ n: 48, size: 8, seed: 1 });
  const b = makeShapes({ n: 24, size: 8, seed: 2 });
  return { train: { x: a.x, y: Array.from(a.labels.colour) }, test: { x: b.x, y: Array.from(b.labels.colour) } };
}

/** kNN by hand, with the given preprocessing, for comparison. */
function byHand(encoder: ResNetEncoder, d: ReturnType<typeof data>, preprocess?: (x: tf.Tensor4D) => tf.Tensor4D): number {
  const bank = extractFeatures(encoder, d.train.x, { preprocess });
  const queries = extractFeatures(encoder, d.test.x, { preprocess });
  const top1 = knnAccuracy(queries, d.test.y, bank, d.train.y, { k: 20, temperature: 0.1, numClasses: 6 });
  tf.dispose([bank, queries]);
  return top1;
}

test('knnEvaluate of a recipe applies the standardisation the recipe trains with, and leaks nothing', () => {
  const d = data();
  const encoder = new ResNetEncoder({ stemChannels: 4, stageChannels: [4, 8, 8], seed: 1 });
  const recipe = simclr(encoder, { views: { size: 8 } });
  const before = tf.memory().numTensors;
  const result = knnEvaluate(recipe, d, { k: 20, numClasses: 6 });
  assert.equal(tf.memory().numTensors, before);
  assert.deepEqual({ ...result, top1: 0 }, { top1: 0, numBank: 48, numQueries: 24, k: 20, temperature: 0.1 });
  assert.equal(result.top1, byHand(encoder, d, (x) => normalizeImages(x)));
  assert.notEqual(byHand(encoder, d), result.top1, 'on these images the preprocessing changes the accuracy, so the check above can tell');
  // a recipe trained on raw [0, 1] images is evaluated on raw images
  const raw = simclr(encoder, { normalize: null, views: { size: 8 } });
  assert.equal(knnEvaluate(raw, d, { k: 20, numClasses: 6 }).top1, byHand(encoder, d));
  // the recipe's preprocess is the same function its loss applies
  const x = d.test.x.slice([0, 0, 0, 0], [2, -1, -1, -1]) as tf.Tensor4D;
  assert.deepEqual(Array.from(recipe.preprocess(x).dataSync()), Array.from(normalizeImages(x).dataSync()));
  recipe.dispose();
  raw.dispose();
  encoder.dispose();
  tf.dispose([d.train.x, d.test.x, x]);
});

test('knnEvaluate of a bare encoder needs to be told its preprocessing; bad input is refused clearly', () => {
  const d = data();
  const encoder = new ResNetEncoder({ stemChannels: 4, stageChannels: [4, 8, 8], seed: 1 });
  assert.throws(() => knnEvaluate(encoder, d), /^Error: Error in knnEvaluate: a bare encoder needs \{ preprocess \}/);
  assert.equal(knnEvaluate(encoder, d, { preprocess: null, k: 20, numClasses: 6 }).top1, byHand(encoder, d));
  assert.throws(() => knnEvaluate(encoder, d, { preprocess: null, kk: 3 } as never), /Unknown config key: kk/);
  assert.throws(() => knnEvaluate(encoder, { ...d, test: { x: d.test.x, y: [1, 2] } }, { preprocess: null }), {
    message: 'Error in knnEvaluate: test.y must have 24 labels (one per image), but got 2',
  });
  encoder.dispose();
  tf.dispose([d.train.x, d.test.x]);
});
