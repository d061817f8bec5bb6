/**
 * fit's checkpoints: which variable is which (module prefix + weight name), writing a step's
 * weights, optimiser state, config and history, and resuming from the latest one.
 */
import * as tf from '@tensorflow/tfjs';
import type { Module } from '../models/module';
import { latestCheckpoint, loadCheckpoint, saveCheckpoint } from './checkpoint';
import type { FitConfig, FitHistory } from './fit-types';
import { setModuleFromCheckpoint } from './load-checkpoint-weights';
import type { TrainOptimizer } from './train-optimizer';

/** What a fit checkpoint's metadata holds besides the tensors. */
export interface FitCheckpointMeta {
  fit: FitConfig;
  optimizer: { name: string; config: object; iterations: number };
  history: FitHistory;
  state?: unknown;
}

/** Stable names for every module variable, `<module>.<weight>`: weight-decay rules and checkpoints use them. */
export function namedVariables(modules: Record<string, Module>): { nameOf: Map<tf.Variable, string>; byName: Map<string, tf.Variable> } {
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
  return { nameOf, byName };
}

/** A checkpoint can only restore what it names: every trained variable must live in a module. */
export function checkCheckpointable(variables: tf.Variable[], nameOf: Map<tf.Variable, string>): void {
  for (const v of variables) {
    if (!nameOf.has(v)) {
      throw new Error(`Error in fit: checkpoints need every trained variable inside \`modules\`, but '${v.name}' [${v.shape.join(',')}] is not`);
    }
  }
}

/** Save step `step`: `weights/<module>.<weight>`, `optimizer/<slot>`, and the metadata. Returns the checkpoint's path. */
export function writeFitCheckpoint(
  dir: string,
  step: number,
  run: { config: FitConfig; modules: Record<string, Module>; optimizer: TrainOptimizer; nameOf: Map<tf.Variable, string>; history: FitHistory; state?: unknown },
  keep: number,
): string {
  const tensors: tf.NamedTensorMap = {};
  for (const [prefix, module] of Object.entries(run.modules)) {
    for (const [name, value] of Object.entries(module.getWeights())) tensors[`weights/${prefix}.${name}`] = value;
  }
  for (const [key, value] of Object.entries(run.optimizer.getState(run.nameOf))) tensors[`optimizer/${key}`] = value;
  const meta: FitCheckpointMeta = {
    fit: run.config,
    optimizer: { name: run.optimizer.name, config: run.optimizer.config, iterations: run.optimizer.iterations },
    history: run.history,
    state: run.state,
  };
  return saveCheckpoint(dir, step, tensors, meta, keep);
}

/**
 * Restore the latest checkpoint in `dir` into the modules, the optimiser and the caller's state;
 * null when there is none. Returns the step to continue from, the history so far and the path.
 */
export function resumeFromCheckpoint(
  dir: string,
  modules: Record<string, Module>,
  optimizer: TrainOptimizer,
  byName: Map<string, tf.Variable>,
  state?: { set(value: unknown): void },
): { step: number; history: FitHistory; path: string } | null {
  if (!latestCheckpoint(dir)) return null;
  const loaded = loadCheckpoint(dir);
  try {
    const meta = loaded.meta as FitCheckpointMeta;
    for (const [prefix, module] of Object.entries(modules)) setModuleFromCheckpoint(module, loaded, prefix, 'fit');
    const optState: tf.NamedTensorMap = {};
    for (const [key, t] of Object.entries(loaded.tensors)) if (key.startsWith('optimizer/')) optState[key.slice(10)] = t;
    optimizer.setState(optState, meta.optimizer.iterations, byName);
    if (state && meta.state !== undefined) state.set(meta.state);
    return { step: loaded.step, history: meta.history, path: loaded.path };
  } finally {
    tf.dispose(Object.values(loaded.tensors));
  }
}
