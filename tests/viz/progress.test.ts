import { test } from 'node:test';
import assert from 'node:assert/strict';
import { progress, withProgress, detectOutputEnv, outputMode } from '../../src/viz';
import { captureWriter, fakeClock } from './helpers';

test('mode detection: a kernel wins, then a TTY outside CI, else lines', () => {
  const { writer } = captureWriter();
  assert.equal(outputMode(detectOutputEnv({ writer, isTTY: false, ci: true })), 'notebook');
  assert.equal(outputMode(detectOutputEnv({ writer: null, isTTY: true, ci: false })), 'tty');
  assert.equal(outputMode(detectOutputEnv({ writer: null, isTTY: true, ci: true })), 'lines');
  assert.equal(outputMode(detectOutputEnv({ writer: null, isTTY: false, ci: false })), 'lines');
});

test('notebook: one display_data, then update_display_data with the same id, throttled, final state on close', () => {
  const clock = fakeClock(1000);
  const { writer, messages } = captureWriter();
  const bar = progress(100, { label: 'train', env: { writer, now: clock.now }, minIntervalMs: 200 });
  assert.equal(bar.mode, 'notebook');
  for (let i = 0; i < 100; i++) {
    clock.advance(50); // 20 items/s
    bar.update(1, { loss: 1 / (i + 1) });
  }
  bar.close();
  bar.update(1); // ignored after close
  // shown at start, then every 4th update (200 ms / 50 ms), then the final state
  assert.equal(messages.length, 1 + 25 + 1);
  assert.equal(messages[0].update, false);
  assert.ok(messages.slice(1).every((m) => m.update));
  const id = messages[0].message.transient.display_id;
  assert.ok(id && messages.every((m) => m.message.transient.display_id === id));
  const last = messages[messages.length - 1].message.data;
  assert.deepEqual(Object.keys(last).sort(), ['text/html', 'text/plain']);
  assert.equal(last['text/plain'], 'train: 100/100 (100%) |████████████████████| 20 it/s, elapsed 0:05, loss 0.01');
  assert.match(last['text/html'] as string, /<progress value="100" max="100"/);
  const middle = messages[10].message.data['text/plain'];
  assert.equal(middle, 'train: 40/100 (40%) |████████············| 20 it/s, elapsed 0:02, ETA 0:03, loss 0.025');
});

test('terminal: one line redrawn with \\r, padded over a longer previous line, newline on close', () => {
  const clock = fakeClock();
  const out: string[] = [];
  const bar = progress(4, { env: { writer: null, isTTY: true, ci: false, write: (s) => out.push(s), now: clock.now } });
  assert.equal(bar.mode, 'tty');
  bar.update(1, { loss: 123.456 });
  clock.advance(1000);
  bar.update(1, { loss: 1 });
  clock.advance(1000);
  bar.update(2);
  bar.close();
  assert.ok(out.slice(0, -1).every((s) => s.startsWith('\r') && !s.includes('\n')));
  assert.equal(out[out.length - 1], '\n');
  assert.equal(out[0], '\r0/4 (0%) |····················| ? it/s, elapsed 0:00');
  // update 1 at t=0 is throttled (same instant as the first draw), t=1000 draws, t=2000 draws, close draws
  assert.equal(out.length, 1 + 2 + 1 + 1);
  assert.equal(out[1], '\r2/4 (50%) |██████████··········| 2 it/s, elapsed 0:01, ETA 0:01, loss 1');
  assert.equal(out[3].trimEnd(), '\r4/4 (100%) |████████████████████| 2 it/s, elapsed 0:02, loss 1');
  assert.equal(out[2].length, out[1].length, 'padded to erase the longer previous line');
  assert.match(out[2], /elapsed 0:02, loss 1 +$/);
});

