/**
 * Issue 12: a training cell that runs for minutes must not kill the kernel. zeromq 6 refuses a
 * second send while one is in flight ("Socket is busy writing"); tslab sent every output at
 * once, so bursts of display updates and console output crashed or hung the kernel. These run
 * the real tslab kernel (with patches/tslab+1.0.22.patch applied by npm install).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { KernelSession } from '../../src/jupyter/kernel-session';
import { tslabKernelSpec } from '../../src/jupyter/kernelspec';
import type { Output } from '../../src/jupyter/notebook';
import { longTrainingCell, repoRoot } from '../helpers/notebooks';

let kernel: KernelSession;

before(async () => {
  kernel = await KernelSession.start({ spec: tslabKernelSpec(), cwd: path.join(repoRoot, 'notebooks'), env: { SELFSUP_WASM_THREADS: 'off' } });
});
after(async () => {
  await kernel.shutdown();
});

const stdout = (outputs: Output[]) =>
  outputs.filter((o) => o.output_type === 'stream' && o.name === 'stdout').map((o) => String((o as { text: string }).text)).join('');
const displayTexts = (outputs: Output[]) =>
  outputs.filter((o) => o.output_type === 'display_data').map((o) => (o as { data: Record<string, unknown> }).data['text/plain']);

test('Issue 12: does a cell that updates displays 10,000 times as fast as it can, printing meanwhile, finish and keep the kernel?', async () => {
  const r = await kernel.execute(
    [
      "import * as tslab from 'tslab';",
      "import { displayBundle, newDisplayHandle } from 'selfsup';",
      '// straight to the kernel, no rate limit: every call is one message on the iopub socket',
      "displayBundle({ 'text/plain': 'raw start' }, { displayId: 'raw' });",
      'for (let i = 0; i < 10_000; i++) {',
      "  displayBundle({ 'text/plain': `raw ${i}` }, { displayId: 'raw', update: true });",
      "  if (i % 100 === 0) console.log('line', i);",
      '}',
      'const d = tslab.newDisplay();',
      'for (let i = 0; i < 10_000; i++) d.text(`tslab ${i}`);',
      '// the library handle: coalesced, the last state flushed',
      'const h = newDisplayHandle();',
      "for (let i = 0; i < 10_000; i++) h.show({ 'text/plain': `handle ${i}` });",
      'h.flush();',
      "console.log('done');",
    ].join('\n'),
    { timeoutMs: 120_000 },
  );
  assert.equal(r.status, 'ok', JSON.stringify(r.error));
  assert.deepEqual(displayTexts(r.outputs), ['raw 9999', 'tslab 9999', 'handle 9999'], 'every display ends in its last state');
  const lines = stdout(r.outputs).trim().split('\n');
  assert.equal(lines.length, 101, 'no console line lost');
  assert.equal(lines[100], 'done');
  const next = await kernel.execute("console.log('still alive')", { timeoutMs: 60_000 });
  assert.equal(next.status, 'ok');
  assert.equal(stdout(next.outputs), 'still alive\n');
});

test('Issue 12: does fit with its progress bar and a live chart train for 5 minutes in a cell, and the kernel live on?', async () => {
  const seconds = 300;
  const r = await kernel.execute(longTrainingCell(seconds, 'five minutes'), { timeoutMs: (seconds + 240) * 1000 });
  assert.equal(r.status, 'ok', JSON.stringify(r.error));
  const m = /fit: (\d+) steps, (\d+) s, stopped by timeLimit/.exec(stdout(r.outputs));
  assert.ok(m, `fit ran to its time limit: ${stdout(r.outputs).slice(-400)}`);
  assert.ok(Number(m[2]) >= seconds, `trained ${m[2]} s`);
  const displays = r.outputs.filter((o) => o.output_type === 'display_data') as Array<{ data: Record<string, unknown> }>;
  assert.ok(displays.some((d) => /five minutes: \d+/.test(String(d.data['text/plain']))), 'the progress bar is there');
  assert.ok(displays.some((d) => typeof d.data['image/svg+xml'] === 'string'), 'the live chart is there');
  const next = await kernel.execute("console.log('still alive')", { timeoutMs: 60_000 });
  assert.equal(next.status, 'ok');
  assert.equal(stdout(next.outputs), 'still alive\n');
});
