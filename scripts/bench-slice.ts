/**
 * What the in-place Slice kernel (src/backend/wasm-kernels/slice.ts) buys: extractFeatures over CIFAR-10 with the
 * stock wasm Slice (which copies its whole input before every cut) and with selfsup's, alternating in one process.
 * Prints figures; not a test.
 *
 *   npx tsc -p tsconfig.test.json && node build/scripts/bench-slice.js [--split train|test] [--repeats 1]
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { normalizeImages } from '../src/augment/normalize-images';
import { useBackend } from '../src/backend/use-backend';
import { loadCifar10 } from '../src/data/load-cifar10';
import { extractFeatures } from '../src/eval/extract-features';
import { ResNetEncoder } from '../src/models/resnet-encoder';

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const option = (name: string, fallback: string) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
  const split = option('--split', 'train');
  const repeats = Number(option('--repeats', '1'));
  if (split !== 'train' && split !== 'test') throw new Error(`Error in bench-slice: --split is train or test, but got ${split}`);
  if (!(repeats >= 1)) throw new Error(`Error in bench-slice: --repeats needs a whole number >= 1, but got ${option('--repeats', '')}`);
  const stock = { ...tf.getKernel('Slice', 'wasm')! }; // the package's own, captured before selfsup replaces it
  const report = await useBackend('wasm');
  const ours = { ...tf.getKernel('Slice', 'wasm')! };
  const data = loadCifar10({ split });
  const x = data.x;
  const encoder = new ResNetEncoder({ seed: 1 });
  const use = (kernel: tf.KernelConfig) => {
    tf.unregisterKernel('Slice', 'wasm');
    tf.registerKernel(kernel);
  };
  const time = () => {
    const t0 = performance.now();
    const features = extractFeatures(encoder, x, { batchSize: 500, preprocess: (b) => normalizeImages(b) });
    features.dataSync();
    features.dispose();
    return (performance.now() - t0) / 1000;
  };
  const seconds = { stock: [] as number[], ours: [] as number[] };
  for (let r = 0; r < repeats; r++) {
    use(stock);
    seconds.stock.push(time());
    use(ours);
    seconds.ours.push(time());
  }
  const list = (s: number[]) => s.map((v) => v.toFixed(1)).join(' / ');
  console.log(report.line);
  console.log(`extractFeatures, ${x.shape[0]} CIFAR-10 ${split} images (${Math.round((x.size * 4) / 2 ** 20)} MB), batch 500:`);
  console.log(`  stock wasm Slice: ${list(seconds.stock)} s; in-place Slice: ${list(seconds.ours)} s`);
  tf.dispose([data.x, data.y]);
  encoder.dispose();
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
