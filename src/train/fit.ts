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
import { type Module, resolveConfig } from '../models/module';
import { AdamW } from './adamw';
import { latestCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint';
import { setModuleFromCheckpoint } from './load-checkpoint-weights';
import { progress } from '../viz/progress';
import { clipByGlobalNorm } from './clip-by-global-norm';
import type { TrainOptimizer } from './train-optimizer';
import { warmupCosineSchedule } from './warmup-cosine-schedule';

/** Configuration of `fit`: plain values, printed at the start and stored in checkpoints. */
export interface FitConfig {
  /** Steps to run in all (a resumed run counts the steps already done). */
  numSteps: number;
  /** Peak learning rate. */
  lr: number;
  /**
   * 'constant', or linear warm-up then cosine decay to minLr over numSteps — or over the time budget
   * (timeLimitSeconds, counted from the end of the warm-up) when that runs out first.
   */
  schedule: 'constant' | 'warmup-cosine';
  /** Warm-up steps of the 'warmup-cosine' schedule. */
  warmupSteps: number;
  /** Final learning rate of the 'warmup-cosine' schedule. */
  minLr: number;
  /** Clip gradients to this global norm; 0 = no clipping. */
  clipNorm: number;
  /** Stop after the step that passes this many seconds of training; 0 = no limit. */
  timeLimitSeconds: number;
  /** The run's seed (recipes derive each step's augmentation seed from it with stepSeed). */
  seed: number;
  /** Steps per epoch, for onEpoch and the epoch history; 0 = use the batch's `epoch` field if any. */
  stepsPerEpoch: number;
  /** Folder for checkpoints; '' = none. */
  checkpointDir: string;
  /** Write a checkpoint every this many steps (and at the end); 0 = only at the end. */
  checkpointEvery: number;
  /** Keep the newest this many checkpoints; 0 = all. */
  keepCheckpoints: number;
  /** Continue from the latest checkpoint in checkpointDir if there is one. */
  resume: boolean;
  /** Fail ('error'), warn, or do nothing when the tensor count grows from step to step. */
  leakCheck: 'error' | 'warn' | 'off';
  /** Show a progress bar (src/viz). */
  progress: boolean;
  /** Label of the progress bar and of the config line. */
  label: string;
}

/** 1,000 steps of Adam-style training at lr 1e-3 with leak checks and a progress bar. */
export function defaultFitConfig(): FitConfig {
  return {
    numSteps: 1000,
    lr: 1e-3,
    schedule: 'constant',
    warmupSteps: 0,
    minLr: 0,
    clipNorm: 0,
    timeLimitSeconds: 0,
    seed: 0,
    stepsPerEpoch: 0,
    checkpointDir: '',
    checkpointEvery: 0,
    keepCheckpoints: 2,
    resume: false,
    leakCheck: 'error',
    progress: true,
    label: 'fit',
  };
}

/** A loss with extra scalars to log (accuracy, a term of the loss, ...). */
export interface LossWithMetrics {
  loss: tf.Scalar;
  metrics?: Record<string, tf.Scalar>;
}

/** One step as recorded in the history and passed to onStep. */
export interface StepRecord {
  step: number;
  epoch: number;
  loss: number;
  lr: number;
  /** Global gradient norm before clipping (only when clipNorm > 0, else NaN). */
  gradNorm: number;
  /** Seconds since the start of this fit call. */
  seconds: number;
  metrics: Record<string, number>;
}

/** Everything logged, in columns ready for lineChart. */
export interface FitHistory {
  step: number[];
  loss: number[];
  lr: number[];
  gradNorm: number[];
  seconds: number[];
  metrics: Record<string, number[]>;
  /** One entry per completed epoch: its index and mean loss. */
  epochs: { epoch: number; loss: number }[];
}

/** What `fit` returns. */
export interface FitResult {
  history: FitHistory;
  /** Steps done in all (including those before a resume). */
  steps: number;
  /** Why the loop ended. */
  stoppedBy: 'numSteps' | 'timeLimit' | 'data' | 'callback';
  /** Seconds spent in this call. */
  seconds: number;
  /** Step at which this call started (> 0 after a resume). */
  startStep: number;
  /** The last checkpoint written, if any. */
  checkpoint: string | null;
}

/** Hooks called by fit; each may be async (fit awaits it between steps, never inside tidy). */
export interface FitCallback {
  onStart?(info: { config: FitConfig; startStep: number }): void | Promise<void>;
  /** Return false to stop after this step. */
  onStep?(record: StepRecord, history: FitHistory): void | boolean | Promise<void | boolean>;
  onEpoch?(epoch: number, meanLoss: number, history: FitHistory): void | Promise<void>;
  onEnd?(result: FitResult): void | Promise<void>;
}

/** A data source: a function of the step (random access: resumes instantly) or an iterator. */
export type FitData<B> = ((step: number) => B) | Iterable<B> | AsyncIterable<B>;

/** Everything `fit` takes. Recipes return `loss`, `variables`, `afterStep` and `modules`. */
export interface FitOptions<B> {
  /** The objective of one batch; called inside tf.variableGrads, so no await and no dispose of its result. */
  loss: (batch: B, step: number) => tf.Scalar | LossWithMetrics;
  /** What the optimiser updates: a list, or a function of the step (SwAV freezes its prototypes at first). */
  variables: tf.Variable[] | ((step: number) => tf.Variable[]);
  /** Batches. Tensors found in a batch (directly or one level down) are disposed after the step. */
  data: FitData<B>;
  /** Default: AdamW with weightDecay 0, i.e. Adam, freed at the end (pass your own to keep its moments). */
  optimizer?: TrainOptimizer;
  config?: Partial<FitConfig>;
  /** Called after each update (momentum-encoder EMA, queue writes, prototype normalisation). */
  afterStep?: (step: number) => void;
  /** Modules whose weights go into checkpoints, by prefix; also names the variables. */
  modules?: Record<string, Module>;
  /** Extra JSON state for checkpoints (e.g. a generator's state you keep yourself). */
  state?: { get(): unknown; set(value: unknown): void };
  callbacks?: FitCallback | FitCallback[];
  /** Where the config line and warnings go (default console.log). */
  log?: (line: string) => void;
  /** Clock in milliseconds (default performance.now); tests pass a fake one. */
  now?: () => number;
  /**
   * Learning rate as a function of the step (and, with a time limit, of the fraction of the budget
   * used since the warm-up steps ended; 0 without one); overrides config.schedule.
   */
  schedule?: (step: number, timeFraction: number) => number;
  /** A recipe's name and resolved configuration, printed with fit's own (recipes provide both). */
  name?: string;
  recipeConfig?: object;
}

interface Meta {
  fit: FitConfig;
  optimizer: { name: string; config: object; iterations: number };
  history: FitHistory;
  state?: unknown;
}

function emptyHistory(): FitHistory {
  return { step: [], loss: [], lr: [], gradNorm: [], seconds: [], metrics: {}, epochs: [] };
}

function disposeBatch(batch: unknown): void {
  if (batch instanceof tf.Tensor) {
    batch.dispose();
  } else if (batch && typeof batch === 'object') {
    for (const value of Object.values(batch)) {
      if (value instanceof tf.Tensor) value.dispose();
      else if (Array.isArray(value)) value.forEach((v) => v instanceof tf.Tensor && v.dispose());
    }
  }
}

function batchEpoch(batch: unknown): number | null {
  if (batch && typeof batch === 'object' && !(batch instanceof tf.Tensor)) {
    const e = (batch as { epoch?: unknown }).epoch;
    if (typeof e === 'number') return e;
  }
  return null;
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
  const nameOf = new Map<tf.Variable, string>();
  const byName = new Map<string, tf.Variable>();
  for (const [prefix, module] of Object.entries(modules)) {
    for (const [name, value] of Object.entries(module.getWeights())) {
      if (value instanceof tf.Variable && !nameOf.has(value)) {
        nameOf.set(value, `${prefix}.${name}`);
        byName.set(`${prefix}.${name}`, value);
      }
    }
  }
  const variablesAt = (step: number): tf.Variable[] =>
    typeof options.variables === 'function' ? options.variables(step) : options.variables;

  let history = emptyHistory();
  let startStep = 0;
  if (config.resume && config.checkpointDir && latestCheckpoint(config.checkpointDir)) {
    const loaded = loadCheckpoint(config.checkpointDir);
    try {
      const meta = loaded.meta as Meta;
      for (const [prefix, module] of Object.entries(modules)) setModuleFromCheckpoint(module, loaded, prefix, 'fit');
      const optState: tf.NamedTensorMap = {};
      for (const [key, t] of Object.entries(loaded.tensors)) if (key.startsWith('optimizer/')) optState[key.slice(10)] = t;
      optimizer.setState(optState, meta.optimizer.iterations, byName);
      history = meta.history;
      startStep = loaded.step;
      if (options.state && meta.state !== undefined) options.state.set(meta.state);
      log(`${config.label}: resumed from ${loaded.path} at step ${startStep}`);
    } finally {
      tf.dispose(Object.values(loaded.tensors));
    }
  }

  log(`${config.label} config: ${JSON.stringify(config)}`);
  if (options.recipeConfig) log(`${config.label} recipe: ${options.name ?? 'recipe'} ${JSON.stringify(options.recipeConfig)}`);
  log(`${config.label} optimizer: ${optimizer.name} ${JSON.stringify(optimizer.config)}`);
  for (const cb of callbacks) await cb.onStart?.({ config, startStep });

  const writeCheckpoint = (step: number): string => {
    const tensors: tf.NamedTensorMap = {};
    for (const [prefix, module] of Object.entries(modules)) {
      for (const [name, value] of Object.entries(module.getWeights())) tensors[`weights/${prefix}.${name}`] = value;
    }
    for (const [key, value] of Object.entries(optimizer.getState(nameOf))) tensors[`optimizer/${key}`] = value;
    const meta: Meta = {
      fit: config,
      optimizer: { name: optimizer.name, config: optimizer.config, iterations: optimizer.iterations },
      history,
      state: options.state?.get(),
    };
    return saveCheckpoint(config.checkpointDir, step, tensors, meta, config.keepCheckpoints);
  };
  if (config.checkpointDir) {
    for (const v of variablesAt(startStep)) {
      if (!nameOf.has(v)) {
        throw new Error(`Error in fit: checkpoints need every trained variable inside \`modules\`, but '${v.name}' [${v.shape.join(',')}] is not`);
      }
    }
  }

  // Data: a function of the step, or an iterator fast-forwarded past the steps already done.
  const data = options.data;
  let iterator: Iterator<B> | AsyncIterator<B> | null = null;
  if (typeof data !== 'function') {
    iterator = Symbol.asyncIterator in (data as object) ? (data as AsyncIterable<B>)[Symbol.asyncIterator]() : (data as Iterable<B>)[Symbol.iterator]();
    for (let s = 0; s < startStep; s++) {
      const r = await iterator.next();
      if (r.done) break;
      disposeBatch(r.value);
    }
  }
  const nextBatch = async (step: number): Promise<IteratorResult<B>> => {
    if (!iterator) return { done: false, value: (data as (step: number) => B)(step) };
    return iterator.next();
  };

  const bar = config.progress ? progress(config.numSteps, { label: config.label, unit: 'step', timeLimitSeconds: config.timeLimitSeconds }) : null;
  if (bar) bar.update(startStep);
  const t0 = now();
  /** Seconds into the run when the first step after the warm-up began (-1 until then). */
  let warmupEndSeconds = -1;
  let stoppedBy: FitResult['stoppedBy'] = 'numSteps';
  let lastFinite = NaN;
  let lastCount = -1;
  let grewLast = false;
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
      const next = await nextBatch(step);
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
        const count = tf.memory().numTensors - optimizer.numStateTensors();
        if (step >= startStep + 2 && lastCount >= 0 && count > lastCount) {
          if (grewLast) {
            const message = `Error in fit: Leaked ${count - lastCount} tensors per step (numTensors ${lastCount} -> ${count} at step ${step}); free every tensor a step creates (tf.tidy, dispose)`;
            if (config.leakCheck === 'error') throw new Error(message);
            log(message.replace('Error in fit', 'Warning in fit'));
          }
          grewLast = true;
        } else {
          grewLast = false;
        }
        lastCount = count;
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
    if (iterator?.return) await iterator.return();
    if (ownsOptimizer) optimizer.dispose();
  }
  const result: FitResult = { history, steps: step, stoppedBy, seconds: (now() - t0) / 1000, startStep, checkpoint: lastCheckpoint };
  for (const cb of callbacks) await cb.onEnd?.(result);
  return result;
}
