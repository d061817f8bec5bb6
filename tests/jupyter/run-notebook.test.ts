import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { runNotebook, summarizeRun } from '../../src/jupyter/run-notebook';
import { tslabKernelSpec } from '../../src/jupyter/kernelspec';
import { readNotebook } from '../../src/jupyter/notebook';
import { isRunning, makeNotebook, nbformatValidate, pythonJupyterMissing, repoRoot, tempDir } from '../helpers/notebooks';

const cli = path.join(repoRoot, 'dist', 'cli.js');
const spec = tslabKernelSpec();

test('runNotebook fills outputs and counts, skips markdown, and keeps going after a failure', async () => {
  const nb = makeNotebook(['#md # Title', "console.log('one')", 'throw new TypeError("bad")', "console.log('three')", '   ']);
  const run = await runNotebook(nb, { spec });
  assert.equal(run.ok, false);
  assert.deepEqual(run.cells.map((c) => [c.index, c.status]), [[1, 'ok'], [2, 'error'], [3, 'ok']]);
  const [md, one, bad, three, empty] = run.notebook.cells;
  assert.equal(md.cell_type, 'markdown');
  assert.ok(one.cell_type === 'code' && three.cell_type === 'code' && bad.cell_type === 'code' && empty.cell_type === 'code');
  assert.deepEqual(one.outputs, [{ output_type: 'stream', name: 'stdout', text: ['one\n'] }]);
  assert.deepEqual(three.outputs, [{ output_type: 'stream', name: 'stdout', text: ['three\n'] }]);
  assert.deepEqual(bad.outputs.at(-1), { output_type: 'error', ename: 'TypeError', evalue: 'bad', traceback: ['TypeError: bad'] });
  assert.equal(empty.execution_count, null);
  assert.ok(one.execution_count! < three.execution_count!);
  assert.match(summarizeRun('x.ipynb', run), /^✖ x\.ipynb: 3 code cells, 2 ok, 1 failed \(cell 3\)/);
  // the input notebook is not modified
  assert.deepEqual((nb.cells[1] as { outputs: unknown[] }).outputs, []);
});

test("onKernelLoss 'stop' marks the cells after a kernel death as not run; 'restart' goes on", async () => {
  const nb = makeNotebook(['process.exit(1)', "console.log('after')"]);
  const stopped = await runNotebook(nb, { spec });
  assert.deepEqual(stopped.cells.map((c) => c.status), ['dead', 'not-run']);
  assert.match(summarizeRun('n', stopped), /1 killed the kernel \(cell 1\), 1 not run \(cell 2\)/);
  const restarted = await runNotebook(nb, { spec, onKernelLoss: 'restart' });
  assert.deepEqual(restarted.cells.map((c) => c.status), ['dead', 'ok']);
});

test('selfsup run: summary line, exit status, --env, --out; the written notebook is valid nbformat', { skip: pythonJupyterMissing() }, (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const input = path.join(tmp.dir, 'lesson.ipynb');
  fs.writeFileSync(input, JSON.stringify(makeNotebook(['console.log(process.env.SELFSUP_QUICK, process.cwd())', 'undefinedName + 1', 'console.log("end")'])));
  const out = path.join(tmp.dir, 'out');
  const r = spawnSync(process.execPath, [cli, 'run', input, '--out', out, '--env', 'SELFSUP_QUICK=1', '--timeout', '60'], { encoding: 'utf8' });
  assert.equal(r.status, 1, 'a failed cell makes the exit status non-zero');
  assert.match(r.stdout, /✖ .*lesson\.ipynb: 3 code cells, 2 ok, 1 failed \(cell 2\)/);
  assert.match(r.stderr, /cell 2 \(undefinedName \+ 1\): error: TypeScriptError: .*Cannot find name 'undefinedName'/);
  const written = path.join(out, 'lesson.ipynb');
  assert.equal(nbformatValidate(written), '');
  const nb = readNotebook(written);
  const first = nb.cells[0];
  assert.ok(first.cell_type === 'code');
  assert.deepEqual(first.outputs, [{ output_type: 'stream', name: 'stdout', text: [`1 ${fs.realpathSync(tmp.dir)}\n`] }]);
  // a clean notebook exits 0
  fs.writeFileSync(input, JSON.stringify(makeNotebook(['console.log(1)'])));
  const ok = spawnSync(process.execPath, [cli, 'run', input], { encoding: 'utf8' });
  assert.equal(ok.status, 0, ok.stderr);
  assert.match(ok.stdout, /✔ .*lesson\.ipynb: 1 code cells, all ok/);
});

test('selfsup run rejects bad input with a clear message', (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const broken = path.join(tmp.dir, 'broken.ipynb');
  fs.writeFileSync(broken, '{"cells": [');
  const r = spawnSync(process.execPath, [cli, 'run', broken], { encoding: 'utf8' });
  assert.equal(r.status, 1);
  assert.match(r.stderr, /broken\.ipynb: not valid JSON/);
  const env = spawnSync(process.execPath, [cli, 'run', broken, '--env', 'NOEQUALS'], { encoding: 'utf8' });
  assert.equal(env.status, 2);
  assert.match(env.stderr, /--env expects KEY=VALUE, got "NOEQUALS"/);
});

test('Ctrl-C on selfsup run kills the kernel and removes its files', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const pidFile = path.join(tmp.dir, 'kernel.pid');
  const input = path.join(tmp.dir, 'hang.ipynb');
  fs.writeFileSync(
    input,
    JSON.stringify(makeNotebook([`require('fs').writeFileSync(${JSON.stringify(pidFile)}, String(process.pid))`, 'await new Promise(() => {})'])),
  );
  const child = spawn(process.execPath, [cli, 'run', input], { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  for (let i = 0; i < 300 && !fs.existsSync(pidFile); i++) await new Promise((r) => setTimeout(r, 100));
  const kernelPid = Number(fs.readFileSync(pidFile, 'utf8'));
  assert.ok(isRunning(kernelPid));
  const cmdline = fs.readFileSync(`/proc/${kernelPid}/cmdline`, 'utf8').split('\0');
  const connectionFile = cmdline[cmdline.indexOf('--config-path') + 1];
  assert.ok(fs.existsSync(connectionFile));
  child.kill('SIGINT');
  assert.equal(await exited, 130);
  for (let i = 0; i < 50 && isRunning(kernelPid); i++) await new Promise((r) => setTimeout(r, 100));
  assert.equal(isRunning(kernelPid), false, 'no orphan kernel');
  assert.equal(fs.existsSync(connectionFile), false, 'connection file removed');
});
