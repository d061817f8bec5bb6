import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runNotebook } from '../../src/jupyter/run-notebook';
import { findKernelSpec, kernelSearchPath } from '../../src/jupyter/kernelspec';
import { readNotebook, sourceText, type Cell, type Notebook } from '../../src/jupyter/notebook';
import { gradeIdOf, pointsOf, roleOf } from '../../src/grader/nbgrader-metadata';
import { CHECK_MIME, type CheckRecord } from '../../src/testing/protocol';
import { repoRoot } from '../helpers/notebooks';

// The course's hidden tests must fail the mistakes learners plausibly make, not only the stub.
// tests/grader/fixtures/wrong-answers/<grade_id>/<mistake>.ts holds one wrong solution per file
// (its first line says what is wrong). For each notebook, one quick-mode run in which every
// exercise's test cell is run again after each wrong solution: each copy must lose points.
const notebooksDir = path.join(repoRoot, 'notebooks');
const wrongDir = path.join(repoRoot, 'tests', 'grader', 'fixtures', 'wrong-answers');
const MIN_WRONG_ANSWERS = 3;

interface Probe { gradeId: string; mistake: string; what: string; testIndex: number }

function codeCell(source: string): Cell {
  return { cell_type: 'code', metadata: {}, source, outputs: [], execution_count: null };
}

/** The notebook with, after each exercise's test cell: (wrong solution, test cell copy) per mistake, then the right solution again. */
function withWrongAnswers(nb: Notebook): { notebook: Notebook; probes: Probe[]; originals: Map<string, number> } {
  const cells: Cell[] = [];
  const probes: Probe[] = [];
  const originals = new Map<string, number>();
  const solutions = new Map<string, string>();
  for (const cell of nb.cells) {
    cells.push(cell);
    const id = gradeIdOf(cell);
    if (roleOf(cell) === 'solution' && id) solutions.set(id, sourceText(cell.source));
    if (roleOf(cell) !== 'test' || !id?.endsWith('-tests')) continue;
    const exercise = id.slice(0, -'-tests'.length);
    originals.set(exercise, cells.length - 1);
    const dir = path.join(wrongDir, exercise);
    if (!fs.existsSync(dir)) continue;
    for (const file of fs.readdirSync(dir).filter((f) => f.endsWith('.ts')).sort()) {
      const source = fs.readFileSync(path.join(dir, file), 'utf8');
      cells.push(codeCell(source));
      probes.push({ gradeId: exercise, mistake: file.replace(/\.ts$/, ''), what: source.split('\n')[0].replace(/^\/\/\s*/, ''), testIndex: cells.length });
      cells.push(codeCell(sourceText(cell.source)));
    }
    cells.push(codeCell(solutions.get(exercise) ?? ''));
  }
  return { notebook: { ...nb, cells }, probes, originals };
}

const checksOf = (cell: Cell): CheckRecord[] =>
  cell.cell_type === 'code'
    ? cell.outputs.flatMap((o) => (o.output_type === 'display_data' && o.data[CHECK_MIME] ? [o.data[CHECK_MIME] as CheckRecord] : []))
    : [];

const notebookFiles = fs.readdirSync(notebooksDir).filter((f) => f.endsWith('.ipynb')).sort();

test('every exercise of the course has wrong-answer fixtures, each saying what is wrong', () => {
  const exercisesOf = (files: string[]) => files.flatMap((f) =>
    readNotebook(path.join(notebooksDir, f)).cells.filter((c) => roleOf(c) === 'solution').map((c) => gradeIdOf(c)!),
  );
  const known = new Set(exercisesOf(notebookFiles));
  for (const dir of fs.readdirSync(wrongDir)) assert.ok(known.has(dir), `fixtures for '${dir}', which is no exercise of the course`);
  // 10.0's warm-up exercise (one line, to try the grader) is exempt; every chapter exercise needs its plausible mistakes.
  const chapters = exercisesOf(notebookFiles.filter((f) => !f.startsWith('10.0-')));
  assert.ok(chapters.length >= 6, `expected the chapter exercises, found ${chapters.join(', ')}`);
  for (const id of chapters) {
    assert.ok(fs.existsSync(path.join(wrongDir, id)), `${id}: no wrong-answer fixtures in tests/grader/fixtures/wrong-answers/${id}/`);
    const files = fs.readdirSync(path.join(wrongDir, id)).filter((f) => f.endsWith('.ts'));
    assert.ok(files.length >= MIN_WRONG_ANSWERS, `${id}: ${files.length} wrong answers, expected at least ${MIN_WRONG_ANSWERS}`);
    for (const f of files) assert.match(fs.readFileSync(path.join(wrongDir, id, f), 'utf8'), /^\/\/ \S/, `${id}/${f} starts with a comment saying what is wrong`);
  }
});

for (const file of notebookFiles) {
  const nb = readNotebook(path.join(notebooksDir, file));
  const { notebook, probes, originals } = withWrongAnswers(nb);
  if (probes.length === 0) continue;
  test(`${file}: every wrong answer loses points, the right one gets them all`, async () => {
    const spec = findKernelSpec('tslab', kernelSearchPath(process.env, repoRoot)).spec;
    const run = await runNotebook(notebook, { spec, cwd: notebooksDir, env: { SELFSUP_QUICK: '1' }, timeoutMs: 10 * 60_000 });
    for (const [exercise, index] of originals) {
      const records = checksOf(run.notebook.cells[index]);
      const got = records.reduce((s, r) => s + r.points, 0);
      assert.equal(got, pointsOf(notebook.cells[index]), `${exercise}: the instructor solution gets full marks (${records.filter((r) => r.status !== 'pass').map((r) => r.message).join('; ')})`);
    }
    const kept: string[] = [];
    for (const p of probes) {
      const records = checksOf(run.notebook.cells[p.testIndex]);
      const full = pointsOf(notebook.cells[originals.get(p.gradeId)!]);
      const got = records.reduce((s, r) => s + r.points, 0);
      if (records.length === 0 || got >= full) kept.push(`${p.gradeId}/${p.mistake} (${p.what}): ${got}/${full} points`);
    }
    assert.deepEqual(kept, [], 'wrong answers that kept full marks');
  });
}
