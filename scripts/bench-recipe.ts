/**
 * The whole SimCLR training step of the course recipe, selfsup against its PyTorch twin, in one run.
 *
 *   npm run bench:recipe [-- --rounds 4 --steps 6 --batch 128 --threads 2 --no-torch]
 *   npm run bench:recipe -- --compare batchnorm   (A/B: BatchNorm2d on selfsup's fused wasm kernels, and on tfjs ops)
 *   npm run bench:recipe -- --compare views       (A/B: simclrViews' one-pass route, and the chain of batch ops)
 *   npm run bench:recipe -- --compare gather      (A/B: GatherV2 copying whole blocks, and the stock wasm kernel)
 *   npm run bench:recipe -- --compare winograd    (A/B: 3x3 stride-1 convolutions by Winograd F(4x4, 3x3), and XNNPACK's direct ones)
 *   npm run bench:recipe -- --profile             (and then the time in each kernel of a few more steps)
 *   npm run bench:recipe -- --compare all         (A/B: every lever, and none: the step before issue 16)
 *
 * The step is what `npm run bench:ssl -- --methods simclr` trains: `fit` with the `simclr` recipe
 * (16 x 16 views: crop scale (0.2, 1), flip, colour jitter p 0.8 without hue in a fixed order,
 * greyscale p 0.2; CIFAR-10 standardisation; course ResNet + head 128-256-64; NT-Xent T 0.2),
 * batch 128, Adam 2e-3 with 50 warm-up steps and a cosine, on CIFAR-10 training images. The twin
 * (scripts/reference/simclr_step_bench.py) is the same recipe in PyTorch, on the same number of
 * threads, its views made batched with tensor ops.
 *
 * Rounds interleave: each round runs --steps + 1 steps of PyTorch, then of every selfsup variant
 * (their order alternating between rounds), so every engine sees the same machine; the first step
 * of each round is not counted (it pays fit's setup). Figures are medians over all counted steps. images/s counts source
 * images (each gives two views), as bench:ssl does.
 *
 * Phases of selfsup's step are read from timestamps inside the real `fit` step (wasm runs
 * synchronously, so a timestamp is taken after the work before it is done):
 *   augmentation  recipe.loss entry -> the encoder's first call (both views, concat, standardise)
 *   forward       -> recipe.loss returns (encoder, head, NT-Xent)
 *   backward      -> the optimiser is called (the gradient, and reading the loss back)
 *   optimiser     AdamW.applyGradients
 *   other         the rest of the step: the batch gather, tidy, leak check, history, callbacks
 */
import { spawn, spawnSync, type ChildProcessWithoutNullStreams } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';
import * as tf from '@tensorflow/tfjs';
import { packageRoot } from '../src/backend/package-root';
import { useBackend } from '../src/backend/use-backend';
import { loadCifar10 } from '../src/data/load-cifar10';
import { ResNetEncoder } from '../src/models/resnet-encoder';
import { AdamW } from '../src/train/adamw';
import { fit } from '../src/train/fit';
import { simclr } from '../src/train/recipes/simclr';
import type { ImageBatch } from '../src/train/recipes/ssl-recipe';
import { batchIndices } from '../src/train/step-seed';
import { profileKernels } from './kernel-profile';
import { relaxedSimdKernels, setBlockGatherEnabled, setFusedBatchNormEnabled, setWinogradEnabled } from '../src/backend/wasm-kernels';
import { setOnePassViewsEnabled } from '../src/augment/simclr-views';
import { median } from './median';

const PHASES = ['augmentation', 'forward', 'backward', 'optimiser', 'other'] as const;
type Phase = (typeof PHASES)[number];
type StepTimes = Record<Phase | 'total' | 'cpu', number>;

interface Args {
  rounds: number;
  steps: number;
  batch: number;
  threads: number;
  images: number;
  torch: boolean;
  profile: boolean;
  compare: '' | 'batchnorm' | 'views' | 'gather' | 'winograd' | 'all';
}

