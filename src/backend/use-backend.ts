import * as tf from '@tensorflow/tfjs';
import { silenceTfjsBanner } from './quiet';
import { registerWasmTrainingKernels, threadsFromEnv, wasmThreadsReport } from './wasm-kernels';
import { simdKernels, simdKernelsFailure } from './wasm-kernels/simd';

/** Which engine runs tensor ops. 'tensorflow' is the native libtensorflow binding (tfjs-node). */
export type BackendName = 'auto' | 'tensorflow' | 'wasm' | 'cpu';

export const BACKEND_NAMES: readonly BackendName[] = ['auto', 'tensorflow', 'wasm', 'cpu'];

/** What `useBackend` chose and why. */
export interface BackendReport {
  /** The tfjs backend now active. */
  backend: 'tensorflow' | 'wasm' | 'cpu';
  /** The npm package behind it. */
  packageName: string;
  /** Worker threads the backend computes with (native TensorFlow manages its own pool: 0). */
  threads: number;
  /** Whether wasm SIMD is in use (wasm only). */
  simd: boolean;
  /** For the native backend: whether it runs on a GPU. */
  gpu: boolean;
  /** Candidates passed over, each with the reason ("tfjs-node-gpu: not installed"). */
  skipped: string[];
  /** Extra kernels selfsup registered for this backend. */
  kernels: string[];
  /** The one-line summary that was printed. */
  line: string;
}

/** Side effects `useBackend` needs, injectable for tests. */
export interface UseBackendOptions {
  /** Where the summary line goes (default: console.log). Pass `() => {}` to stay quiet. */
  log?: (line: string) => void;
  /** Environment to read SELFSUP_BACKEND from (default: process.env). */
  env?: Record<string, string | undefined>;
  /** Loads an optional native package by name (default: require, resolved from the working directory first). */
  load?: (packageName: string) => unknown;
}

const NATIVE_PACKAGES = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'] as const;

function defaultLoad(packageName: string): unknown {
  const resolved = require.resolve(packageName, { paths: [process.cwd(), __dirname] });
  return require(resolved);
}

function isNotInstalled(err: unknown, packageName: string): boolean {
  const e = err as { code?: string; message?: string };
  return e?.code === 'MODULE_NOT_FOUND' && String(e.message ?? '').includes(packageName);
}

function firstLine(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.split('\n')[0].slice(0, 160);
}

function shortName(packageName: string): string {
  return packageName.replace('@tensorflow/', '');
}

/**
 * Pick the tfjs backend for this session, make it ready, and print one line saying which and why.
 *
 * Order for 'auto': @tensorflow/tfjs-node-gpu, then @tensorflow/tfjs-node (only when the user has
 * installed them: they are optional), then wasm with selfsup's training kernels, then the pure-JS
 * cpu backend. The environment variable SELFSUP_BACKEND overrides `name`. A native binding that
 * fails to load is reported and skipped, never fatal.
 *
 * @param name - 'auto' (default), 'tensorflow', 'wasm' or 'cpu'.
 * @returns what was chosen, with the reasons the others were skipped.
 * @throws if `name` (or SELFSUP_BACKEND) is not one of the four names, or SELFSUP_WASM_THREADS is malformed.
 * @example
 * await useBackend();          // selfsup backend: wasm (SIMD, 2 threads, …) — tfjs-node-gpu: not installed; …
 * await useBackend('cpu');     // the slow reference backend, for checking kernels
 * @see notebooks/10.0-getting-started.ipynb
 */
