import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import { useBackend } from '../../src/backend/use-backend';
import { fit } from '../../src/train/fit';
import { liveChartCallback } from '../../src/train/live-chart-callback';
import { type DisplayMessage } from '../../src/viz';
import { VEGALITE_MIME } from '../../src/viz/vega-lite-bundle';

describe('liveChartCallback', () => {
  before(async () => {
    await useBackend('cpu', { log: () => {} });
  });

  it('Does it plot the chosen series of every step in one notebook output, finished on close?', async () => {
    const messages: { message: DisplayMessage; update: boolean }[] = [];
    let t = 0;
    const w = tf.variable(tf.scalar(3));
    await fit({
      loss: () => tf.square(w) as tf.Scalar,
      variables: [w],
      data: () => null,
      config: { numSteps: 5, lr: 0.1, progress: false },
      callbacks: [liveChartCallback({ series: ['loss', 'lr'], env: { writer: (message, update) => messages.push({ message, update }), now: () => (t += 1000) } })],
      log: () => {},
    });
    assert.ok(messages.length >= 2);
    const ids = new Set(messages.map((m) => m.message.transient.display_id));
    assert.equal(ids.size, 1, 'one output, updated in place');
    const last = messages[messages.length - 1].message.data[VEGALITE_MIME] as { data: { values: { series: string; x: number }[] } };
    assert.equal(last.data.values.length, 10, 'loss and lr at 5 steps');
    w.dispose();
  });
});
