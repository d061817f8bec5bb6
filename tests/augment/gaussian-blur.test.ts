import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { blurMatrix, gaussianBlur } from '../../src/augment/gaussian-blur';
import { assertNoLeak, maxAbsDiff, randomImages, range, useWasm } from './helpers';

before(useWasm);

/** Direct 2-D convolution with a k x k gaussian and reflect padding, straight from the definition. */
function naiveBlur(img: number[][][], sigma: number, k: number): number[][][] {
  const H = img.length;
  const W = img[0].length;
  const r = (k - 1) / 2;
  const g = Array.from({ length: k }, (_, i) => Math.exp(-((i - r) ** 2) / (2 * sigma * sigma)));
  const s = g.reduce((a, b) => a + b, 0);
  const w = g.map((v) => v / s);
  const refl = (i: number, n: number) => (i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i);
  return img.map((row, y) =>
    row.map((px, x) =>
      px.map((_, c) => {
        let acc = 0;
        for (let dy = -r; dy <= r; dy++) for (let dx = -r; dx <= r; dx++) acc += w[dy + r] * w[dx + r] * img[refl(y + dy, H)][refl(x + dx, W)][c];
        return acc;
      }),
    ),
  );
}

test('Does the batched blur match a direct 2-D gaussian convolution with reflect padding?', () => {
  const x = randomImages([1, 7, 9, 3], 1);
  const y = gaussianBlur(x, { sigma: [1.3, 1.3], kernelSize: 5, seed: 0 });
  const want = tf.tensor4d([naiveBlur(x.arraySync()[0], 1.3, 5)]);
  assert.ok(maxAbsDiff(y, want) < 1e-5);
  tf.dispose([x, y, want]);
});

test('Do blur matrices have rows summing to 1, and does a tiny sigma leave the image unchanged?', () => {
  const m = blurMatrix(6, 1.5, 5);
  for (let i = 0; i < 6; i++) assert.ok(Math.abs(m.slice(i * 6, i * 6 + 6).reduce((a, b) => a + b, 0) - 1) < 1e-6);
  const x = randomImages([2, 8, 8, 3], 2);
  const y = gaussianBlur(x, { sigma: [0.1, 0.1], seed: 0 });
  assert.ok(maxAbsDiff(x, y) < 1e-6);
  const c = tf.fill([2, 8, 8, 3], 0.4) as tf.Tensor4D;
  const cb = gaussianBlur(c, { seed: 1, kernelSize: 7 });
  assert.ok(maxAbsDiff(c, cb) < 1e-6);
  tf.dispose([x, y, c, cb]);
});

test('Does each sample get its own sigma, stay within the input range, and is it seeded and leak-free?', () => {
  const one = randomImages([1, 16, 16, 3], 3);
  const x = tf.tile(one, [8, 1, 1, 1]) as tf.Tensor4D;
  const y = gaussianBlur(x, { sigma: [0.5, 3], kernelSize: 7, seed: 4 });
  const diffs = tf.tidy(() => Array.from(y.sub(x).abs().mean([1, 2, 3]).dataSync()));
  assert.ok(Math.max(...diffs) - Math.min(...diffs) > 0.01, `per-sample blur strength ${diffs}`);
  const [lo, hi] = range(y);
  assert.ok(lo >= 0 && hi <= 1);
  const again = gaussianBlur(x, { sigma: [0.5, 3], kernelSize: 7, seed: 4 });
  assert.equal(maxAbsDiff(again, y), 0);
  assertNoLeak(() => gaussianBlur(x, { p: 0.5, seed: 1 }));
  assert.throws(() => gaussianBlur(x, { kernelSize: 4, seed: 0 }), { message: 'Error in gaussianBlur: kernelSize must be a positive odd integer, but got 4' });
  tf.dispose([one, x, y, again]);
});
