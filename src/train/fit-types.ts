/**
 * The types of `fit`: its configuration (plain values, printed at the start and stored in
 * checkpoints), what it takes, what it records and what it returns.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Module } from '../models/module';
import type { TrainOptimizer } from './train-optimizer';

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
  /**
   * Default: AdamW with weightDecay 0, i.e. Adam, which fit makes and frees at the end. An
   * optimiser you pass stays yours (to keep its moments for another run): fit never disposes it,
   * so call its `dispose()` when you are done with it.
   */
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

