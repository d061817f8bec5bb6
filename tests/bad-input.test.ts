import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../src/backend/use-backend';
import { simclrViews } from '../src/augment/simclr-views';
import { colorJitter } from '../src/augment/color-jitter';
import { randomResizedCrop } from '../src/augment/random-resized-crop';
import { imageGrid } from '../src/viz/image-grid';
import { lineChartSpec } from '../src/viz/line-chart';
import { ntXentLoss } from '../src/losses/nt-xent';
import { infoNceLoss } from '../src/losses/info-nce';
import { maeLoss } from '../src/losses/mae';
import { knnAccuracy, knnPredict } from '../src/eval/knn-predict';
import { alignmentLoss } from '../src/losses/alignment';
import { scatterChartSpec } from '../src/viz/scatter-chart';
import { heatmapSpec } from '../src/viz/heatmap';
import { loadCifar10 } from '../src/data/load-cifar10';
import { fit } from '../src/train/fit';

// The mistakes learners make most, each with the fixed-form message it must get
// ("Error in <function>: <what was wrong>, but got <what came>"), never a tfjs-internal error
// or a silent wrong result. One row per call.
before(async () => {
  await useBackend('cpu', { log: () => {} });
});

type Row = [what: string, call: () => unknown, message: RegExp];

const images = () => tf.randomUniform([4, 8, 8, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
const pixels255 = () => tf.tidy(() => tf.mul(images(), 255)) as tf.Tensor4D;
const z = (n = 4, d = 3, seed = 1) => tf.randomNormal([n, d], 0, 1, 'float32', seed) as tf.Tensor2D;
const variable = tf.variable(tf.scalar(1));
const fitWith = (config: object) => fit({ loss: () => tf.square(variable) as tf.Scalar, variables: [variable], data: () => ({}), config: { numSteps: 1, progress: false, ...config }, log: () => undefined });

const rows: Row[] = [
  ['images in 0..255 into simclrViews', () => simclrViews(pixels255(), { seed: 0 }), /^Error in simclrViews: images must be float32 in \[0, 1\], but got values up to 25\d\.\d+ \(divide by 255\)$/],
  ['int32 images into colorJitter', () => colorJitter(tf.ones([2, 4, 4, 3], 'int32') as tf.Tensor4D, { brightness: 0.4, seed: 0 }), /^Error in colorJitter: images must be float32 in \[0, 1\], but got dtype int32/],
  ['images in 0..255 into randomResizedCrop', () => randomResizedCrop(pixels255(), { seed: 0 }), /^Error in randomResizedCrop: images must be float32 in \[0, 1\]/],
  ['images in 0..255 into imageGrid', () => imageGrid(pixels255(), {}, { writer: () => undefined }), /^Error in imageGrid: images must be in \[0, 1\] \(values a little outside are clipped\), but got values up to 25\d/],
  ['int32 embeddings into ntXentLoss', () => ntXentLoss(tf.ones([4, 3], 'int32') as tf.Tensor2D, tf.ones([4, 3], 'int32') as tf.Tensor2D), /^Error in ntXentLoss: z1 must be float32, but got int32/],
  ['an unknown option of ntXentLoss', () => ntXentLoss(z(), z(4, 3, 2), { tau: 0.1 } as never), /^Error in ntXentLoss: Unknown config key: tau \(expected one of temperature\)$/],
  ['an empty queue into infoNceLoss', () => infoNceLoss(z(), z(4, 3, 2), tf.zeros([0, 3]) as tf.Tensor2D), /^Error in infoNceLoss: the queue is empty \(shape \[0,3\]\): fill it before computing the loss/],
  ['NaN embeddings into scatterChart (a diverged run)', () => scatterChartSpec(tf.tensor2d([[NaN, 1], [0, 1], [Infinity, 2]])), /^Error in scatterChart: points must be finite, but got 2 NaN or infinite values \(the first in row 0\); did training diverge\?$/],
  ['a NaN similarity into heatmap', () => heatmapSpec([[1, NaN], [0, 1]]), /^Error in heatmap: matrix must be finite, but got 1 NaN or infinite value \(the first in row 0\)/],
  ['an empty batch into alignmentLoss', () => alignmentLoss(tf.zeros([0, 3]) as tf.Tensor2D, tf.zeros([0, 3]) as tf.Tensor2D), /^Error in alignmentLoss: z1 needs at least 1 row, but got shape \[0,3\]$/],
  ['no queries into knnAccuracy', () => knnAccuracy(tf.zeros([0, 3]) as tf.Tensor2D, [], z(), [0, 1, 0, 1], { k: 2, numClasses: 2 }), /^Error in knnAccuracy: features must have at least one row, but got shape \[0,3\]$/],
  ['maeLoss with nothing masked', () => maeLoss(tf.zeros([2, 4, 48]) as tf.Tensor3D, tf.zeros([2, 8, 8, 3]) as tf.Tensor4D, tf.zeros([2, 4]) as tf.Tensor2D, { patchSize: 4 }), /^Error in maeLoss: the mask removes no patch \(every entry is 0\); the loss is over masked patches \(mask 1 = removed\)$/],
  ['a label >= numClasses in knnPredict', () => knnPredict(z(), z(6, 3, 2), [0, 1, 2, 3, 4, 10], { numClasses: 10 }), /^Error in knnPredict: bankLabels must be integers in 0\.\.9 \(numClasses 10\), but got 10 at row 5$/],
  ['a non-integer label in knnPredict', () => knnPredict(z(), z(6, 3, 2), [0, 1, 2, 0.5, 1, 2], { numClasses: 3 }), /^Error in knnPredict: bankLabels must be integers in 0\.\.2 \(numClasses 3\), but got 0\.5 at row 3$/],
  ['an unknown option of knnPredict', () => knnPredict(z(), z(6, 3, 2), [0, 1, 2, 0, 1, 2], { numClasses: 3, kk: 3 } as never), /^Error in knnPredict: Unknown config key: kk/],
  ['a misspelt option of loadCifar10', () => loadCifar10({ split: 'test', sead: 1 } as never), /^Error in loadCifar10: Unknown config key: sead \(expected one of split, limit, seed, dir, files\)$/],
  ['a 2-D tensor as one line of lineChart', () => lineChartSpec(tf.ones([3, 2])), /^Error in lineChart: a series must be 1-D, but got a tensor of shape \[3,2\]/],
];

for (const [what, call, message] of rows) {
  test(`refused clearly: ${what}`, () => {
    assert.throws(() => tf.tidy(() => void call()), (err: Error) => {
      assert.match(err.message, message);
      return true;
    });
  });
}

const asyncRows: [string, () => Promise<unknown>, RegExp][] = [
  ['a negative learning rate in fit', () => fitWith({ lr: -1e-3 }), /^Error in fit: lr must be >= 0, but got -0\.001$/],
  ['an unknown schedule in fit', () => fitWith({ schedule: 'cosine' }), /^Error in fit: schedule must be 'constant' or 'warmup-cosine', but got "cosine"$/],
  ['an unknown leakCheck in fit', () => fitWith({ leakCheck: 'strict' }), /^Error in fit: leakCheck must be 'error', 'warn' or 'off', but got "strict"$/],
];
for (const [what, call, message] of asyncRows) {
  test(`refused clearly: ${what}`, async () => {
    await assert.rejects(call(), (err: Error) => {
      assert.match(err.message, message);
      return true;
    });
  });
}
