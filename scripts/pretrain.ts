/**
 * Trains a method's course checkpoint: the reference run every notebook can load in a second.
 *
 *   npm run pretrain -- simclr [--minutes 30] [--seed 0] [--resume] [--out checkpoints]
 *
 * The recipe is the course standard, the one `npm run bench:ssl` measures (docs/training.md):
 * the course ResNet encoder, 16 x 16 views (crop scale (0.2, 1), flip, colour jitter p 0.8 without
 * hue, greyscale p 0.2), batch 128, NT-Xent T 0.2, Adam 2e-3 with 50 warm-up steps and a cosine
 * to 0 over the budget, on the 50,000 CIFAR-10 training images, wasm on every core. Seed, budget
 * and recipe are printed at the start.
 *
 * Training writes fit checkpoints to <out>/.work/<method> every 200 steps; --resume continues
 * from the last one with what is left of the budget. At the end it measures kNN top-1 (k 200,
 * T 0.1, full train bank, full test set), a linear probe and the kNN of a fixed subset (the
 * first 5,000 training and 1,000 test images, which the tests recompute), then writes
 * <out>/<method>/ (weights of the encoder and the projection head, metadata.json) and
 * regenerates docs/results.md.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { normalizeImages } from '../src/augment/normalize-images';
import { useBackend } from '../src/backend/use-backend';
import { loadCifar10 } from '../src/data/load-cifar10';
import { extractFeatures } from '../src/eval/extract-features';
import { knnAccuracy } from '../src/eval/knn-predict';
import { defaultLinearProbeConfig, linearProbe } from '../src/eval/linear-probe';
import { ResNetEncoder } from '../src/models/resnet-encoder';
import { AdamW } from '../src/train/adamw';
import { latestCheckpoint, loadCheckpoint, saveCheckpoint } from '../src/train/checkpoint';
import { fit } from '../src/train/fit';
import { logCallback } from '../src/train/log-callback';
import { COURSE_METHODS, type CourseCheckpointMeta, type CourseMethod } from '../src/train/pretrained';
import { simclr } from '../src/train/recipes/simclr';
import { batchIndices, stepsPerEpoch } from '../src/train/step-seed';
import { writeResults } from './make-results';

/** The first `bank` training and `queries` test images: the subset whose kNN the tests recompute. */
const KNN_SUBSET = { bank: 5000, queries: 1000, k: 200, temperature: 0.1 };

interface Args {
  method: CourseMethod;
  minutes: number;
  seed: number;
  resume: boolean;
  out: string;
}