function parseArgs(argv: string[]): Args {
  const a: Args = { rounds: 4, steps: 6, batch: 128, threads: Math.min(2, os.cpus().length), images: 5120, torch: true, profile: false, compare: '' };
  const usage = '--rounds N --steps N --batch N --threads N --images N --no-torch --profile --compare batchnorm|views|gather|winograd|all';
  for (let i = 0; i < argv.length; i++) {
    const key = argv[i];
    const int = (min: number) => {
      const v = Number(argv[++i]);
      if (!(Number.isInteger(v) && v >= min)) throw new Error(`Error in bench-recipe: ${key} must be an integer >= ${min}, but got ${argv[i]}`);
      return v;
    };
    switch (key) {
      case '--rounds': a.rounds = int(1); break;
      case '--steps': a.steps = int(1); break;
      case '--batch': a.batch = int(2); break;
      case '--threads': a.threads = int(1); break;
      case '--images': a.images = int(2); break;
      case '--no-torch': a.torch = false; break;
      case '--profile': a.profile = true; break;
      case '--compare': {
        const v = argv[++i];
        if (v !== 'batchnorm' && v !== 'views' && v !== 'gather' && v !== 'winograd' && v !== 'all') {
          throw new Error(`Error in bench-recipe: --compare takes batchnorm, views, gather, winograd or all, but got ${v}`);
        }
        a.compare = v;
        break;
      }
      default: throw new Error(`Error in bench-recipe: unknown option ${key} (options: ${usage})`);
    }
  }
  if (a.images < a.batch) throw new Error(`Error in bench-recipe: --images (${a.images}) must be at least --batch (${a.batch})`);
  return a;
}

// ---------------------------------------------------------------------------------------------------------------
// PyTorch twin: a child process that runs N steps per request.

interface Twin {
  info: { torch: string; threads: number; images: number };
  run(steps: number): Promise<StepTimes[]>;
  close(): void;
}

function torchImportable(): string | null {
  if (!fs.existsSync('/usr/bin/python3')) return '/usr/bin/python3 does not exist';
  const r = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' });
  return r.status === 0 ? null : '/usr/bin/python3 cannot import torch (apt-get install python3-torch libopenblas0-pthread)';
}

