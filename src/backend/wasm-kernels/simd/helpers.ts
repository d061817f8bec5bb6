import { Worker } from 'worker_threads';

/**
 * Helper threads for selfsup's SIMD kernels on tfjs's threaded wasm build. XNNPACK's operators use tfjs's
 * pthread pool; our kernels are plain exported functions, so without help they use one core while the others wait.
 * With the threaded build the heap is shared memory, so a Node worker can instantiate the same kernel module on
 * it and take part of a job (our callers split by images, which write disjoint outputs).
 *
 * Protocol, on a small SharedArrayBuffer per helper (Int32Array `ctl`):
 *   ctl[SEQ]   job number, bumped by the main thread to start a job
 *   ctl[DONE]  job number the helper finished last
 *   ctl[READY] 1 once the helper has instantiated the module and waits for jobs
 *   ctl[ERROR] 1 if the last job threw in the helper
 *   ctl[FN]    index of the exported function, ctl[NARGS] the argument count, then the arguments (all int32)
 * The main thread blocks in Atomics.wait for DONE (allowed in Node). A helper that is not READY is never waited
 * for: the main thread then runs the whole job itself. Helpers are unref'd, so they never keep Node alive.
 */
const SEQ = 0;
const DONE = 1;
const READY = 2;
const ERROR = 3;
const FN = 4;
const NARGS = 5;
const ARGS = 6;
const MAX_ARGS = 32;

/** The exported functions a helper can run, by index. */
export const HELPER_FUNCTIONS = ['conv2d_filter_grad', 'max_pool_grad', 'winograd_conv3x3', 'winograd_filter_grad', 'bn_sums', 'bn_apply', 'bn_grad_sums', 'bn_grad_input'] as const;
export type HelperFunction = (typeof HELPER_FUNCTIONS)[number];

/** Longest a main thread waits for a helper's share before giving up with an error. */
const JOB_TIMEOUT_MS = 10 * 60 * 1000;

const HELPER_SOURCE = `
const { workerData } = require('worker_threads');
const { memory, bytes, ctl, names } = workerData;
const c = new Int32Array(ctl);
const exports = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } }).exports;
const fns = names.map((n) => exports[n]);
Atomics.store(c, ${READY}, 1);
let seen = 0;
for (;;) {
  Atomics.wait(c, ${SEQ}, seen);
  seen = Atomics.load(c, ${SEQ});
  try {
    fns[c[${FN}]](...Array.from(c.subarray(${ARGS}, ${ARGS} + c[${NARGS}])));
    Atomics.store(c, ${ERROR}, 0);
  } catch (err) {
    Atomics.store(c, ${ERROR}, 1);
  }
  Atomics.store(c, ${DONE}, seen);
  Atomics.notify(c, ${DONE});
}
`;

export class SimdHelper {
  private readonly ctl = new Int32Array(new SharedArrayBuffer(4 * (ARGS + MAX_ARGS)));
  private readonly worker: Worker;
  private seq = 0;
  private failed: string | null = null;

  constructor(memory: object, bytes: Uint8Array) {
    this.worker = new Worker(HELPER_SOURCE, {
      eval: true,
      workerData: { memory, bytes, ctl: this.ctl.buffer, names: HELPER_FUNCTIONS },
    });
    this.worker.on('error', (err) => {
      this.failed = err.message;
      Atomics.store(this.ctl, READY, 0);
    });
    this.worker.on('exit', () => Atomics.store(this.ctl, READY, 0));
    this.worker.unref();
  }

  /** True once the helper can take jobs. */
  get ready(): boolean {
    return Atomics.load(this.ctl, READY) === 1;
  }

  /** Why the helper stopped, if it did. */
  get failure(): string | null {
    return this.failed;
  }

  /** Start `fn(...args)` on the helper; finish it with `join`. */
  start(fn: HelperFunction, args: number[]): void {
    if (args.length > MAX_ARGS) throw new Error(`Error in a selfsup SIMD helper: ${args.length} arguments, at most ${MAX_ARGS}`);
    this.ctl[FN] = HELPER_FUNCTIONS.indexOf(fn);
    this.ctl[NARGS] = args.length;
    this.ctl.set(args, ARGS);
    this.seq = (this.seq + 1) | 0;
    Atomics.store(this.ctl, SEQ, this.seq);
    Atomics.notify(this.ctl, SEQ);
  }

  /** Wait for the job started last. */
  join(): void {
    const deadline = Date.now() + JOB_TIMEOUT_MS;
    for (;;) {
      const done = Atomics.load(this.ctl, DONE);
      if (done === this.seq) break;
      if (Date.now() > deadline) {
        throw new Error(`Error in a selfsup SIMD helper thread: no answer in ${JOB_TIMEOUT_MS / 1000} s${this.failed ? ` (${this.failed})` : ''}`);
      }
      Atomics.wait(this.ctl, DONE, done, 1000);
    }
    if (Atomics.load(this.ctl, ERROR) === 1) {
      throw new Error('Error in a selfsup SIMD helper thread: the kernel trapped (an input outside the wasm heap?)');
    }
  }
}

let sharedJobs = 0;

/** How many jobs so far ran on more than one thread (for tests and diagnostics). */
export function sharedSimdJobs(): number {
  return sharedJobs;
}

/**
 * Run a job split into parts: part 0 on the calling thread, the others on ready helpers, concurrently. With fewer
 * ready helpers than parts the caller's `split` gets fewer parts. `split(k)` returns k argument lists.
 */
export function runSplit(
  helpers: SimdHelper[],
  fn: HelperFunction,
  local: (...args: number[]) => void,
  split: (parts: number) => number[][],
): void {
  const ready = helpers.filter((h) => h.ready);
  const parts = split(ready.length + 1);
  if (parts.length > 1) sharedJobs++;
  const started: SimdHelper[] = [];
  try {
    parts.slice(1).forEach((args, i) => {
      ready[i].start(fn, args);
      started.push(ready[i]);
    });
    local(...parts[0]);
  } finally {
    for (const h of started) h.join();
  }
}
