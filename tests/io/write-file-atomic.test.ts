import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeFileAtomicSync } from '../../src/io/write-file-atomic';

const scratch = () => fs.mkdtempSync(path.join(os.tmpdir(), 'selfsup-atomic-'));

test('Does writeFileAtomicSync create the folder, replace the old content and leave no temporary file?', () => {
  const dir = scratch();
  const file = path.join(dir, 'a', 'b', 'report.json');
  writeFileAtomicSync(file, 'old');
  writeFileAtomicSync(file, Buffer.from('new'), { fsync: true });
  assert.equal(fs.readFileSync(file, 'utf8'), 'new');
  assert.deepEqual(fs.readdirSync(path.dirname(file)), ['report.json']);
});

test('Does a failed rename keep the old content and remove the temporary file?', () => {
  const dir = scratch();
  const target = path.join(dir, 'taken');
  fs.mkdirSync(target);
  fs.writeFileSync(path.join(target, 'inside'), 'keep');
  // Renaming a file over a non-empty folder fails: the write must fail cleanly.
  assert.throws(() => writeFileAtomicSync(target, 'new content'), /EISDIR|ENOTEMPTY|EEXIST|EPERM/);
  assert.deepEqual(fs.readdirSync(dir), ['taken']);
  assert.equal(fs.readFileSync(path.join(target, 'inside'), 'utf8'), 'keep');
});

test('Does it refuse to create a missing folder when told not to?', () => {
  const dir = scratch();
  assert.throws(() => writeFileAtomicSync(path.join(dir, 'missing', 'f'), 'x', { mkdir: false }), /ENOENT/);
  assert.deepEqual(fs.readdirSync(dir), []);
});
