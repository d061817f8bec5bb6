import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomicSync } from '../../io/write-file-atomic';

// The real module object (an `import * as` namespace would be a copy): emscripten calls require('os').cpus().
const os = require('os') as { cpus: () => unknown[]; tmpdir: () => string };


/** What `startThreadedWasm` did. */
export interface WasmThreadsReport {
  /** Whether the wasm backend now runs tfjs's threaded build. */
  threaded: boolean;
  /** XNNPACK threads in use (1 when not threaded). */
  threads: number;
  /** Why it is not threaded, when it is not. */
  reason?: string;
}

/**
 * The line of emscripten's pthread worker (shipped in the package) that loads the main script. In a browser
 * tfjs hands it a Blob; Node's Worker cannot load blob: URLs, so our copy of the worker requires the threaded
 * build's JS file from disk instead.
 */
const WORKER_LOADS_MAIN_SCRIPT =
  'if(typeof e.data.urlOrBlob=="string"){importScripts(e.data.urlOrBlob)}else{var objectUrl=URL.createObjectURL(e.data.urlOrBlob);importScripts(objectUrl);URL.revokeObjectURL(objectUrl)}WasmBackendModuleThreadedSimd(Module)';

function wasmPackageDir(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
}

/** Write (once per package version) the Node-loadable pthread worker; returns its path. */
function writeWorker(): string {
  const dir = wasmPackageDir();
  const mainScript = path.join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.js');
  const { wasmWorkerContents } = require(path.join(dir, 'wasm-out', 'tfjs-backend-wasm-threaded-simd.worker.js')) as { wasmWorkerContents: string };
  if (!wasmWorkerContents.includes(WORKER_LOADS_MAIN_SCRIPT)) {
    throw new Error('this version of @tensorflow/tfjs-backend-wasm has a pthread worker selfsup does not know');
  }
  const source = wasmWorkerContents
    .replace(WORKER_LOADS_MAIN_SCRIPT, `var WasmBackendModuleThreadedSimd=require(${JSON.stringify(mainScript)});WasmBackendModuleThreadedSimd(Module)`)
    .replace(/\n/g, '\\n'); // the worker source has raw newlines inside string literals, as tfjs's Blob does
  const version = (require(path.join(dir, 'package.json')) as { version: string }).version;
  const file = path.join(os.tmpdir(), `selfsup-tfjs-wasm-${version}-pthread-worker-${process.getuid?.() ?? 0}.js`);
  if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== source) {
    writeFileAtomicSync(file, source);
  }
  return file;
}

interface EmscriptenWorker {
  unref?: () => void;
  terminate?: () => void;
}
interface WasmModuleWithThreads {
  PThread?: { unusedWorkers: EmscriptenWorker[]; runningWorkers: EmscriptenWorker[] };
}
interface FactoryEntry {
  factory: () => tf.KernelBackend | Promise<tf.KernelBackend>;
  priority: number;
}
interface EngineInternals {
  registry: Record<string, unknown>;
  registryFactory: Record<string, FactoryEntry | undefined>;
  backendName: string | null;
}

function workersOf(backend: unknown): EmscriptenWorker[] {
  const pthreads = (backend as { wasm?: WasmModuleWithThreads } | null)?.wasm?.PThread;
  return pthreads ? [...pthreads.unusedWorkers, ...pthreads.runningWorkers] : [];
}

/** How long the threaded build may take to start before we give up on it and start the single-threaded one. */
const START_TIMEOUT_MS = 30_000;

let requestedThreads = 0;
let lastReport: WasmThreadsReport = { threaded: false, threads: 1, reason: 'not requested' };

/**
 * Ask for tfjs's threaded (pthreads + SIMD) wasm build with `threads` XNNPACK threads, the next time the wasm backend
 * is initialised (by `tf.setBackend('wasm')`, e.g. inside `useBackend`). Safe: if the threaded build
 * cannot start, the wrapper starts the ordinary single-threaded build instead, so the backend still comes up.
 * Returns false (and changes nothing) when the wasm backend is already initialised or cannot be found.
 *
 * What it works around, all in @tensorflow/tfjs-backend-wasm 4.22 (docs/backend.md has the measurements):
 * 1. tfjs turns threads off in Node (WASM_HAS_MULTITHREAD_SUPPORT is false there): the flag is set.
 * 2. The pthread worker is created from a blob: URL, which Node's Worker rejects: URL.createObjectURL returns
 *    the path of a worker file written to the temp folder, during initialisation only.
 * 3. The C++ side caps the pool at emscripten_num_logical_cores() / 2 ("2 hyperthreads per core"), i.e. 1 on a
 *    2-core machine whatever setThreadsCount says: os.cpus() reports 2 x threads cores during initialisation.
 * 4. The pthread workers would keep Node from exiting: they are unref'd.
 *
 * @param threads - XNNPACK threads, >= 2 (default: the number of cores).
 */
