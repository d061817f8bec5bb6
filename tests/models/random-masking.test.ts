import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { randomMasking } from '../../src/models/random-masking';
import { assertClose, assertNoLeak, loadReference, useCpu } from '../losses/helpers';

const ref = loadReference();
before(useCpu);

test('replays the official random_masking exactly from its noise', () => {
  const c = ref.mae;
  const tokens = tf.tensor3d(c.patches);
  const noise = tf.tensor2d(c.noise);
  const r = randomMasking(tokens, c.maskRatio, { noise });
  assert.deepEqual(r.kept.shape, [2, 4, 12]);
  assertClose(r.kept, c.kept, 1e-6, 1e-7, 'kept');
  assert.deepEqual(r.mask.arraySync(), c.mask);
  assert.deepEqual(r.idsRestore.arraySync(), c.idsRestore);
  assert.equal(r.idsRestore.dtype, 'int32');
  tf.dispose([tokens, noise, r.kept, r.mask, r.idsRestore, r.idsKeep]);
});

test('a naive argsort gives the same indices; mask counts and restore are consistent', () => {
  const b = 3;
  const l = 10;
  const tokens = tf.randomNormal([b, l, 2], 0, 1, 'float32', 3) as tf.Tensor3D;
  const r = randomMasking(tokens, 0.7, { seed: 11 });
  const keep = r.idsKeep.arraySync();
  const restore = r.idsRestore.arraySync();
  const mask = r.mask.arraySync();
  for (let i = 0; i < b; i++) {
    assert.equal(keep[i].length, 3); // floor(10 * 0.3)
    assert.equal(mask[i].reduce((s, v) => s + v, 0), 7);
    for (const j of keep[i]) assert.equal(mask[i][j], 0, 'kept tokens are unmasked');
    // restore is the inverse of the shuffle: restore[keep[k]] = k
    keep[i].forEach((j, k) => assert.equal(restore[i][j], k));
    assert.deepEqual([...restore[i]].sort((x, y) => x - y), [...Array(l).keys()]);
  }
  tf.dispose([tokens, r.kept, r.mask, r.idsRestore, r.idsKeep]);
});

test('the same seed gives the same mask; another seed a different one; ties resolve to a valid permutation', () => {
  const tokens = tf.zeros([2, 16, 4]) as tf.Tensor3D;
  const m = (seed: number) => {
    const r = randomMasking(tokens, 0.75, { seed });
    const mask = r.mask.arraySync();
    tf.dispose([r.kept, r.mask, r.idsRestore, r.idsKeep]);
    return mask;
  };
  assert.deepEqual(m(1), m(1));
  assert.notDeepEqual(m(1), m(2));
  const ties = randomMasking(tokens, 0.5, { noise: tf.zeros([2, 16]) as tf.Tensor2D });
  assert.deepEqual(ties.idsKeep.arraySync()[0], [0, 1, 2, 3, 4, 5, 6, 7], 'equal noise keeps the first tokens (stable order)');
  tf.dispose([tokens, ties.kept, ties.mask, ties.idsRestore, ties.idsKeep]);
});

test('gradient flows to the kept tokens only', () => {
  const tokens = tf.randomNormal([1, 6, 3], 0, 1, 'float32', 4) as tf.Tensor3D;
  const noise = tf.tensor2d([[0.9, 0.1, 0.8, 0.2, 0.7, 0.3]]);
  const g = tf.grad((x: tf.Tensor) => tf.sum(randomMasking(x as tf.Tensor3D, 0.5, { noise }).kept))(tokens);
  assert.deepEqual(Array.from(tf.sum(g, 2).dataSync()), [0, 3, 0, 3, 0, 3]);
  tf.dispose([tokens, noise, g]);
});

test('errors are fixed-form; no leak', () => {
  const tokens = tf.zeros([2, 8, 4]) as tf.Tensor3D;
  assert.throws(() => randomMasking(tokens, 1), { message: 'Error in randomMasking: maskRatio must be in [0, 1), but got 1' });
  assert.throws(() => randomMasking(tokens, 0.5), { message: 'Error in randomMasking: pass a seed (or the noise itself); masking is random' });
  assert.throws(() => randomMasking(tokens, 0.5, { noise: tf.zeros([2, 7]) as tf.Tensor2D }), {
    message: 'Error in randomMasking: noise must have shape [B, L] = [2,8], but got [2,7]',
  });
  assertNoLeak(() => {
    const r = randomMasking(tokens, 0.5, { seed: 1 });
    return [r.kept, r.mask, r.idsRestore, r.idsKeep];
  }, 4);
  tokens.dispose();
});
