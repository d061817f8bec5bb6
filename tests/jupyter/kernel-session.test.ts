import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import { KernelSession } from '../../src/jupyter/kernel-session';
import { tslabKernelSpec } from '../../src/jupyter/kernelspec';
import type { Output } from '../../src/jupyter/notebook';
import { isRunning } from '../helpers/notebooks';

const spec = tslabKernelSpec();
let kernel: KernelSession;

before(async () => {
  kernel = await KernelSession.start({ spec, interruptGraceMs: 4000 });
});
after(async () => {
  await kernel.shutdown();
});

const text = (outputs: Output[], name: 'stdout' | 'stderr') =>
  outputs.filter((o) => o.output_type === 'stream' && o.name === name).map((o) => String((o as { text: string }).text)).join('');

test('Are stdout, stderr, display data and display updates collected in nbformat shape?', async () => {
  const r = await kernel.execute(
    [
      "import * as tslab from 'tslab';",
      "console.log('out 1'); console.log('out 2'); console.error('err 1');",
      "tslab.display.html('<b>bold</b>');",
      'const d = tslab.newDisplay();',
      "d.text('first');",
      "d.text('second');",
    ].join('\n'),
  );
  assert.equal(r.status, 'ok');
  assert.equal(typeof r.executionCount, 'number');
  assert.equal(text(r.outputs, 'stdout'), 'out 1\nout 2\n', 'consecutive stdout writes merge into one stream output');
  assert.equal(text(r.outputs, 'stderr'), 'err 1\n');
  const displays = r.outputs.filter((o) => o.output_type === 'display_data');
  assert.deepEqual(displays.map((d) => (d as { data: Record<string, unknown> }).data), [
    { 'text/html': '<b>bold</b>' },
    { 'text/plain': 'second' }, // the update replaced the first content in place
  ]);
});

test('Does a failing cell leave every later cell running, even one sent at once?', async () => {
  const results = [];
  for (const code of ["console.log('a')", "throw new Error('boom')", "console.log('b')", "const n: number = 'x';", "console.log('c')"]) {
    results.push(await kernel.execute(code));
  }
  assert.deepEqual(results.map((r) => r.status), ['ok', 'error', 'ok', 'error', 'ok']);
  assert.equal(text(results[2].outputs, 'stdout'), 'b\n');
  assert.equal(text(results[4].outputs, 'stdout'), 'c\n');
  assert.deepEqual([results[1].error?.ename, results[1].error?.evalue], ['Error', 'boom']);
  assert.equal(results[3].error?.ename, 'TypeScriptError');
  assert.match(results[3].error!.evalue, /Type 'string' is not assignable to type 'number'/);
  const counts = results.map((r) => r.executionCount!);
  assert.ok(counts.every((c, i) => i === 0 || c > counts[i - 1]), `execution counts increase: ${counts}`);
  // the error output is the last output of the failed cell, in nbformat's shape
  const last = results[1].outputs[results[1].outputs.length - 1];
  assert.deepEqual(last, { output_type: 'error', ename: 'Error', evalue: 'boom', traceback: ['Error: boom'] });
});

test('Issue 12: does a shorthand property reach a variable declared in an earlier cell ({ data })?', async () => {
  const cells = [
    "const data = [1, 2, 3];\nlet count = 1;\nconst recipe = { lr: 0.1 };",
    'console.log(JSON.stringify({ data }));',
    'console.log(JSON.stringify({ ...recipe, data, config: { count } }));',
    'const wrap = () => ({ data, count });\nconsole.log(JSON.stringify(wrap()));',
    '({ count } = { count: 7 });\nconsole.log(count);',
    'const { lr } = recipe;\nconst local = 5;\nconsole.log(JSON.stringify({ lr, local }));',
  ];
  const outs = [];
  for (const code of cells) {
    const r = await kernel.execute(code);
    assert.equal(r.status, 'ok', `${code}: ${JSON.stringify(r.error)}`);
    outs.push(text(r.outputs, 'stdout'));
  }
  assert.deepEqual(outs, ['', '{"data":[1,2,3]}\n', '{"lr":0.1,"data":[1,2,3],"config":{"count":1}}\n', '{"data":[1,2,3],"count":1}\n', '7\n', '{"lr":0.1,"local":5}\n']);
});

test('Is a synchronous busy loop interrupted at the time limit, keeping the kernel?', async () => {
  const r = await kernel.execute('while (true) {}', { timeoutMs: 1500 });
  assert.equal(r.status, 'timeout');
  assert.equal(r.error?.ename, 'CellTimeoutError');
  assert.ok(kernel.alive);
  const next = await kernel.execute("console.log('still here')");
  assert.equal(next.status, 'ok');
  assert.equal(text(next.outputs, 'stdout'), 'still here\n');
});

