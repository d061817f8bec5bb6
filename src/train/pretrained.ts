/**
 * The course checkpoints: each method's reference run (`npm run pretrain -- <method>`), committed
 * under checkpoints/<method>/ so that a notebook can load a trained encoder in a second.
 *
 *   checkpoints/<method>/manifest.json + tensors.bin   a fit checkpoint (weights only)
 *   checkpoints/<method>/metadata.json                 recipe, budget, machine, measured accuracy
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { packageRoot } from '../backend/package-root';
import { ProjectionHead, type ProjectionHeadConfig } from '../models/projection-head';
import { ResNetEncoder, type ResNetEncoderConfig } from '../models/resnet-encoder';
import { loadCheckpoint } from './checkpoint';
import { setModuleFromCheckpoint } from './load-checkpoint-weights';

/** The methods that have a course checkpoint. */
export const COURSE_METHODS = ['simclr'] as const;
export type CourseMethod = (typeof COURSE_METHODS)[number];

/** What metadata.json of a course checkpoint records (written by scripts/pretrain.ts). */
export interface CourseCheckpointMeta {
  method: CourseMethod;
  /** The recipe's display name, e.g. 'SimCLR'. */
  recipe: string;
  /** The command that made it, e.g. 'npm run pretrain -- simclr --minutes 30 --seed 0'. */
  command: string;
  seed: number;
  /** Training budget in minutes and the wall minutes the training took. */
  budgetMinutes: number;
  trainMinutes: number;
  steps: number;
  epochs: number;
  batchSize: number;
  imagesPerSecond: number;
  /** The recipe's resolved config, fit's config and the optimiser. */
  recipeConfig: unknown;
  fitConfig: unknown;
  optimizer: { name: string; config: unknown };
  encoderConfig: ResNetEncoderConfig;
  headConfig: ProjectionHeadConfig;
  /** Mean loss of the last 20 steps. */
  finalLoss: number;
  /** Backend line, CPU model, cores, Node version, date. */
  machine: { backend: string; cpu: string; cores: number; node: string; date: string };
  evaluation: {
    /** kNN top-1 (k 200, T 0.1, cosine) of the 10,000 test images against the 50,000 training images. */
    knnTop1: number;
    /** Linear-probe top-1 on the encoder's features (all labels), and its config. */
    linearProbeTop1: number;
    linearProbe: unknown;
    /** kNN top-1 of the first `queries` test images against the first `bank` training images (the reproduction check). */
    knnSubset: { top1: number; bank: number; queries: number; k: number; temperature: number; backend: string };
  };
}

/** A course checkpoint loaded: the encoder and projection head, ready to use; dispose both when done. */
export interface PretrainedModel {
  encoder: ResNetEncoder;
  head: ProjectionHead;
  meta: CourseCheckpointMeta;
  /** One line for a notebook's output: "loaded from the course checkpoint (SimCLR, 30 min, 9.1 epochs, kNN 57.6%)". */
  label: string;
  dispose(): void;
}

function repositoryRoot(): string {
  return packageRoot('pretrained');
}

/** checkpoints/<method> of this checkpoint of the course (or `root`). */
export function courseCheckpointDir(method: CourseMethod, root = repositoryRoot()): string {
  return path.join(root, 'checkpoints', method);
}

