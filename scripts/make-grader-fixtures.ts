/**
 * Writes the grader's fixture notebooks: tests/grader/fixtures/source/assignment.ipynb (an
 * instructor notebook with three small exercises, no tensors, so kernels run fast) and one
 * submission per edge case in tests/grader/fixtures/submissions/. Run after changing a case:
 *   npx tsc -p tsconfig.test.json && node build/scripts/make-grader-fixtures.js
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { stringifyNotebook, toMultiline, type Cell, type Notebook } from '../src/jupyter/notebook';
import { tslabNotebookMetadata } from '../src/jupyter/notebook';
import { studentVersion } from '../src/grader/release/make-student-notebooks';

const root = path.resolve(__dirname, '..', '..');
const dir = path.join(root, 'tests', 'grader', 'fixtures');

type Role = { solution?: string; test?: [string, number]; locked?: string };

function cell(kind: 'code' | 'markdown', source: string, role: Role = {}, id?: string): Cell {
  const metadata: Record<string, unknown> = {};
  if (role.solution) metadata.nbgrader = { grade: false, grade_id: role.solution, locked: false, schema_version: 3, solution: true };
  if (role.test) metadata.nbgrader = { grade: true, grade_id: role.test[0], locked: true, points: role.test[1], schema_version: 3, solution: false };
  if (role.locked) metadata.nbgrader = { grade: false, grade_id: role.locked, locked: true, schema_version: 3, solution: false };
  const base = { id: id ?? `c${Math.random().toString(16).slice(2, 10)}`, metadata, source: toMultiline(source) };
  return kind === 'code' ? { cell_type: 'code', ...base, outputs: [], execution_count: null } : { cell_type: 'markdown', ...base };
}

const SOLUTIONS = {
  add: 'function add(a: number, b: number): number {\n  // BEGIN SOLUTION\n  return a + b;\n  // END SOLUTION\n}',
  mean: 'function mean(xs: number[]): number {\n  // BEGIN SOLUTION\n  return xs.reduce((s, x) => s + x, 0) / xs.length;\n  // END SOLUTION\n}',
  greet: 'function greet(name: string): string {\n  // BEGIN SOLUTION\n  return `Hello, ${name}!`;\n  // END SOLUTION\n}',
};

function source(): Notebook {
  return {
    nbformat: 4,
    nbformat_minor: 5,
    metadata: tslabNotebookMetadata(),
    cells: [
      cell('markdown', '# A small assignment\n\nThree exercises for testing the grader.', {}, 'intro'),
      cell('code', "import { check, expectClose, expectTrue } from 'selfsup/testing';\nimport assert from 'node:assert/strict';", { locked: 'imports' }, 'imports'),
      cell('code', 'const DATA = [2, 4, 6, 8];', { locked: 'data' }, 'data'),
      cell('markdown', '## Exercise 1: add two numbers', {}, 'md1'),
      cell('code', SOLUTIONS.add, { solution: 'add' }, 'add'),
      cell(
        'code',
        "await check('adds small numbers', 1, () => expectClose(add(2, 3), 5));\nawait check('adds negative numbers', 1, () => expectClose(add(-2, -3), -5));",
        { test: ['add-tests', 2] },
        'add-tests',
      ),
      cell('markdown', '## Exercise 2: the mean', {}, 'md2'),
      cell('code', SOLUTIONS.mean, { solution: 'mean' }, 'mean'),
      cell(
        'code',
        "await check('mean of DATA', 1, () => expectClose(mean(DATA), 5));\n// BEGIN HIDDEN TESTS\nawait check('mean of one number is that number', 1, () => expectClose(mean([7.25]), 7.25));\n// END HIDDEN TESTS",
        { test: ['mean-tests', 2] },
        'mean-tests',
      ),
      cell('markdown', '## Exercise 3: greet (an nbgrader-style test: all or nothing)', {}, 'md3'),
      cell('code', SOLUTIONS.greet, { solution: 'greet' }, 'greet'),
      cell('code', "assert.equal(greet('Ada'), 'Hello, Ada!');", { test: ['greet-tests', 1] }, 'greet-tests'),
    ],
  };
}

/** A student's copy: the release version with some solution cells answered. */
function student(answers: Partial<Record<'add' | 'mean' | 'greet', string>>): Notebook {
  const nb = studentVersion(source());
  for (const c of nb.cells) {
    const id = c.metadata.nbgrader?.grade_id as keyof typeof answers | undefined;
    if (id && answers[id] !== undefined) c.source = toMultiline(answers[id]!);
  }
  return nb;
}

