import * as tf from '@tensorflow/tfjs';
import * as v8 from 'v8';
import { SINGLE_THREADED, SINGLE_THREADED_RELAXED, THREADED, THREADED_RELAXED } from './binaries';
import { SimdHelper } from './helpers';

/**
 * selfsup's own wasm SIMD kernels (the C sources next to this file, built by scripts/build-simd-kernels.sh), run
 * on the tfjs wasm backend's memory: the module imports the backend's WebAssembly.Memory, so the kernels read
 * inputs and write outputs where tfjs keeps them, with no copies. They run on the calling thread, and on the
 * threaded build also on helper threads that share the heap (helpers.ts).
 *
 * Used where XNNPACK's operators leave much of the machine unused or XNNPACK has no operator (see
 * docs/backend.md): the conv2d filter gradient and the maxPool gradient. Every caller keeps a route composed of
 * tfjs ops for when these are unavailable (an engine without wasm SIMD, a tfjs build whose memory cannot be
 * reached) or switched off with `setSimdKernelsEnabled`.
 */
export interface SimdKernels {
  /** dw [kh, kw, C, O] += filter gradient of x [N, H, W, C] and dy [N, Ho, Wo, O]; byte offsets into the heap. */
  conv2d_filter_grad(
    x: number, dy: number, dw: number,
    n: number, h: number, w: number, c: number, ho: number, wo: number, o: number,
    kh: number, kw: number, sh: number, sw: number, dh: number, dwl: number, top: number, left: number,
  ): void;
  /** dx [N, H, W, C] += maxPool gradient of x [N, H, W, C] and dy [N, Ho, Wo, C]; byte offsets into the heap. */
  max_pool_grad(
    x: number, dy: number, dx: number,
    n: number, h: number, w: number, c: number, ho: number, wo: number,
    fh: number, fw: number, sh: number, sw: number, top: number, left: number,
  ): void;
}

/** The WebAssembly API, typed here because the project's lib settings (no DOM) do not declare it. */
interface WasmMemory {
  readonly buffer: ArrayBufferLike;
}
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** The parts of tfjs-backend-wasm's BackendWasm these kernels touch. */
interface WasmBackendInternals {
  wasm: { wasmMemory?: WasmMemory; asm?: { memory?: WasmMemory } };
  dataIdMap: { get(dataId: object): { memoryOffset: number } | undefined };
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): Float32Array;
  disposeData(dataId: object, force?: boolean): boolean;
}

/** At most this many helper threads (one per XNNPACK thread beyond the first). */
const MAX_HELPERS = 3;

let enabled = true;
/** The kernels instantiated on one wasm memory, with their helper threads (none on the single-threaded build). */
export interface BoundSimdKernels {
  kernels: SimdKernels;
  helpers: SimdHelper[];
}

const instances = new WeakMap<WasmMemory, BoundSimdKernels | null>();
let lastFailure: string | null = null;

/**
 * Switch selfsup's SIMD kernels off (or back on) for the kernels that have an XNNPACK-composed route too. For
 * comparisons (bench:train's "XNNPACK only" row) and for testing those routes; the default is on.
 */
export function setSimdKernelsEnabled(on: boolean): void {
  enabled = on;
}

/** Why the SIMD kernels could not be started on the current backend, or null. */
export function simdKernelsFailure(): string | null {
  return lastFailure;
}

function memoryOf(backend: WasmBackendInternals): WasmMemory | null {
  // Threaded build: Module.wasmMemory (created in JS, shared). Single-threaded: the instance's exported memory.
  const m = backend.wasm?.wasmMemory ?? backend.wasm?.asm?.memory;
  return m instanceof wasmApi.Memory ? m : null;
}

/** XNNPACK's thread count on the running wasm backend (1 for the single-threaded build). */
function wasmThreads(): number {
  try {
    return (require('@tensorflow/tfjs-backend-wasm') as { getThreadsCount(): number }).getThreadsCount();
  } catch {
    return 1;
  }
}

let relaxed: boolean | null = null;

/**
 * Whether the kernels run their relaxed-SIMD build (fused multiply-add). Node 22 and later accept relaxed SIMD;
 * Node 20 (V8 11.3) has it behind --experimental-wasm-relaxed-simd, which is switched on here for this process
 * (it only lets wasm modules use those instructions; tfjs's own modules do not). SELFSUP_WASM_RELAXED_SIMD=off
 * keeps the plain build and the engine's flags untouched.
 */
export function relaxedSimdKernels(): boolean {
  if (relaxed !== null) return relaxed;
  const probe = Buffer.from(SINGLE_THREADED_RELAXED, 'base64');
  const setting = (process.env.SELFSUP_WASM_RELAXED_SIMD ?? '').trim().toLowerCase();
  if (setting !== '' && setting !== 'off' && setting !== 'on') {
    throw new Error(`Error in SELFSUP_WASM_RELAXED_SIMD: expected "on" or "off", but got "${process.env.SELFSUP_WASM_RELAXED_SIMD}"`);
  }
  if (setting === 'off') relaxed = false;
  else if (wasmApi.validate(probe)) relaxed = true;
  else {
    try {
      v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    } catch {
      // an engine without the flag: the plain build
    }
    relaxed = wasmApi.validate(probe);
  }
  return relaxed;
}

