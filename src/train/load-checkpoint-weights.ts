/**
 * Put a module's weights back from a checkpoint that `fit` wrote. fit stores each module
 * of `modules: { encoder, head, ... }` under `weights/<prefix>.<weight name>`; this reads the
 * ones of one prefix into a module of the same architecture.
 */
import * as tf from '@tensorflow/tfjs';
import type { Module } from '../models/module';
import { loadCheckpoint, type LoadedCheckpoint } from './checkpoint';

const WEIGHTS = 'weights/';

/** The module prefixes a checkpoint holds weights for ('encoder', 'head', ...), sorted. */
export function checkpointPrefixes(tensors: tf.NamedTensorMap): string[] {
  const prefixes = new Set<string>();
  for (const key of Object.keys(tensors)) {
    if (!key.startsWith(WEIGHTS)) continue;
    const dot = key.indexOf('.', WEIGHTS.length);
    if (dot > 0) prefixes.add(key.slice(WEIGHTS.length, dot));
  }
  return [...prefixes].sort();
}

/**
 * Copy the weights stored under `prefix` in an already loaded checkpoint into `module`.
 * @throws "Error in <fn>: ..." naming the checkpoint, the missing weight and the prefixes it has.
 */
export function setModuleFromCheckpoint(module: Module, loaded: LoadedCheckpoint, prefix: string, fn = 'loadCheckpointWeights'): void {
  const own: tf.NamedTensorMap = {};
  for (const name of Object.keys(module.getWeights())) {
    const t = loaded.tensors[`${WEIGHTS}${prefix}.${name}`];
    if (!t) {
      const has = checkpointPrefixes(loaded.tensors);
      throw new Error(
        `Error in ${fn}: checkpoint ${loaded.path} has no weight '${prefix}.${name}' ` +
          `(it holds weights for ${has.length > 0 ? has.map((p) => `'${p}'`).join(', ') : 'no module'}); ` +
          'pass the prefix the module was trained under and a module of the same architecture',
      );
    }
    own[name] = t;
  }
  module.setWeights(own);
}

/**
 * Load the weights of one trained module (by default 'encoder') from a fit checkpoint: a run
 * folder (its latest checkpoint is used) or one checkpoint folder. Only weights are read; the
 * module must have the architecture it was trained with.
 *
 * @param module - a freshly built module of the trained architecture; its weights are replaced.
 * @param dirOrCheckpoint - fit's `checkpointDir`, or one `step-XXXXXXXX` folder in it.
 * @param prefix - the key the module had in fit's `modules` (default 'encoder').
 * @returns the step the checkpoint was written at and its metadata.
 * @throws "Error in loadCheckpointWeights: ..." when there is no checkpoint, a weight is missing or a shape differs.
 * @example
 * const encoder = new ResNetEncoder();             // the architecture it was trained with
 * const { step } = loadCheckpointWeights(encoder, 'runs/simclr'); // the encoder fit trained there
 */
export function loadCheckpointWeights(module: Module, dirOrCheckpoint: string, prefix = 'encoder'): { step: number; meta: unknown } {
  const loaded = loadCheckpoint(dirOrCheckpoint);
  try {
    setModuleFromCheckpoint(module, loaded, prefix);
    return { step: loaded.step, meta: loaded.meta };
  } finally {
    tf.dispose(Object.values(loaded.tensors));
  }
}