test('CI / non-TTY: a plain line every 10% and a final line; no carriage returns', () => {
  const clock = fakeClock();
  const out: string[] = [];
  const bar = progress(50, { label: 'data', env: { writer: null, isTTY: false, ci: true, write: (s) => out.push(s), now: clock.now } });
  for (let i = 0; i < 50; i++) {
    clock.advance(10);
    bar.update();
  }
  bar.close();
  assert.equal(out.length, 10 + 1);
  assert.ok(out.every((s) => s.endsWith('\n') && !s.includes('\r')));
  assert.equal(out[0], 'data: 5/50 (10%) 100 it/s, elapsed 0:00, ETA 0:00\n');
  assert.equal(out[10], 'data: 50/50 (100%) 100 it/s, elapsed 0:00\n');
});

test('CI with an unknown total: a line every 30 s', () => {
  const clock = fakeClock();
  const out: string[] = [];
  const bar = progress(undefined, { unit: 'img', env: { writer: null, isTTY: false, write: (s) => out.push(s), now: clock.now } });
  for (let i = 0; i < 100; i++) {
    clock.advance(1000);
    bar.update(10);
  }
  bar.close();
  assert.deepEqual(out, [
    '300 10 img/s, elapsed 0:30\n',
    '600 10 img/s, elapsed 1:00\n',
    '900 10 img/s, elapsed 1:30\n',
    '1000 10 img/s, elapsed 1:40\n',
  ]);
});

test('withProgress counts a loop, takes the total from length, closes on break, works async', async () => {
  const clock = fakeClock();
  const out: string[] = [];
  const env = { writer: null, isTTY: false, ci: true, write: (s: string) => out.push(s), now: clock.now };
  const seen: number[] = [];
  const it = withProgress([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], { label: 'sync', env });
  for (const x of it) {
    clock.advance(100);
    it.bar.update(0, { x });
    seen.push(x);
    if (x === 5) break;
  }
  assert.deepEqual(seen, [1, 2, 3, 4, 5]);
  assert.equal(it.bar.total, 10);
  assert.equal(it.bar.count, 4, 'the item being processed at break is not counted');
  assert.equal(out[out.length - 1], 'sync: 4/10 (40%) 8 it/s, elapsed 0:00, x 5\n');

  async function* gen() {
    for (let i = 0; i < 3; i++) yield i;
  }
  out.length = 0;
  const ait = withProgress(gen(), { total: 3, label: 'async', env });
  for await (const _ of ait) clock.advance(500);
  assert.equal(ait.bar.count, 3);
  assert.equal(out[out.length - 1], 'async: 3/3 (100%) 2 it/s, elapsed 0:01\n');
});

test('a bad total fails with a fixed-form message', () => {
  assert.throws(() => progress(-1), { message: 'Error in progress: total must be a non-negative number, but got -1' });
});

test('Issue 13: under a time limit, do the percentage, bar and ETA count time when time ends the loop first?', () => {
  const clock = fakeClock(0);
  const lines: string[] = [];
  const bar = progress(100_000, { label: 'fit', unit: 'step', mode: 'lines', timeLimitSeconds: 300, env: { now: clock.now, write: (t) => lines.push(t) } });
  clock.set(60_000);
  bar.update(1510);
  assert.equal(bar.text(true), 'fit: 1510 (time 1:00 of 5:00, 20%) |████················| 25.2 step/s, elapsed 1:00, ETA 4:00');
  assert.match(bar.html(), /<progress value="200" max="1000"/);
  // lines mode prints at each 10% of the time, not of the 100,000 steps
  assert.equal(lines.length, 1);
  assert.match(lines[0], /^fit: 1510 \(time 1:00 of 5:00, 20%\)/);
  // a short count under a long budget: the count ends first and is shown as before
  const quick = progress(100, { label: 'fit', mode: 'lines', timeLimitSeconds: 3600, env: { now: clock.now, write: () => undefined } });
  clock.advance(10_000);
  quick.update(50);
  assert.equal(quick.text(), 'fit: 50/100 (50%) 5 it/s, elapsed 0:10, ETA 0:10');
});
