import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/backend/use-backend';
import { makeShapes } from '../../src/data/make-shapes';
import { Dense } from '../../src/models/layers';
import { createRng } from '../../src/backend/seed';
import { AdamW } from '../../src/train/adamw';
import { fit, type FitConfig } from '../../src/train/fit';
import { loadCheckpointWeights } from '../../src/train';
import { logCallback } from '../../src/train/log-callback';
import { simclr } from '../../src/train/recipes/simclr';
import { batchIndices } from '../../src/train/step-seed';
import { warmupCosineSchedule } from '../../src/train/warmup-cosine-schedule';
import { TinyEncoder, weightBits } from './helpers';

const quiet = () => {};
const base: Partial<FitConfig> = { progress: false };

/** y = 3 x - 1 with a 1 -> 1 Dense layer. */
function regression() {
  const layer = new Dense('lin', 1, 1, createRng(0));
  const x = tf.tensor2d([[0], [1], [2], [3]]);
  const y = tf.tensor2d([[-1], [2], [5], [8]]);
  const loss = () => tf.losses.meanSquaredError(y, layer.apply(x)) as tf.Scalar;
  return { layer, x, y, loss, dispose: () => tf.dispose([x, y]) };
}

describe('fit', () => {
  before(async () => {
    await useBackend('cpu', { log: quiet });
  });

  it('Does it minimise a loss, record the history and print the resolved config?', async () => {
    const r = regression();
    const lines: string[] = [];
    const result = await fit({ loss: r.loss, variables: r.layer.trainableVariables, data: () => null, config: { ...base, numSteps: 300, lr: 0.1 }, log: (l) => lines.push(l) });
    assert.equal(result.steps, 300);
    assert.equal(result.stoppedBy, 'numSteps');
    assert.equal(result.history.loss.length, 300);
    assert.ok(result.history.loss[299] < 1e-3 * result.history.loss[0], `loss ${result.history.loss[0]} -> ${result.history.loss[299]}`);
    assert.ok(Math.abs(r.layer.kernel.dataSync()[0] - 3) < 0.05);
    assert.match(lines[0], /^fit config: \{"numSteps":300,"lr":0.1,"schedule":"constant",/);
    assert.match(lines[1], /^fit optimizer: AdamW \{"beta1":0.9,"beta2":0.999,"eps":1e-8,"weightDecay":0\}$/);
    r.layer.dispose();
    r.dispose();
  });

  it('Does it reject unknown config keys?', async () => {
    await assert.rejects(fit({ loss: () => tf.scalar(0), variables: [], data: () => null, config: { numStep: 3 } as never, log: quiet }), {
      message: /^Unknown config key: numStep \(fit accepts numSteps, lr, /,
    });
  });

  it('Does the NaN guard stop before the update, naming the step and the last finite loss?', async () => {
    const r = regression();
    let kernelBefore = NaN;
    await assert.rejects(
      fit({
        loss: (_b, step) => (step === 37 ? tf.div(tf.sum(r.layer.kernel), 0).mul(0) as tf.Scalar : tf.add(r.loss(), step === 36 ? 0 : 0) as tf.Scalar),
        variables: r.layer.trainableVariables,
        data: () => null,
        config: { ...base, numSteps: 50, lr: 0.01 },
        callbacks: { onStep: (rec) => void (rec.step === 36 && (kernelBefore = r.layer.kernel.dataSync()[0])) },
        log: quiet,
      }),
      (err: Error) => {
        assert.match(err.message, /^Error in fit: loss became NaN at step 37 \(last finite loss \d+(\.\d+)?\)$/);
        return true;
      },
    );
    assert.equal(r.layer.kernel.dataSync()[0], kernelBefore, 'no update from the NaN step');
    await assert.rejects(
      fit({ loss: () => tf.div(tf.add(tf.abs(tf.sum(r.layer.kernel)), 1), 0) as tf.Scalar, variables: r.layer.trainableVariables, data: () => null, config: base, log: quiet }),
      { message: 'Error in fit: loss became inf at step 0 (last finite loss none)' },
    );
    r.layer.dispose();
    r.dispose();
  });

  it('Does the leak check fail a step function that keeps a tensor per step?', async () => {
    const r = regression();
    const kept: tf.Tensor[] = [];
    await assert.rejects(
      fit({
        loss: r.loss,
        variables: r.layer.trainableVariables,
        data: () => null,
        afterStep: () => void kept.push(tf.zeros([2])),
        config: { ...base, numSteps: 10 },
        log: quiet,
      }),
      { message: /^Error in fit: Leaked 1 tensors per step \(numTensors \d+ -> \d+ at step 3\)/ },
    );
    tf.dispose(kept);
    r.layer.dispose();
    r.dispose();
  });

  it('Does it free the batches it is given, stop when an iterator ends, and call onEpoch with mean losses?', async () => {
    const r = regression();
    const before = tf.memory().numTensors;
    function* data() {
      for (let i = 0; i < 6; i++) yield { x: tf.ones([2, 2]), epoch: Math.floor(i / 3) };
    }
    const epochs: [number, number][] = [];
    const result = await fit({
      loss: r.loss,
      variables: r.layer.trainableVariables,
      data: data(),
      config: { ...base, numSteps: 100 },
      callbacks: { onEpoch: (e, mean) => void epochs.push([e, mean]) },
      log: quiet,
    });
    assert.equal(result.stoppedBy, 'data');
    assert.equal(result.steps, 6);
    assert.deepEqual(epochs.map(([e]) => e), [0, 1]);
    const l = result.history.loss;
    assert.ok(Math.abs(epochs[0][1] - (l[0] + l[1] + l[2]) / 3) < 1e-9);
    assert.equal(tf.memory().numTensors, before, 'batches and the default optimiser freed');
    r.layer.dispose();
    r.dispose();
  });

  it('Does it stop at the time limit (fake clock), on a callback returning false, and log gradient norms when clipping?', async () => {
    const r = regression();
    let t = 0;
    const timed = await fit({
      loss: r.loss, variables: r.layer.trainableVariables, data: () => null, log: quiet,
      now: () => (t += 1000), // every reading one second later
      config: { ...base, numSteps: 100, timeLimitSeconds: 5 },
    });
    assert.equal(timed.stoppedBy, 'timeLimit');
    assert.ok(timed.steps < 100 && timed.steps > 0);
    const stopped = await fit({
      loss: r.loss, variables: r.layer.trainableVariables, data: () => null, log: quiet,
      config: { ...base, numSteps: 100, clipNorm: 0.5, schedule: 'warmup-cosine', warmupSteps: 2, lr: 0.1 },
      callbacks: { onStep: (rec) => rec.step < 4 },
    });
    assert.equal(stopped.stoppedBy, 'callback');
    assert.equal(stopped.steps, 5);
    assert.ok(stopped.history.gradNorm.every((g) => Number.isFinite(g) && g > 0));
    assert.deepEqual(stopped.history.lr.slice(0, 2), [0.05, 0.1]);
    r.layer.dispose();
    r.dispose();
  });

  it('With a time limit, does the warm-up cosine follow the clock and reach minLr as the budget runs out (fake clock)?', async () => {
    const r = regression();
    let t = 0;
    const result = await fit({
      loss: r.loss, variables: r.layer.trainableVariables, data: () => null, log: quiet,
      now: () => (t += 1000), // every reading one second later
      config: { ...base, numSteps: 1000, timeLimitSeconds: 30, schedule: 'warmup-cosine', warmupSteps: 2, lr: 1, minLr: 0.01 },
    });
    const lr = result.history.lr;
    assert.equal(result.stoppedBy, 'timeLimit');
    assert.ok(result.steps < 100, `stopped by time after ${result.steps} steps`);
    assert.deepEqual(lr.slice(0, 3), [0.5, 1, 1], 'warm-up by steps, then the peak');
    for (let i = 3; i < lr.length; i++) assert.ok(lr[i] < lr[i - 1], `lr falls at every step after the warm-up: ${lr.join(', ')}`);
    assert.ok(lr[lr.length - 1] < 0.1, `near minLr when time is up, got ${lr[lr.length - 1]}`);
    // Steps alone (1,000 of them) would have left it at the peak
    assert.ok(warmupCosineSchedule({ lr: 1, warmupSteps: 2, totalSteps: 1000, minLr: 0.01 })(result.steps - 1) > 0.99);
    r.layer.dispose();
    r.dispose();
  });

  it('Does a resumed run continue bit-identically to an uninterrupted one (weights, BatchNorm statistics, Adam moments, history)?', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'selfsup-fit-'));
    const { x } = makeShapes({ n: 24, size: 16, seed: 1 });
    const data = (step: number) => ({ x: tf.tidy(() => tf.gather(x, batchIndices(step, { n: 24, batchSize: 8, seed: 2 }).indices)) as tf.Tensor4D });
    const run = async (seed: number, numSteps: number, checkpointDir: string, resume: boolean) => {
      const encoder = new TinyEncoder(seed);
      const recipe = simclr(encoder, { projection: { hiddenDim: 8, outputDim: 4 }, seed: 7 });
      const optimizer = new AdamW({ weightDecay: 0.05 });
      const result = await fit({
        ...recipe, data, optimizer, log: quiet,
        config: { ...base, numSteps, lr: 0.01, schedule: 'warmup-cosine', warmupSteps: 2, minLr: 0.001, checkpointDir, checkpointEvery: 2, resume, seed: 7 },
      });
      const bits = weightBits({ ...recipe.head.getWeights(), ...Object.fromEntries(Object.entries(encoder.getWeights()).map(([k, v]) => [`enc.${k}`, v])) });
      const names = new Map<tf.Variable, string>();
      for (const [k, v] of Object.entries(encoder.getWeights())) names.set(v as tf.Variable, `encoder.${k}`);
      for (const [k, v] of Object.entries(recipe.head.getWeights())) names.set(v as tf.Variable, `head.${k}`);
      const moments = weightBits(optimizer.getState(names));
      const iterations = optimizer.iterations;
      optimizer.dispose();
      recipe.dispose();
      encoder.dispose();
      return { result, bits, moments, iterations };
    };
    try {
      const straight = await run(1, 6, '', false);
      const first = await run(1, 3, dir, false); // stops at 3: checkpoint at 2 and at the end (3)
      assert.ok(fs.existsSync(path.join(dir, 'step-00000003', 'manifest.json')));
      const resumed = await run(42, 6, dir, true); // different init: everything must come from the checkpoint
      assert.equal(first.result.steps, 3);
      assert.equal(resumed.result.startStep, 3);
      assert.equal(resumed.result.steps, 6);
      assert.deepEqual(resumed.bits, straight.bits);
      assert.deepEqual(resumed.moments, straight.moments);
      assert.equal(resumed.iterations, straight.iterations);
      assert.deepEqual(resumed.result.history.loss, straight.result.history.loss);
      assert.deepEqual(resumed.result.history.lr, straight.result.history.lr);
    } finally {
      x.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('Does a spread recipe print its own resolved config next to fit\'s?', async () => {
    const { x } = makeShapes({ n: 8, size: 16, seed: 1 });
    const encoder = new TinyEncoder(1);
    const recipe = simclr(encoder, { temperature: 0.2, projection: { hiddenDim: 8, outputDim: 4 } });
    const lines: string[] = [];
    await fit({ ...recipe, data: () => ({ x: tf.clone(x) }), config: { ...base, numSteps: 1 }, log: (l) => lines.push(l) });
    assert.match(lines[1], /^fit recipe: SimCLR \{"temperature":0.2,"projection":\{"hiddenDim":8,"outputDim":4\},/);
    recipe.dispose();
    encoder.dispose();
    x.dispose();
  });

  it('Issue 13: does fit free the optimiser it made, and leave one it was given to its owner?', async () => {
    const r = regression();
    const start = tf.memory().numTensors;
    await fit({ loss: r.loss, variables: r.layer.trainableVariables, data: () => null, config: { ...base, numSteps: 3, lr: 0.1 }, log: quiet });
    assert.equal(tf.memory().numTensors, start, 'the default Adam and its moments are freed');
    const optimizer = new AdamW({ weightDecay: 0 });
    await fit({ loss: r.loss, variables: r.layer.trainableVariables, data: () => null, optimizer, config: { ...base, numSteps: 3, lr: 0.1 }, log: quiet });
    assert.equal(optimizer.iterations, 3);
    assert.ok(tf.memory().numTensors > start, 'a given optimiser keeps its moments for its owner');
    optimizer.dispose();
    assert.equal(tf.memory().numTensors, start, 'and its owner frees them');
    r.dispose();
  });

  it('Does checkpointing refuse a trained variable that no module names?', async () => {
    const stray = tf.variable(tf.zeros([2]));
    await assert.rejects(
      fit({ loss: () => tf.sum(stray) as tf.Scalar, variables: [stray], data: () => null, config: { ...base, checkpointDir: path.join(os.tmpdir(), 'never') }, log: quiet }),
      { message: /^Error in fit: checkpoints need every trained variable inside `modules`, but '.*' \[2\] is not$/ },
    );
    stray.dispose();
  });
});

describe('loadCheckpointWeights', () => {
  it('Issue 13: does one call put a trained module back from a fit checkpoint, and say what is wrong otherwise?', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'selfsup-ckpt-weights-'));
    const r = regression();
    try {
      await fit({ loss: r.loss, variables: r.layer.trainableVariables, data: () => ({}), modules: { encoder: r.layer }, config: { ...base, numSteps: 5, lr: 0.1, checkpointDir: dir }, log: quiet });
      const fresh = new Dense('lin', 1, 1, createRng(99));
      assert.notDeepEqual(weightBits(fresh.getWeights()), weightBits(r.layer.getWeights()), 'a different init to start from');
      const { step } = loadCheckpointWeights(fresh, dir);
      assert.equal(step, 5);
      assert.deepEqual(weightBits(fresh.getWeights()), weightBits(r.layer.getWeights()), 'bit for bit the trained weights');
      const before = tf.memory().numTensors;
      loadCheckpointWeights(fresh, dir);
      assert.equal(tf.memory().numTensors, before, 'the loaded tensors are freed');
      assert.throws(() => loadCheckpointWeights(fresh, dir, 'head'), /^Error: Error in loadCheckpointWeights: checkpoint .*step-00000005 has no weight 'head\.kernel' \(it holds weights for 'encoder'\); pass the prefix/);
      const wider = new Dense('lin', 1, 2, createRng(0));
      assert.throws(() => loadCheckpointWeights(wider, dir), /must have shape \[1,2\], but got \[1,1\]/);
      assert.throws(() => loadCheckpointWeights(fresh, path.join(dir, 'nothing-here')), /Error in loadCheckpoint: no checkpoint in/);
      fresh.dispose();
      wider.dispose();
    } finally {
      r.layer.dispose();
      r.dispose();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('logCallback', () => {
  it('Does it print every n steps and each epoch mean?', async () => {
    await useBackend('cpu', { log: quiet });
    const lines: string[] = [];
    const cb = logCallback(2, (l) => lines.push(l));
    const record = { step: 0, epoch: 0, loss: 1.23456, lr: 0.002, gradNorm: NaN, seconds: 1.5, metrics: { acc: 0.5 } };
    cb.onStep?.(record, {} as never);
    cb.onStep?.({ ...record, step: 1 }, {} as never);
    cb.onEpoch?.(0, 0.9876543, {} as never);
    assert.deepEqual(lines, ['step 0 loss 1.235 lr 0.002 acc 0.5 (1.5 s)', 'epoch 0 mean loss 0.9877']);
  });
});
