import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LeakGuard } from '../../src/train/leak-guard';

test('LeakGuard flags a count that grows on two consecutive steps after the warm-up, not a single growth', () => {
  const g = new LeakGuard(0);
  assert.equal(g.observe(0, 10), null);
  assert.equal(g.observe(1, 15), null, 'warm-up steps are ignored');
  assert.equal(g.observe(2, 16), null, 'one growth: lazily created state');
  assert.equal(g.observe(3, 16), null);
  assert.equal(g.observe(4, 17), null);
  assert.equal(g.observe(5, 19), 'Error in fit: Leaked 2 tensors per step (numTensors 17 -> 19 at step 5); free every tensor a step creates (tf.tidy, dispose)');
  const resumed = new LeakGuard(100);
  assert.equal(resumed.observe(100, 5), null);
  assert.equal(resumed.observe(101, 6), null, 'the warm-up counts from the resumed step');
});
