import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { findPackageRoot, packageRoot } from '../../src/backend/package-root';
import { defaultDataDir } from '../../src/data/data-dir';
import { courseCheckpointDir } from '../../src/train/pretrained';
import { packageRoot as kernelPackageRoot } from '../../src/jupyter/kernelspec';
import { repoRoot, tempDir } from '../helpers/notebooks';

test('the package root is the nearest folder above with a package.json named selfsup, skipping others and unreadable ones', (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const course = path.join(tmp.dir, 'course');
  const deep = path.join(course, 'node_modules', 'dep', 'lib', 'x');
  fs.mkdirSync(deep, { recursive: true });
  fs.writeFileSync(path.join(course, 'package.json'), JSON.stringify({ name: 'selfsup' }));
  fs.writeFileSync(path.join(course, 'node_modules', 'dep', 'package.json'), JSON.stringify({ name: 'dep' }));
  fs.writeFileSync(path.join(course, 'node_modules', 'dep', 'lib', 'package.json'), '{ not json');
  assert.equal(findPackageRoot(deep), course);
  assert.equal(findPackageRoot(tmp.dir), null);
  assert.throws(() => packageRoot('pretrained', tmp.dir), { message: `Error in pretrained: cannot find the selfsup package.json above ${tmp.dir}` });
});

test('data, checkpoints and the kernelspec agree on this checkout\'s root', () => {
  assert.equal(packageRoot(), repoRoot);
  assert.equal(kernelPackageRoot(), repoRoot);
  assert.equal(defaultDataDir({}), path.join(repoRoot, 'data'));
  assert.equal(courseCheckpointDir('simclr'), path.join(repoRoot, 'checkpoints', 'simclr'));
});
