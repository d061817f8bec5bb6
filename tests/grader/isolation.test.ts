import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { chooseSandbox } from '../../src/grader/sandbox';
import * as net from 'node:net';
import { LISTENER_PORT, ORPHAN_MARKER } from '../../scripts/make-isolation-fixtures';
import { GradedBatch } from '../helpers/graded-batch';
import { repoRoot } from '../helpers/notebooks';

// One batch grades every isolation fixture (two kernels at once, the default sandbox); each test
// below reads its row. Each fixture's solution only works when its attack succeeds, so an
// attack that gets through shows up as points.
const fixtures = path.join(repoRoot, 'tests', 'grader', 'fixtures');
const isolationDir = path.join(fixtures, 'isolation');
const BUDGET_S = 45;
const log: string[] = [];
const batch = new GradedBatch('selfsup-isolation-', () => ({
  source: path.join(fixtures, 'source'),
  submissions: fs.readdirSync(isolationDir).sort().map((f) => path.join(isolationDir, f)),
  timeoutMs: 15_000,
  submissionTimeoutMs: BUDGET_S * 1000,
  maxMemoryMb: 512,
  log: (line: string) => log.push(line),
}));
const { row, points, checks } = batch;

/** Processes whose command line holds the orphan fixture's marker. */
function orphans(): number[] {
  const found: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').includes(ORPHAN_MARKER)) found.push(Number(entry));
    } catch {
      // gone
    }
  }
  return found;
}

// A listener on the host's loopback, which the network fixture tries to reach.
const listener = net.createServer((socket) => socket.end('hello from the host\n'));

before(async () => {
  assert.deepEqual(orphans(), [], 'no orphan from an earlier run');
  await new Promise<void>((resolve, reject) => {
    listener.once('error', reject);
    listener.listen(LISTENER_PORT, '127.0.0.1', resolve);
  });
  await batch.run();
});

after(() => {
  listener.close();
  for (const pid of orphans()) process.kill(pid, 'SIGKILL'); // never leave one behind, even when a test failed
  batch.remove();
});

test('Does every isolation fixture get its own row, and does the log say which sandbox ran them?', () => {
  const expected = fs.readdirSync(isolationDir).sort().map((f) => f.replace(/\.ipynb$/, ''));
  assert.deepEqual(batch.report.submissions.map((s) => s.id), expected);
  const kind = chooseSandbox('auto').kind;
  assert.match(log.join('\n'), new RegExp(`sandbox: ${kind} \\(`));
  assert.match(log.join('\n'), new RegExp(`time budget ${BUDGET_S} s per submission`));
  assert.notEqual(kind, 'none', 'auto picks a real sandbox on Node 20+');
});

test('Is a correct submission still graded in the sandbox (selfsup, its testing helpers and node_modules reachable)?', () => {
  assert.equal(row('is-a-correct-submission-graded-in-the-sandbox').score, 5);
});

test("Can a cell read the instructor's solutions?", () => {
  const id = 'can-a-cell-read-the-instructors-solutions';
  assert.deepEqual(points(id), { 'add-tests': 2, 'mean-tests': 0, 'greet-tests': 1 });
  for (const c of checks(id, 'mean-tests')) assert.match(c.message, /could not read the instructor's notebook: (ENOENT|Access to this API has been restricted)/);
});

test('Can a cell read another submission?', () => {
  const id = 'can-a-cell-read-another-submission';
  assert.deepEqual(points(id), { 'add-tests': 2, 'mean-tests': 0, 'greet-tests': 1 });
  for (const c of checks(id, 'mean-tests')) assert.match(c.message, /could not read another submission: (ENOENT|Access to this API has been restricted)/);
});

test('Can a cell change the installed library (and so the grades of later submissions)?', () => {
  const id = 'can-a-cell-change-the-installed-library';
  assert.deepEqual(points(id), { 'add-tests': 0, 'mean-tests': 2, 'greet-tests': 1 });
  for (const c of checks(id, 'add-tests')) assert.match(c.message, /could not change the installed library: (EROFS|Access to this API has been restricted)/);
});

test("Can a cell read the grader's command line (every submission's path)?", () => {
  const id = 'can-a-cell-read-the-graders-command-line';
  assert.deepEqual(points(id), { 'add-tests': 2, 'mean-tests': 2, 'greet-tests': 0 });
  assert.match(checks(id, 'greet-tests')[0].message, /could not read the grader's command line/);
});

test('Does a detached process outlive its kernel? (it is graded normally, and is gone after grading)', async () => {
  const id = 'does-a-detached-process-outlive-its-kernel';
  assert.equal(row(id).score, 5);
  // The kernel is gone once grade() returns; SIGKILL delivery to a whole namespace can lag a moment.
  for (let i = 0; i < 20 && orphans().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(orphans(), [], 'no process started by a submission survives grading');
});

test('Does a memory bomb outside the V8 heap cost only its exercise, reported as out of memory?', () => {
  const id = 'does-a-memory-bomb-outside-the-heap-cost-only-its-exercise';
  assert.deepEqual(points(id), { 'add-tests': 2, 'mean-tests': 0, 'greet-tests': 1 });
  assert.match(checks(id, 'mean-tests')[0].message, /out of memory, it used \d+ MB with the processes it started, over the limit of 512 MB/);
});

test('Does hanging in every cell stop at the time budget, the cells left reported as timeouts?', () => {
  const id = 'does-hanging-in-every-cell-stop-at-the-time-budget';
  const r = row(id);
  assert.equal(r.score, 0);
  assert.ok(r.durationMs < (BUDGET_S + 15) * 1000, `graded in ${r.durationMs} ms, budget ${BUDGET_S} s`);
  const greet = checks(id, 'greet-tests');
  assert.deepEqual(greet.map((c) => c.status), ['timeout']);
  assert.match(greet[0].message, new RegExp(`time budget of ${BUDGET_S} s \\(--submission-timeout\\) was used up before this cell`));
  const budgetHits = r.exercises.flatMap((e) => e.checks).filter((c) => /time budget of/.test(c.message));
  assert.ok(budgetHits.length >= 1 && budgetHits.every((c) => c.status === 'timeout'), JSON.stringify(r.exercises));
  // add-tests ran after its solution cell hung and could not compile: an honest error, not tampering
  for (const c of checks(id, 'add-tests')) {
    assert.doesNotMatch(c.message, /tampered/, 'a test cell that never began is not reported as tampering');
    assert.match(c.message, /time ran out in solution cell add/);
  }
});

test('Can a cell reach the network (other kernels, a debugger port, the internet)?', () => {
  const id = 'can-a-cell-reach-the-network';
  const kind = chooseSandbox('auto').kind;
  if (kind === 'bubblewrap') {
    // its own network namespace: not even the host's loopback
    assert.deepEqual(points(id), { 'add-tests': 2, 'mean-tests': 2, 'greet-tests': 0 });
    assert.match(checks(id, 'greet-tests')[0].message, /could not reach the network: (connect )?(ECONNREFUSED|ENETUNREACH)/);
  } else {
    // Node's permission model does not cover the network (docs/grading.md says so): the attack works
    assert.equal(row(id).score, 5);
  }
});
