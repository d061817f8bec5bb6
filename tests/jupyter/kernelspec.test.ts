import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { findKernelSpec, kernelSearchPath, userJupyterDir } from '../../src/jupyter/kernelspec';
import { repoRoot, tempDir } from '../helpers/notebooks';

test('kernel install --prefix writes a tslab kernelspec with absolute paths', (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const r = spawnSync(process.execPath, [path.join(repoRoot, 'dist', 'cli.js'), 'kernel', 'install', '--prefix', tmp.dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const file = path.join(tmp.dir, 'share', 'jupyter', 'kernels', 'tslab', 'kernel.json');
  const spec = JSON.parse(fs.readFileSync(file, 'utf8'));
  assert.equal(spec.language, 'typescript');
  assert.ok(path.isAbsolute(spec.argv[0]) && fs.existsSync(spec.argv[0]), 'node path is absolute and exists');
  assert.ok(fs.existsSync(spec.argv[1]) && spec.argv[1].endsWith(path.join('tslab', 'bin', 'tslab')));
  assert.deepEqual(spec.argv.slice(2), ['kernel', '--config-path', '{connection_file}']);
  // and the lookup finds it there
  const found = findKernelSpec('tslab', [path.join(tmp.dir, 'share', 'jupyter')]);
  assert.deepEqual(found.spec, spec);
});

test('npm install registered the kernel in the project, not in the user folder', () => {
  const local = path.join(repoRoot, '.jupyter', 'kernels', 'tslab', 'kernel.json');
  assert.ok(fs.existsSync(local), `${local} exists (made by npm install → selfsup setup)`);
  assert.equal(fs.realpathSync(path.join(repoRoot, 'node_modules', 'selfsup')), fs.realpathSync(repoRoot));
});

test('a missing kernelspec says where it looked and how to install it', () => {
  assert.throws(() => findKernelSpec('tslab', ['/nonexistent/a', '/nonexistent/b']), {
    message: /No Jupyter kernelspec named 'tslab' in \/nonexistent\/a, \/nonexistent\/b\. Run npm install \(or npm run kernel:install\)/,
  });
});

test('search path: project first, then JUPYTER_PATH, then the user folder', () => {
  const dirs = kernelSearchPath({ JUPYTER_PATH: `/a${path.delimiter}/b`, XDG_DATA_HOME: '/x' }, '/repo');
  assert.deepEqual(dirs.slice(0, 4), ['/repo/.jupyter', '/a', '/b', '/x/jupyter']);
  assert.equal(userJupyterDir({ JUPYTER_DATA_DIR: '/d' }), '/d');
});
