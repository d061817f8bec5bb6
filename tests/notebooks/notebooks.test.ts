import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { runNotebook } from '../../src/jupyter/run-notebook';
import { findKernelSpec, kernelSearchPath } from '../../src/jupyter/kernelspec';
import { readNotebook, writeNotebook, type Output } from '../../src/jupyter/notebook';
import { makeNotebook, nbformatValidate, pythonJupyterMissing, repoRoot, tempDir } from '../helpers/notebooks';

const notebooksDir = path.join(repoRoot, 'notebooks');

function listNotebooks(dir = notebooksDir): string[] {
  const found: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === '.ipynb_checkpoints') continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) found.push(...listNotebooks(full));
    else if (entry.name.endsWith('.ipynb')) found.push(full);
  }
  return found.sort();
}

const notebooks = listNotebooks();
const installedSpec = () => findKernelSpec('tslab', kernelSearchPath(process.env, repoRoot)).spec;

function allText(outputs: Output[]): string {
  return outputs.map((o) => JSON.stringify(o)).join('\n');
}

test('the course has its getting-started notebook', () => {
  assert.ok(notebooks.some((f) => f.endsWith(path.join('notebooks', '10.0-getting-started.ipynb'))));
});

for (const file of notebooks) {
  const name = path.relative(repoRoot, file);

  test(`${name} is committed without outputs and declares the tslab kernel`, () => {
    const nb = readNotebook(file);
    assert.equal(nb.nbformat, 4);
    assert.deepEqual(
      { name: nb.metadata.kernelspec?.name, language: nb.metadata.kernelspec?.language },
      { name: 'tslab', language: 'typescript' },
    );
    for (const [i, cell] of nb.cells.entries()) {
      if (cell.cell_type !== 'code') continue;
      assert.deepEqual(cell.outputs, [], `cell ${i + 1} has outputs: clear them before committing`);
      assert.equal(cell.execution_count, null, `cell ${i + 1} has an execution count: clear outputs before committing`);
    }
  });

  test(`${name} runs in quick mode with every cell ok and no tfjs noise`, async () => {
    const nb = readNotebook(file);
    const run = await runNotebook(nb, {
      spec: installedSpec(),
      cwd: path.dirname(file),
      env: { SELFSUP_QUICK: '1' },
      timeoutMs: 10 * 60_000,
    });
    const failures = run.cells
      .filter((c) => c.status !== 'ok')
      .map((c) => `cell ${c.index + 1}: ${c.status} ${c.result?.error ? `${c.result.error.ename}: ${c.result.error.evalue}` : ''}`);
    assert.deepEqual(failures, []);
    const outputs = run.notebook.cells.flatMap((c) => (c.cell_type === 'code' ? c.outputs : []));
    assert.doesNotMatch(allText(outputs), /Hi, looks like you are running TensorFlow\.js|Platform \w+ has already been set/);
    const stderr = outputs.filter((o) => o.output_type === 'stream' && o.name === 'stderr');
    assert.deepEqual(stderr, [], 'nothing is written to stderr');
  });
}

test('a notebook two folders down imports selfsup by package name through the installed kernelspec', async (t) => {
  const dir = path.join(repoRoot, 'build', 'smoke', 'deeper', 'still');
  fs.mkdirSync(dir, { recursive: true });
  t.after(() => fs.rmSync(path.join(repoRoot, 'build', 'smoke'), { recursive: true, force: true }));
  const nb = makeNotebook([
    "import { useBackend, createRng } from 'selfsup';\nconst report = await useBackend('cpu');",
    "import * as tf from '@tensorflow/tfjs';\nconsole.log(tf.getBackend(), tf.tensor1d([1, 2, 3]).sum().dataSync()[0], createRng(1).int(1000) === createRng(1).int(1000));",
  ]);
  const run = await runNotebook(nb, { spec: installedSpec(), cwd: dir });
  assert.deepEqual(run.cells.map((c) => c.status), ['ok', 'ok'], JSON.stringify(run.cells.map((c) => c.result?.error)));
  const text = allText(run.notebook.cells.flatMap((c) => (c.cell_type === 'code' ? c.outputs : [])));
  assert.match(text, /selfsup backend: cpu/);
  assert.match(text, /cpu 6 true/);
  assert.doesNotMatch(text, /Hi, looks like you are running TensorFlow\.js/);
});

test('notebooks written by the runner validate against the official nbformat schema', { skip: pythonJupyterMissing(['nbformat']) }, async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const file = path.join(notebooksDir, '10.0-getting-started.ipynb');
  const run = await runNotebook(readNotebook(file), { spec: installedSpec(), cwd: notebooksDir, env: { SELFSUP_QUICK: '1' } });
  const out = path.join(tmp.dir, 'executed.ipynb');
  writeNotebook(out, run.notebook);
  assert.equal(nbformatValidate(out), '');
  const kinds = new Set(run.notebook.cells.flatMap((c) => (c.cell_type === 'code' ? c.outputs.map((o) => o.output_type) : [])));
  assert.ok(kinds.has('stream') && kinds.has('display_data'));
});

test('Jupyter nbconvert executes 10.0-getting-started with the installed kernelspec', { skip: pythonJupyterMissing(['nbformat', 'nbclient', 'nbconvert']) }, (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const r = spawnSync(
    '/usr/bin/python3',
    ['-m', 'nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.timeout=600',
      '--output-dir', tmp.dir, path.join(notebooksDir, '10.0-getting-started.ipynb')],
    {
      cwd: notebooksDir,
      encoding: 'utf8',
      env: { ...process.env, SELFSUP_QUICK: '1', JUPYTER_PATH: path.join(repoRoot, '.jupyter') },
    },
  );
  assert.equal(r.status, 0, r.stderr);
  const executed = readNotebook(path.join(tmp.dir, '10.0-getting-started.ipynb'));
  assert.equal(executed.metadata.kernelspec.name, 'tslab');
  const code = executed.cells.filter((c) => c.cell_type === 'code');
  // tslab publishes no execute_input, so nbclient leaves execution_count empty; outputs prove the cells ran
  assert.ok(code.filter((c) => c.cell_type === 'code' && c.outputs.length > 0).length >= 5, 'the cells that print or plot produced output');
  assert.match(allText(code.flatMap((c) => (c.cell_type === 'code' ? c.outputs : []))), /✔ it matches the worked example \(1\/1\)/);
  const text = allText(code.flatMap((c) => (c.cell_type === 'code' ? c.outputs : [])));
  assert.match(text, /selfsup backend: /);
  assert.match(text, /image\/svg\+xml/);
});
