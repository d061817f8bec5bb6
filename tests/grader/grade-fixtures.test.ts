import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { GradeReport } from '../../src/grader/types';
import { GradedBatch } from '../helpers/graded-batch';
import { readNotebook, sourceText } from '../../src/jupyter/notebook';
import { nbformatValidate, pythonJupyterMissing, repoRoot } from '../helpers/notebooks';

// One batch grades every fixture (two kernels at once); each test below reads its row.
const fixtures = path.join(repoRoot, 'tests', 'grader', 'fixtures');
const submissionsDir = path.join(fixtures, 'submissions');
const batch = new GradedBatch('selfsup-grades-', () => ({
  source: path.join(fixtures, 'source'),
  submissions: fs.readdirSync(submissionsDir).sort().map((f) => path.join(submissionsDir, f)),
  // generous enough for a loaded 2-core machine; the hanging fixtures still end quickly
  timeoutMs: 20_000,
  maxMemoryMb: 512,
}));
before(batch.run);
const { row, points } = batch;
const statuses = (id: string, gradeId: string) => row(id).exercises.find((e) => e.gradeId === gradeId)!.checks.map((c) => c.status);

test('Does every submission get a row, in the order given?', () => {
  const expected = fs.readdirSync(submissionsDir).sort().map((f) => f.replace(/\.ipynb$/, ''));
  assert.deepEqual(batch.report.submissions.map((s) => s.id), expected);
  assert.equal(batch.report.maxScore, 5);
  for (const s of batch.report.submissions) assert.equal(s.maxScore, 5, s.id);
});

test('Does a correct submission get full marks, and the untouched release zero?', () => {
  assert.deepEqual(points('correct'), { 'add-tests': 2, 'mean-tests': 2, 'greet-tests': 1 });
  assert.deepEqual(row('correct').messages, []);
  assert.deepEqual(points('untouched'), { 'add-tests': 0, 'mean-tests': 0, 'greet-tests': 0 });
  assert.deepEqual(statuses('untouched', 'add-tests'), ['error', 'error']);
});

test('Is partial credit given per check, hidden tests included?', () => {
  assert.deepEqual(points('partly-right'), { 'add-tests': 2, 'mean-tests': 1, 'greet-tests': 0 });
  assert.deepEqual(statuses('partly-right', 'mean-tests'), ['pass', 'fail']);
  assert.equal(row('partly-right').score, 3);
});

test('Do unreadable files (malformed JSON, not a notebook, nbformat 3) get a row with a clear message?', () => {
  const cases: Array<[string, RegExp]> = [
    ['malformed-json', /not valid JSON/],
    ['not-a-notebook', /no nbformat field; only nbformat 4 is supported/],
    ['nbformat3', /nbformat 3; only nbformat 4 is supported \(open and save it in Jupyter to upgrade\)/],
  ];
  for (const [id, message] of cases) {
    assert.equal(row(id).status, 'error', id);
    assert.equal(row(id).score, 0, id);
    assert.match(row(id).messages.join('\n'), message, id);
    assert.deepEqual(statuses(id, 'add-tests'), ['not-run', 'not-run'], id);
  }
});

test('Is an empty notebook graded as unanswered, with every missing cell named?', () => {
  assert.equal(row('empty').status, 'graded');
  assert.equal(row('empty').score, 0);
  assert.match(row('empty').messages.join('\n'), /solution cell add is missing/);
  assert.match(row('empty').messages.join('\n'), /test cell greet-tests was deleted/);
});