function parseArgs(argv: string[]): Args {
  const usage = 'usage: npm run pretrain -- <method> [--minutes 30] [--seed 0] [--resume] [--out checkpoints]';
  const [method, ...rest] = argv;
  if (!method || method.startsWith('--')) throw new Error(`pretrain: name a method (${COURSE_METHODS.join(', ')}); ${usage}`);
  if (!(COURSE_METHODS as readonly string[]).includes(method)) throw new Error(`pretrain: unknown method '${method}' (course checkpoints: ${COURSE_METHODS.join(', ')}); ${usage}`);
  const args: Args = { method: method as CourseMethod, minutes: 30, seed: 0, resume: false, out: 'checkpoints' };
  for (let i = 0; i < rest.length; i++) {
    const [flag, value] = [rest[i], rest[i + 1]];
    const num = (): number => {
      const v = Number(value);
      if (value === undefined || !Number.isFinite(v) || v < 0) throw new Error(`pretrain: ${flag} needs a non-negative number, but got ${value}; ${usage}`);
      i++;
      return v;
    };
    if (flag === '--minutes') args.minutes = num();
    else if (flag === '--seed') args.seed = num();
    else if (flag === '--resume') args.resume = true;
    else if (flag === '--out' && value) (args.out = value), i++;
    else throw new Error(`pretrain: unknown option ${flag}; ${usage}`);
  }
  if (!(args.minutes > 0)) throw new Error(`pretrain: --minutes must be positive; ${usage}`);
  return args;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const report = await useBackend('wasm');
  const batchSize = 128;
  const views = { scale: [0.2, 1] as [number, number], randomOrder: false, hue: 0, size: 16 };
  const encoder = new ResNetEncoder({ seed: args.seed + 1 }, 'encoder');
  const recipe = simclr(encoder, { temperature: 0.2, views, seed: args.seed });
  const workDir = path.join(args.out, '.work', args.method);
  const command = `npm run pretrain -- ${args.method} --minutes ${args.minutes} --seed ${args.seed}`;
  console.log(`pretrain ${args.method}: seed ${args.seed}, budget ${args.minutes} min of training, batch ${batchSize}; ${report.line}`);
  console.log(`pretrain ${args.method}: recipe ${recipe.name} ${JSON.stringify(recipe.recipeConfig)}`);
  console.log(`pretrain ${args.method}: encoder ${JSON.stringify(encoder.config)}`);

  const train = loadCifar10({ split: 'train' });
  const test = loadCifar10({ split: 'test' });
  const n = train.x.shape[0];
  const perEpoch = stepsPerEpoch(n, batchSize);
  const data = (step: number) => ({
    x: tf.tidy(() => tf.gather(train.x, batchIndices(step, { n, batchSize, seed: args.seed }).indices)) as tf.Tensor4D,
  });

  // The budget left after a resume: what the checkpoint's history says was already trained.
  let budgetSeconds = args.minutes * 60;
  if (args.resume && latestCheckpoint(workDir)) {
    const previous = loadCheckpoint(workDir);
    const seconds = (previous.meta as { history?: { seconds?: number[] } }).history?.seconds ?? [];
    tf.dispose(Object.values(previous.tensors));
    budgetSeconds = Math.max(1, budgetSeconds - (seconds[seconds.length - 1] ?? 0));
    console.log(`pretrain ${args.method}: resuming from ${previous.path}, ${Math.round(budgetSeconds)} s of the budget left`);
  } else if (!args.resume) {
    fs.rmSync(workDir, { recursive: true, force: true });
  }
  const optimizer = new AdamW({ weightDecay: 0 });
  const started = Date.now();
  const result = await fit({
    ...recipe,
    data,
    optimizer,
    config: {
      numSteps: 10_000_000,
      lr: 2e-3,
      schedule: 'warmup-cosine',
      warmupSteps: 50,
      timeLimitSeconds: budgetSeconds,
      stepsPerEpoch: perEpoch,
      seed: args.seed,
      checkpointDir: workDir,
      checkpointEvery: 200,
      keepCheckpoints: 1,
      resume: args.resume,
      progress: false,
      label: `pretrain ${args.method}`,
    },
    callbacks: [logCallback(100)],
  });
  const trainSeconds = result.history.seconds[result.history.seconds.length - 1] ?? result.seconds;
  const losses = result.history.loss;
  const finalLoss = losses.slice(-20).reduce((a, b) => a + b, 0) / Math.max(1, Math.min(20, losses.length));
  console.log(`pretrain ${args.method}: ${result.steps} steps (${(result.steps / perEpoch).toFixed(2)} epochs) in ${(trainSeconds / 60).toFixed(1)} min, final loss ${finalLoss.toFixed(3)}`);

  // Evaluation: the encoder's features (standardised inputs, as in training), kNN and a linear probe.
  const preprocess = (x: tf.Tensor4D) => normalizeImages(x);
  const yTrain = train.y.dataSync();
  const yTest = test.y.dataSync();
  const trainF = extractFeatures(encoder, train.x, { batchSize: 500, preprocess });
  const testF = extractFeatures(encoder, test.x, { batchSize: 500, preprocess });
  const knnTop1 = knnAccuracy(testF, yTest, trainF, yTrain, { k: 200, temperature: 0.1, numClasses: 10, batchSize: 250 });
  console.log(`pretrain ${args.method}: kNN top-1 ${(100 * knnTop1).toFixed(2)}%`);
  const probeConfig = defaultLinearProbeConfig();
  const probe = await linearProbe({ x: trainF, y: yTrain }, { x: testF, y: yTest }, probeConfig);
  console.log(`pretrain ${args.method}: linear probe top-1 ${(100 * probe.accuracy).toFixed(2)}%`);
  const subsetTop1 = tf.tidy(() => {
    const bank = tf.slice(trainF, [0, 0], [KNN_SUBSET.bank, -1]) as tf.Tensor2D;
    const queries = tf.slice(testF, [0, 0], [KNN_SUBSET.queries, -1]) as tf.Tensor2D;
    return knnAccuracy(queries, yTest.slice(0, KNN_SUBSET.queries), bank, yTrain.slice(0, KNN_SUBSET.bank), { ...KNN_SUBSET, numClasses: 10 });
  });
  tf.dispose([trainF, testF]);

  const meta: CourseCheckpointMeta = {
    method: args.method,
    recipe: recipe.name,
    command,
    seed: args.seed,
    budgetMinutes: args.minutes,
    trainMinutes: trainSeconds / 60,
    steps: result.steps,
    epochs: result.steps / perEpoch,
    batchSize,
    imagesPerSecond: (result.steps * batchSize) / trainSeconds,
    recipeConfig: recipe.recipeConfig,
    fitConfig: { lr: 2e-3, schedule: 'warmup-cosine', warmupSteps: 50, timeLimitSeconds: args.minutes * 60, stepsPerEpoch: perEpoch },
    optimizer: { name: optimizer.name, config: optimizer.config },
    encoderConfig: encoder.config,
    headConfig: recipe.head.config,
    finalLoss,
    machine: { backend: report.line, cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version, date: new Date().toISOString().slice(0, 10) },
    evaluation: {
      knnTop1,
      linearProbeTop1: probe.accuracy,
      linearProbe: probeConfig,
      knnSubset: { top1: subsetTop1, ...KNN_SUBSET, backend: 'wasm' },
    },
  };
  // Weights only (no optimiser state): small enough to commit.
  const out = path.join(args.out, args.method);
  const staging = `${out}.partial-${process.pid}`;
  fs.rmSync(staging, { recursive: true, force: true });
  const tensors: tf.NamedTensorMap = {};
  for (const [prefix, module] of Object.entries({ encoder, head: recipe.head })) {
    for (const [name, value] of Object.entries(module.getWeights())) tensors[`weights/${prefix}.${name}`] = value;
  }
  const folder = saveCheckpoint(staging, result.steps, tensors, { method: args.method, steps: result.steps });
  fs.writeFileSync(path.join(folder, 'metadata.json'), JSON.stringify(meta, null, 2) + '\n');
  fs.rmSync(out, { recursive: true, force: true });
  fs.renameSync(folder, out);
  fs.rmSync(staging, { recursive: true, force: true });
  const size = fs.readdirSync(out).reduce((a, f) => a + fs.statSync(path.join(out, f)).size, 0);
  console.log(`pretrain ${args.method}: wrote ${out} (${(size / 2 ** 20).toFixed(2)} MB) in ${((Date.now() - started) / 60000).toFixed(1)} min`);
  console.log(`pretrain ${args.method}: ${writeResults(args.out)}`);
  recipe.dispose();
  encoder.dispose();
  tf.dispose([train.x, train.y, test.x, test.y]);
}

if (require.main === module) {
  main().catch((err) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  });
}
