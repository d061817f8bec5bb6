import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { main } from '../../src/cli';
import type { GradeReport } from '../../src/grader/types';
import { repoRoot, tempDir } from '../helpers/notebooks';

/** Run the CLI, capturing what it prints. */
async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const [log, error] = [console.log, console.error];
  console.log = (...a: unknown[]) => void out.push(a.join(' '));
  console.error = (...a: unknown[]) => void err.push(a.join(' '));
  try {
    return { code: await main(args), out: out.join('\n'), err: err.join('\n') };
  } finally {
    [console.log, console.error] = [log, error];
  }
}

test('Are a bad --submission-timeout and an unknown --sandbox refused with what was expected?', async () => {
  const bad = await cli(['grade', '--source', 'x', 'y', '--submission-timeout', 'soon']);
  assert.equal(bad.code, 2);
  assert.match(bad.err, /--submission-timeout expects seconds \(> 0\), got "soon"/);
  const unknown = await cli(['grade', '--source', 'x', 'y', '--sandbox', 'docker']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.err, /--sandbox expects one of auto, bubblewrap, node-permission, none, got "docker"/);
});

test('Does --submission-timeout reach the grader: a budget shorter than a kernel start leaves every cell a timeout?', async () => {
  const tmp = tempDir('selfsup-flags-');
  try {
    const fixtures = path.join(repoRoot, 'tests', 'grader', 'fixtures');
    const submission = path.join(fixtures, 'isolation', 'is-a-correct-submission-graded-in-the-sandbox.ipynb');
    const r = await cli(['grade', '--source', path.join(fixtures, 'source'), submission, '--out', tmp.dir, '--submission-timeout', '0.5', '--sandbox', 'none']);
    assert.equal(r.code, 0, r.err);
    assert.match(r.out, /sandbox: none .*time budget 0\.5 s per submission/);
    const report = JSON.parse(fs.readFileSync(path.join(tmp.dir, 'grades.json'), 'utf8')) as GradeReport;
    const checks = report.submissions[0].exercises.flatMap((e) => e.checks);
    assert.equal(report.submissions[0].score, 0);
    assert.ok(checks.length > 0 && checks.every((c) => c.status === 'timeout' && /time budget of 0\.5 s/.test(c.message)), JSON.stringify(checks));
  } finally {
    tmp.remove();
  }
});
