import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { grade, submissionIds } from '../../src/grader/grade';
import { originalName } from '../../src/grader/grade/match-files';
import { writeFeedback } from '../../src/grader/grade/grade-notebooks';
import { feedbackNotebook } from '../../src/grader/feedback-notebook';
import { decodeNotebookBytes } from '../../src/grader/load-source';
import type { SubmissionGrade } from '../../src/grader/types';
import { GradedBatch } from '../helpers/graded-batch';
import { readNotebook, sourceText } from '../../src/jupyter/notebook';
import { nbgraderV3Validator } from '../helpers/nbgrader-v3';
import { repoRoot, tempDir } from '../helpers/notebooks';

// Issue 15 ("no lost rows, no silent zeros"): learners whose notebooks went wrong by accident,
// and the results that used to be lost. One batch (two kernels) grades every fixture of
// tests/grader/fixtures/unlucky/ plus two files that share a name; each test reads its row:
// the honest score, and a message that says what happened and what to do.
const fixtures = path.join(repoRoot, 'tests', 'grader', 'fixtures');
const unlucky = path.join(fixtures, 'unlucky');
const sameName = [path.join(fixtures, 'same-name', 'alice', 'assignment.ipynb'), path.join(fixtures, 'same-name', 'bob', 'assignment.ipynb')];
const batch = new GradedBatch('selfsup-unlucky-', () => ({
  source: path.join(fixtures, 'source'),
  submissions: [...fs.readdirSync(unlucky).sort().map((f) => path.join(unlucky, f)), ...sameName],
  timeoutMs: 30_000,
  maxMemoryMb: 1024,
}));
before(batch.run);
after(batch.remove);
const { row, points } = batch;
const messages = (id: string) => row(id).messages.join('\n');
const feedbackOf = (id: string) => readNotebook(path.join(batch.dir, row(id).feedback[0]));
const read = (file: string) => fs.readFileSync(path.join(batch.dir, file), 'utf8');

test('Does every submission get its own row, with feedback?', () => {
  assert.equal(batch.report.submissions.length, fs.readdirSync(unlucky).length + sameName.length);
  for (const s of batch.report.submissions) {
    assert.equal(s.feedback.length, 1, `${s.id} has a feedback notebook`);
    assert.ok(fs.existsSync(path.join(batch.dir, s.feedback[0])), s.feedback[0]);
  }
});

