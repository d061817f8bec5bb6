import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { repoRoot } from '../helpers/notebooks';

test('the grader never loads tfjs', () => {
  const code = `require(${JSON.stringify(path.join(repoRoot, 'dist', 'grader', 'index.js'))});
    const loaded = Object.keys(require.cache).filter((k) => k.includes('@tensorflow'));
    console.log(JSON.stringify(loaded));`;
  const r = spawnSync(process.execPath, ['-e', code], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(JSON.parse(r.stdout), []);
});
