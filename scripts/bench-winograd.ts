/**
 * The 3x3 stride-1 convolutions of the course ResNet on 16x16 views, one layer at a time: Winograd F(4x4, 3x3) on
 * selfsup's SIMD kernels against the direct routes (XNNPACK's convolution, the stock wasm Conv2D; filter-grad.c
 * for the filter gradient), alternating in one run. (The input gradient is a forward convolution.)
 *
 *   npm run bench:winograd [-- --threads 1 --batch 256 --reps 10]
 *
 * Prints, per layer, the median CPU and wall time of each route, the ratio, and the direct convolution's FLOPs per
 * second of each (Winograd does fewer multiplications; its figure is the direct-equivalent rate).
 */
import * as os from 'os';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../src/backend/use-backend';
import { relaxedSimdKernels, setWinogradEnabled, winogradConvolutions, whenSimdHelpersReady } from '../src/backend/wasm-kernels';
import { median } from './median';

interface Args {
  threads: number;
  batch: number;
  reps: number;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { threads: Math.min(2, os.cpus().length), batch: 256, reps: 10 };
  for (let i = 0; i < argv.length; i++) {
    const v = Number(argv[i + 1]);
    const key = argv[i].replace(/^--/, '') as keyof Args;
    if (!(key in a) || !Number.isInteger(v) || v < 1) {
      throw new Error(`Error in bench-winograd: expected --threads N, --batch N or --reps N (N a positive integer), but got ${argv[i]} ${argv[i + 1] ?? ''}`);
    }
    a[key] = v;
    i++;
  }
  return a;
}

const LAYERS: [string, number, number, number][] = [
  ['16x16, 32 -> 32', 16, 32, 32],
  ['8x8, 64 -> 64', 8, 64, 64],
  ['4x4, 128 -> 128', 4, 128, 128],
];

/** CPU and wall milliseconds of one op, read back so the work is done. */
function timeOnce(op: () => tf.Tensor): [number, number] {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const y = op();
  y.dataSync();
  const wall = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  y.dispose();
  return [(cpu.user + cpu.system) / 1000, wall];
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  process.env.SELFSUP_WASM_THREADS = String(args.threads);
  const report = await useBackend('wasm', { log: () => {} });
  const helpers = await whenSimdHelpersReady(tf.backend());
  console.log(`bench:winograd — wasm, ${report.threads} thread(s), ${helpers} SIMD helper(s), ${relaxedSimdKernels() ? 'fused' : 'unfused'} multiply-adds (SELFSUP_WASM_RELAXED_SIMD); batch ${args.batch}, ${args.reps} alternating repetitions per route, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const rows = [['layer', 'GFLOP (direct)', 'direct ms CPU / wall', 'Winograd ms CPU / wall', 'Winograd / direct (CPU)', 'direct GFLOP/s', 'Winograd GFLOP/s (direct-equivalent)']];
  const cases = LAYERS.flatMap(([name, size, c, o]) => [
    [`${name}, forward (XNNPACK)`, size, c, o, 'forward'],
    [`${name}, filter gradient (filter-grad.c)`, size, c, o, 'filter'],
  ] as [string, number, number, number, 'forward' | 'filter'][]);
  for (const [name, size, c, o, kind] of cases) {
    const x = tf.randomNormal([args.batch, size, size, c]) as tf.Tensor4D;
    const f = tf.mul(tf.randomNormal([3, 3, c, o]), 0.1) as tf.Tensor4D;
    const dy = tf.randomNormal([args.batch, size, size, o]) as tf.Tensor4D;
    const op = kind === 'forward'
      ? () => tf.conv2d(x, f, 1, 'same')
      : () => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: [1, 1], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1], filterShape: [3, 3, c, o] } as unknown as tf.NamedAttrMap) as tf.Tensor;
    const times: Record<'stock' | 'winograd', [number, number][]> = { stock: [], winograd: [] };
    for (let r = 0; r <= args.reps; r++) {
      for (const route of r % 2 === 0 ? (['winograd', 'stock'] as const) : (['stock', 'winograd'] as const)) {
        setWinogradEnabled(route === 'winograd');
        const before = winogradConvolutions();
        const t = timeOnce(op);
        if ((winogradConvolutions() > before) !== (route === 'winograd')) throw new Error(`bench-winograd: ${name} did not take the ${route} route`);
        if (r > 0) times[route].push(t); // the first repetition warms up
      }
    }
    setWinogradEnabled(true);
    const flop = 2 * args.batch * size * size * c * o * 9;
    const [sc, sw] = [median(times.stock.map((t) => t[0])), median(times.stock.map((t) => t[1]))];
    const [wc, ww] = [median(times.winograd.map((t) => t[0])), median(times.winograd.map((t) => t[1]))];
    rows.push([name, (flop / 1e9).toFixed(2), `${sc.toFixed(1)} / ${sw.toFixed(1)}`, `${wc.toFixed(1)} / ${ww.toFixed(1)}`, (wc / sc).toFixed(2), (flop / sw / 1e6).toFixed(1), (flop / ww / 1e6).toFixed(1)]);
    tf.dispose([x, f, dy]);
  }
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows) console.log(r.map((v, i) => (i === 0 ? v.padEnd(widths[i]) : v.padStart(widths[i]))).join('  '));
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
