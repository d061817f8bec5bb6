import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { startLab } from '../../src/jupyter/lab';

function fakeDeps(installed: string[]) {
  const calls: Array<{ command: string; args: string[]; env: NodeJS.ProcessEnv }> = [];
  const lines: string[] = [];
  return {
    calls,
    lines,
    deps: {
      has: (c: string) => installed.includes(c),
      run: async (command: string, args: string[], env: NodeJS.ProcessEnv) => {
        calls.push({ command, args, env });
        return 0;
      },
      log: (l: string) => lines.push(l),
      env: { JUPYTER_PATH: '/elsewhere' } as NodeJS.ProcessEnv,
    },
  };
}

test('lab prefers JupyterLab and makes the project kernelspec visible', async () => {
  const f = fakeDeps(['jupyter-lab', 'jupyter-notebook']);
  assert.equal(await startLab(['--no-browser'], f.deps, '/repo'), 0);
  assert.equal(f.calls[0].command, 'jupyter-lab');
  assert.deepEqual(f.calls[0].args, ['--notebook-dir=/repo/notebooks', '--no-browser']);
  assert.equal(f.calls[0].env.JUPYTER_PATH, `/repo/.jupyter${path.delimiter}/elsewhere`);
});

test('lab falls back to the classic Notebook', async () => {
  const f = fakeDeps(['jupyter-notebook']);
  assert.equal(await startLab([], f.deps, '/repo'), 0);
  assert.equal(f.calls[0].command, 'jupyter-notebook');
  assert.match(f.lines[0], /JupyterLab not found/);
});

test('without any Jupyter, lab exits non-zero and says how to get it', async () => {
  const f = fakeDeps([]);
  assert.equal(await startLab([], f.deps, '/repo'), 1);
  assert.equal(f.calls.length, 0);
  assert.match(f.lines.join('\n'), /pip install jupyterlab/);
  assert.match(f.lines.join('\n'), /apt-get install jupyter-notebook/);
});