test('Is a busy loop after an await (immune to SIGINT) stopped by killing the kernel?', async () => {
  const pid = kernel.pid!;
  const file = kernel.connectionFile!;
  const r = await kernel.execute('await Promise.resolve();\nwhile (true) {}', { timeoutMs: 1500 });
  assert.equal(r.status, 'timeout');
  assert.match(r.error!.evalue, /did not respond to an interrupt and was stopped/);
  assert.equal(kernel.alive, false);
  assert.equal(isRunning(pid), false, 'kernel process is gone');
  assert.equal(fs.existsSync(file), false, 'connection file removed');
  await kernel.restart();
  const next = await kernel.execute('console.log(40 + 2)');
  assert.equal(next.status, 'ok');
  assert.equal(text(next.outputs, 'stdout'), '42\n');
});

test('Is an awaited promise that never settles interrupted, keeping the kernel?', async () => {
  const r = await kernel.execute('await new Promise(() => {});', { timeoutMs: 1500 });
  assert.equal(r.status, 'timeout');
  assert.ok(kernel.alive);
  assert.match(r.error!.evalue, /it was interrupted/);
});

test('Is a kernel that exits reported as dead, not as a hang?', async () => {
  const r = await kernel.execute("console.log('bye'); process.exit(3);", { timeoutMs: 60_000 });
  assert.equal(r.status, 'dead');
  assert.equal(r.error?.ename, 'KernelDiedError');
  assert.match(r.error!.evalue, /exit code 3/);
  assert.ok(r.durationMs < 30_000);
  assert.equal(kernel.alive, false);
  await assert.rejects(kernel.execute('1'), /kernel is not running/);
  await kernel.restart();
  assert.equal((await kernel.execute('1')).status, 'ok');
});

test('Issue 12: is a kernel killed mid-cell reported with the signal and its last output, and the run able to go on?', async () => {
  const r = await kernel.execute(
    [
      "console.error('loading the last batch');",
      "require('fs').writeSync(2, 'native: straight to the process stderr\\n');",
      "setTimeout(() => process.kill(process.pid, 'SIGTERM'), 300);",
      'await new Promise((resolve) => setTimeout(resolve, 60_000));',
    ].join('\n'),
    { timeoutMs: 60_000 },
  );
  assert.equal(r.status, 'dead');
  assert.equal(r.error?.ename, 'KernelDiedError');
  assert.match(r.error!.evalue, /^the kernel died while running this cell \(killed by SIGTERM; last output: .*native: straight to the process stderr/);
  assert.ok(r.error!.traceback.includes('  loading the last batch'), `the cell's stderr is in the report: ${JSON.stringify(r.error!.traceback)}`);
  assert.ok(r.error!.traceback.includes('  native: straight to the process stderr'), 'so is what the process wrote to its own stderr');
  assert.ok(r.durationMs < 30_000);
  assert.equal(kernel.alive, false);
  await kernel.restart();
  assert.equal((await kernel.execute('1')).status, 'ok');
});

test('Issue 12: is a kernel that dies just after answering with an error reported as dead, not as a failed cell?', async () => {
  const r = await kernel.execute("setTimeout(() => process.exit(9), 20);\nthrow new Error('the error comes first');", { timeoutMs: 60_000 });
  assert.equal(r.status, 'dead', JSON.stringify(r.error));
  assert.match(r.error!.evalue, /the kernel died while running this cell \(exit code 9/);
  await kernel.restart();
  const ordinary = await kernel.execute("throw new Error('just an error')");
  assert.equal(ordinary.status, 'error', 'a cell that only throws is still an ordinary error');
  assert.ok(kernel.alive);
});

test('Is a kernel that runs out of memory reported as such?', async () => {
  const small = await KernelSession.start({ spec, env: { NODE_OPTIONS: '--max-old-space-size=96' } });
  try {
    const r = await small.execute('const keep: number[][] = [];\nwhile (true) keep.push(new Array(1e6).fill(1));', { timeoutMs: 120_000 });
    assert.equal(r.status, 'dead');
    assert.match(r.error!.evalue, /out of memory/);
  } finally {
    await small.shutdown();
  }
});

test('Does the heartbeat answer, and does shutdown leave nothing behind?', async () => {
  const k = await KernelSession.start({ spec });
  assert.equal(await k.ping(), true);
  const pid = k.pid!;
  const file = k.connectionFile!;
  assert.ok(fs.existsSync(file));
  await k.shutdown();
  assert.equal(isRunning(pid), false);
  assert.equal(fs.existsSync(file), false);
  assert.equal(await k.ping(), false);
});

test('A kernel that cannot start is an error that says so', async () => {
  await assert.rejects(
    KernelSession.start({ spec: { ...spec, argv: [process.execPath, '-e', 'console.error("no such kernel"); process.exit(7)'] } }),
    /kernel exited during start-up \(exit code 7; last output: no such kernel\)/,
  );
});
