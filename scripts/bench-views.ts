/**
 * What the [0, 1] image check costs the view pipeline: simclrViews on a training batch (the
 * course recipe: 128 images, 16 x 16 views), against the same views with every range check
 * skipped, measured alternately in one process so both see the same machine.
 *
 *   npm run bench:views [-- --batch 128 --repeats 20]
 */
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../src/backend/use-backend';
import { simclrViews } from '../src/augment/simclr-views';
import { withCheckedImages } from '../src/augment/per-sample';
import { median } from './median';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const arg = (name: string, fallback: number) => {
    const i = args.indexOf(name);
    return i >= 0 ? Number(args[i + 1]) : fallback;
  };
  const batch = arg('--batch', 128);
  const repeats = arg('--repeats', 20);
  await useBackend();
  const x = tf.randomUniform([batch, 32, 32, 3], 0, 1, 'float32', 1) as tf.Tensor4D;
  const views = { scale: [0.2, 1] as [number, number], randomOrder: false, hue: 0, size: 16 };
  const once = (checked: boolean, seed: number) => {
    const t0 = performance.now();
    const run = () => tf.dispose(simclrViews(x, { ...views, seed }));
    if (checked) run();
    else withCheckedImages(run);
    return performance.now() - t0;
  };
  once(true, 0);
  once(false, 0); // warm-up
  const withChecks: number[] = [];
  const without: number[] = [];
  for (let i = 1; i <= repeats; i++) {
    withChecks.push(once(true, i));
    without.push(once(false, i));
  }
  const [a, b] = [median(withChecks), median(without)];
  console.log(`bench:views — simclrViews of ${batch} images 32x32 to two 16x16 views, median of ${repeats}, ${tf.getBackend()}`);
  console.log(`with the [0, 1] checks ${a.toFixed(1)} ms · without ${b.toFixed(1)} ms · ratio ${(a / b).toFixed(3)}`);
  x.dispose();
}

void main();
