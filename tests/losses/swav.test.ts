import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { swavLoss } from '../../src/losses/swav';
import { sinkhornKnopp } from '../../src/models/sinkhorn-knopp';
import { assertClose, assertGradientMatchesFiniteDifferences, assertNoLeak, loadReference, logSumExp, randn, scalarOf, t2, useCpu } from './helpers';

const ref = loadReference();
before(useCpu);

test('matches the formula of lightly SwaVLoss (= official main_swav.py), re-implemented in PyTorch (float64), value and gradients', () => {
  const c = ref.swav;
  const high = c.high.map(t2);
  const low = c.low.map(t2);
  assertClose(scalarOf(() => swavLoss(high, low, { temperature: 0.1 })), c.loss, 1e-5, 1e-6, 'multi-crop');
  const grads = tf.grads((...xs: tf.Tensor[]) => swavLoss(xs.slice(0, 2) as tf.Tensor2D[], xs.slice(2) as tf.Tensor2D[]))([...high, ...low]);
  grads.forEach((g, i) => assertClose(g, c.grads[i], 1e-4, 1e-5, `grad of crop ${i}`));
  assertClose(scalarOf(() => swavLoss(high, [])), ref.swavTwoCrops.loss, 1e-5, 1e-6, 'two crops');
  tf.dispose([...high, ...low, ...grads]);
});

test('matches a naive loop over crops from the paper', () => {
  const crops = [0, 1, 2, 3].map((i) => randn(5, 3, 40 + i).map((r) => r.map(Math.tanh)));
  const tensors = crops.map(t2);
  const codes = [0, 1].map((i) => Array.from(sinkhornKnopp(tensors[i]).dataSync()));
  let loss = 0;
  for (let i = 0; i < 2; i++) {
    let sub = 0;
    for (let v = 0; v < 4; v++) {
      if (v === i) continue;
      let ce = 0;
      crops[v].forEach((row, b) => {
        const lse = logSumExp(row.map((x) => x / 0.1));
        row.forEach((x, k) => (ce -= codes[i][b * 3 + k] * (x / 0.1 - lse)));
      });
      sub += ce / 5;
    }
    loss += sub / 3;
  }
  assertClose(scalarOf(() => swavLoss(tensors.slice(0, 2), tensors.slice(2))), loss / 2, 1e-5, 1e-6);
  tf.dispose(tensors);
});

test('hand-checked: identical uniform scores give ln K', () => {
  const s = tf.fill([4, 5], 0.3) as tf.Tensor2D;
  assertClose(scalarOf(() => swavLoss([s, s], [s])), Math.log(5), 1e-6, 1e-6);
  s.dispose();
});

test('symmetric in the order of the global crops; finite for tiny epsilon', () => {
  const a = t2(randn(6, 4, 50).map((r) => r.map(Math.tanh)));
  const b = t2(randn(6, 4, 51).map((r) => r.map(Math.tanh)));
  assertClose(scalarOf(() => swavLoss([a, b])), scalarOf(() => swavLoss([b, a])), 1e-6, 1e-7);
  assert.ok(Number.isFinite(scalarOf(() => swavLoss([a, b], [], { epsilon: 0.001, temperature: 0.01 }))));
  // Finite differences see the codes move too; the analytic gradient holds them fixed (no_grad), so
  // check the gradient of a crop that only predicts: the low-resolution one.
  assertGradientMatchesFiniteDifferences((xs) => swavLoss([xs[0] as tf.Tensor2D], [xs[1] as tf.Tensor2D]), [a, b], 1);
  tf.dispose([a, b]);
});

test('errors are fixed-form; no leak', () => {
  const s = tf.zeros([4, 5]) as tf.Tensor2D;
  assert.throws(() => swavLoss([], [s]), { message: 'Error in swavLoss: highResScores must hold at least one [B, K] tensor, but got none' });
  assert.throws(() => swavLoss([s]), { message: 'Error in swavLoss: swapped prediction needs at least 2 crops, but got 1' });
  assert.throws(() => swavLoss([s, tf.zeros([4, 6]) as tf.Tensor2D]), {
    message: 'Error in swavLoss: all crops must have the same [B, K] scores shape, but got [4,5] and [4,6]',
  });
  assertNoLeak(() => swavLoss([s, s], [s]));
  s.dispose();
});
