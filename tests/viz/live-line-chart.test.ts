import { test } from 'node:test';
import assert from 'node:assert/strict';
import { liveLineChart } from '../../src/viz';
import { VEGALITE_MIME } from '../../src/viz/vega-lite-bundle';
import { captureWriter, checkSvg, compileVegaLite, fakeClock } from './helpers';

test('redraws in place at most every 500 ms, then a final flush on close', async () => {
  const clock = fakeClock();
  const { writer, messages } = captureWriter();
  const live = liveLineChart({ yLabel: 'loss', env: { writer, now: clock.now } });
  for (let step = 0; step < 20; step++) {
    clock.set(step * 100);
    await live.update({ loss: 2 / (step + 1), lr: 0.1 }, step);
  }
  // redraws start at t = 0, 500, 1000, 1500; points 16..19 are still pending
  assert.equal(messages.length, 4);
  await live.close();
  assert.equal(messages.length, 5);
  await live.update({ loss: 0 }); // ignored after close
  await live.close();
  assert.equal(messages.length, 5);
  assert.deepEqual(messages.map((m) => m.update), [false, true, true, true, true]);
  assert.ok(messages.every((m) => m.message.transient.display_id === live.id));
  const last = messages[4].message.data;
  assert.deepEqual(Object.keys(last).sort(), [VEGALITE_MIME, 'image/svg+xml', 'text/plain']);
  assert.equal((last[VEGALITE_MIME] as { data: { values: unknown[] } }).data.values.length, 40);
  compileVegaLite(last[VEGALITE_MIME]);
  assert.equal(checkSvg(last['image/svg+xml'] as string)['line mark'], 2);
  assert.equal(last['text/plain'], 'line chart: loss over 20 steps, 2 series (last: loss 0.1, lr 0.1)');
  const second = messages[1].message.data[VEGALITE_MIME] as { data: { values: unknown[] } };
  assert.equal(second.data.values.length, 2 * 6, 'the redraw at t = 500 shows steps 0..5');
});

test('updates while a redraw is running are drawn by a later one, never concurrently', async () => {
  const clock = fakeClock();
  const { writer, messages } = captureWriter();
  const live = liveLineChart({ env: { writer, now: clock.now }, minIntervalMs: 0 });
  const first = live.update({ a: 1 });
  void live.update({ a: 2 }); // a redraw is in flight: only marks the data dirty
  void live.update({ a: 3 });
  await first;
  assert.equal(messages.length, 1);
  await live.flush();
  assert.equal(messages.length, 2);
  assert.equal((messages[1].message.data[VEGALITE_MIME] as { data: { values: unknown[] } }).data.values.length, 3);
  await live.flush(); // nothing new
  assert.equal(messages.length, 2);
  assert.deepEqual(live.series(), [{ name: 'a', x: [0, 1, 2], y: [1, 2, 3] }]);
});

test('outside a kernel nothing is rendered; close prints the summary line', async () => {
  const out: string[] = [];
  const live = liveLineChart({ yLabel: 'loss', xLabel: 'epoch', env: { writer: null, write: (s) => out.push(s) } });
  for (let e = 0; e < 3; e++) await live.update({ train: 3 - e, val: 3.5 - e });
  assert.deepEqual(out, []);
  await live.close();
  assert.deepEqual(out, ['line chart: loss over 3 epochs, 2 series (last: train 1, val 1.5)\n']);
});
