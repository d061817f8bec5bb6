import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { horizontalFlip } from '../../src/augment/horizontal-flip';
import { assertBinomial, assertNoLeak, maxAbsDiff, randomImages, useWasm } from './helpers';

before(useWasm);

/** Per sample: 'same', 'mirrored' or 'other'. */
function classify(x: tf.Tensor4D, y: tf.Tensor4D): string[] {
  const mirrored = tf.reverse(x, 2);
  const out: string[] = [];
  for (let i = 0; i < x.shape[0]; i++) {
    const yi = y.slice(i, 1);
    const same = maxAbsDiff(yi, x.slice(i, 1)) === 0;
    const flip = maxAbsDiff(yi, mirrored.slice(i, 1)) === 0;
    out.push(same ? 'same' : flip ? 'mirrored' : 'other');
  }
  mirrored.dispose();
  return out;
}

test('Is each sample either untouched or exactly mirrored, flipped with probability p?', () => {
  const x = randomImages([1000, 2, 3, 1], 1);
  for (const p of [0.5, 0.2]) {
    const y = horizontalFlip(x, { p, seed: 7 });
    const kinds = tf.tidy(() => classify(x, y));
    assert.ok(!kinds.includes('other'));
    assertBinomial(kinds.filter((k) => k === 'mirrored').length, 1000, p, `flip rate at p=${p}`);
    y.dispose();
  }
  x.dispose();
});

test('Are p = 0 and p = 1 the identity and a flip of every image?', () => {
  const x = randomImages([5, 4, 4, 3], 2);
  const none = horizontalFlip(x, { p: 0, seed: 0 });
  const all = horizontalFlip(x, { p: 1, seed: 0 });
  assert.equal(maxAbsDiff(none, x), 0);
  const mirrored = tf.reverse(x, 2);
  assert.equal(maxAbsDiff(all, mirrored), 0);
  tf.dispose([x, none, all, mirrored]);
});

test('Is it seeded and leak-free?', () => {
  const x = randomImages([64, 4, 4, 3], 3);
  const a = horizontalFlip(x, { seed: 1 });
  const b = horizontalFlip(x, { seed: 1 });
  const c = horizontalFlip(x, { seed: 2 });
  assert.equal(maxAbsDiff(a, b), 0);
  assert.ok(maxAbsDiff(a, c) > 0);
  assertNoLeak(() => horizontalFlip(x, { seed: 4 }));
  assert.throws(() => horizontalFlip(x, { p: 2, seed: 0 }), { message: 'Error in horizontalFlip: p must be in [0, 1], but got 2' });
  tf.dispose([x, a, b, c]);
});