async function startTwin(args: Args): Promise<Twin> {
  const script = path.join(packageRoot('bench-recipe'), 'scripts', 'reference', 'simclr_step_bench.py');
  const env = { ...process.env, OMP_NUM_THREADS: String(args.threads), OPENBLAS_NUM_THREADS: String(args.threads), MKL_NUM_THREADS: String(args.threads) };
  const child: ChildProcessWithoutNullStreams = spawn('/usr/bin/python3', [script, JSON.stringify({ threads: args.threads, batch: args.batch, images: args.images })], { env });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += String(d)));
  const lines = readline.createInterface({ input: child.stdout });
  const waiting: ((line: string) => void)[] = [];
  lines.on('line', (line) => {
    if (line.startsWith('READY ') || line.startsWith('RESULT ')) waiting.shift()?.(line);
  });
  const exited = new Promise<string>((resolve) => child.on('exit', (code) => resolve(`the PyTorch twin exited (code ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`)));
  const next = () => Promise.race([new Promise<string>((resolve) => waiting.push(resolve)), exited.then((m) => Promise.reject(new Error(m)))]);
  const ready = await next();
  const info = JSON.parse(ready.slice('READY '.length)) as Twin['info'];
  return {
    info,
    async run(steps: number) {
      child.stdin.write(`run ${steps}\n`);
      const out = JSON.parse((await next()).slice('RESULT '.length)) as { ok: boolean; error?: string; steps: StepTimes[] };
      if (!out.ok) throw new Error(`the PyTorch twin: ${out.error}`);
      return out.steps;
    },
    close() {
      child.stdin.end('quit\n');
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// selfsup: the real fit step of the simclr recipe, with timestamps between its phases.

interface Variant {
  name: string;
  /** Called before each of this variant's rounds. */
  select(): void;
}

function makeOurs(args: Args) {
  const train = loadCifar10({ split: 'train', limit: args.images });
  const n = train.x.shape[0];
  const encoder = new ResNetEncoder({ seed: 1 });
  // bench:ssl's view recipe: crop scale (0.2, 1), fixed jitter order, no hue, 16 x 16
  const views = { scale: [0.2, 1] as [number, number], randomOrder: false, hue: 0, size: 16 };
  const recipe = simclr(encoder, { temperature: 0.2, views, seed: 0 });
  const optimizer = new AdamW({ weightDecay: 0 });
  const marks = { lossStart: 0, encoderStart: 0, lossEnd: 0, optStart: 0, optEnd: 0, lastStep: 0, lastCpu: 0 };
  const cpuNow = () => {
    const u = process.cpuUsage(); // every thread of the process, wasm's pthreads included
    return (u.user + u.system) / 1000;
  };
  const apply = encoder.apply.bind(encoder);
  encoder.apply = (x, options) => {
    if (marks.encoderStart < marks.lossStart) marks.encoderStart = performance.now();
    return apply(x, options);
  };
  const applyGradients = optimizer.applyGradients.bind(optimizer);
  optimizer.applyGradients = (...a) => {
    marks.optStart = performance.now();
    applyGradients(...a);
    marks.optEnd = performance.now();
  };
  const data = (step: number): ImageBatch => ({
    x: tf.tidy(() => tf.gather(train.x, batchIndices(step, { n, batchSize: args.batch, seed: 0 }).indices)) as tf.Tensor4D,
  });
  let offset = 0; // each round continues the data order where the last one stopped
  return {
    async run(steps: number): Promise<StepTimes[]> {
      const times: StepTimes[] = [];
      const start = offset;
      marks.lastStep = performance.now();
      marks.lastCpu = cpuNow();
      await fit({
        ...recipe,
        loss: (batch: ImageBatch, step: number) => {
          marks.lossStart = performance.now();
          const out = recipe.loss(batch, step);
          marks.lossEnd = performance.now();
          return out;
        },
        data: (step: number) => data(start + step),
        optimizer,
        log: () => {},
        config: { numSteps: 1_000_000, lr: 2e-3, schedule: 'warmup-cosine', warmupSteps: 50, timeLimitSeconds: 30 * 60, progress: false, label: 'SimCLR' },
        callbacks: [{
          onStep: () => {
            const t = performance.now();
            const p = {
              augmentation: marks.encoderStart - marks.lossStart,
              forward: marks.lossEnd - marks.encoderStart,
              backward: marks.optStart - marks.lossEnd,
              optimiser: marks.optEnd - marks.optStart,
            };
            const total = t - marks.lastStep;
            const cpu = cpuNow();
            times.push({ ...p, other: total - p.augmentation - p.forward - p.backward - p.optimiser, total, cpu: cpu - marks.lastCpu });
            marks.lastStep = t;
            marks.lastCpu = cpu;
            return times.length < steps; // false stops fit (bench:ssl's schedule needs its long numSteps)
          },
        }],
      });
      offset += steps;
      return times;
    },
    dispose() {
      recipe.dispose();
      encoder.dispose();
      optimizer.dispose();
      tf.dispose([train.x, train.y]);
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------

function summarise(steps: StepTimes[]): StepTimes {
  const out = { total: median(steps.map((s) => s.total)), cpu: median(steps.map((s) => s.cpu)) } as StepTimes;
  for (const p of PHASES) out[p] = median(steps.map((s) => s[p]));
  return out;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  process.env.SELFSUP_WASM_THREADS = String(args.threads); // read when wasm starts
  const report = await useBackend('wasm', { log: () => {} });
  console.log(`bench:recipe — the whole SimCLR step of bench:ssl's recipe: batch ${args.batch}, two 16x16 views each, course ResNet + head 128-256-64, NT-Xent T 0.2, Adam 2e-3`);
  console.log(`selfsup: ${report.line}; ${relaxedSimdKernels() ? 'fused' : 'unfused'} multiply-adds in selfsup's SIMD kernels (SELFSUP_WASM_RELAXED_SIMD)`);
  const why = args.torch ? torchImportable() : '--no-torch';
  let twin: Twin | null = null;
  if (why === null) {
    twin = await startTwin(args);
    console.log(`PyTorch twin: torch ${twin.info.torch}, ${twin.info.threads} threads (scripts/reference/simclr_step_bench.py)`);
  } else {
    console.log(`PyTorch twin: not measured (${why}); selfsup alone`);
  }
  console.log(`machine: ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ${args.rounds} rounds of ${args.steps} steps per engine, interleaved; first step of each round not counted`);

  const ours = makeOurs(args);
  // A/B of one lever: the state with it (first) against the state before it, in alternating order per round
  const current = () => {
    setFusedBatchNormEnabled(true);
    setOnePassViewsEnabled(true);
    setBlockGatherEnabled(true);
    setWinogradEnabled(true);
  };
  const variants: Variant[] =
    args.compare === 'batchnorm'
      ? [
          { name: 'selfsup, fused BatchNorm', select: current },
          { name: 'selfsup, BatchNorm as tfjs ops', select: () => (current(), setFusedBatchNormEnabled(false)) },
        ]
      : args.compare === 'views'
        ? [
            { name: 'selfsup, one-pass views', select: current },
            { name: 'selfsup, views as tfjs ops', select: () => (current(), setOnePassViewsEnabled(false)) },
          ]
        : args.compare === 'gather'
          ? [
              { name: 'selfsup, block-copying gather', select: current },
              { name: 'selfsup, stock gather', select: () => (current(), setBlockGatherEnabled(false)) },
            ]
          : args.compare === 'winograd'
            ? [
                { name: 'selfsup, Winograd 3x3 convs', select: current },
                { name: 'selfsup, XNNPACK 3x3 convs', select: () => (current(), setWinogradEnabled(false)) },
              ]
          : args.compare === 'all'
            ? [
                { name: 'selfsup', select: current },
                {
                  name: 'selfsup, no lever',
                  select: () => (setFusedBatchNormEnabled(false), setOnePassViewsEnabled(false), setBlockGatherEnabled(false), setWinogradEnabled(false)),
                },
              ]
            : [{ name: 'selfsup', select: current }];
  const results = new Map<string, StepTimes[]>();
  const add = (name: string, steps: StepTimes[]) => results.set(name, [...(results.get(name) ?? []), ...steps.slice(1)]);
  const tensorsBefore = tf.memory().numTensors;
  for (let r = 0; r < args.rounds; r++) {
    if (twin) add('PyTorch', await twin.run(args.steps + 1));
    for (const v of r % 2 === 0 ? variants : [...variants].reverse()) {
      v.select();
      add(v.name, await ours.run(args.steps + 1));
    }
    process.stdout.write(`round ${r + 1}/${args.rounds} done\n`);
  }
  twin?.close();
  current();
  const profile = args.profile ? await profileKernels(async () => void (await ours.run(args.steps))) : null;
  ours.dispose();
  if (tf.memory().numTensors > tensorsBefore) console.log(`warning: ${tf.memory().numTensors - tensorsBefore} tensors left over`);

  const rows: string[][] = [['engine', 'step ms', 'images/s', 'x PyTorch', 'CPU ms', 'x PyTorch (CPU)', ...PHASES.map((p) => `${p} ms`)]];
  const torch = results.has('PyTorch') ? summarise(results.get('PyTorch')!) : null;
  const summaries = new Map<string, StepTimes>();
  for (const [name, steps] of results) {
    const s = summarise(steps);
    summaries.set(name, s);
    rows.push([
      name,
      s.total.toFixed(0),
      ((args.batch * 1000) / s.total).toFixed(0),
      torch && name !== 'PyTorch' ? (torch.total / s.total).toFixed(2) : '',
      s.cpu.toFixed(0),
      torch && name !== 'PyTorch' ? (torch.cpu / s.cpu).toFixed(2) : '',
      ...PHASES.map((p) => `${s[p].toFixed(0)} (${Math.round((100 * s[p]) / s.total)}%)`),
    ]);
  }
  console.log('');
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)));
  for (const row of rows) console.log(row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
  console.log('');
  console.log('phases: medians per step, each taken separately (they need not add up to the step median); CPU ms: process CPU time per step, all threads');
  console.log('x PyTorch: PyTorch step time / ours, i.e. our images/s as a multiple of its; on a busy machine the CPU-time ratio is the steadier one');
  if (torch) {
    for (const [name, s] of summaries) {
      if (name === 'PyTorch') continue;
      const worst = PHASES.map((p) => ({ p, extra: s[p] - torch[p] })).sort((a, b) => b.extra - a.extra);
      console.log(`${name}: ${(torch.total / s.total).toFixed(2)}x PyTorch's images/s; the gap by phase: ${worst.map((w) => `${w.p} ${w.extra >= 0 ? '+' : ''}${w.extra.toFixed(0)} ms`).join(', ')}`);
    }
  }
  if (variants.length === 2) {
    const [a, b] = variants.map((v) => summaries.get(v.name)!);
    const by = (p: Phase | 'total' | 'cpu') => (a[p] / b[p]).toFixed(2);
    console.log(`${variants[0].name} / ${variants[1].name}: step ${by('total')}x the time (CPU ${by('cpu')}x); augmentation ${by('augmentation')}x, forward ${by('forward')}x, backward ${by('backward')}x`);
  }
  if (profile) {
    const total = profile.reduce((a, k) => a + k.ms, 0);
    console.log('');
    console.log(`kernels of ${variants[0].name}, ${args.steps} more steps, wall ms per step inside each kernel without its callees (${(total / args.steps).toFixed(0)} ms in kernels per step):`);
    for (const k of profile.slice(0, 20)) {
      console.log(`  ${k.kernel.padEnd(28)} ${(k.ms / args.steps).toFixed(1).padStart(7)} ms  ${String(Math.round(k.calls / args.steps)).padStart(4)} calls`);
    }
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
