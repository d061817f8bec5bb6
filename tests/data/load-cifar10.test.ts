import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as fsp from 'node:fs/promises';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { loadCifar10 } from '../../src/data/load-cifar10';
import { CIFAR10_CLASSES, CIFAR10_FILES, CIFAR10_MEAN, defaultCifar10Dir } from '../../src/data/cifar10';
import { FIXTURE_NAMES, makeCifar10Fixture, type Cifar10Fixture } from './cifar10-fixture';

let fx: Cifar10Fixture;
let dir: string;
before(async () => {
  await tf.setBackend('cpu');
  fx = await makeCifar10Fixture(4, 3);
  dir = path.join(fx.root, 'bins');
  await fsp.mkdir(dir);
  for (const name of FIXTURE_NAMES) await fsp.writeFile(path.join(dir, name), fx.bins[name]);
});
after(async () => {
  await fsp.rm(fx.root, { recursive: true, force: true });
});

/** The fixture's images of a split in file order, as NHWC bytes, and their labels. */
function fixtureSplit(split: 'train' | 'test'): { pixels: Uint8Array[]; labels: number[] } {
  const names = FIXTURE_NAMES.filter((n) => (split === 'test') === n.startsWith('test'));
  return { pixels: names.flatMap((n) => fx.pixels[n]), labels: names.flatMap((n) => fx.labels[n]) };
}

test('Does loadCifar10 turn the binary records into NHWC floats in [0, 1] with int32 labels?', () => {
  const { x, y, classNames } = loadCifar10({ split: 'train', dir, files: fx.expected });
  const want = fixtureSplit('train');
  assert.deepEqual(x.shape, [20, 32, 32, 3]);
  assert.equal(x.dtype, 'float32');
  assert.equal(y.dtype, 'int32');
  assert.deepEqual(Array.from(y.dataSync()), want.labels);
  const data = x.dataSync();
  for (let n = 0; n < 20; n++) {
    for (let i = 0; i < 3072; i++) assert.equal(data[n * 3072 + i], Math.fround(want.pixels[n][i] / 255));
  }
  assert.equal(classNames, CIFAR10_CLASSES);
  tf.dispose([x, y]);
});

test('Does limit without a seed take the first images, and a seed a reproducible random subset?', () => {
  const want = fixtureSplit('train');
  const first = loadCifar10({ split: 'train', limit: 5, dir, files: fx.expected });
  assert.deepEqual(Array.from(first.y.dataSync()), want.labels.slice(0, 5));
  const a = loadCifar10({ split: 'train', limit: 6, seed: 1, dir, files: fx.expected });
  const b = loadCifar10({ split: 'train', limit: 6, seed: 1, dir, files: fx.expected });
  const c = loadCifar10({ split: 'train', limit: 6, seed: 2, dir, files: fx.expected });
  assert.deepEqual(a.x.dataSync(), b.x.dataSync());
  assert.notDeepEqual(a.x.dataSync(), c.x.dataSync());
  // every returned image is one of the fixture's, with its own label
  const ax = a.x.dataSync();
  const ay = a.y.dataSync();
  for (let k = 0; k < 6; k++) {
    const g = want.pixels.findIndex((p) => p.every((v, i) => Math.fround(v / 255) === ax[k * 3072 + i]));
    assert.ok(g >= 0);
    assert.equal(ay[k], want.labels[g]);
  }
  tf.dispose([first.x, first.y, a.x, a.y, b.x, b.y, c.x, c.y]);
});

test('Does the test split read test_batch.bin only?', () => {
  const { x, y } = loadCifar10({ split: 'test', dir, files: fx.expected });
  assert.deepEqual(x.shape, [4, 32, 32, 3]);
  assert.deepEqual(Array.from(y.dataSync()), fx.labels['test_batch.bin']);
  tf.dispose([x, y]);
});

test('Does missing data fail with "run npm run data"?', () => {
  const empty = path.join(fx.root, 'empty');
  fs.mkdirSync(empty);
  assert.throws(() => loadCifar10({ split: 'test', dir: empty }), {
    message: `Error in loadCifar10: CIFAR-10 is not in ${empty} (missing test_batch.bin); run \`npm run data\` to download and convert it`,
  });
  fs.writeFileSync(path.join(empty, 'test_batch.bin'), Buffer.alloc(3073));
  assert.throws(() => loadCifar10({ split: 'test', dir: empty }), {
    message: `Error in loadCifar10: ${path.join(empty, 'test_batch.bin')} has 3073 bytes, expected 30730000; run \`npm run data\` to rebuild it`,
  });
});

test('Are bad arguments rejected with fixed-form messages?', () => {
  assert.throws(() => loadCifar10({ split: 'val' as never, dir }), { message: `Error in loadCifar10: split must be 'train' or 'test', but got "val"` });
  assert.throws(() => loadCifar10({ split: 'test', limit: 0, dir, files: fx.expected }), { message: 'Error in loadCifar10: limit must be a positive integer, but got 0' });
});

const realDir = defaultCifar10Dir();
const haveReal = CIFAR10_FILES.every((f) => fs.existsSync(path.join(realDir, f.name)));

test('Does the real test split load with the known first labels?', { skip: haveReal ? false : `CIFAR-10 is not in ${realDir} (run npm run data)` }, () => {
  const { x, y } = loadCifar10({ split: 'test', limit: 500 });
  assert.deepEqual(x.shape, [500, 32, 32, 3]);
  assert.deepEqual(Array.from(y.dataSync().slice(0, 5)), [3, 8, 8, 0, 6]); // cat, ship, ship, airplane, frog
  const mean = tf.tidy(() => x.mean([0, 1, 2]).arraySync() as number[]);
  mean.forEach((m, c) => assert.ok(Math.abs(m - CIFAR10_MEAN[c]) < 0.03, `channel ${c} mean ${m}`));
  tf.dispose([x, y]);
});
