import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chooseSandbox, prepareSandbox } from '../../src/grader/sandbox';
import { tslabKernelSpec } from '../../src/jupyter/kernelspec';
import { repoRoot } from '../helpers/notebooks';

const spec = tslabKernelSpec(repoRoot);

test('Does auto choose bubblewrap where it works, else Node permissions, and say why?', () => {
  assert.deepEqual(chooseSandbox('auto', () => null).kind, 'bubblewrap');
  const fallback = chooseSandbox('auto', () => 'bwrap failed: No permissions to create new namespace');
  assert.equal(fallback.kind, 'node-permission');
  assert.match(fallback.note, /bubblewrap is not available \(bwrap failed: No permissions to create new namespace\)/);
  assert.equal(chooseSandbox('none', () => null).kind, 'none');
});

test('Is asking for an unavailable or unknown sandbox refused with what to do?', () => {
  assert.throws(() => chooseSandbox('bubblewrap', () => 'bwrap is not installed'), /The bubblewrap sandbox is not available here \(bwrap is not installed\)\. Install it \(apt-get install bubblewrap\) or choose --sandbox node-permission\./);
  assert.throws(() => chooseSandbox('docker' as never), /Unknown sandbox "docker": expected one of auto, bubblewrap, node-permission, none/);
});

test("Does the bubblewrap sandbox show the kernel only the library (read-only) and its own folder, with none of the grader's environment?", () => {
  process.env.SELFSUP_TEST_GRADER_SECRET = 'do-not-pass';
  const box = prepareSandbox('bubblewrap', spec, repoRoot, { SELFSUP_QUICK: '1' });
  try {
    const argv = box.spec.argv;
    assert.equal(argv[0], 'bwrap');
    for (const flag of ['--die-with-parent', '--unshare-pid', '--unshare-user', '--clearenv', '--new-session']) assert.ok(argv.includes(flag), flag);
    const binds = (kind: string) => argv.flatMap((a, i) => (a === kind ? [argv[i + 1]] : []));
    for (const p of ['dist', 'testing', 'node_modules', 'package.json']) assert.ok(binds('--ro-bind').includes(path.join(repoRoot, p)), p);
    assert.deepEqual(binds('--bind'), [box.cwd], 'the only writable folder is its own');
    for (const p of [...binds('--ro-bind'), ...binds('--bind')]) {
      assert.ok(p !== repoRoot && !p.startsWith(path.join(repoRoot, 'notebooks')) && !p.startsWith(path.join(repoRoot, 'tests')), `binds ${p}`);
    }
    const setenv = Object.fromEntries(argv.flatMap((a, i) => (a === '--setenv' ? [[argv[i + 1], argv[i + 2]]] : [])));
    assert.equal(setenv.SELFSUP_QUICK, '1');
    assert.equal(setenv.TMPDIR, path.join(box.cwd, 'tmp'));
    assert.equal(setenv.SELFSUP_TEST_GRADER_SECRET, undefined);
    assert.deepEqual(argv.slice(argv.indexOf('--') + 1), spec.argv);
    assert.equal(fs.readlinkSync(path.join(box.cwd, 'node_modules')), path.join(repoRoot, 'node_modules'));
  } finally {
    delete process.env.SELFSUP_TEST_GRADER_SECRET;
    box.dispose();
  }
  assert.equal(fs.existsSync(box.cwd), false, 'dispose removes the folder');
});

test("Does the Node-permission sandbox let the kernel read only the library and write only its folder, with no child processes?", () => {
  process.env.SELFSUP_TEST_GRADER_SECRET = 'do-not-pass';
  const box = prepareSandbox('node-permission', spec, repoRoot);
  try {
    const argv = box.spec.argv;
    assert.equal(argv[0], spec.argv[0]);
    assert.ok(argv.includes('--experimental-permission'));
    assert.ok(!argv.includes('--allow-child-process'));
    const reads = argv.filter((a) => a.startsWith('--allow-fs-read=')).map((a) => a.slice('--allow-fs-read='.length));
    const writes = argv.filter((a) => a.startsWith('--allow-fs-write=')).map((a) => a.slice('--allow-fs-write='.length));
    assert.deepEqual(writes, [`${box.cwd}/`]);
    for (const p of reads) assert.ok(p.replace(/\/$/, '') !== repoRoot && !p.startsWith(path.join(repoRoot, 'notebooks')), `reads ${p}`);
    assert.ok(reads.includes(`${path.join(repoRoot, 'dist')}/`));
    assert.equal(box.env.SELFSUP_TEST_GRADER_SECRET, undefined);
    assert.ok('SELFSUP_TEST_GRADER_SECRET' in box.env, 'listed as undefined, so the kernel does not inherit it');
  } finally {
    delete process.env.SELFSUP_TEST_GRADER_SECRET;
    box.dispose();
  }
  assert.throws(() => prepareSandbox('node-permission', { ...spec, argv: ['tslab', 'kernel'] }, repoRoot), /Cannot apply Node's permission model: the kernelspec starts "tslab", not node/);
});
