import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { release } from '../../src/grader/release';
import { cellChecksum, pyFloatStr } from '../../src/grader/checksum';
import { checkNoHiddenTests } from '../../src/grader/release/check-no-hidden-tests';
import type { ReleaseContext } from '../../src/grader/release/context';
import { loadSource } from '../../src/grader/load-source';
import { nbgraderOf, roleOf } from '../../src/grader/nbgrader-metadata';
import { readNotebook, type Cell } from '../../src/jupyter/notebook';
import { nbgraderV3Validator } from '../helpers/nbgrader-v3';
import { repoRoot, tempDir } from '../helpers/notebooks';

// Issue 15 (interoperability): released notebooks carry nbgrader's own checksums and pass
// nbgrader's v3 cell metadata schema (tests/grader/fixtures/nbgrader/, see its README).
const fixtures = path.join(repoRoot, 'tests', 'grader', 'fixtures');
const nbgrader = path.join(fixtures, 'nbgrader');

test("Is a cell's checksum the one nbgrader's own compute_checksum gives?", () => {
  const cells = JSON.parse(fs.readFileSync(path.join(nbgrader, 'cells.json'), 'utf8')) as Cell[];
  const expected = fs.readFileSync(path.join(nbgrader, 'checksums.txt'), 'utf8').trim().split('\n').map((l) => l.split(' '));
  assert.equal(cells.length, expected.length);
  cells.forEach((cell, i) => {
    const [id, sum] = expected[i];
    assert.equal(cellChecksum(cell), sum, id);
    assert.match(sum, /^[0-9a-f]{32}$/);
  });
});

test("Are points written as Python's str(float(x)) writes them?", () => {
  const cases: Array<[number, string]> = [
    [2, '2.0'], [0.5, '0.5'], [100, '100.0'], [0.1, '0.1'], [123.456, '123.456'], [0.0001, '0.0001'], [1e-5, '1e-05'],
    [1e-7, '1e-07'], [1e16, '1e+16'], [1.5e16, '1.5e+16'], [9999999999999998, '9999999999999998.0'], [0, '0.0'],
  ];
  for (const [x, py] of cases) assert.equal(pyFloatStr(x), py, String(x));
});

test("Do released notebooks pass nbgrader's v3 schema, with nbgrader checksums on every graded cell?", async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const out = path.join(tmp.dir, 'release');
  const result = await release({ source: path.join(fixtures, 'source'), out, verify: false });
  assert.deepEqual(result.errors, []);
  const validate = nbgraderV3Validator();
  const nb = readNotebook(path.join(out, 'notebooks', 'assignment.ipynb'));
  let graded = 0;
  for (const cell of nb.cells) {
    const meta = nbgraderOf(cell);
    if (!meta) continue;
    assert.ok(validate(meta), `${meta.grade_id}: ${JSON.stringify(validate.errors)}`);
    if (roleOf(cell) === 'plain') continue;
    graded++;
    assert.equal(meta.checksum, cellChecksum(cell), meta.grade_id);
    assert.equal(meta.cell_type, cell.cell_type);
  }
  assert.equal(graded, 8, 'two locked, three solution and three test cells');
  // the old sha256 checksums (64 characters) are what nbgrader's schema refused
  assert.equal(validate({ ...nbgraderOf(nb.cells[1]), checksum: 'f'.repeat(64) }), false);
});

test('Is a hidden-test line that repeats a visible line allowed in a release?', async (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const out = path.join(tmp.dir, 'release');
  const result = await release({ source: path.join(fixtures, 'release-sources', 'hidden-line-also-visible'), out, verify: false });
  assert.deepEqual(result.errors, []);
  assert.equal(result.ok, true);
});

test('Does the leak check still refuse a hidden-test line that only the instructor has?', (t) => {
  const tmp = tempDir();
  t.after(tmp.remove);
  const sources = loadSource(path.join(fixtures, 'source'));
  fs.writeFileSync(path.join(tmp.dir, 'notes.md'), "await check('mean of one number is that number', 1, () => expectClose(mean([7.25]), 7.25));\n");
  const ctx: ReleaseContext = { options: { source: '', out: '' }, sources, student: new Map(), staging: tmp.dir, errors: [], log: () => undefined };
  checkNoHiddenTests(ctx);
  assert.deepEqual(ctx.errors, ['release: notes.md contains hidden test code ("await check(\'mean of one number is that number\', 1, () => ex")']);
});
