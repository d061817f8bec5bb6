/**
 * Training-speed benchmark: one SimCLR step (two views, encoder + projection head, NT-Xent, Adam) of the course's
 * CIFAR ResNet encoder and of a plain conv net, on every engine this machine has, side by side.
 *
 *   npm run bench:train                       # batch 256, 5 timed repeats
 *   npm run bench:train -- --batch 32 --repeats 2 --threads 1,2 --cpu-batch 2
 *   npm run bench:train -- --repeats 3 --no-cpu --no-xnnpack-only
 *
 * Engines: PyTorch (when /usr/bin/python3 has torch), wasm with selfsup's kernels, the same with selfsup's SIMD
 * kernels switched off ("XNNPACK-composed only", the same-run baseline for them), stock wasm, tfjs cpu.
 *
 * Each configuration runs in a child process (a wasm backend can only be started once per process, and
 * "stock wasm" must not see selfsup's kernels). Views are precomputed random images: augmentation is not
 * timed. images/s counts views through the encoder (2 x batch per step), as PyTorch SimCLR logs do.
 * FLOPs are those of the convolutions and matMuls, forward + backward, counted analytically.
 */
import { execFileSync, spawnSync } from 'child_process';
import { packageRoot } from '../src/backend/package-root';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { median } from './median';

type ModelName = 'resnet' | 'plain';
type Engine = 'wasm' | 'wasm-xnnpack' | 'wasm-stock' | 'cpu';

interface ChildJob {
  engine: Engine;
  model: ModelName;
  batch: number;
  repeats: number;
  threads: number;
}

interface ChildResult {
  ok: boolean;
  error?: string;
  threads: number;
  stepMs: number[];
  /** CPU time of the process per step (all threads): on a busy machine the fairer single-thread figure. */
  cpuMs?: number[];
  matmulGflops?: number;
  loss?: number;
}

const HEAD = { inputDim: 128, hiddenDim: 256, outputDim: 64 };
const TEMPERATURE = 0.5;
const LR = 2e-3;

// ---------------------------------------------------------------------------------------------------------------
// FLOPs (multiply-add = 2), forward + backward: backward of a conv or matMul costs two forwards (input and weight
// gradients), except that nothing needs the gradient of the input images.

interface ConvSpec {
  k: number;
  cin: number;
  cout: number;
  stride: number;
  pool?: boolean;
}

function plainNetSpecs(): ConvSpec[] {
  return [
    { k: 3, cin: 3, cout: 32, stride: 1, pool: true },
    { k: 3, cin: 32, cout: 64, stride: 1, pool: true },
    { k: 3, cin: 64, cout: 128, stride: 1 },
  ];
}

function stepFlops(model: ModelName, batch: number): number {
  const n = 2 * batch;
  let flops = 0;
  let size = 32;
  const conv = (k: number, cin: number, cout: number, stride: number, first: boolean) => {
    const out = Math.floor((size + 2 * Math.floor(k / 2) - k) / stride) + 1;
    const fwd = 2 * n * out * out * k * k * cin * cout;
    flops += fwd * (first ? 2 : 3);
    return out;
  };
  if (model === 'resnet') {
    size = conv(3, 3, 32, 1, true);
    let width = 32;
    for (const [c, s] of [[32, 1], [64, 2], [128, 2]]) {
      const inSize = size;
      size = conv(3, width, c, s, false);
      conv(3, c, c, 1, false);
      if (s !== 1 || width !== c) {
        const keep = size;
        size = inSize;
        conv(1, width, c, s, false);
        size = keep;
      }
      width = c;
    }
  } else {
    plainNetSpecs().forEach((spec, i) => {
      size = conv(spec.k, spec.cin, spec.cout, spec.stride, i === 0);
      if (spec.pool) size = Math.floor(size / 2);
    });
  }
  flops += 3 * 2 * n * (HEAD.inputDim * HEAD.hiddenDim + HEAD.hiddenDim * HEAD.outputDim);
  flops += 3 * 2 * n * n * HEAD.outputDim; // similarity matrix
  return flops;
}

