import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { defaultSimclrViewOptions, simclrViews, simclrSteps } from '../../src/augment/simclr-views';
import { multiCropViews } from '../../src/augment/multi-crop-views';
import { assertBinomial, assertNoLeak, maxAbsDiff, randomImages, range, useWasm } from './helpers';

before(useWasm);

test('Are the two views shaped like the input, in [0, 1], different from each other and seeded?', () => {
  const x = randomImages([8, 32, 32, 3], 1);
  const [a1, a2] = simclrViews(x, { seed: 1 });
  const [b1, b2] = simclrViews(x, { seed: 1 });
  const [c1] = simclrViews(x, { seed: 2 });
  assert.deepEqual(a1.shape, [8, 32, 32, 3]);
  assert.deepEqual(a2.shape, [8, 32, 32, 3]);
  assert.equal(maxAbsDiff(a1, b1), 0);
  assert.equal(maxAbsDiff(a2, b2), 0);
  assert.ok(maxAbsDiff(a1, a2) > 0.1);
  assert.ok(maxAbsDiff(a1, c1) > 0.1);
  for (const v of [a1, a2]) {
    const [lo, hi] = range(v);
    assert.ok(lo >= 0 && hi <= 1);
  }
  const small = simclrViews(x, { seed: 3, size: 16 });
  assert.deepEqual(small[0].shape, [8, 16, 16, 3]);
  tf.dispose([x, a1, a2, b1, b2, c1, ...small]);
});

test('Is the CIFAR-10 preset the paper setting: strength 0.5 jitter at p = 0.8, greyscale at p = 0.2, no blur?', () => {
  const steps = simclrSteps(32);
  assert.deepEqual(steps.map((s) => [s.name, s.p ?? 1]), [
    ['randomResizedCrop', 1], ['horizontalFlip', 1], ['colorJitter', 0.8], ['randomGrayscale', 1],
  ]);
  assert.deepEqual(simclrSteps(32, { blurP: 0.5, solarizeP: 0.2 }).map((s) => s.name).slice(-2), ['gaussianBlur', 'solarize']);
  assert.deepEqual(defaultSimclrViewOptions(32, { scale: [0.2, 1], blurP: undefined }), {
    size: 32, scale: [0.2, 1], ratio: [3 / 4, 4 / 3], flipP: 0.5, strength: 0.5, jitterP: 0.8,
    randomOrder: true, grayscaleP: 0.2, blurP: 0, solarizeP: 0, hue: 0.1,
  });
  assert.equal(defaultSimclrViewOptions(32, { strength: 1 }).hue, 0.2, 'hue follows the strength (0.2 s)');
  assert.equal(defaultSimclrViewOptions(32, { hue: 0 }).hue, 0, 'hue can be turned off');
  // greyscale shows as equal channels in about 20% of the views
  const x = randomImages([600, 4, 4, 3], 2);
  const [v] = simclrViews(x, { seed: 4, scale: [1, 1] });
  const grey = tf.tidy(() => v.max(-1).sub(v.min(-1)).max([1, 2]).equal(0).sum().dataSync()[0]);
  assertBinomial(grey, 600, 0.2, 'greyscale views');
  tf.dispose([x, v]);
});

test('Does hue 0 leave hue alone, so views differ from the default only through the hue step?', () => {
  const x = randomImages([4, 8, 8, 3], 5);
  const opts = { seed: 3, scale: [1, 1] as [number, number], flipP: 0, grayscaleP: 0, jitterP: 1, strength: 0 };
  const [plain] = simclrViews(x, { ...opts, hue: 0 });
  const [withHue] = simclrViews(x, { ...opts, hue: 0.5 });
  assert.ok(maxAbsDiff(plain, x) < 1e-5, 'strength 0 and hue 0: the crop of the whole image is the image');
  assert.ok(maxAbsDiff(withHue, x) > 0.05, 'hue 0.5 changes colours');
  tf.dispose([x, plain, withHue]);
});

test('Is it leak-free, and does the cpu backend give the same views?', async () => {
  const x = randomImages([4, 16, 16, 3], 5);
  assertNoLeak(() => simclrViews(x, { seed: 6 }));
  const onWasm = simclrViews(x, { seed: 7 });
  const data = onWasm.map((v) => v.arraySync());
  tf.dispose(onWasm);
  const xs = x.arraySync();
  x.dispose();
  await tf.setBackend('cpu');
  try {
    const xc = tf.tensor4d(xs);
    const onCpu = simclrViews(xc, { seed: 7 });
    onCpu.forEach((v, i) => assert.ok(maxAbsDiff(v, tf.tensor4d(data[i])) < 1e-4));
    tf.dispose([xc, ...onCpu]);
  } finally {
    await useWasm();
  }
});

test('Are unknown recipe keys rejected?', () => {
  const x = randomImages([1, 8, 8, 3], 0);
  assert.throws(() => simclrViews(x, { seed: 0, jiterP: 0.5 } as never), {
    message: 'Error in simclrViews: Unknown config key: jiterP (expected one of size, scale, ratio, flipP, strength, jitterP, randomOrder, grayscaleP, blurP, solarizeP, hue)',
  });
  assert.throws(() => multiCropViews(x, { seed: 0, scale: [0.1, 1] } as never), /^Error: Error in multiCropViews: Unknown config key: scale/);
  x.dispose();
});
