import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { release } from '../../src/grader/release';
import { tslabKernelSpec } from '../../src/jupyter/kernelspec';
import { repoRoot, tempDir } from '../helpers/notebooks';

const bad = path.join(repoRoot, 'tests', 'grader', 'fixtures', 'bad-sources');
const cases: Array<[string, string]> = [
  ['unbalanced-markers', 'assignment.ipynb, cell add: line 2: // BEGIN SOLUTION is never closed'],
  ['nested-markers', 'assignment.ipynb, cell mean-tests: line 2: // BEGIN HIDDEN TESTS inside the region opened on line 1; markers cannot be nested'],
  ['marker-outside-solution', 'assignment.ipynb, cell data: solution markers (line 1) outside a solution cell'],
  ['duplicate-grade-id', 'assignment.ipynb, cell add: duplicate grade_id "add" (also cell 5); grade_ids must be unique in a notebook'],
  ['stub-type-error', "assignment.ipynb, cell add-tests: the stub of solution cell add makes this cell a type error (2:56 - Cannot find name 'add'.)"],
  ['solution-fails-tests', 'assignment.ipynb, cell mean-tests: the solution does not pass its own tests (mean of DATA: fail'],
  ['stub-passes-tests', 'assignment.ipynb, cell greet-tests: the unanswered exercise (the stub) passes these tests; they do not test the exercise'],
];

for (const [name, message] of cases) {
  test(`Is a release with ${name.replace(/-/g, ' ')} refused, naming the notebook and cell, writing nothing?`, async (t) => {
    const tmp = tempDir();
    t.after(tmp.remove);
    const out = path.join(tmp.dir, 'release');
    const result = await release({ source: path.join(bad, name), out, kernel: { spec: tslabKernelSpec() }, timeoutMs: 20_000 });
    assert.equal(result.ok, false);
    assert.ok(result.errors.some((e) => e.startsWith(message)), `expected "${message}…" in:\n${result.errors.join('\n')}`);
    assert.equal(fs.existsSync(out), false, 'nothing written');
    assert.deepEqual(fs.readdirSync(tmp.dir), [], 'no staging folder left behind');
  });
}