// ---------------------------------------------------------------------------------------------------------------
// Child: one engine, one model.

async function runChild(job: ChildJob): Promise<ChildResult> {
  const tf = await import('@tensorflow/tfjs');
  const { registerWasmTrainingKernels } = await import('../src/backend/wasm-kernels');
  const { startThreadedWasm } = await import('../src/backend/wasm-kernels/threads');
  const { silenceTfjsBanner } = await import('../src/backend/quiet');
  const { ResNetEncoder } = await import('../src/models/resnet-encoder');
  const { ProjectionHead } = await import('../src/models/projection-head');
  const { ntXentLoss } = await import('../src/losses/nt-xent');
  const { seededNormal } = await import('../src/models/module');
  const { createRng } = await import('../src/backend/seed');

  let threads = 1;
  if (job.engine !== 'cpu') {
    if (job.engine === 'wasm-stock') require('@tensorflow/tfjs-backend-wasm');
    else registerWasmTrainingKernels();
    // The same-run baseline for selfsup's SIMD kernels: every kernel built from XNNPACK operators only.
    if (job.engine === 'wasm-xnnpack') (await import('../src/backend/wasm-kernels')).setSimdKernelsEnabled(false);
    if (job.threads > 1) {
      const report = await startThreadedWasm(job.threads);
      if (!report.threaded) throw new Error(`threads: ${report.reason}`);
    }
    await tf.setBackend('wasm');
    threads = (require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm')).getThreadsCount();
  } else {
    await tf.setBackend('cpu');
  }
  await tf.ready();
  silenceTfjsBanner();

  const rng = createRng(7);
  const encoder =
    job.model === 'resnet'
      ? new ResNetEncoder({ seed: 1 })
      : (() => {
          const kernels = plainNetSpecs().map((s) => tf.variable(seededNormal([s.k, s.k, s.cin, s.cout], Math.sqrt(2 / (s.k * s.k * s.cout)), rng)));
          const biases = plainNetSpecs().map((s) => tf.variable(tf.zeros([s.cout])));
          return {
            trainableVariables: [...kernels, ...biases],
            apply: (x: import('@tensorflow/tfjs').Tensor4D) => {
              let h = x;
              plainNetSpecs().forEach((s, i) => {
                h = tf.relu(tf.add(tf.conv2d(h, kernels[i] as import('@tensorflow/tfjs').Tensor4D, s.stride, 'same'), biases[i])) as import('@tensorflow/tfjs').Tensor4D;
                if (s.pool) h = tf.maxPool(h, 2, 2, 'valid');
              });
              return tf.mean(h, [1, 2]) as import('@tensorflow/tfjs').Tensor2D;
            },
          };
        })();
  const head = new ProjectionHead({ ...HEAD, seed: 2 });
  const optimizer = tf.train.adam(LR);
  const views = tf.tidy(() => tf.randomUniform([2 * job.batch, 32, 32, 3], 0, 1, 'float32', 3)) as import('@tensorflow/tfjs').Tensor4D;
  const vars = [...encoder.trainableVariables, ...head.trainableVariables];

  const step = (): number => {
    const loss = tf.tidy(() => {
      const { value, grads } = tf.variableGrads(() => {
        const z = head.apply(encoder.apply(views, { training: true }), { training: true }); // [2B, 64]
        const [z1, z2] = tf.split(z, 2, 0) as [import('@tensorflow/tfjs').Tensor2D, import('@tensorflow/tfjs').Tensor2D];
        return ntXentLoss(z1, z2, { temperature: TEMPERATURE });
      }, vars);
      optimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0]);
      return value;
    });
    const v = loss.dataSync()[0];
    loss.dispose();
    return v;
  };

  // The roofline's yardstick: a 1024^3 matMul, timed 5 times before the steps and once after each step, so that
  // it sees the same machine (load, clock) as the steps do. The fastest of these counts: a noisy machine can only
  // make the yardstick higher than the median, never flatter the roofline.
  const matmulMs: number[] = [];
  const a = job.engine !== 'cpu' ? tf.randomNormal([1024, 1024]) : null;
  const b = job.engine !== 'cpu' ? tf.randomNormal([1024, 1024]) : null;
  const timeMatmul = () => {
    if (!a || !b) return;
    const t0 = performance.now();
    tf.tidy(() => {
      tf.matMul(a, b).dataSync();
    });
    matmulMs.push(performance.now() - t0);
  };
  timeMatmul(); // warm-up: operator creation, weight packing
  matmulMs.length = 0;
  for (let i = 0; i < 5; i++) timeMatmul();
  const matmulGflopsNow = () => (matmulMs.length > 0 ? (2 * 1024 ** 3) / Math.min(...matmulMs) / 1e6 : undefined);
  let matmulGflops = matmulGflopsNow();

  try {
    step(); // warm-up: kernel setup, XNNPACK operator creation, heap growth
  } catch (err) {
    return { ok: false, error: String((err as Error).message ?? err).split('\n')[0], threads, stepMs: [], matmulGflops };
  }
  const stepMs: number[] = [];
  const cpuMs: number[] = [];
  let loss = NaN;
  const tensorsBefore = tf.memory().numTensors;
  const cpuNow = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  for (let r = 0; r < job.repeats; r++) {
    const t0 = performance.now();
    const c0 = cpuNow();
    loss = step();
    stepMs.push(performance.now() - t0);
    cpuMs.push(cpuNow() - c0);
    timeMatmul();
  }
  const leaked = tf.memory().numTensors - tensorsBefore;
  tf.dispose([a, b].filter((t): t is import('@tensorflow/tfjs').Tensor => t !== null));
  matmulGflops = matmulGflopsNow();
  if (leaked !== 0) return { ok: false, error: `leaked ${leaked} tensors over ${job.repeats} steps`, threads, stepMs, matmulGflops };
  return { ok: true, threads, stepMs, cpuMs, matmulGflops, loss };
}

