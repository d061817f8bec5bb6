import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { assembleSubmission } from '../../src/grader/assemble-submission';
import { readNotebook, sourceText, type Notebook } from '../../src/jupyter/notebook';
import { gradeIdOf } from '../../src/grader/nbgrader-metadata';
import { repoRoot } from '../helpers/notebooks';

const fixtures = path.join(repoRoot, 'tests', 'grader', 'fixtures');
const source = readNotebook(path.join(fixtures, 'source', 'assignment.ipynb'));
const submission = (name: string) => readNotebook(path.join(fixtures, 'submissions', `${name}.ipynb`));
const ids = (nb: Notebook) => nb.cells.map((c) => gradeIdOf(c) ?? (c.cell_type === 'code' ? '(code)' : '(md)'));
const cellText = (nb: Notebook, id: string) => sourceText(nb.cells.find((c) => gradeIdOf(c) === id)!.source);

test('Is an untouched release assembled silently, with hidden tests restored?', () => {
  const { notebook, messages } = assembleSubmission(source, submission('untouched'), 'assignment.ipynb');
  assert.deepEqual(messages, []);
  assert.deepEqual(ids(notebook), ids(source));
  assert.match(cellText(notebook, 'mean-tests'), /mean of one number is that number/);
  assert.doesNotMatch(cellText(notebook, 'mean-tests'), /HIDDEN TESTS/);
  assert.match(cellText(notebook, 'add'), /throw new Error\("Not implemented"\)/);
});

test("Is a learner's solution kept and an edited test cell restored?", () => {
  const { notebook, messages } = assembleSubmission(source, submission('edited-test-cell'), 'assignment.ipynb');
  assert.deepEqual(messages, ["assignment.ipynb: test cell add-tests was changed; the instructor's version is used"]);
  assert.match(cellText(notebook, 'add'), /return 0;/);
  assert.match(cellText(notebook, 'add-tests'), /expectClose\(add\(2, 3\), 5\)/);
});

test('Are deleted, reordered, duplicated and missing cells reported and put right?', () => {
  const cases: Array<[string, RegExp]> = [
    ['deleted-test-cell', /test cell add-tests was deleted/],
    ['reordered-cells', /graded cells were reordered/],
    ['duplicated-test-cell', /cell mean-tests appears 2 times; the first copy is used/],
    ['missing-solution-cell', /solution cell mean is missing; graded as not answered/],
  ];
  for (const [name, expected] of cases) {
    const { notebook, messages } = assembleSubmission(source, submission(name), 'assignment.ipynb');
    assert.match(messages.join('\n'), expected, name);
    assert.deepEqual(ids(notebook), ids(source), `${name}: the instructor's cell order`);
  }
});

test("Do a learner's own code cells stay where they were?", () => {
  const { notebook, messages } = assembleSubmission(source, submission('extra-cells'), 'assignment.ipynb');
  assert.deepEqual(messages, []);
  const order = ids(notebook);
  const extra = notebook.cells.findIndex((c) => sourceText(c.source).includes('function plus'));
  // it stood just before the add solution, after the locked data cell: it stays between them
  assert.equal(order[extra - 1], 'data');
  assert.ok(extra < order.indexOf('add'));
});
