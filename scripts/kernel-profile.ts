import * as tf from '@tensorflow/tfjs';

/** Time spent in one kernel, without the kernels it called. */
export interface KernelTime {
  kernel: string;
  ms: number;
  calls: number;
}

/**
 * Run `work` with every kernel of `backend` timed: wall milliseconds inside each kernel, minus the kernels it
 * called itself (selfsup's composed kernels call others), and the number of calls. The kernels are restored
 * afterwards. For benchmarks only: the timing wraps every kernel call.
 */
export async function profileKernels(work: () => Promise<void>, backend = 'wasm'): Promise<KernelTime[]> {
  const configs = tf.getKernelsForBackend(backend);
  const stats = new Map<string, KernelTime>();
  const nested: number[] = []; // time spent in callees, per open call
  const swap = (config: tf.KernelConfig) => {
    tf.unregisterKernel(config.kernelName, backend);
    tf.registerKernel(config);
  };
  for (const config of configs) {
    const original = config.kernelFunc;
    swap({
      ...config,
      kernelFunc: (args) => {
        nested.push(0);
        const t0 = performance.now();
        try {
          return original(args);
        } finally {
          const total = performance.now() - t0;
          const inner = nested.pop() ?? 0;
          if (nested.length > 0) nested[nested.length - 1] += total;
          const s = stats.get(config.kernelName) ?? { kernel: config.kernelName, ms: 0, calls: 0 };
          s.ms += total - inner;
          s.calls++;
          stats.set(config.kernelName, s);
        }
      },
    });
  }
  try {
    await work();
  } finally {
    for (const config of configs) swap(config);
  }
  return [...stats.values()].sort((a, b) => b.ms - a.ms);
}