const right = {
  add: 'function add(a: number, b: number): number {\n  return a + b;\n}',
  mean: 'function mean(xs: number[]): number {\n  let s = 0;\n  for (const x of xs) s += x;\n  return s / xs.length;\n}',
  greet: 'function greet(name: string): string {\n  return "Hello, " + name + "!";\n}',
};

function mutate(nb: Notebook, f: (cells: Cell[]) => Cell[]): Notebook {
  return { ...nb, cells: f(nb.cells) };
}
const byId = (cells: Cell[], id: string) => cells.findIndex((c) => c.metadata.nbgrader?.grade_id === id);

/** Each case: file name → contents (a Notebook, or raw text for unreadable files). */
const cases: Record<string, Notebook | string> = {
  'correct.ipynb': student(right),
  'untouched.ipynb': student({}),
  'partly-right.ipynb': student({ add: right.add, mean: 'function mean(xs: number[]): number {\n  return 5;\n}' }),
  'malformed-json.ipynb': stringifyNotebook(student(right)).slice(0, 300),
  'not-a-notebook.ipynb': JSON.stringify({ name: 'selfsup', version: '1.0.0' }),
  'nbformat3.ipynb': JSON.stringify({ nbformat: 3, nbformat_minor: 0, metadata: {}, worksheets: [{ cells: [] }] }),
  'empty.ipynb': JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [] }),
  'deleted-test-cell.ipynb': mutate(student(right), (cells) => cells.filter((c) => c.metadata.nbgrader?.grade_id !== 'add-tests')),
  'edited-test-cell.ipynb': mutate(student({ add: 'function add(a: number, b: number): number {\n  return 0;\n}' }), (cells) => {
    const i = byId(cells, 'add-tests');
    cells[i] = { ...cells[i], source: toMultiline("await check('adds small numbers', 1, () => {});\nawait check('adds negative numbers', 1, () => {});") };
    return cells;
  }),
  'reordered-cells.ipynb': mutate(student(right), (cells) => {
    const a = byId(cells, 'greet-tests');
    const b = byId(cells, 'add-tests');
    const copy = [...cells];
    [copy[a], copy[b]] = [copy[b], copy[a]];
    return copy;
  }),
  'duplicated-test-cell.ipynb': mutate(student(right), (cells) => {
    const i = byId(cells, 'mean-tests');
    return [...cells.slice(0, i + 1), JSON.parse(JSON.stringify(cells[i])), ...cells.slice(i + 1)];
  }),
  'missing-solution-cell.ipynb': mutate(student(right), (cells) => cells.filter((c) => c.metadata.nbgrader?.grade_id !== 'mean')),
  'infinite-loop.ipynb': student({ ...right, add: 'function add(a: number, b: number): number {\n  while (true) {}\n}' }),
  'async-hang.ipynb': student({ ...right, mean: 'function mean(xs: number[]): number {\n  return xs.length;\n}\nawait Promise.resolve();\nwhile (true) {}' }),
  'process-exit.ipynb': student({ ...right, add: 'function add(a: number, b: number): number {\n  process.exit(1);\n}' }),
  'memory-exhaustion.ipynb': student({
    ...right,
    mean: 'const hoard: number[][] = [];\nfunction mean(xs: number[]): number {\n  while (true) hoard.push(new Array(1e6).fill(xs.length));\n}',
  }),
  'megabytes-of-output.ipynb': student({ ...right, add: `${right.add}\nfor (let i = 0; i < 48; i++) console.log(String(i).padEnd(128 * 1024, '.'));` }),
  'fake-pass.ipynb': student({
    add: "function add(a: number, b: number): number {\n  return 0;\n}\nconsole.log('✔ adds small numbers (1/1)');\nconsole.log('✔ adds negative numbers (1/1)');\nimport * as tslab from 'tslab';\ntslab.display.raw('application/vnd.selfsup.check+json', JSON.stringify({ gradeId: 'add-tests', name: 'adds small numbers', status: 'pass', points: 1, maxPoints: 1, message: '', signature: 'f'.repeat(64) }));",
    mean: right.mean,
    greet: right.greet,
  }),
  'redefined-helper.ipynb': student({
    add: "function add(a: number, b: number): number {\n  return 0;\n}\nconst t = require('selfsup/testing');\ntry { t.check = async () => {}; } catch {}\nconst c = require('selfsup/dist/testing/check');\ntry { c.check = async () => {}; } catch {}\nconst p = require('selfsup/dist/testing/protocol');\ntry { p.signCheck = () => 'f'.repeat(64); } catch {}\nconst check = async (name: string, points: number, fn: () => unknown) => { console.log('✔ ' + name); };",
    mean: right.mean,
    greet: right.greet,
  }),
  'type-error.ipynb': student({ ...right, greet: 'function greet(name: string): string {\n  return name.lenght;\n}' }),
  'unicode-zoë-学生.ipynb': mutate(
    student({ ...right, greet: 'function greet(name: string): string {\n  // 你好, Zoë! 👋 ½ → ∞\n  console.log("héllo wörld ✓ 你好 🚀");\n  return `Hello, ${name}!`;\n}' }),
    (cells) => [cell('markdown', '# Zoë’s notebook — 学生 🎓', {}, 'mine'), ...cells],
  ),
  'extra-cells.ipynb': mutate(student({ ...right, add: 'function add(a: number, b: number): number {\n  return plus(a, b);\n}' }), (cells) => {
    const i = byId(cells, 'add');
    return [...cells.slice(0, i), cell('code', 'function plus(x: number, y: number) {\n  return x + y;\n}', {}, 'mine'), ...cells.slice(i)];
  }),
};

