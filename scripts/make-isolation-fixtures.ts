/**
 * Writes the isolation fixtures: tests/grader/fixtures/isolation/<question>.ipynb, one attack on
 * the grader's isolation per notebook, each a student copy of tests/grader/fixtures/source. An
 * attack that works changes the score (a solution that only works when the attack succeeded),
 * so tests/grader/isolation.test.ts reads the isolation off the grades. Run after changing a case:
 *   npx tsc -p tsconfig.test.json && node build/scripts/make-isolation-fixtures.js
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { readNotebook, stringifyNotebook, toMultiline, type Notebook } from '../src/jupyter/notebook';
import { studentVersion } from '../src/grader/release/make-student-notebooks';

const root = path.resolve(__dirname, '..', '..');
const fixtures = path.join(root, 'tests', 'grader', 'fixtures');
const out = path.join(fixtures, 'isolation');

/** The marker in the command line of the process the detached-process fixture leaves behind (the test looks for it). */
export const ORPHAN_MARKER = 'selfsup-isolation-orphan';
/** The port on 127.0.0.1 where tests/grader/isolation.test.ts listens while grading (the network fixture tries to reach it). */
export const LISTENER_PORT = 47615;

const right = {
  add: 'function add(a: number, b: number): number {\n  return a + b;\n}',
  mean: 'function mean(xs: number[]): number {\n  let s = 0;\n  for (const x of xs) s += x;\n  return s / xs.length;\n}',
  greet: 'function greet(name: string): string {\n  return "Hello, " + name + "!";\n}',
};

/** Where the library is installed, as a cell finds it (the way to the instructor's files). */
const FIND_ROOT = "import * as fs from 'fs';\nimport * as path from 'path';\nconst selfsupRoot = path.dirname(require.resolve('selfsup/package.json'));";

function student(answers: Record<'add' | 'mean' | 'greet', string>): Notebook {
  const nb = studentVersion(readNotebook(path.join(fixtures, 'source', 'assignment.ipynb')));
  for (const c of nb.cells) {
    const id = c.metadata.nbgrader?.grade_id as keyof typeof answers | undefined;
    if (id && answers[id] !== undefined) c.source = toMultiline(answers[id]);
  }
  return nb;
}

