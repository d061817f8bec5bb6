import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/backend/use-backend';
import { normalizeImages } from '../../src/augment/normalize-images';
import { defaultDataDir } from '../../src/data/data-dir';
import { loadCifar10 } from '../../src/data/load-cifar10';
import { extractFeatures } from '../../src/eval/extract-features';
import { knnAccuracy } from '../../src/eval/knn-predict';
import { ProjectionHead } from '../../src/models/projection-head';
import { ResNetEncoder } from '../../src/models/resnet-encoder';
import { saveCheckpoint } from '../../src/train/checkpoint';
import { courseCheckpointDir, courseCheckpointMeta, pretrained, referenceRun, type CourseCheckpointMeta } from '../../src/train/pretrained';
import { renderResults } from '../../scripts/make-results';
import { repoRoot } from '../helpers/notebooks';
import { weightBits } from './helpers';

const cifarDir = path.join(defaultDataDir(), 'cifar10');
const haveCifar = fs.existsSync(path.join(cifarDir, 'test_batch.bin')) && fs.existsSync(path.join(cifarDir, 'data_batch_1.bin'));
const committed = path.join(repoRoot, 'checkpoints', 'simclr');

before(async () => {
  await useBackend('wasm', { log: () => undefined });
});

test('Issue 14: does pretrained() rebuild the recorded architecture and load its weights bit for bit?', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'selfsup-pretrained-'));
  const encoderConfig = { stemChannels: 4, stageChannels: [4, 8], stageStrides: [1, 2], blocksPerStage: [1, 1], seed: 5 };
  const encoder = new ResNetEncoder(encoderConfig);
  const head = new ProjectionHead({ inputDim: 8, hiddenDim: 6, outputDim: 3, seed: 6 });
  try {
    const tensors: tf.NamedTensorMap = {};
    for (const [prefix, m] of Object.entries({ encoder, head })) for (const [k, v] of Object.entries(m.getWeights())) tensors[`weights/${prefix}.${k}`] = v;
    const folder = saveCheckpoint(path.join(dir, 'staging'), 12, tensors, {});
    const meta = { recipe: 'SimCLR', budgetMinutes: 30, epochs: 9.04, encoderConfig: encoder.config, headConfig: head.config, evaluation: { knnTop1: 0.5731 } };
    fs.writeFileSync(path.join(folder, 'metadata.json'), JSON.stringify(meta));
    const loaded = pretrained('simclr', folder);
    assert.deepEqual(weightBits(loaded.encoder.getWeights()), weightBits(encoder.getWeights()));
    assert.deepEqual(weightBits(loaded.head.getWeights()), weightBits(head.getWeights()));
    assert.equal(loaded.label, 'loaded from the course checkpoint (SimCLR, 30 min, 9.0 epochs, kNN top-1 57.3%)');
    loaded.dispose();
    assert.throws(() => pretrained('simclr', dir), /^Error: Error in pretrained: no course checkpoint for 'simclr' in .*; make it with: npm run pretrain -- simclr$/);
    assert.throws(() => pretrained('byol' as 'simclr'), /Error in pretrained: unknown method 'byol'; course checkpoints exist for 'simclr'/);
  } finally {
    encoder.dispose();
    head.dispose();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test('Issue 14: is the committed SimCLR checkpoint small, and does it record how it was made?', () => {
  assert.equal(courseCheckpointDir('simclr'), committed);
  const meta: CourseCheckpointMeta = courseCheckpointMeta('simclr');
  assert.equal(meta.method, 'simclr');
  assert.equal(meta.budgetMinutes, 30, 'the course standard: 30 minutes');
  assert.match(meta.command, /^npm run pretrain -- simclr --minutes 30 --seed 0$/);
  assert.ok(meta.steps > 0 && meta.epochs > 0 && meta.evaluation.knnTop1 > 0 && meta.evaluation.linearProbeTop1 > 0);
  const bytes = fs.readdirSync(committed).reduce((a, f) => a + fs.statSync(path.join(committed, f)).size, 0);
  assert.ok(bytes <= 3 * 2 ** 20, `checkpoint is ${bytes} bytes`);
});

test(
  'Issue 14: does the committed SimCLR checkpoint reproduce its recorded kNN accuracy on the fixed subset?',
  { skip: haveCifar ? false : `CIFAR-10 is not in ${cifarDir} (run npm run data)` },
  () => {
    const model = pretrained('simclr');
    const { bank, queries, k, temperature, top1 } = model.meta.evaluation.knnSubset;
    const train = loadCifar10({ split: 'train', limit: bank });
    const test = loadCifar10({ split: 'test', limit: queries });
    try {
      const preprocess = (x: tf.Tensor4D) => normalizeImages(x);
      const bankF = extractFeatures(model.encoder, train.x, { batchSize: 500, preprocess });
      const queryF = extractFeatures(model.encoder, test.x, { batchSize: 500, preprocess });
      const measured = knnAccuracy(queryF, test.y, bankF, train.y, { k, temperature, numClasses: 10 });
      tf.dispose([bankF, queryF]);
      // the same backend (wasm) as the run that recorded it; float rounding may move an image or two
      assert.ok(Math.abs(measured - top1) <= 0.003, `recorded ${top1}, measured ${measured}`);
      assert.ok(measured > 0.35, `well above chance (10%): ${measured}`);
    } finally {
      model.dispose();
      tf.dispose([train.x, train.y, test.x, test.y]);
    }
  },
);

test('Issue 14: is docs/results.md exactly what the recorded runs generate (npm run results)?', () => {
  const expected = renderResults(path.join(repoRoot, 'checkpoints'), path.join(repoRoot, 'scripts', 'reference', 'results'));
  const actual = fs.readFileSync(path.join(repoRoot, 'docs', 'results.md'), 'utf8');
  assert.equal(actual, expected, 'docs/results.md is out of date: run npm run results');
  assert.match(actual, /\| SimCLR \| \d+\.\d\d% \| \d+\.\d\d% \| 30 min \|/);
});

test('referenceRun reads the recorded PyTorch run: kNN per whole epoch, in order, ending at the final numbers', () => {
  const ref = referenceRun('simclr');
  assert.ok(ref.epochs.length >= 1);
  const last = ref.epochs[ref.epochs.length - 1];
  ref.epochs.forEach((e, i) => {
    if (e !== last || Number.isInteger(e.epoch)) assert.equal(e.epoch, i + 1, 'one entry per whole epoch');
    assert.ok(e.knnTop1 > 0.1 && e.knnTop1 < 1, `epoch ${e.epoch}: kNN ${e.knnTop1} is a fraction above chance`);
    if (i > 0) assert.ok(e.minutes > ref.epochs[i - 1].minutes, 'in the order they were measured');
  });
  if (!Number.isInteger(last.epoch)) assert.deepEqual([last.epoch, last.knnTop1], [Number(ref.final.epochs.toFixed(2)), ref.final.knnTop1], 'a fractional last entry is the end of the budget');
  assert.match(ref.command, /scripts\/reference\/simclr_reference\.py/);
  assert.throws(() => referenceRun('moco' as 'simclr'), /Error in referenceRun: unknown method 'moco'/);
  assert.throws(() => referenceRun('simclr', os.tmpdir()), /no reference results for 'simclr' at .*make them with: \/usr\/bin\/python3 scripts\/reference\/simclr_reference\.py/);
});
