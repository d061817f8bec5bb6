import { test } from 'node:test';
import assert from 'node:assert/strict';
import { barProgress } from '../../src/data/bar-progress';

test('Does barProgress show one progress bar per preparation stage, in log lines outside a terminal?', () => {
  const out: string[] = [];
  let now = 0;
  const onProgress = barProgress({ mode: 'lines', env: { writer: null, write: (t) => out.push(t), now: () => now } });
  onProgress({ stage: 'check', done: 0, total: 6, file: 'data_batch_1.bin' });
  onProgress({ stage: 'check', done: 6, total: 6 });
  onProgress({ stage: 'download', done: 0, total: 0, file: 'http://x' }); // size unknown yet: ignored
  for (const done of [0, 500, 1000]) {
    now += 1000;
    onProgress({ stage: 'download', done, total: 1000, file: 'http://x' });
  }
  onProgress({ stage: 'convert', done: 0, total: 2, file: 'a.bin' });
  onProgress({ stage: 'convert', done: 1, total: 2, file: 'a.bin' });
  onProgress({ stage: 'convert', done: 2, total: 2, file: 'b.bin' });
  const lines = out.join('').trim().split('\n');
  assert.ok(lines.some((l) => l.startsWith('cifar10 check: 6/6 (100%)')), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('cifar10 download: 500/1000 (50%)')), lines.join('\n'));
  assert.ok(lines.some((l) => l.startsWith('cifar10 download: 1000/1000 (100%)')));
  assert.equal(lines.at(-1)!.startsWith('cifar10 convert: 2/2 (100%)'), true, lines.join('\n'));
});