const cases: Record<string, Notebook> = {
  'is-a-correct-submission-graded-in-the-sandbox.ipynb': student(right),

  // The old working directory was the instructor's notebooks/ folder; the repository is one path away.
  'can-a-cell-read-the-instructors-solutions.ipynb': student({
    ...right,
    mean: `${FIND_ROOT}
let stolen = '';
let why = '';
for (const file of ['assignment.ipynb', path.join(selfsupRoot, 'tests', 'grader', 'fixtures', 'source', 'assignment.ipynb')]) {
  try {
    stolen = fs.readFileSync(file, 'utf8');
    break;
  } catch (err) {
    why = (err as Error).message;
  }
}
function mean(xs: number[]): number {
  if (!stolen) throw new Error(\`could not read the instructor's notebook: \${why}\`);
  const cell = JSON.parse(stolen).cells.find((c: any) => c.metadata?.nbgrader?.grade_id === 'mean');
  const line = cell.source.join('').split('\\n').find((l: string) => l.trim().startsWith('return'));
  return new Function('xs', line)(xs);
}`,
  }),

  'can-a-cell-read-another-submission.ipynb': student({
    ...right,
    mean: `${FIND_ROOT}
let copied = '';
let why = '';
try {
  copied = fs.readFileSync(path.join(selfsupRoot, 'tests', 'grader', 'fixtures', 'isolation', 'is-a-correct-submission-graded-in-the-sandbox.ipynb'), 'utf8');
} catch (err) {
  why = (err as Error).message;
}
function mean(xs: number[]): number {
  if (!copied.includes('function mean')) throw new Error(\`could not read another submission: \${why}\`);
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}`,
  }),

  // An empty append changes nothing when it works, and shows whether the file could be opened for writing.
  'can-a-cell-change-the-installed-library.ipynb': student({
    ...right,
    add: `${FIND_ROOT}
let wrote = false;
let why = '';
try {
  fs.appendFileSync(path.join(selfsupRoot, 'dist', 'testing', 'index.js'), '');
  wrote = true;
} catch (err) {
  why = (err as Error).message;
}
function add(a: number, b: number): number {
  if (!wrote) throw new Error(\`could not change the installed library: \${why}\`);
  return a + b;
}`,
  }),

  // The grader's command line lists every submission; look for it among all visible processes.
  'can-a-cell-read-the-graders-command-line.ipynb': student({
    ...right,
    greet: `import * as fs from 'fs';
let grader = '';
let why = '';
let visible = 0;
try {
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\\d+$/.test(entry) || Number(entry) === process.pid) continue;
    visible++;
    try {
      const line = fs.readFileSync(\`/proc/\${entry}/cmdline\`, 'utf8').split('\\0').join(' ');
      if (/\\.ipynb|isolation\\.test|selfsup grade/.test(line)) grader = line;
    } catch {
      // gone
    }
  }
} catch (err) {
  why = (err as Error).message;
}
function greet(name: string): string {
  if (!grader) throw new Error(\`could not read the grader's command line (\${visible} other process(es) visible\${why ? \`; \${why}\` : ''})\`);
  return "Hello, " + name + "!";
}`,
  }),

  // Another kernel's ports, the debugger port a SIGUSR1 opens, or the internet: all on the network.
  'can-a-cell-reach-the-network.ipynb': student({
    ...right,
    greet: `import * as net from 'net';
const answer: string = await new Promise((resolve) => {
  const socket = net.connect(${LISTENER_PORT}, '127.0.0.1');
  socket.setTimeout(5000, () => socket.destroy(new Error('timed out')));
  socket.once('data', (data) => {
    resolve(String(data));
    socket.destroy();
  });
  socket.once('error', (err) => resolve(\`could not reach the network: \${err.message}\`));
});
console.log(answer);
function greet(name: string): string {
  if (!answer.startsWith('hello')) throw new Error(answer);
  return "Hello, " + name + "!";
}`,
  }),

  // A process that leaves the kernel's process group (setsid) and its process tree (its parent exits).
  'does-a-detached-process-outlive-its-kernel.ipynb': student({
    ...right,
    add: `import { spawn } from 'child_process';
try {
  const inner = \`require('child_process').spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000) // ${ORPHAN_MARKER}'], { detached: true, stdio: 'ignore' }).unref()\`;
  spawn(process.execPath, ['-e', inner], { detached: true, stdio: 'ignore' }).unref();
  console.log('started a detached process');
} catch (err) {
  console.log(\`could not start a process: \${(err as Error).message}\`);
}
${right.add}`,
  }),

  // Buffers live outside the V8 heap, so --max-old-space-size alone does not stop this.
  'does-a-memory-bomb-outside-the-heap-cost-only-its-exercise.ipynb': student({
    ...right,
    mean: `const hoard: Buffer[] = [];
function mean(xs: number[]): number {
  while (true) hoard.push(Buffer.alloc(64 * 1024 * 1024, xs.length));
}`,
  }),

  // Every solution cell waits for an hour: only the submission's time budget bounds the total.
  'does-hanging-in-every-cell-stop-at-the-time-budget.ipynb': student({
    add: `await new Promise((resolve) => setTimeout(resolve, 3_600_000));\n${right.add}`,
    mean: `await new Promise((resolve) => setTimeout(resolve, 3_600_000));\n${right.mean}`,
    greet: `await new Promise((resolve) => setTimeout(resolve, 3_600_000));\n${right.greet}`,
  }),
};

if (require.main === module) {
  fs.mkdirSync(out, { recursive: true });
  for (const [name, nb] of Object.entries(cases)) fs.writeFileSync(path.join(out, name), stringifyNotebook(nb));
  console.log(`wrote ${Object.keys(cases).length} isolation fixtures to ${path.relative(root, out)}`);
}
