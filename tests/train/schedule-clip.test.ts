import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { clipByGlobalNorm } from '../../src/train/clip-by-global-norm';
import { batchIndices, stepSeed } from '../../src/train/step-seed';
import { warmupCosineSchedule } from '../../src/train/warmup-cosine-schedule';

describe('warmupCosineSchedule', () => {
  it('Does it ramp linearly to the peak, then follow a half cosine down to minLr?', () => {
    const s = warmupCosineSchedule({ lr: 1, warmupSteps: 4, totalSteps: 14, minLr: 0.1 });
    assert.equal(s(0), 0.25);
    assert.equal(s(3), 1);
    assert.equal(s(4), 1);
    assert.ok(Math.abs(s(9) - 0.55) < 1e-12); // half-way: minLr + (lr - minLr) / 2
    assert.ok(Math.abs(s(13) - (0.1 + 0.9 * (1 + Math.cos(Math.PI * 0.9)) / 2)) < 1e-12);
    assert.equal(s(14), 0.1);
    assert.equal(s(100), 0.1);
  });

  it('Given the fraction of a time budget used, does the cosine follow whichever of steps and time is further along?', () => {
    const s = warmupCosineSchedule({ lr: 1, warmupSteps: 4, totalSteps: 1004, minLr: 0 });
    assert.equal(s(2, 0.9), 0.75, 'the warm-up counts steps only');
    assert.ok(Math.abs(s(4, 0.5) - 0.5) < 1e-12, 'half the budget: half-way down');
    assert.ok(Math.abs(s(504, 0.1) - 0.5) < 1e-12, 'half the steps: half-way down, time behind');
    assert.equal(s(5, 1), 0);
    assert.equal(s(5, 1.5), 0);
    assert.equal(s(5, -1), s(5), 'a negative fraction is ignored');
  });

  it('Does it reject a warm-up longer than the run?', () => {
    assert.throws(() => warmupCosineSchedule({ lr: 1, warmupSteps: 5, totalSteps: 3 }), {
      message: 'Error in warmupCosineSchedule: need integers 0 <= warmupSteps <= totalSteps, but got 5 and 3',
    });
  });
});

describe('clipByGlobalNorm', () => {
  it('Does it scale all gradients by maxNorm / globalNorm when above, and leave them when below?', () => {
    const g = [tf.tensor1d([3, 0]), tf.tensor2d([[0, 4]])]; // global norm 5
    const { grads, norm } = clipByGlobalNorm(g, 1);
    assert.ok(Math.abs(norm.dataSync()[0] - 5) < 1e-6);
    assert.deepEqual(Array.from(grads[0].dataSync()).map((x) => +x.toFixed(6)), [0.6, 0]);
    assert.deepEqual(Array.from(grads[1].dataSync()).map((x) => +x.toFixed(6)), [0, 0.8]);
    const kept = clipByGlobalNorm(g, 10);
    assert.deepEqual(Array.from(kept.grads[1].dataSync()), [0, 4]);
    tf.dispose([...g, ...grads, norm, ...kept.grads, kept.norm]);
    assert.throws(() => clipByGlobalNorm([], 0), { message: 'Error in clipByGlobalNorm: maxNorm must be a positive number, but got 0' });
  });
});

describe('stepSeed and batchIndices', () => {
  it('Are they pure functions of (seed, step), with every row once per epoch?', () => {
    // Recorded values: a resumed run (another process, another release) must draw the same
    // views and batches as the run it continues, so these may never change.
    assert.equal(stepSeed(3, 10), 806463428);
    assert.deepEqual(Array.from(batchIndices(4, { n: 10, batchSize: 3, seed: 4 }).indices), [4, 0, 1]);
    assert.notEqual(stepSeed(3, 10), stepSeed(3, 11));
    assert.notEqual(stepSeed(3, 10), stepSeed(4, 10));
    const opts = { n: 10, batchSize: 3, seed: 4 };
    const epoch = (e: number) => [0, 1, 2].flatMap((s) => Array.from(batchIndices(3 * e + s, opts).indices));
    assert.equal(new Set(epoch(0)).size, 9); // 3 full batches, the 10th row dropped
    assert.equal(new Set(epoch(1)).size, 9);
    assert.notDeepEqual(epoch(1), epoch(0), 'each epoch is shuffled anew');
    assert.equal(batchIndices(3, opts).epoch, 1);
    assert.throws(() => batchIndices(0, { n: 2, batchSize: 3, seed: 0 }), {
      message: 'Error in batchIndices: need integers 0 < batchSize <= n, but got batchSize 3 and n 2',
    });
  });
});
