import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { setOnePassViewsEnabled, simclrViews, type SimclrViewOptions } from '../../src/augment/simclr-views';
import { assertNoLeak, maxAbsDiff, randomImages, useWasm } from './helpers';

/**
 * simclrViews' one-pass route (one-pass-views.ts) against the chain of batch ops it replaces (simclrSteps): the
 * same seed must give the same views, i.e. the same per-sample crops, flips, jitter factors and orders,
 * greyscale choices, up to float rounding; on cpu and on wasm.
 */

function bothRoutes(x: tf.Tensor4D, options: SimclrViewOptions & { seed: number }): { onePass: tf.Tensor4D[]; chain: tf.Tensor4D[] } {
  setOnePassViewsEnabled(true);
  const onePass = simclrViews(x, options);
  setOnePassViewsEnabled(false);
  try {
    return { onePass, chain: simclrViews(x, options) };
  } finally {
    setOnePassViewsEnabled(true);
  }
}

const RECIPES: [string, SimclrViewOptions][] = [
  ["bench:ssl's recipe (16 x 16, scale (0.2, 1), fixed order, no hue)", { size: 16, scale: [0.2, 1], randomOrder: false, hue: 0 }],
  ['random order per sample, 32 x 32, the Inception crop', { randomOrder: true, hue: 0 }],
  ['jitter and greyscale on about half the samples, flip always', { size: 12, hue: 0, jitterP: 0.5, grayscaleP: 0.5, flipP: 1 }],
  ['no colour jitter (strength 0), no greyscale', { size: 20, hue: 0, strength: 0, grayscaleP: 0 }],
  ['strong jitter (strength 1.5: factors down to 0, clipping at 1)', { size: 16, hue: 0, strength: 1.5, randomOrder: true }],
];

for (const [what, recipe] of RECIPES) {
  test(`Does the one-pass route give the chain's views for the same seed: ${what}?`, async () => {
    await useWasm();
    for (const [backend, seed] of [['cpu', 0], ['cpu', 7], ['wasm', 0], ['wasm', 7]] as const) {
      await tf.setBackend(backend);
      const x = randomImages([24, 32, 32, 3], 3);
      const { onePass, chain } = bothRoutes(x, { ...recipe, seed });
      for (let v = 0; v < 2; v++) {
        assert.deepEqual(onePass[v].shape, chain[v].shape);
        const diff = maxAbsDiff(onePass[v], chain[v]);
        assert.ok(diff <= 3e-5, `${backend}, view ${v + 1}, seed ${seed}: max |one-pass - chain| = ${diff}`);
      }
      tf.dispose([...onePass, ...chain, x]);
    }
  });
}

test('Does the one-pass route differ between seeds and views, and stay in [0, 1] without leaking?', async () => {
  await useWasm();
  const x = randomImages([16, 32, 32, 3], 4);
  const recipe = { size: 16, scale: [0.2, 1] as [number, number], randomOrder: false, hue: 0 };
  const [a1, a2] = simclrViews(x, { ...recipe, seed: 1 });
  const [b1] = simclrViews(x, { ...recipe, seed: 2 });
  assert.ok(maxAbsDiff(a1, a2) > 0.05, 'the two views of one call should differ');
  assert.ok(maxAbsDiff(a1, b1) > 0.05, 'two seeds should give different views');
  const [lo, hi] = tf.tidy(() => [tf.min(a1).dataSync()[0], tf.max(a1).dataSync()[0]]);
  assert.ok(lo >= 0 && hi <= 1, `views in [${lo}, ${hi}]`);
  assertNoLeak(() => simclrViews(x, { ...recipe, seed: 3 }));
  tf.dispose([a1, a2, b1, x]);
});

test("Does a crop that ends on the image's last column keep that column (issue 16: cropAndResize wrote zeros there)?", async () => {
  await useWasm();
  // seed 0 crops image 20 of this batch to rows 3..30, columns 2..31 (found by drawing the boxes)
  const x = randomImages([24, 32, 32, 3], 3, 0.1, 1);
  const recipe = { size: 12, hue: 0, strength: 0, grayscaleP: 0, flipP: 0, seed: 0 };
  const { onePass, chain } = bothRoutes(x, recipe);
  const lastColumn = (v: tf.Tensor4D) => tf.tidy(() => tf.slice(v, [20, 0, 11, 0], [1, 12, 1, 3]).dataSync());
  assert.ok(Math.min(...lastColumn(onePass[0])) >= 0.1, 'the one-pass view keeps the last column');
  assert.ok(Math.min(...lastColumn(chain[0])) >= 0.1, 'the chain (cropAndResizeBoxes) keeps the last column');
  tf.dispose([...onePass, ...chain, x]);
});

test('Do recipes with hue, blur or solarize keep the chain, bit for bit?', async () => {
  await useWasm();
  const x = randomImages([6, 16, 16, 3], 5);
  for (const recipe of [{ hue: 0.1 }, { hue: 0, blurP: 0.5 }, { hue: 0, solarizeP: 0.5 }]) {
    const { onePass, chain } = bothRoutes(x, { ...recipe, seed: 9 });
    assert.equal(maxAbsDiff(onePass[0], chain[0]), 0, JSON.stringify(recipe));
    tf.dispose([...onePass, ...chain]);
  }
  x.dispose();
});

test('Does the one-pass route reject a bad recipe with the same messages as the chain?', async () => {
  await useWasm();
  const x = randomImages([2, 8, 8, 3], 6);
  for (const [bad, message] of [
    [{ scale: [0.5, 0.2] }, /Error in randomResizedCrop: scale must satisfy 0 < lo <= hi <= 1, but got \[0.5, 0.2\]/],
    [{ flipP: 2 }, /Error in horizontalFlip: p must be in \[0, 1\], but got 2/],
    [{ jitterP: -1 }, /Error in composeAugmentations: p of step 'colorJitter' must be in \[0, 1\], but got -1/],
    [{ grayscaleP: 1.5 }, /Error in randomGrayscale: p must be in \[0, 1\], but got 1.5/],
  ] as [SimclrViewOptions, RegExp][]) {
    for (const on of [true, false]) {
      setOnePassViewsEnabled(on);
      try {
        assert.throws(() => simclrViews(x, { ...bad, hue: 0, seed: 0 }), message, `${JSON.stringify(bad)}, one-pass ${on}`);
      } finally {
        setOnePassViewsEnabled(true);
      }
    }
  }
  x.dispose();
});