test('Is a deleted test cell restored and graded?', () => {
  assert.equal(row('deleted-test-cell').score, 5);
  assert.match(row('deleted-test-cell').messages.join('\n'), /test cell add-tests was deleted; the instructor's version is used/);
});

test('Does editing a test cell to pass everything earn nothing?', () => {
  assert.equal(points('edited-test-cell')['add-tests'], 0);
  assert.deepEqual(statuses('edited-test-cell', 'add-tests'), ['fail', 'fail']);
  assert.match(row('edited-test-cell').messages.join('\n'), /test cell add-tests was changed/);
});

test('Are reordered and duplicated cells put back in order and graded once?', () => {
  assert.equal(row('reordered-cells').score, 5);
  assert.match(row('reordered-cells').messages.join('\n'), /reordered/);
  assert.equal(row('duplicated-test-cell').score, 5);
  assert.match(row('duplicated-test-cell').messages.join('\n'), /appears 2 times/);
});

test('Does a missing solution cell cost only its exercise?', () => {
  assert.deepEqual(points('missing-solution-cell'), { 'add-tests': 2, 'mean-tests': 0, 'greet-tests': 1 });
});

test('Does an infinite loop cost only its exercise, as a timeout?', () => {
  assert.deepEqual(points('infinite-loop'), { 'add-tests': 0, 'mean-tests': 2, 'greet-tests': 1 });
  assert.deepEqual(statuses('infinite-loop', 'add-tests'), ['timeout', 'timeout']);
});

test('Does a hang the kernel cannot interrupt get the kernel restarted and the rest graded?', () => {
  assert.deepEqual(points('async-hang'), { 'add-tests': 2, 'mean-tests': 0, 'greet-tests': 1 });
});

test('Does process.exit() cost only its exercise?', () => {
  assert.deepEqual(points('process-exit'), { 'add-tests': 0, 'mean-tests': 2, 'greet-tests': 1 });
  const add = row('process-exit').exercises.find((e) => e.gradeId === 'add-tests')!;
  assert.match(add.checks[0].message, /kernel died/);
});

test('Does exhausting memory cost only its exercise, reported as out of memory?', () => {
  assert.deepEqual(points('memory-exhaustion'), { 'add-tests': 2, 'mean-tests': 0, 'greet-tests': 1 });
  const mean = row('memory-exhaustion').exercises.find((e) => e.gradeId === 'mean-tests')!;
  assert.match(mean.checks[0].message, /out of memory/);
});

test('Are megabytes of output survived, and capped in the feedback?', () => {
  assert.equal(row('megabytes-of-output').score, 5);
  const feedback = path.join(batch.dir, row('megabytes-of-output').feedback[0]);
  const size = fs.statSync(feedback).size;
  assert.ok(size > 1_000_000 && size < 6_000_000, `feedback notebook is ${size} bytes`);
});

test('Do printed "PASS" lines and a forged check output earn nothing?', () => {
  assert.deepEqual(points('fake-pass'), { 'add-tests': 0, 'mean-tests': 2, 'greet-tests': 1 });
});

test('Does redefining or patching the test helper earn nothing?', () => {
  assert.equal(points('redefined-helper')['add-tests'], 0);
  assert.deepEqual(statuses('redefined-helper', 'add-tests'), ['not-run', 'not-run']);
});

test('Does a type error in a solution cost only its exercise?', () => {
  assert.deepEqual(points('type-error'), { 'add-tests': 2, 'mean-tests': 2, 'greet-tests': 0 });
  const greet = row('type-error').exercises.find((e) => e.gradeId === 'greet-tests')!;
  assert.match(greet.checks[0].message, /TypeScriptError/);
});

test('Does unicode everywhere survive grading and the reports?', () => {
  const id = 'unicode-zoë-学生';
  assert.equal(row(id).score, 5);
  const feedback = readNotebook(path.join(batch.dir, row(id).feedback[0]));
  const text = JSON.stringify(feedback);
  assert.match(text, /\/\/ 你好, Zoë! 👋 ½ → ∞/);
  assert.match(text, /héllo wörld ✓ 你好 🚀/);
  assert.match(fs.readFileSync(path.join(batch.dir, 'grades.csv'), 'utf8'), /^unicode-zoë-学生,graded,5,5,/m);
  assert.match(fs.readFileSync(path.join(batch.dir, 'junit.xml'), 'utf8'), /<testsuite name="unicode-zoë-学生"/);
});

test("Do a learner's own helper cells run where they were written?", () => {
  assert.equal(row('extra-cells').score, 5);
});

test('Are grades.json, grades.csv, junit.xml and summary.md written and consistent?', () => {
  const json = JSON.parse(fs.readFileSync(path.join(batch.dir, 'grades.json'), 'utf8')) as GradeReport;
  assert.equal(json.schema, 'selfsup-grades');
  assert.deepEqual(json.submissions.map((s) => [s.id, s.score]), batch.report.submissions.map((s) => [s.id, s.score]));
  const csv = fs.readFileSync(path.join(batch.dir, 'grades.csv'), 'utf8').trim().split('\n');
  assert.equal(csv.length, batch.report.submissions.length + 1);
  assert.match(csv[0], /^id,status,score,max_score,assignment\.ipynb:add-tests,assignment\.ipynb:mean-tests,assignment\.ipynb:greet-tests,messages$/);
  const junit = fs.readFileSync(path.join(batch.dir, 'junit.xml'), 'utf8');
  assert.equal((junit.match(/<testsuite /g) ?? []).length, batch.report.submissions.length);
  assert.match(fs.readFileSync(path.join(batch.dir, 'summary.md'), 'utf8'), /\| correct \| 5 \/ 5 \| graded \|/);
});

test('Do feedback notebooks show results but never the hidden test code?', () => {
  const fb = readNotebook(path.join(batch.dir, row('partly-right').feedback[0]));
  const all = fb.cells.map((c) => sourceText(c.source)).join('\n');
  assert.doesNotMatch(all, /mean\(\[7\.25\]\)/);
  assert.match(all, /hidden tests ran here/);
  assert.match(sourceText(fb.cells[0].source), /# Feedback: 3 \/ 5 points/);
  const outputs = JSON.stringify(fb.cells.map((c) => (c.cell_type === 'code' ? c.outputs : [])));
  assert.match(outputs, /✖ mean of one number is that number \(0\/1\)/);
});

test('Are feedback notebooks valid nbformat?', { skip: pythonJupyterMissing() }, () => {
  for (const id of ['correct', 'unicode-zoë-学生', 'process-exit']) {
    assert.equal(nbformatValidate(path.join(batch.dir, row(id).feedback[0])), '', id);
  }
});

after(batch.remove);