/** The metadata of a course checkpoint, without loading its weights. */
export function courseCheckpointMeta(method: CourseMethod, dir = courseCheckpointDir(method)): CourseCheckpointMeta {
  checkMethod(method);
  const file = path.join(dir, 'metadata.json');
  if (!fs.existsSync(file)) {
    throw new Error(`Error in pretrained: no course checkpoint for '${method}' in ${dir}; make it with: npm run pretrain -- ${method}`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as CourseCheckpointMeta;
}

/**
 * Load a course checkpoint: the encoder and projection head the method's reference run trained
 * (fixed seed and a 30-minute budget on 2 cores), built with the recorded architecture.
 *
 * @param method - 'simclr'.
 * @param dir - the checkpoint folder (default checkpoints/<method> of the course).
 * @throws "Error in pretrained: ..." for an unknown method or a missing checkpoint, saying how to make it.
 * @example
 * const { encoder, label } = pretrained('simclr');
 * console.log(label); // loaded from the course checkpoint (SimCLR, 30 min, ...)
 * @see notebooks/10.3.3-simclr.ipynb
 */
export function pretrained(method: CourseMethod, dir = courseCheckpointDir(method)): PretrainedModel {
  const meta = courseCheckpointMeta(method, dir);
  const loaded = loadCheckpoint(dir);
  const encoder = new ResNetEncoder(meta.encoderConfig, 'encoder');
  const head = new ProjectionHead(meta.headConfig, 'head');
  try {
    setModuleFromCheckpoint(encoder, loaded, 'encoder', 'pretrained');
    setModuleFromCheckpoint(head, loaded, 'head', 'pretrained');
  } catch (e) {
    encoder.dispose();
    head.dispose();
    throw e;
  } finally {
    tf.dispose(Object.values(loaded.tensors));
  }
  const label =
    `loaded from the course checkpoint (${meta.recipe}, ${Math.round(meta.budgetMinutes)} min, ` +
    `${meta.epochs.toFixed(1)} epochs, kNN top-1 ${(100 * meta.evaluation.knnTop1).toFixed(1)}%)`;
  return {
    encoder,
    head,
    meta,
    label,
    dispose() {
      encoder.dispose();
      head.dispose();
    },
  };
}

function checkMethod(method: string): void {
  if (!(COURSE_METHODS as readonly string[]).includes(method)) {
    throw new Error(`Error in pretrained: unknown method '${method}'; course checkpoints exist for ${COURSE_METHODS.map((m) => `'${m}'`).join(', ')}`);
  }
}

/** A PyTorch reference run of a course recipe (scripts/reference), as its script recorded it. */
export interface ReferenceRun {
  method: string;
  /** The command that made it. */
  command: string;
  torch: string;
  threads: number;
  budgetMinutes: number;
  batchSize: number;
  imagesPerSecond: number;
  machine: { cpu: string; cores: number; date: string };
  /** kNN top-1 (the course protocol: 10,000 test images, 50,000 training images as the bank) after each whole epoch, and last at the end of the budget (a fractional epoch). */
  epochs: { epoch: number; minutes: number; knnTop1: number }[];
  /** At the end of the budget. */
  final: { steps: number; epochs: number; knnTop1: number };
}

/**
 * The recorded PyTorch reference run of a course method (scripts/reference/results/<method>.json,
 * made by scripts/reference/<method>_reference.py under Debian's python3-torch), to compare a
 * notebook's live run with at equal epochs.
 *
 * @throws "Error in referenceRun: ..." for an unknown method or a missing results file, saying how to make it.
 * @example
 * const ref = referenceRun('simclr');
 * ref.epochs[0]; // { epoch: 1, minutes: 1.4, knnTop1: 0.468 }
 * @see notebooks/10.3.3-simclr.ipynb
 */
export function referenceRun(method: CourseMethod, root = repositoryRoot()): ReferenceRun {
  if (!(COURSE_METHODS as readonly string[]).includes(method)) {
    throw new Error(`Error in referenceRun: unknown method '${method}'; reference runs exist for ${COURSE_METHODS.map((m) => `'${m}'`).join(', ')}`);
  }
  const file = path.join(root, 'scripts', 'reference', 'results', `${method}.json`);
  if (!fs.existsSync(file)) {
    throw new Error(`Error in referenceRun: no reference results for '${method}' at ${file}; make them with: /usr/bin/python3 scripts/reference/${method}_reference.py`);
  }
  return JSON.parse(fs.readFileSync(file, 'utf8')) as ReferenceRun;
}
