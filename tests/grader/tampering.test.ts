import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { GradedBatch } from '../helpers/graded-batch';
import { repoRoot } from '../helpers/notebooks';

// Issue #15, "Integrity of the checks": one fixture per attack on what the checks rely on, all
// graded in one batch (two kernels at once). Every fixture answers `add` correctly (2 points,
// earned before the attack) and attacks `double` or `approxPi`, whose answers are wrong or stubs.
const fixtures = path.join(repoRoot, 'tests', 'grader', 'fixtures', 'tampering');
const submissionsDir = path.join(fixtures, 'submissions');
const batch = new GradedBatch('selfsup-tampering-', () => ({
  source: path.join(fixtures, 'source'),
  submissions: fs.readdirSync(submissionsDir).sort().map((f) => path.join(submissionsDir, f)),
  timeoutMs: 30_000,
  maxMemoryMb: 1024,
}));
before(batch.run);
after(batch.remove);
const { row, points } = batch;
const messages = (id: string, gradeId: string) =>
  row(id).exercises.find((e) => e.gradeId === gradeId)!.checks.map((c) => `${c.name}: ${c.status}: ${c.message}`).join('\n');

/**
 * Each attack, the points the same submission earns without it (its honest score), and what the
 * report must say. The attack may cost more than the honest score (tampering fails every later
 * check of the cell), never earn more.
 */
const attacks: Array<{ id: string; honest: Record<string, number>; exercise: string; message: RegExp }> = [
  { id: 'does-replacing-math-abs-pass', honest: { 'add-tests': 2, 'double-tests': 0, 'pi-tests': 0 }, exercise: 'pi-tests', message: /environment tampered: Math\.abs was replaced/ },
  { id: 'does-a-tojson-on-prototypes-rewrite-results', honest: { 'add-tests': 2, 'double-tests': 1, 'pi-tests': 0 }, exercise: 'double-tests',
    // the rewritten serialisation garbles the cell's messages, so what reaches the grader is that its signed summary did not
    message: /environment tampered: the signed summary of this test cell's results did not reach the grader/ },
  { id: 'does-hooking-json-parse-rewrite-test-cells', honest: { 'add-tests': 2, 'double-tests': 1, 'pi-tests': 0 }, exercise: 'double-tests', message: /environment tampered: JSON\.parse was replaced/ },
  { id: 'does-patching-async-local-storage-allow-nested-checks', honest: { 'add-tests': 2, 'double-tests': 1, 'pi-tests': 0 }, exercise: 'double-tests', message: /environment tampered: AsyncLocalStorage\.prototype\.run was replaced/ },
  { id: 'does-replacing-the-testing-module-in-require-cache-fake-checks', honest: { 'add-tests': 2, 'double-tests': 1, 'pi-tests': 0 }, exercise: 'double-tests', message: /environment tampered: the require\.cache entry of selfsup\/dist\/testing\/index\.js was replaced/ },
  { id: 'does-patching-the-expect-module-exports-pass', honest: { 'add-tests': 2, 'double-tests': 1, 'pi-tests': 0 }, exercise: 'double-tests', message: /environment tampered: the exports of selfsup\/dist\/testing\/expect\.js were replaced/ },
  { id: 'does-patching-engine-memory-hide-leaks', honest: { 'add-tests': 2, 'double-tests': 1, 'pi-tests': 0 }, exercise: 'double-tests', message: /environment tampered: tf\.engine\(\)\.memory was added/ },
  { id: 'does-patching-tensor-datasync-fake-values', honest: { 'add-tests': 2, 'double-tests': 1, 'pi-tests': 0 }, exercise: 'double-tests', message: /environment tampered: tf\.Tensor\.prototype\.dataSync was replaced/ },
  { id: 'does-escaping-the-check-context-award-points', honest: { 'add-tests': 2, 'double-tests': 1, 'pi-tests': 0 }, exercise: 'double-tests', message: /environment tampered: check "doubles a tensor" was started from a timer or callback of code outside the test cell/ },
  { id: 'does-hiding-failed-results-from-the-grader-help', honest: { 'add-tests': 2, 'double-tests': 1, 'pi-tests': 0 }, exercise: 'double-tests', message: /environment tampered: 1 of this test cell's results were intercepted before they reached the grader/ },
];

test('Does an honest submission still get full marks, with no tampering reported?', () => {
  assert.deepEqual(points('is-an-honest-submission-still-graded-in-full'), { 'add-tests': 2, 'double-tests': 2, 'pi-tests': 1 });
  assert.doesNotMatch(JSON.stringify(row('is-an-honest-submission-still-graded-in-full')), /tampered/);
});

test('Does every attack get its own row?', () => {
  const ids = fs.readdirSync(submissionsDir).sort().map((f) => f.replace(/\.ipynb$/, ''));
  assert.deepEqual(batch.report.submissions.map((s) => s.id), ids);
  for (const a of attacks) assert.ok(ids.includes(a.id), a.id);
});

for (const a of attacks) {
  test(`${a.id.replace(/-/g, ' ').replace(/^does/, 'Does')}? It earns nothing beyond its honest score, and the report says what was tampered`, () => {
    const got = points(a.id);
    for (const [gradeId, honest] of Object.entries(a.honest)) {
      assert.ok(got[gradeId] <= honest, `${a.id} ${gradeId}: ${got[gradeId]} > honest ${honest}`);
    }
    assert.equal(got[a.exercise], 0, `${a.id}: the attacked exercise earns nothing`);
    assert.equal(got['add-tests'], 2, `${a.id}: what was earned before the attack is kept`);
    assert.match(messages(a.id, a.exercise), a.message);
    assert.equal(row(a.id).status, 'graded');
  });
}

test('Does reading the environment, /proc, argv files or stdin reveal the secret?', () => {
  const id = 'does-reading-the-environment-reveal-the-secret';
  assert.deepEqual(points(id), { 'add-tests': 2, 'double-tests': 1, 'pi-tests': 0 }, 'the honest score: forged passes count for nothing');
  assert.match(row(id).messages.join('\n'), /check result\(s\) without a valid signature were ignored/);
});