// ---------------------------------------------------------------------------------------------------------------
// PyTorch reference: the identical architecture and step, same thread count.

const TORCH_SCRIPT = String.raw`
import json, sys, time
import torch, torch.nn as nn, torch.nn.functional as F
job = json.loads(sys.argv[1])
torch.set_num_threads(job["threads"])
torch.manual_seed(0)

# The course ResNet (stem 32, blocks 32/64/128, BatchNorm eps 1e-5 momentum 0.1): one copy, in the reference script.
sys.path.insert(0, job["referenceDir"])
from simclr_reference import ResNet

class Plain(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(3, 32, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 64, 3, 1, 1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(64, 128, 3, 1, 1), nn.ReLU())
    def forward(self, x):
        return self.net(x).mean(dim=(2, 3))

encoder = ResNet() if job["model"] == "resnet" else Plain()
head = nn.Sequential(nn.Linear(128, 256, bias=False), nn.BatchNorm1d(256), nn.ReLU(), nn.Linear(256, 64))
params = list(encoder.parameters()) + list(head.parameters())
opt = torch.optim.Adam(params, lr=2e-3)
B = job["batch"]
views = torch.rand(2 * B, 3, 32, 32)

def nt_xent(z1, z2, t=0.5):
    u = F.normalize(torch.cat([z1, z2]), dim=1)
    logits = u @ u.t() / t
    logits.fill_diagonal_(float("-inf"))
    n = z1.shape[0]
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)])
    return F.cross_entropy(logits, target)

def step():
    z = head(encoder(views))
    z1, z2 = z.chunk(2)
    loss = nt_xent(z1, z2)
    opt.zero_grad(set_to_none=True)
    loss.backward()
    opt.step()
    return loss.item()

step()
times = []
cpu = []
for _ in range(job["repeats"]):
    t0 = time.perf_counter(); c0 = time.process_time(); loss = step()
    times.append((time.perf_counter() - t0) * 1000); cpu.append((time.process_time() - c0) * 1000)
a = torch.randn(1024, 1024); b = torch.randn(1024, 1024)
mm = []
for i in range(6):
    t0 = time.perf_counter(); a @ b; mm.append(time.perf_counter() - t0)
mm = sorted(mm[1:])[len(mm[1:]) // 2]
print("RESULT " + json.dumps({"ok": True, "threads": torch.get_num_threads(), "stepMs": times, "cpuMs": cpu, "loss": loss, "matmulGflops": 2 * 1024 ** 3 / mm / 1e9}))
`;