function instantiate(memory: WasmMemory): BoundSimdKernels | null {
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  try {
    const fma = relaxedSimdKernels();
    const bytes = Buffer.from(shared ? (fma ? THREADED_RELAXED : THREADED) : fma ? SINGLE_THREADED_RELAXED : SINGLE_THREADED, 'base64');
    const instance = new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } });
    lastFailure = null;
    // On the threaded build, helper threads share the heap and take part of each large job (helpers.ts).
    const helpers: SimdHelper[] = [];
    if (shared) {
      const count = Math.min(MAX_HELPERS, wasmThreads() - 1);
      for (let i = 0; i < count; i++) {
        try {
          helpers.push(new SimdHelper(memory, new Uint8Array(bytes)));
        } catch {
          break; // no worker threads here: the kernels still run, on the calling thread
        }
      }
    }
    return { kernels: instance.exports as unknown as SimdKernels, helpers };
  } catch (err) {
    lastFailure = `selfsup's wasm SIMD kernels did not start (${(err as Error).message}); using XNNPACK-composed routes`;
    return null;
  }
}

/** The SIMD kernels bound to this wasm backend's memory, with their helpers, or null (off, or cannot run here). */
export function boundSimdKernels(backend: tf.KernelBackend): BoundSimdKernels | null {
  if (!enabled) return null;
  const memory = memoryOf(backend as unknown as WasmBackendInternals);
  if (!memory) {
    lastFailure = "selfsup's wasm SIMD kernels found no WebAssembly.Memory on the wasm backend; using XNNPACK-composed routes";
    return null;
  }
  if (!instances.has(memory)) instances.set(memory, instantiate(memory));
  return instances.get(memory) ?? null;
}

/** The SIMD kernels bound to this wasm backend's memory, or null (switched off, or they cannot run here). */
export function simdKernels(backend: tf.KernelBackend): SimdKernels | null {
  return boundSimdKernels(backend)?.kernels ?? null;
}

/**
 * Resolves with the number of helper threads ready to take jobs, once all are (or after `timeoutMs`). Helpers
 * start in the background; until then the kernels run on the calling thread alone.
 */
export async function whenSimdHelpersReady(backend: tf.KernelBackend, timeoutMs = 10_000): Promise<number> {
  const helpers = boundSimdKernels(backend)?.helpers ?? [];
  const deadline = Date.now() + timeoutMs;
  while (helpers.some((h) => !h.ready && !h.failure) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return helpers.filter((h) => h.ready).length;
}

/** Free a heap buffer made by `zeroedOutput` that never became a tensor. */
export function freeOutput(backend: tf.KernelBackend, info: tf.TensorInfo): void {
  (backend as unknown as WasmBackendInternals).disposeData(info.dataId, true);
}

/** The float32 contents of a heap buffer, as a view (valid until the heap next grows). */
export function heapView(backend: tf.KernelBackend, info: tf.TensorInfo): Float32Array {
  return (backend as unknown as WasmBackendInternals).typedArrayFromHeap(info);
}

/**
 * Add the float32 buffers `parts` element by element into `into` (the per-part sums of a job split over helper
 * threads). Views are taken here, after every allocation: growing the heap detaches earlier views.
 */
export function addPartials(backend: tf.KernelBackend, into: tf.TensorInfo, parts: tf.TensorInfo[]): void {
  if (parts.length === 0) return;
  const total = heapView(backend, into);
  for (const p of parts) {
    const v = heapView(backend, p);
    for (let j = 0; j < total.length; j++) total[j] += v[j];
  }
}

/** Images [begin, end) of a batch of n in `parts` nearly equal ranges (fewer when n is small). */
export function splitImages(n: number, parts: number): [number, number][] {
  const k = Math.max(1, Math.min(parts, n));
  return Array.from({ length: k }, (_, i) => [Math.floor((i * n) / k), Math.floor(((i + 1) * n) / k)] as [number, number]);
}

/** Byte offset of a tensor's data in the wasm heap. */
export function heapOffset(backend: tf.KernelBackend, info: tf.TensorInfo): number {
  const entry = (backend as unknown as WasmBackendInternals).dataIdMap.get(info.dataId);
  if (!entry) throw new Error('Error in a selfsup wasm kernel: a tensor is not on the wasm backend');
  return entry.memoryOffset;
}

/** A float32 output of `shape` in the wasm heap, not initialised: the caller writes every value. */
export function uninitialisedOutput(backend: tf.KernelBackend, shape: number[]): tf.TensorInfo {
  return (backend as unknown as WasmBackendInternals).makeOutput(shape, 'float32');
}

/** A float32 output of `shape` in the wasm heap, filled with zeros. */
export function zeroedOutput(backend: tf.KernelBackend, shape: number[]): tf.TensorInfo {
  const b = backend as unknown as WasmBackendInternals;
  const out = b.makeOutput(shape, 'float32');
  b.typedArrayFromHeap(out).fill(0);
  return out;
}