export function enableWasmThreads(threads = availableCores()): boolean {
  const engine = tf.engine() as unknown as EngineInternals;
  if (!Number.isInteger(threads) || threads < 2) return false;
  // Not tf.findBackend('wasm'): it would start initialising the backend (single-threaded) as a side effect.
  if (engine.registry?.wasm || !engine.registryFactory?.wasm) return false;
  requestedThreads = threads;
  const entry = engine.registryFactory.wasm as FactoryEntry & { selfsupThreads?: boolean };
  if (entry.selfsupThreads) return true; // already wrapped; the new thread count applies
  const original = entry.factory;
  const wrapped = async (): Promise<tf.KernelBackend> => {
    const n = requestedThreads;
    const wasm = require('@tensorflow/tfjs-backend-wasm') as typeof import('@tensorflow/tfjs-backend-wasm');
    const single = async (reason: string) => {
      lastReport = { threaded: false, threads: 1, reason };
      tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
      wasm.setThreadsCount(1);
      return original();
    };
    if (typeof SharedArrayBuffer === 'undefined') return single('SharedArrayBuffer is not available');
    let workerFile: string;
    try {
      workerFile = writeWorker();
    } catch (err) {
      return single(`could not prepare the pthread worker (${(err as Error).message})`);
    }
    const realCreateObjectURL = URL.createObjectURL;
    const realCpus = os.cpus;
    tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', true);
    wasm.setThreadsCount(n);
    URL.createObjectURL = (blob: Blob) => (blob?.type === 'application/javascript' ? workerFile : realCreateObjectURL(blob));
    os.cpus = () => {
      const cpus = realCpus();
      return Array.from({ length: Math.max(2 * n, cpus.length) }, (_, i) => cpus[i % cpus.length]);
    };
    let timer: NodeJS.Timeout | undefined;
    const starting = Promise.resolve().then(original);
    try {
      const backend = await Promise.race([
        starting,
        new Promise<never>((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer in ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
          timer.unref();
        }),
      ]);
      for (const worker of workersOf(backend)) worker.unref?.();
      const count = wasm.getThreadsCount();
      lastReport = count > 1 ? { threaded: true, threads: count } : { threaded: true, threads: count, reason: 'XNNPACK started with one thread' };
      return backend;
    } catch (err) {
      // A late start of the abandoned threaded module must not keep Node alive.
      starting.then((late) => workersOf(late).forEach((w) => w.terminate?.()), () => undefined);
      return single(`the threaded build failed to start (${(err as Error)?.message ?? String(err)}); using one thread`);
    } finally {
      if (timer) clearTimeout(timer);
      URL.createObjectURL = realCreateObjectURL;
      os.cpus = realCpus;
    }
  };
  engine.registryFactory.wasm = Object.assign({ factory: wrapped, priority: entry.priority }, { selfsupThreads: true });
  return true;
}

/** What the last wasm initialisation did about threads. */
export function wasmThreadsReport(): WasmThreadsReport {
  return { ...lastReport };
}

/**
 * `enableWasmThreads(threads)` then start the wasm backend (leaving the active backend as it was). Never throws.
 * @returns whether the threaded build runs and with how many threads, or why not.
 */
export async function startThreadedWasm(threads = availableCores()): Promise<WasmThreadsReport> {
  const engine = tf.engine() as unknown as EngineInternals;
  if (engine.registry?.wasm) {
    return { threaded: false, threads: 1, reason: 'the wasm backend was already initialised (call startThreadedWasm first)' };
  }
  require('@tensorflow/tfjs-backend-wasm');
  if (!enableWasmThreads(threads)) return { threaded: false, threads: 1, reason: `cannot enable threads (threads = ${threads})` };
  const previous = engine.backendName;
  try {
    if (!(await tf.setBackend('wasm'))) return { threaded: false, threads: 1, reason: 'the wasm backend failed to start' };
  } catch (err) {
    return { threaded: false, threads: 1, reason: `the wasm backend failed to start (${(err as Error).message})` };
  }
  if (previous && previous !== 'wasm') await tf.setBackend(previous);
  return wasmThreadsReport();
}

/** Threads the wasm backend uses when SELFSUP_WASM_THREADS is unset: every core, up to this many (measured up to 2). */
export const DEFAULT_MAX_THREADS = 4;

/** Cores this process may use. */
export function availableCores(): number {
  const nodeOs = os as unknown as { availableParallelism?: () => number };
  return nodeOs.availableParallelism?.() ?? os.cpus().length;
}

/**
 * XNNPACK threads to start the wasm backend with, from SELFSUP_WASM_THREADS: unset means every core up to
 * DEFAULT_MAX_THREADS; "auto" every core; "1", "0" or "off" one thread; a whole number >= 2 that many.
 * Returns 0 for one thread (the ordinary single-threaded build).
 * @throws "Error in SELFSUP_WASM_THREADS: ..." for anything else.
 */
export function threadsFromEnv(env: Record<string, string | undefined> = process.env, cores = availableCores()): number {
  const v = env.SELFSUP_WASM_THREADS?.trim().toLowerCase();
  const upTo = (n: number) => (n >= 2 ? n : 0);
  if (!v) return upTo(Math.min(cores, DEFAULT_MAX_THREADS));
  if (v === 'off' || v === '0' || v === '1') return 0;
  if (v === 'auto') return upTo(cores);
  const n = Number(v);
  if (Number.isInteger(n) && n >= 2) return n;
  throw new Error(
    `Error in SELFSUP_WASM_THREADS: expected a whole number of threads, "auto" (every core) or "off" (one thread), but got ${JSON.stringify(env.SELFSUP_WASM_THREADS)}`,
  );
}
