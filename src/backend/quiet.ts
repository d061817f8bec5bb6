import * as tf from '@tensorflow/tfjs';

/**
 * Silence tfjs's one-time "install our node backend" banner, which the cpu backend prints on
 * its first tensor write in Node. In a notebook it would land in every chart cell's output.
 * Other tfjs warnings are kept: they usually mean something.
 */
export function silenceTfjsBanner(): void {
  const cpu = tf.findBackend('cpu') as unknown as { firstUse?: boolean } | null;
  if (cpu && 'firstUse' in cpu) cpu.firstUse = false;
}
