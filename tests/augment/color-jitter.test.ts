import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { colorJitter } from '../../src/augment/color-jitter';
import { adjustBrightness, adjustContrast, adjustHue, adjustSaturation } from '../../src/augment/adjust-color';
import { createRng } from '../../src/backend/seed';
import { assertNoLeak, maxAbsDiff, randomImages, range, useWasm } from './helpers';

before(useWasm);

test('Does brightness jitter scale each sample by its own factor within [1 - b, 1 + b]?', () => {
  const x = randomImages([200, 2, 2, 3], 1, 0.05, 0.5); // no clipping at 1 + 0.4
  const y = colorJitter(x, { brightness: 0.4, seed: 3 });
  const ratio = tf.tidy(() => y.div(x).reshape([200, 12]));
  const spread = tf.tidy(() => ratio.max(1).sub(ratio.min(1)).max().dataSync()[0]);
  assert.ok(spread < 1e-5, 'one factor per sample');
  const factors = Array.from(tf.tidy(() => ratio.mean(1).dataSync()));
  assert.ok(Math.min(...factors) >= 0.6 - 1e-6 && Math.max(...factors) <= 1.4 + 1e-6);
  assert.ok(Math.min(...factors) < 0.65 && Math.max(...factors) > 1.35, 'factors spread over the range');
  tf.dispose([x, y, ratio]);
});

test('In fixed order, is colorJitter the four adjustments applied in turn with its drawn factors?', () => {
  const x = randomImages([5, 6, 6, 3], 2);
  const y = colorJitter(x, { brightness: 0.4, contrast: 0.3, saturation: 0.2, hue: 0.1, randomOrder: false, seed: 9 });
  // the same draws, in the documented order: brightness, contrast, saturation, hue factors
  const rng = createRng(9);
  const draw = (lo: number, hi: number) => Array.from({ length: 5 }, () => lo + (hi - lo) * rng.next());
  const fb = draw(0.6, 1.4);
  const fc = draw(0.7, 1.3);
  const fs = draw(0.8, 1.2);
  const fh = draw(-0.1, 0.1);
  const want = tf.tidy(() => adjustHue(adjustSaturation(adjustContrast(adjustBrightness(x, fb), fc), fs), fh));
  assert.ok(maxAbsDiff(y, want) < 1e-6);
  tf.dispose([x, y, want]);
});

test('In random order, does each sample still get each adjustment once with its own factor?', () => {
  // brightness, contrast and saturation commute when nothing clips (up to the luma weights
  // summing to 0.9999), and hue commutes with brightness: the order must then not matter
  const x = randomImages([64, 4, 4, 3], 7, 0.3, 0.5);
  const linear = { brightness: 0.2, contrast: 0.2, saturation: 0.2, seed: 11 };
  const a = colorJitter(x, linear);
  const b = colorJitter(x, { ...linear, randomOrder: false });
  assert.ok(maxAbsDiff(a, b) < 1e-4);
  const bh = { brightness: 0.4, hue: 0.3, seed: 12 };
  const c = colorJitter(x, bh);
  const d = colorJitter(x, { ...bh, randomOrder: false });
  assert.ok(maxAbsDiff(c, d) < 1e-5);
  // with saturation and hue, which do not commute, the random order does change results
  const sh = { saturation: 0.9, hue: 0.5, seed: 13 };
  const e = colorJitter(x, sh);
  const f = colorJitter(x, { ...sh, randomOrder: false });
  assert.ok(maxAbsDiff(e, f) > 1e-3);
  tf.dispose([x, a, b, c, d, e, f]);
});

test('Does hue-only jitter keep every pixel max and min, and saturation-only jitter keep grey images grey?', () => {
  const x = randomImages([8, 4, 4, 3], 3);
  const y = colorJitter(x, { hue: 0.5, seed: 1 });
  assert.ok(tf.tidy(() => maxAbsDiff(x.max(-1), y.max(-1))) < 1e-5);
  assert.ok(tf.tidy(() => maxAbsDiff(x.min(-1), y.min(-1))) < 1e-5);
  const grey = tf.tidy(() => randomImages([8, 4, 4, 1], 4).tile([1, 1, 1, 3]) as tf.Tensor4D);
  const z = colorJitter(grey, { saturation: 0.9, seed: 2 });
  assert.ok(maxAbsDiff(z, grey) < 1e-4);
  tf.dispose([x, y, grey, z]);
});

test('Is the jitter seeded, per-sample, in [0, 1], the identity at strength 0, and leak-free?', () => {
  const x = randomImages([16, 8, 8, 3], 5);
  const opts = { brightness: 0.8, contrast: 0.8, saturation: 0.8, hue: 0.2 };
  const a = colorJitter(x, { ...opts, seed: 1 });
  const b = colorJitter(x, { ...opts, seed: 1 });
  const c = colorJitter(x, { ...opts, seed: 2 });
  assert.equal(maxAbsDiff(a, b), 0);
  assert.ok(maxAbsDiff(a, c) > 0.05);
  const [lo, hi] = range(a);
  assert.ok(lo >= 0 && hi <= 1);
  // the same image repeated gets different jitter per copy
  const same = tf.tidy(() => x.slice(0, 1).tile([4, 1, 1, 1]) as tf.Tensor4D);
  const d = colorJitter(same, { ...opts, seed: 3 });
  assert.ok(tf.tidy(() => maxAbsDiff(d.slice(0, 1), d.slice(1, 1))) > 0.01);
  const id = colorJitter(x, { seed: 4 });
  assert.equal(maxAbsDiff(id, x), 0);
  assertNoLeak(() => colorJitter(x, { ...opts, seed: 5 }));
  assertNoLeak(() => colorJitter(x, { ...opts, randomOrder: false, seed: 5 }));
  assert.throws(() => colorJitter(x, { hue: 0.7, seed: 0 }), { message: 'Error in colorJitter: hue must be in [0, 0.5], but got 0.7' });
  tf.dispose([x, a, b, c, same, d, id]);
});