function torchAvailable(): boolean {
  if (!fs.existsSync('/usr/bin/python3')) return false;
  const r = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { stdio: 'ignore' });
  return r.status === 0;
}

function runTorch(job: ChildJob, scriptFile: string): ChildResult {
  try {
    const referenceDir = path.join(packageRoot('bench-train'), 'scripts', 'reference'); // the ResNet is imported from there
    const out = execFileSync('/usr/bin/python3', [scriptFile, JSON.stringify({ ...job, referenceDir })], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, OMP_NUM_THREADS: String(job.threads), MKL_NUM_THREADS: String(job.threads), OPENBLAS_NUM_THREADS: String(job.threads) },
    });
    return parseResult(out);
  } catch (err) {
    return { ok: false, error: firstLine(err), threads: job.threads, stepMs: [] };
  }
}

function runNodeChild(job: ChildJob): ChildResult {
  try {
    const out = execFileSync(process.execPath, [__filename, '--child', JSON.stringify(job)], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 16 * 1024 * 1024,
      // wasm's thread count comes from the job, not from the machine's default (every core)
      env: { ...process.env, SELFSUP_WASM_THREADS: String(job.threads) },
    });
    return parseResult(out);
  } catch (err) {
    const e = err as { stdout?: string };
    if (e.stdout && e.stdout.includes('RESULT ')) return parseResult(e.stdout);
    return { ok: false, error: firstLine(err), threads: job.threads, stepMs: [] };
  }
}

function parseResult(out: string): ChildResult {
  const line = out.split('\n').find((l) => l.startsWith('RESULT '));
  if (!line) throw new Error(`no RESULT line in: ${out.slice(-300)}`);
  return JSON.parse(line.slice('RESULT '.length)) as ChildResult;
}

function firstLine(err: unknown): string {
  const e = err as { stderr?: string; message?: string };
  const text = (e.stderr && e.stderr.trim()) || e.message || String(err);
  const lines = text.split('\n').filter((l) => /Error|error/.test(l));
  return (lines[lines.length - 1] ?? text.split('\n')[0]).trim().slice(0, 140);
}

// ---------------------------------------------------------------------------------------------------------------
// Parent: run the grid and print the table.

interface Options {
  batch: number;
  repeats: number;
  threads: number[];
  cpuBatch: number;
  models: ModelName[];
  torch: boolean;
  cpu: boolean;
  stock: boolean;
  xnnpackOnly: boolean;
}

