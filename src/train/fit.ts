/**
 * The training loop. It knows nothing about models (minGPT's trainer.py): it takes a loss
 * function, the variables to train, an optimiser, a data source and callbacks, and runs
 *
 *   for each step:  batch = data(step)
 *                   tidy( variableGrads(loss) -> NaN/inf guard -> clip -> applyGradients )
 *                   afterStep(step)        (EMA updates, queue writes, ...)
 *                   free the batch, check for leaks, record history, callbacks, checkpoint
 */
import * as tf from '@tensorflow/tfjs';
import { resolveConfig } from '../config';
import type { FitConfig, FitHistory, FitOptions, FitResult, StepRecord } from './fit-types';
import { defaultFitConfig } from './fit-types';
import { AdamW } from './adamw';
import { checkCheckpointable, namedVariables, resumeFromCheckpoint, writeFitCheckpoint } from './fit-checkpoint';
import { batchEpoch, disposeBatch, openFitData } from './fit-data';
import { LeakGuard } from './leak-guard';
import { progress } from '../viz/progress';
import { clipByGlobalNorm } from './clip-by-global-norm';
import { warmupCosineSchedule } from './warmup-cosine-schedule';

export * from './fit-types';

function emptyHistory(): FitHistory {
  return { step: [], loss: [], lr: [], gradNorm: [], seconds: [], metrics: {}, epochs: [] };
}

function formatLoss(x: number): string {
  return Number.isFinite(x) ? String(Number(x.toPrecision(4))) : 'none';
}

/**
 * Train: minimise `loss` over `variables`, one batch per step.
 *
 * Each step is tidy -> variableGrads -> (NaN/inf guard) -> (clip by global norm) ->
 * applyGradients -> dispose(grads), then `afterStep`. The loss is read back as a number every
 * step (nothing logged stays a tensor). A non-finite loss stops the run BEFORE the update with
 * "Error in fit: loss became NaN at step 37 (last finite loss 2.31)". With leakCheck 'error', a
 * tensor count that grows on two consecutive steps (after two warm-up steps, not counting the
 * optimiser's own state) stops the run with "Error in fit: Leaked N tensors per step ...".
 *
 * Checkpoints (config.checkpointDir) hold every module weight, the optimiser's moments and
 * iteration count, the step, the config (with its seed) and the history; with config.resume a
 * run continues from the latest one and, when the data is a function of the step and all
 * randomness comes from stepSeed(seed, step), continues bit-identically to an uninterrupted
 * run on the same backend. An iterator is fast-forwarded by drawing and freeing the batches
 * already done.
 *
 * @returns the history (columns for lineChart), steps done and why it stopped.
 * @throws "Unknown config key: ..." for a misspelt config key; the NaN and leak errors above.
 * @example
 * const recipe = simclr(encoder, { seed: 0 });
 * const n = xTrain.shape[0];
 * const data = (step: number) => ({ x: tf.gather(xTrain, batchIndices(step, { n, batchSize: 128, seed: 0 }).indices) as tf.Tensor4D });
 * const { history } = await fit({ ...recipe, data, config: { numSteps: 500, lr: 2e-3 }, callbacks: [liveChartCallback()] });
 * @see docs/training.md
 */