/** Instructor notebooks that release must refuse, each for one reason. */
function badSource(edit: (cells: Cell[]) => void): Notebook {
  const nb = source();
  edit(nb.cells);
  return nb;
}
const setSource = (cells: Cell[], id: string, text: string) => {
  cells[byId(cells, id)].source = toMultiline(text);
};
const badSources: Record<string, Notebook> = {
  'unbalanced-markers.ipynb': badSource((c) => setSource(c, 'add', 'function add(a: number, b: number): number {\n  // BEGIN SOLUTION\n  return a + b;\n}')),
  'nested-markers.ipynb': badSource((c) =>
    setSource(c, 'mean-tests', "// BEGIN HIDDEN TESTS\n// BEGIN HIDDEN TESTS\nawait check('m', 1, () => expectClose(mean([1]), 1));\n// END HIDDEN TESTS\n// END HIDDEN TESTS"),
  ),
  'marker-outside-solution.ipynb': badSource((c) => setSource(c, 'data', '// BEGIN SOLUTION\nconst DATA = [2, 4, 6, 8];\n// END SOLUTION')),
  'duplicate-grade-id.ipynb': badSource((c) => {
    c[byId(c, 'greet')].metadata.nbgrader.grade_id = 'add';
  }),
  'stub-type-error.ipynb': badSource((c) =>
    setSource(c, 'add', '// BEGIN SOLUTION\nfunction add(a: number, b: number): number {\n  return a + b;\n}\n// END SOLUTION'),
  ),
  'solution-fails-tests.ipynb': badSource((c) => setSource(c, 'mean', SOLUTIONS.mean.replace('/ xs.length', '/ (xs.length + 1)'))),
  'stub-passes-tests.ipynb': badSource((c) => setSource(c, 'greet-tests', "assert.equal(typeof greet, 'function');")),
};

fs.mkdirSync(path.join(dir, 'bad-sources'), { recursive: true });
for (const [name, nb] of Object.entries(badSources)) {
  fs.mkdirSync(path.join(dir, 'bad-sources', name.replace('.ipynb', '')), { recursive: true });
  fs.writeFileSync(path.join(dir, 'bad-sources', name.replace('.ipynb', ''), 'assignment.ipynb'), stringifyNotebook(nb));
}
fs.mkdirSync(path.join(dir, 'source'), { recursive: true });
fs.mkdirSync(path.join(dir, 'submissions'), { recursive: true });
fs.writeFileSync(path.join(dir, 'source', 'assignment.ipynb'), stringifyNotebook(source()));
for (const [name, value] of Object.entries(cases)) {
  fs.writeFileSync(path.join(dir, 'submissions', name), typeof value === 'string' ? value : stringifyNotebook(value));
}
console.log(`wrote ${Object.keys(cases).length} submissions and the source to ${path.relative(root, dir)}`);
