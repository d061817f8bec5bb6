import type { FitCallback } from './fit';

/**
 * A `fit` callback that prints one line every `every` steps and at each epoch's end:
 * "step 120 loss 4.812 lr 0.002 (35.2 s)".
 *
 * @example
 * await fit({ ...recipe, data, config: { progress: false }, callbacks: [logCallback(50)] });
 */
export function logCallback(every = 100, log: (line: string) => void = console.log): FitCallback {
  const fmt = (x: number) => String(Number(x.toPrecision(4)));
  return {
    onStep(r) {
      if (r.step % every !== 0) return;
      const extra = Object.entries(r.metrics).map(([k, v]) => ` ${k} ${fmt(v)}`).join('');
      const norm = Number.isFinite(r.gradNorm) ? ` gradNorm ${fmt(r.gradNorm)}` : '';
      log(`step ${r.step} loss ${fmt(r.loss)} lr ${fmt(r.lr)}${norm}${extra} (${r.seconds.toFixed(1)} s)`);
    },
    onEpoch(epoch, meanLoss) {
      log(`epoch ${epoch} mean loss ${fmt(meanLoss)}`);
    },
  };
}