function parseArgs(argv: string[]): Options {
  const o: Options = { batch: 256, repeats: 5, threads: [1, 2], cpuBatch: 2, models: ['resnet', 'plain'], torch: true, cpu: true, stock: true, xnnpackOnly: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`Error in bench-train: ${a} needs a value`);
      return v;
    };
    if (a === '--batch') o.batch = Number(next());
    else if (a === '--repeats') o.repeats = Number(next());
    else if (a === '--threads') o.threads = next().split(',').map(Number);
    else if (a === '--cpu-batch') o.cpuBatch = Number(next());
    else if (a === '--models') o.models = next().split(',') as ModelName[];
    else if (a === '--no-torch') o.torch = false;
    else if (a === '--no-cpu') o.cpu = false;
    else if (a === '--no-stock') o.stock = false;
    else if (a === '--no-xnnpack-only') o.xnnpackOnly = false;
    else throw new Error(`Error in bench-train: unknown flag ${a} (use --batch N --repeats N --threads 1,2 --cpu-batch N --models resnet,plain --no-torch --no-cpu --no-stock --no-xnnpack-only)`);
  }
  // NT-Xent needs at least 2 samples per view.
  for (const [k, v, min] of [['--batch', o.batch, 2], ['--repeats', o.repeats, 1], ['--cpu-batch', o.cpuBatch, 2]] as const) {
    if (!Number.isInteger(v) || v < min) throw new Error(`Error in bench-train: ${k} must be an integer >= ${min}, but got ${v}`);
  }
  return o;
}

function main(): void {
  const o = parseArgs(process.argv.slice(2));
  const cores = os.cpus().length;
  const threads = o.threads.filter((t) => t >= 1 && t <= cores);
  const torch = o.torch && torchAvailable();
  const scriptFile = path.join(os.tmpdir(), `selfsup-bench-train-${process.pid}.py`);
  if (torch) fs.writeFileSync(scriptFile, TORCH_SCRIPT);
  console.log(`bench:train — one SimCLR step: 2 views x batch ${o.batch} (cpu backend: batch ${o.cpuBatch}), 32x32x3, encoder + head 128-256-64, NT-Xent T=${TEMPERATURE}, Adam ${LR}`);
  console.log(`views precomputed (augmentation not timed); 1 warm-up step, median of ${o.repeats}; images/s = views through the encoder per second`);
  console.log(`machine: ${cores} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')} (other processes running skew every figure)`);

  const speedups: string[] = [];
  for (const model of o.models) {
    const flops = stepFlops(model, o.batch);
    console.log('');
    console.log(`${model === 'resnet' ? 'course ResNet encoder (stem 32, blocks 32/64/128)' : 'plain conv net (3 convs 32/64/128, max pools)'}: ${(flops / 1e9).toFixed(1)} GFLOP per step (convs + matMuls, fwd + bwd)`);
    const rows: string[][] = [['engine', 'threads', 'step ms', 'images/s', 'x PyTorch', 'GFLOP/s', 'matmul GFLOP/s', 'roofline', 'CPU ms/step', 'images/CPU-s', 'x PyTorch (CPU)']];
    const torchBy = new Map<number, number>();
    const oursBy = new Map<number, number>();
    const torchCpu = new Map<number, number>();
    if (torch) {
      for (const t of threads) {
        const r = runTorch({ engine: 'wasm', model, batch: o.batch, repeats: o.repeats, threads: t }, scriptFile);
        if (r.ok) torchBy.set(t, median(r.stepMs));
        if (r.ok && r.cpuMs) torchCpu.set(t, median(r.cpuMs));
        rows.push(row('PyTorch (Debian, OpenBLAS)', t, r, o.batch, flops, undefined, undefined));
      }
    }
    for (const t of threads) {
      const r = runNodeChild({ engine: 'wasm', model, batch: o.batch, repeats: o.repeats, threads: t });
      rows.push(row('wasm + selfsup kernels', t, r, o.batch, flops, torchBy.get(t), torchCpu.get(t)));
      if (r.ok) oursBy.set(t, median(r.stepMs));
    }
    if (o.xnnpackOnly) {
      for (const t of threads) {
        const r = runNodeChild({ engine: 'wasm-xnnpack', model, batch: o.batch, repeats: o.repeats, threads: t });
        rows.push(row('wasm, XNNPACK-composed only', t, r, o.batch, flops, torchBy.get(t), torchCpu.get(t)));
        const ours = oursBy.get(t);
        if (r.ok && ours) speedups.push(`${model}, ${t} thread${t > 1 ? 's' : ''}: selfsup's SIMD kernels take ${(ours / median(r.stepMs)).toFixed(2)}x the step time of the XNNPACK-composed routes`);
      }
    }
    if (o.stock) {
      const r = runNodeChild({ engine: 'wasm-stock', model, batch: o.batch, repeats: o.repeats, threads: 1 });
      rows.push(row('wasm, stock tfjs kernels', 1, r, o.batch, flops, torchBy.get(1), torchCpu.get(1)));
    }
    if (o.cpu) {
      const r = runNodeChild({ engine: 'cpu', model, batch: o.cpuBatch, repeats: 1, threads: 1 });
      rows.push(row(`tfjs cpu (batch ${o.cpuBatch})`, 1, r, o.cpuBatch, stepFlops(model, o.cpuBatch), undefined, undefined));
    }
    if (!torch) notes.push(`PyTorch: not measured (${o.torch ? '/usr/bin/python3 cannot import torch' : '--no-torch'})`);
    printTable(rows);
    for (const note of notes.splice(0)) console.log(`  ${note}`);
  }
  if (torch) fs.rmSync(scriptFile, { force: true });
  if (speedups.length > 0) {
    console.log('');
    for (const line of speedups) console.log(line);
  }
  console.log('');
  console.log('targets (issue 3): wasm >= 0.35 x PyTorch at the same threads; achieved GFLOP/s >= 60% of the measured wasm matmul ("roofline")');
  console.log('CPU columns: process CPU time per step; with 1 thread on a busy machine, images per CPU-second is the steadier figure');
}