export async function useBackend(name: BackendName = 'auto', options: UseBackendOptions = {}): Promise<BackendReport> {
  const env = options.env ?? process.env;
  const log = options.log ?? ((line: string) => console.log(line));
  const load = options.load ?? defaultLoad;
  const fromEnv = env.SELFSUP_BACKEND?.trim();
  const requested = (fromEnv || name) as BackendName;
  if (!BACKEND_NAMES.includes(requested)) {
    const source = fromEnv ? `SELFSUP_BACKEND=${fromEnv}` : `'${String(name)}'`;
    throw new Error(
      `Error in useBackend: unknown backend ${source}; expected one of ${BACKEND_NAMES.join(', ')}.`,
    );
  }
  const skipped: string[] = [];
  const why = fromEnv ? ' (set by SELFSUP_BACKEND)' : '';

  if (requested === 'auto' || requested === 'tensorflow') {
    for (const pkg of NATIVE_PACKAGES) {
      const report = await tryNative(pkg, load, skipped);
      if (report) return finish(report, skipped, why, log);
    }
    if (requested === 'tensorflow') {
      skipped.push('asked for tensorflow, falling back to wasm (npm install @tensorflow/tfjs-node to get it)');
    }
  }
  if (requested !== 'cpu') {
    const wantedThreads = threadsFromEnv(); // throws on a malformed SELFSUP_WASM_THREADS, before anything starts
    try {
      const chosen = await startWasm();
      const { reason } = wasmThreadsReport();
      if (wantedThreads > 1 && chosen.threads < 2 && reason) skipped.push(`wasm threads: ${reason}`);
      // Start selfsup's SIMD kernels (and their helper threads) now, and say so if they cannot run here.
      if (!simdKernels(tf.backend())) skipped.push(simdKernelsFailure() ?? "selfsup's wasm SIMD kernels are off; using XNNPACK-composed routes");
      return finish(chosen, skipped, why, log);
    } catch (err) {
      skipped.push(`wasm: failed to start (${firstLine(err)})`);
    }
  } else {
    skipped.push('wasm: not requested');
  }
  await tf.setBackend('cpu');
  await tf.ready();
  silenceTfjsBanner();
  return finish(
    { backend: 'cpu', packageName: '@tensorflow/tfjs-backend-cpu', threads: 1, simd: false, gpu: false, kernels: [] },
    skipped,
    why,
    log,
  );
}

type Chosen = Omit<BackendReport, 'skipped' | 'line'>;

async function tryNative(pkg: string, load: (p: string) => unknown, skipped: string[]): Promise<Chosen | null> {
  const label = shortName(pkg);
  try {
    load(pkg);
  } catch (err) {
    skipped.push(isNotInstalled(err, pkg) ? `${label}: not installed` : `${label}: failed to load (${firstLine(err)})`);
    return null;
  }
  if (!tf.findBackend('tensorflow')) {
    skipped.push(
      `${label}: installed, but registered with another copy of @tensorflow/tfjs-core; install ${pkg}@${tf.version_core}`,
    );
    return null;
  }
  try {
    if (!(await tf.setBackend('tensorflow'))) throw new Error('setBackend returned false');
    await tf.ready();
  } catch (err) {
    skipped.push(`${label}: failed to start (${firstLine(err)})`);
    return null;
  }
  const gpu = Boolean((tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice);
  if (pkg.endsWith('-gpu') && !gpu) {
    skipped.push(`${label}: loaded but found no usable GPU (it needs CUDA 11.2 and cuDNN 8.1), running on CPU`);
  }
  return { backend: 'tensorflow', packageName: pkg, threads: 0, simd: false, gpu, kernels: [] };
}

async function startWasm(): Promise<Chosen> {
  const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
  const kernels = registerWasmTrainingKernels();
  if (!(await tf.setBackend('wasm'))) throw new Error('setBackend("wasm") returned false');
  await tf.ready();
  silenceTfjsBanner();
  const simd = Boolean(await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT'));
  return { backend: 'wasm', packageName: '@tensorflow/tfjs-backend-wasm', threads: wasm.getThreadsCount(), simd, gpu: false, kernels };
}

function finish(chosen: Chosen, skipped: string[], why: string, log: (line: string) => void): BackendReport {
  const details: string[] = [];
  if (chosen.backend === 'tensorflow') details.push(chosen.gpu ? 'GPU' : 'CPU', shortName(chosen.packageName));
  if (chosen.backend === 'wasm') details.push(chosen.simd ? 'SIMD' : 'no SIMD');
  if (chosen.threads > 0) details.push(`${chosen.threads} thread${chosen.threads === 1 ? '' : 's'}`);
  if (chosen.kernels.length > 0) details.push(`${chosen.kernels.length} selfsup training kernels`);
  const reasons = skipped.length > 0 ? ` — ${skipped.join('; ')}` : '';
  const line = `selfsup backend: ${chosen.backend} (${details.join(', ')})${why}${reasons}`;
  log(line);
  return { ...chosen, skipped, line };
}