test('Do two files with the same name get two ids, two rows and two feedback notebooks?', () => {
  assert.deepEqual(points('alice/assignment'), { 'add-tests': 2, 'mean-tests': 2, 'greet-tests': 1 });
  assert.deepEqual(points('bob/assignment'), { 'add-tests': 0, 'mean-tests': 0, 'greet-tests': 0 });
  const [alice, bob] = [row('alice/assignment').feedback[0], row('bob/assignment').feedback[0]];
  assert.notEqual(alice, bob);
  assert.match(sourceText(readNotebook(path.join(batch.dir, alice)).cells[0].source), /# Feedback: 5 \/ 5 points/);
  assert.match(sourceText(readNotebook(path.join(batch.dir, bob)).cells[0].source), /# Feedback: 0 \/ 5 points/);
  assert.match(read('grades.csv'), /^alice\/assignment,graded,5,5,/m);
  assert.match(read('grades.csv'), /^bob\/assignment,graded,0,5,/m);
});

test('Is a notebook whose nbgrader metadata another editor stripped graded by content, with a message?', () => {
  const id = 'was-the-metadata-stripped-by-another-editor';
  assert.deepEqual(points(id), { 'add-tests': 2, 'mean-tests': 2, 'greet-tests': 1 });
  assert.match(messages(id), /cell\(s\) imports, data, add, add-tests, mean, mean-tests, greet, greet-tests had lost their nbgrader metadata .* matched by their content/);
});

test('Is the answer in the second of two duplicated solution cells graded, with a message?', () => {
  const id = 'is-the-answer-in-the-second-of-two-duplicated-cells';
  assert.deepEqual(points(id), { 'add-tests': 2, 'mean-tests': 2, 'greet-tests': 1 });
  assert.match(messages(id), /solution cell add appears 2 times; copy 2 is used \(the other is the unanswered stub\); keep one copy/);
});

test('Is the answered notebook chosen over an old notebooks/ copy, and both named in a message?', () => {
  const id = 'is-an-old-notebooks-folder-next-to-the-answer';
  assert.equal(row(id).score, 5);
  assert.match(
    messages(id),
    /assignment\.ipynb: found 2 versions: notebooks\/assignment\.ipynb \(0 of 3 solution cells answered\), assignment\.ipynb \(3 of 3 solution cells answered\); graded assignment\.ipynb\./,
  );
});

test('Is a renamed copy ("assignment (1).ipynb") graded as its source notebook, with a message?', () => {
  const id = 'was-the-notebook-renamed-to-a-copy';
  assert.equal(row(id).score, 5);
  assert.match(messages(id), /assignment\.ipynb: graded assignment \(1\)\.ipynb in its place \(it looks like a renamed copy\); name the file assignment\.ipynb/);
});

test('Is a notebook saved as UTF-16 read as such and graded?', () => {
  const id = 'was-the-notebook-saved-as-utf-16';
  assert.equal(row(id).score, 5);
  assert.match(messages(id), /saved as UTF-16LE; it was read as such/);
});

test('Do NUL bytes stay out of grades.csv, summary.md and junit.xml, with the file still reported?', () => {
  const id = 'do-nul-bytes-stay-out-of-the-reports';
  assert.equal(row(id).status, 'error');
  assert.equal(row(id).score, 0);
  assert.match(messages(id), /not valid JSON/);
  const summary = sourceText(feedbackOf(id).cells[0].source);
  assert.match(summary, /# Feedback: 0 \/ 5 points[\s\S]*add-tests\*\*: 0 \/ 2 \(not-run\)[\s\S]*the notebook could not be read/);
  assert.equal(feedbackOf(id).cells.length, 1, 'the summary alone: nothing of the instructor\'s notebook');
  for (const file of ['grades.csv', 'summary.md', 'junit.xml', 'grades.json']) {
    const text = read(file);
    assert.doesNotMatch(text, /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/, `${file} has no control characters`);
    assert.match(text, /do-nul-bytes-stay-out-of-the-reports/, `${file} has the row`);
  }
});

test('Is a kernel death in a solution cell reported as such, not only as a later type error?', () => {
  const id = 'did-the-kernel-die-in-a-solution-cell';
  assert.deepEqual(points(id), { 'add-tests': 0, 'mean-tests': 2, 'greet-tests': 1 });
  assert.match(messages(id), /assignment\.ipynb: the kernel died in solution cell add \(the kernel died while running this cell/);
  const add = row(id).exercises.find((e) => e.gradeId === 'add-tests')!;
  for (const c of add.checks) assert.match(c.message, /^the kernel died in solution cell add \(the kernel died while running this cell \(exit code 3\)\); then .*TypeScriptError/);
});

test('Are huge displays capped per cell and per notebook, with a note in the feedback and the report?', () => {
  const id = 'are-huge-displays-capped';
  assert.equal(row(id).score, 5, 'the answers still count');
  const file = path.join(batch.dir, row(id).feedback[0]);
  const size = fs.statSync(file).size;
  assert.ok(size > 20_000_000 && size < 34_000_000, `feedback notebook is ${size} bytes`);
  const text = fs.readFileSync(file, 'utf8');
  assert.match(text, /1 display output\(s\) were dropped \(20971520 bytes\); a cell keeps at most 16777216 bytes of displays and results/);
  assert.match(text, /1 output\(s\) of this cell were dropped \(12582912 bytes\); a feedback notebook keeps at most 33554432 bytes of outputs/);
  assert.match(messages(id), /1 output\(s\) were left out of the feedback notebook \(it keeps at most 33554432 bytes of outputs\)/);
});

test("Do feedback notebooks keep nbgrader's v3 cell metadata valid?", () => {
  const validate = nbgraderV3Validator();
  let checked = 0;
  for (const s of batch.report.submissions) {
    for (const rel of s.feedback) {
      for (const cell of readNotebook(path.join(batch.dir, rel)).cells) {
        if (!cell.metadata?.nbgrader) continue;
        checked++;
        assert.ok(validate(cell.metadata.nbgrader), `${rel}: ${JSON.stringify(validate.errors)}`);
      }
    }
  }
  assert.ok(checked > 50, `${checked} cells checked`);
});

test('Are ids unique however the submissions are named, and feedback folders too?', () => {
  const naming = submissionIds(['/c/alice/a.ipynb', '/c/bob/a.ipynb', '/d/bob/a.ipynb', '/c/x/b', '/c/x/b', '/c/B_', '/c/b_']);
  assert.deepEqual(naming.map((n) => n.id), ['alice/a', 'c/bob/a', 'd/bob/a', 'b', 'b (2)', 'B_', 'b_']);
  const dirs = naming.map((n) => n.feedbackDir.toLowerCase());
  assert.equal(new Set(dirs).size, dirs.length, `distinct even on a case-insensitive disk: ${dirs.join(', ')}`);
});

test('Are the usual names of a renamed copy traced back to the original?', () => {
  for (const name of ['Copy of 10.2-contrastive.ipynb', '10.2-contrastive (1).ipynb', '10.2-contrastive-Copy1.ipynb', '10.2-contrastive - Copy.ipynb', '10.2-contrastive copy.ipynb', 'Copy of 10.2-contrastive (2).ipynb']) {
    assert.equal(originalName(name), '10.2-contrastive.ipynb', name);
  }
  assert.equal(originalName('10.3-byol.ipynb'), '10.3-byol.ipynb');
});

test('Are UTF-16 files decoded with or without a byte-order mark, in either byte order?', () => {
  const text = '{"nbformat": 4, "x": "zoë 学生"}';
  const le = Buffer.from(text, 'utf16le');
  const be = Buffer.from(le).swap16();
  assert.deepEqual(decodeNotebookBytes(Buffer.concat([Buffer.from([0xff, 0xfe]), le])), { text, encoding: 'utf-16le' });
  assert.deepEqual(decodeNotebookBytes(Buffer.concat([Buffer.from([0xfe, 0xff]), be])), { text, encoding: 'utf-16be' });
  assert.deepEqual(decodeNotebookBytes(le), { text, encoding: 'utf-16le' });
  assert.deepEqual(decodeNotebookBytes(be), { text, encoding: 'utf-16be' });
  assert.deepEqual(decodeNotebookBytes(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)])), { text, encoding: 'utf-8 with BOM' });
  assert.deepEqual(decodeNotebookBytes(Buffer.from(text)), { text, encoding: null });
});

test('Is feedback still written, without outputs and with a note, when the full notebook cannot be?', (t) => {
  const out = tempDir();
  t.after(out.remove);
  const source = readNotebook(path.join(fixtures, 'source', 'assignment.ipynb'));
  const grade: SubmissionGrade = { id: 'x', path: 'x', status: 'error', score: 0, maxScore: 0, messages: [], exercises: [], feedback: [], durationMs: 0 };
  const ctx = { options: { source: '', submissions: [], out: out.dir }, sources: [], expected: new Map(), grade, files: new Map(), feedbackDir: 'x', executed: [] };
  const tooLarge = (): never => {
    throw new RangeError('Invalid string length');
  };
  writeFeedback(ctx, 'assignment.ipynb', tooLarge, () => feedbackNotebook(source, source, [], [], []));
  assert.deepEqual(grade.feedback, [path.join('feedback', 'x', 'assignment.ipynb')]);
  assert.match(grade.messages[0], /assignment\.ipynb: the feedback notebook could not be written with its outputs \(Invalid string length\); it was written without them/);
  const written = readNotebook(path.join(out.dir, grade.feedback[0]));
  assert.match(sourceText(written.cells[0].source), /# Feedback: 0 \/ 0 points[\s\S]*could not be written with its outputs/);
});