export async function fit<B>(options: FitOptions<B>): Promise<FitResult> {
  const config = resolveConfig('fit', defaultFitConfig(), options.config ?? {});
  const log = options.log ?? ((line: string) => console.log(line));
  const now = options.now ?? (() => performance.now());
  const optimizer = options.optimizer ?? new AdamW({ weightDecay: 0 });
  const ownsOptimizer = options.optimizer === undefined;
  const callbacks = options.callbacks === undefined ? [] : Array.isArray(options.callbacks) ? options.callbacks : [options.callbacks];
  if (!(Number.isInteger(config.numSteps) && config.numSteps >= 0)) {
    throw new Error(`Error in fit: numSteps must be a non-negative integer, but got ${config.numSteps}`);
  }
  if (!(config.clipNorm >= 0)) throw new Error(`Error in fit: clipNorm must be >= 0, but got ${config.clipNorm}`);
  if (!(config.lr >= 0)) throw new Error(`Error in fit: lr must be >= 0, but got ${config.lr}`);
  if (config.schedule !== 'constant' && config.schedule !== 'warmup-cosine') {
    throw new Error(`Error in fit: schedule must be 'constant' or 'warmup-cosine', but got ${JSON.stringify(config.schedule)}`);
  }
  if (!['error', 'warn', 'off'].includes(config.leakCheck)) {
    throw new Error(`Error in fit: leakCheck must be 'error', 'warn' or 'off', but got ${JSON.stringify(config.leakCheck)}`);
  }
  const schedule =
    options.schedule ??
    (config.schedule === 'warmup-cosine'
      ? warmupCosineSchedule({ lr: config.lr, warmupSteps: config.warmupSteps, totalSteps: config.numSteps, minLr: config.minLr })
      : () => config.lr);
  const modules = options.modules ?? {};

  // Stable variable names (module prefix + weight name): used for weight decay rules and checkpoints.
  const { nameOf, byName } = namedVariables(modules);
  const variablesAt = (step: number): tf.Variable[] =>
    typeof options.variables === 'function' ? options.variables(step) : options.variables;

  const resumed = config.resume && config.checkpointDir ? resumeFromCheckpoint(config.checkpointDir, modules, optimizer, byName, options.state) : null;
  const history = resumed?.history ?? emptyHistory();
  const startStep = resumed?.step ?? 0;
  if (resumed) log(`${config.label}: resumed from ${resumed.path} at step ${startStep}`);

  log(`${config.label} config: ${JSON.stringify(config)}`);
  if (options.recipeConfig) log(`${config.label} recipe: ${options.name ?? 'recipe'} ${JSON.stringify(options.recipeConfig)}`);
  log(`${config.label} optimizer: ${optimizer.name} ${JSON.stringify(optimizer.config)}`);
  for (const cb of callbacks) await cb.onStart?.({ config, startStep });

  const writeCheckpoint = (step: number): string =>
    writeFitCheckpoint(config.checkpointDir, step, { config, modules, optimizer, nameOf, history, state: options.state?.get() }, config.keepCheckpoints);
  if (config.checkpointDir) checkCheckpointable(variablesAt(startStep), nameOf);

  // Data: a function of the step, or an iterator fast-forwarded past the steps already done.
  const source = await openFitData(options.data, startStep);

  const bar = config.progress ? progress(config.numSteps, { label: config.label, unit: 'step', timeLimitSeconds: config.timeLimitSeconds }) : null;
  if (bar) bar.update(startStep);
  const t0 = now();
  /** Seconds into the run when the first step after the warm-up began (-1 until then). */
  let warmupEndSeconds = -1;
  let stoppedBy: FitResult['stoppedBy'] = 'numSteps';
  let lastFinite = NaN;
  const leaks = new LeakGuard(startStep);
  let epochLosses: number[] = [];
  let currentEpoch = -1;
  let lastCheckpoint: string | null = null;
  let step = startStep;

  const finishEpoch = async (): Promise<void> => {
    if (currentEpoch < 0 || epochLosses.length === 0) return;
    const mean = epochLosses.reduce((a, b) => a + b, 0) / epochLosses.length;
    history.epochs.push({ epoch: currentEpoch, loss: mean });
    for (const cb of callbacks) await cb.onEpoch?.(currentEpoch, mean, history);
    epochLosses = [];
  };

  try {
    for (; step < config.numSteps; step++) {
      const next = await source.next(step);
      if (next.done) {
        stoppedBy = 'data';
        break;
      }
      const batch = next.value;
      const epoch = config.stepsPerEpoch > 0 ? Math.floor(step / config.stepsPerEpoch) : batchEpoch(batch) ?? 0;
      if (epoch !== currentEpoch) {
        await finishEpoch();
        currentEpoch = epoch;
      }
      let timeFraction = 0; // of the time budget, used since the warm-up ended
      if (config.timeLimitSeconds > 0 && step >= config.warmupSteps) {
        const elapsed = (now() - t0) / 1000;
        if (warmupEndSeconds < 0) warmupEndSeconds = elapsed;
        timeFraction = (elapsed - warmupEndSeconds) / Math.max(1e-9, config.timeLimitSeconds - warmupEndSeconds);
      }
      const lr = schedule(step, timeFraction);
      const variables = variablesAt(step);
      const extras: Record<string, tf.Scalar> = {};
      let lossValue = NaN;
      let gradNorm = NaN;
      try {
        tf.tidy(() => {
          const { value, grads } = tf.variableGrads(() => {
            const out = options.loss(batch, step);
            if (out instanceof tf.Tensor) return out;
            for (const [k, v] of Object.entries(out.metrics ?? {})) extras[k] = tf.keep(v);
            return out.loss;
          }, variables);
          lossValue = value.dataSync()[0];
          if (!Number.isFinite(lossValue)) {
            const what = Number.isNaN(lossValue) ? 'NaN' : lossValue > 0 ? 'inf' : '-inf';
            throw new Error(`Error in fit: loss became ${what} at step ${step} (last finite loss ${formatLoss(lastFinite)})`);
          }
          const withGrad = variables.filter((v) => grads[v.name] !== undefined);
          let gradList = withGrad.map((v) => grads[v.name]);
          if (config.clipNorm > 0) {
            const clipped = clipByGlobalNorm(gradList, config.clipNorm);
            gradNorm = clipped.norm.dataSync()[0];
            gradList = clipped.grads;
          }
          optimizer.applyGradients(withGrad, gradList, lr, withGrad.map((v) => nameOf.get(v) ?? v.name));
          tf.dispose(grads);
        });
        options.afterStep?.(step);
      } catch (err) {
        tf.dispose(Object.values(extras));
        throw err;
      } finally {
        disposeBatch(batch);
      }
      const metrics: Record<string, number> = {};
      for (const [k, t] of Object.entries(extras)) {
        metrics[k] = (await t.data())[0];
        t.dispose();
      }
      lastFinite = lossValue;
      epochLosses.push(lossValue);

      if (config.leakCheck !== 'off') {
        const message = leaks.observe(step, tf.memory().numTensors - optimizer.numStateTensors());
        if (message && config.leakCheck === 'error') throw new Error(message);
        if (message) log(message.replace('Error in fit', 'Warning in fit'));
      }

      const seconds = (now() - t0) / 1000;
      const record: StepRecord = { step, epoch, loss: lossValue, lr, gradNorm, seconds, metrics };
      history.step.push(step);
      history.loss.push(lossValue);
      history.lr.push(lr);
      history.gradNorm.push(gradNorm);
      history.seconds.push(seconds);
      for (const [k, v] of Object.entries(metrics)) (history.metrics[k] ??= []).push(v);
      bar?.update(1, { loss: lossValue, ...metrics });
      let stop = false;
      for (const cb of callbacks) if ((await cb.onStep?.(record, history)) === false) stop = true;
      if (config.checkpointDir && config.checkpointEvery > 0 && (step + 1) % config.checkpointEvery === 0) {
        lastCheckpoint = writeCheckpoint(step + 1);
      }
      if (stop) {
        stoppedBy = 'callback';
        step++;
        break;
      }
      if (config.timeLimitSeconds > 0 && seconds >= config.timeLimitSeconds && step + 1 < config.numSteps) {
        stoppedBy = 'timeLimit';
        step++;
        break;
      }
    }
    if (stoppedBy === 'numSteps' || stoppedBy === 'data' || config.stepsPerEpoch > 0) {
      if (config.stepsPerEpoch === 0 || step % config.stepsPerEpoch === 0) await finishEpoch();
    }
    if (config.checkpointDir && (lastCheckpoint === null || !lastCheckpoint.endsWith(String(step).padStart(8, '0')))) {
      lastCheckpoint = writeCheckpoint(step);
    }
  } finally {
    bar?.close();
    await source.close();
    if (ownsOptimizer) optimizer.dispose();
  }
  const result: FitResult = { history, steps: step, stoppedBy, seconds: (now() - t0) / 1000, startStep, checkpoint: lastCheckpoint };
  for (const cb of callbacks) await cb.onEnd?.(result);
  return result;
}
