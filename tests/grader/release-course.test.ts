import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawnSync } from 'node:child_process';
import { release } from '../../src/grader/release';
import { cellChecksum } from '../../src/grader/checksum';
import { gradeIdOf, pointsOf, roleOf } from '../../src/grader/nbgrader-metadata';
import { tslabKernelSpec } from '../../src/jupyter/kernelspec';
import { readNotebook, sourceText } from '../../src/jupyter/notebook';
import { repoRoot, tempDir } from '../helpers/notebooks';

// Releases the course's own notebooks once, then grades the instructor's and the untouched
// student versions through the command line, as CI and GitHub Classroom do.
const cli = path.join(repoRoot, 'dist', 'cli.js');
const notebooks = path.join(repoRoot, 'notebooks');
const tmp = tempDir('selfsup-release-');
const out = path.join(tmp.dir, 'release');
let released: Awaited<ReturnType<typeof release>>;

before(async () => {
  released = await release({ source: notebooks, out, kernel: { spec: tslabKernelSpec() } });
});
after(() => tmp.remove());

function walk(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

test('Does every course notebook release, verified (solutions pass, stubs fail)?', () => {
  assert.deepEqual(released.errors, []);
  assert.equal(released.ok, true);
  const expected = fs.readdirSync(notebooks).filter((f) => f.endsWith('.ipynb')).sort();
  assert.deepEqual(fs.readdirSync(path.join(out, 'notebooks')).sort(), expected);
});

test('Do student notebooks have stubs, no hidden tests, no outputs, and checksums?', () => {
  for (const name of fs.readdirSync(path.join(out, 'notebooks'))) {
    const nb = readNotebook(path.join(out, 'notebooks', name));
    for (const cell of nb.cells) {
      const text = sourceText(cell.source);
      assert.doesNotMatch(text, /BEGIN (SOLUTION|HIDDEN TESTS)|END (SOLUTION|HIDDEN TESTS)/, `${name} ${gradeIdOf(cell)}`);
      if (cell.cell_type === 'code') assert.deepEqual(cell.outputs, []);
      if (roleOf(cell) === 'solution') assert.match(text, /\/\/ YOUR CODE HERE\n\s*throw new Error\("Not implemented"\);/);
      if (roleOf(cell) === 'test' || roleOf(cell) === 'locked') assert.equal(cell.metadata.nbgrader.checksum, cellChecksum(cell));
    }
  }
});

test('Does the release hold what a student repository needs, and no hidden test anywhere?', () => {
  for (const f of ['package.json', 'package-lock.json', 'tsconfig.json', 'README.md', '.github/workflows/classroom.yml', 'src/index.ts', 'testing/package.json', '.selfsup/release.json']) {
    assert.ok(fs.existsSync(path.join(out, f)), f);
  }
  const pkg = JSON.parse(fs.readFileSync(path.join(out, 'package.json'), 'utf8'));
  assert.equal(pkg.name, 'selfsup');
  assert.equal(pkg.scripts.check, 'node dist/cli.js check');
  // Issue 12: the student's npm install applies the same tslab patch (serialised sends, shorthand properties)
  assert.equal(pkg.scripts.postinstall, 'patch-package');
  assert.ok(pkg.dependencies['patch-package'], 'patch-package is a dependency');
  assert.deepEqual(fs.readdirSync(path.join(out, 'patches')), fs.readdirSync('patches'));
  // Issue 14: the notebooks load the course checkpoints, so the release carries them (and no run in progress)
  assert.ok(fs.existsSync(path.join(out, 'checkpoints', 'simclr', 'metadata.json')), 'checkpoints/simclr is released');
  assert.ok(!fs.existsSync(path.join(out, 'checkpoints', '.work')), 'no training work folder in the release');
  // 10.3.3 compares its live run with the PyTorch reference run's recorded numbers (referenceRun)
  assert.ok(fs.existsSync(path.join(out, 'scripts', 'reference', 'results', 'simclr.json')), 'the reference results are released');
  assert.ok(!fs.existsSync(path.join(out, 'tests')) && !fs.existsSync(path.join(out, '.ci')));
  const workflow = fs.readFileSync(path.join(out, '.github/workflows/classroom.yml'), 'utf8');
  assert.match(workflow, /node instructor\/dist\/cli\.js grade --source instructor\/notebooks submission .*--classroom/);
  assert.match(workflow, /classroom-resources\/autograding-grading-reporter@v1/);
  assert.match(workflow, /SELFSUP_RESULTS: "\$\{\{ steps\.selfsup\.outputs\.result \}\}"/);
  for (const file of walk(out)) {
    const text = fs.readFileSync(file, 'utf8');
    assert.doesNotMatch(text, /ignores the length of each embedding/, path.relative(out, file));
  }
});

test('Do the instructor solutions get full marks and the untouched release zero, with a Classroom result?', () => {
  const subs = path.join(tmp.dir, 'subs');
  fs.mkdirSync(path.join(subs, 'instructor'), { recursive: true });
  fs.mkdirSync(path.join(subs, 'untouched'), { recursive: true });
  for (const f of fs.readdirSync(notebooks).filter((x) => x.endsWith('.ipynb'))) {
    fs.copyFileSync(path.join(notebooks, f), path.join(subs, 'instructor', f));
    fs.copyFileSync(path.join(out, 'notebooks', f), path.join(subs, 'untouched', f));
  }
  const githubOutput = path.join(tmp.dir, 'github-output');
  const grades = path.join(tmp.dir, 'grades');
  const r = spawnSync(process.execPath, [cli, 'grade', '--source', notebooks, path.join(subs, 'instructor'), path.join(subs, 'untouched'), '--out', grades, '--jobs', '2', '--classroom'], {
    encoding: 'utf8',
    env: { ...process.env, GITHUB_OUTPUT: githubOutput },
  });
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(fs.readFileSync(path.join(grades, 'grades.json'), 'utf8'));
  const [instructor, untouched] = report.submissions;
  assert.ok(report.maxScore > 0);
  assert.deepEqual([instructor.id, instructor.score, instructor.maxScore], ['instructor', report.maxScore, report.maxScore]);
  assert.deepEqual([untouched.id, untouched.status, untouched.score], ['untouched', 'graded', 0]);
  assert.deepEqual(untouched.messages, []);
  const line = fs.readFileSync(githubOutput, 'utf8');
  assert.match(line, /^result=/);
  const result = JSON.parse(Buffer.from(line.trim().slice('result='.length), 'base64').toString('utf8'));
  assert.equal(result.max_score, report.maxScore * 2 / 2);
  assert.ok(result.tests.length >= 2);
});

test('Does npm run check tell a learner their score on the visible tests?', () => {
  const work = path.join(repoRoot, 'build', 'check-test');
  fs.rmSync(work, { recursive: true, force: true });
  fs.mkdirSync(work, { recursive: true });
  try {
    for (const f of fs.readdirSync(path.join(out, 'notebooks'))) fs.copyFileSync(path.join(out, 'notebooks', f), path.join(work, f));
    const r = spawnSync(process.execPath, [cli, 'check', work, '--out', path.join(work, 'grades')], { encoding: 'utf8' });
    assert.equal(r.status, 1, 'not full marks: exit 1');
    assert.match(r.stdout, /✖ 10\.0-getting-started\.ipynb cosine-matrix-tests: 0 \/ 3/);
    assert.match(r.stdout, /Not implemented/);
    // every released exercise counts: the sum of the test cells' points over the course's notebooks
    const total = fs
      .readdirSync(path.join(out, 'notebooks'))
      .flatMap((f) => readNotebook(path.join(out, 'notebooks', f)).cells)
      .filter((c) => roleOf(c) === 'test')
      .reduce((sum, c) => sum + pointsOf(c), 0);
    assert.ok(total > 0, 'the course has graded exercises');
    assert.match(r.stdout, new RegExp(`score: 0 / ${total} \\(visible tests only; the grader may run more\\)`));
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
});