/** Why a row has no figures, printed under its table. */
const notes: string[] = [];

function row(engine: string, threads: number, r: ChildResult, batch: number, flops: number, torchMs: number | undefined, torchCpuMs: number | undefined): string[] {
  if (!r.ok) {
    const cannot = /not registered|Cannot compute gradient/.test(r.error ?? '');
    notes.push(`${engine}: ${cannot ? 'cannot train' : 'failed'} (${r.error})`);
    return [engine, String(threads), '-', cannot ? 'cannot train' : 'failed', '', '', r.matmulGflops ? r.matmulGflops.toFixed(1) : '', '', '', '', ''];
  }
  const ms = median(r.stepMs);
  const images = 2 * batch;
  const gflops = flops / ms / 1e6;
  const roof = r.matmulGflops && !engine.startsWith('PyTorch') ? `${Math.round((100 * gflops) / r.matmulGflops)}%` : '';
  const cpu = r.cpuMs && r.cpuMs.length > 0 ? median(r.cpuMs) : undefined;
  return [
    engine,
    String(r.threads),
    ms.toFixed(0),
    ((images * 1000) / ms).toFixed(1),
    torchMs ? (torchMs / ms).toFixed(2) : '',
    gflops.toFixed(1),
    r.matmulGflops ? r.matmulGflops.toFixed(1) : '',
    roof,
    cpu ? cpu.toFixed(0) : '',
    cpu ? ((images * 1000) / cpu).toFixed(1) : '',
    cpu && torchCpuMs && r.threads === 1 ? (torchCpuMs / cpu).toFixed(2) : '',
  ];
}

function printTable(rows: string[][]): void {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? '').length)));
  for (const r of rows) console.log(r.map((cell, c) => (c === 0 || c === 3 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  '));
}

if (process.argv[2] === '--child') {
  runChild(JSON.parse(process.argv[3]) as ChildJob)
    .then((r) => {
      console.log(`RESULT ${JSON.stringify(r)}`);
      process.exit(0);
    })
    .catch((err) => {
      console.log(`RESULT ${JSON.stringify({ ok: false, error: String((err as Error).message ?? err).split('\n')[0], threads: 1, stepMs: [] })}`);
      process.exit(0);
    });
} else {
  try {
    main();
  } catch (err) {
    console.error((err as Error).message);
    process.exit(1);
  }
}
