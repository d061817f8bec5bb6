import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { solarize } from '../../src/augment/solarize';
import { assertBinomial, assertNoLeak, maxAbsDiff, randomImages, useWasm } from './helpers';

before(useWasm);

test('Does solarize invert exactly the values at or above the threshold?', () => {
  const x = tf.tensor4d([0, 0.2, 0.49, 0.5, 0.8, 1], [1, 1, 2, 3]);
  assert.deepEqual(Array.from(solarize(x).dataSync()).map((v) => +v.toFixed(6)), [0, 0.2, 0.49, 0.5, 0.2, 0]);
  assert.deepEqual(Array.from(solarize(x, { threshold: 0.1 }).dataSync()).map((v) => +v.toFixed(6)), [0, 0.8, 0.51, 0.5, 0.2, 0]);
  x.dispose();
});

test('Is it applied with probability p per sample, seeded and leak-free?', () => {
  const x = randomImages([1000, 2, 2, 1], 1, 0.6, 1);
  const y = solarize(x, { p: 0.3, seed: 2 });
  const changed = tf.tidy(() => y.sub(x).abs().max([1, 2, 3]).greater(0).sum().dataSync()[0]);
  assertBinomial(changed, 1000, 0.3, 'solarize rate');
  assert.equal(maxAbsDiff(solarize(x, { p: 0, seed: 0 }), x), 0);
  assertNoLeak(() => solarize(x, { p: 0.5, seed: 3 }));
  assert.throws(() => solarize(x, { p: 0.5 }), { message: 'Error in solarize: p < 1 needs a seed' });
  tf.dispose([x, y]);
});
