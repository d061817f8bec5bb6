import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from 'yaml';
import { classroomWorkflow } from '../../src/grader/release/student-files';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
  'working-directory'?: string;
}

const workflow = parse(classroomWorkflow()) as { jobs: Record<string, { steps: Step[] }> };
const steps = Object.values(workflow.jobs).flatMap((j) => j.steps);
const checkouts = steps.filter((s) => s.uses?.startsWith('actions/checkout@'));
const runs = steps.filter((s) => s.run !== undefined);

test('Does every checkout in the Classroom workflow leave no credential behind (persist-credentials: false)?', () => {
  assert.equal(checkouts.length, 2);
  for (const s of checkouts) assert.equal(s.with?.['persist-credentials'], false, s.name);
});

test("Is the instructor's repository checked out beside the submission, not inside it?", () => {
  const submission = checkouts.find((s) => s.with?.repository === undefined)!;
  const instructor = checkouts.find((s) => s.with?.repository !== undefined)!;
  const [a, b] = [String(submission.with?.path), String(instructor.with?.path)];
  assert.ok(a && b && a !== '.' && b !== '.', 'both have their own folder');
  assert.ok(!b.startsWith(`${a}/`) && !a.startsWith(`${b}/`), `${a} and ${b} are siblings`);
  assert.equal(instructor.with?.token, '${{ secrets.SELFSUP_SOURCE_TOKEN }}');
  assert.equal(instructor.with?.ref, '${{ vars.SELFSUP_SOURCE_REF }}', 'the instructor pins the grader version');
});

test("Does the workflow install and run the grader from the instructor's repository, never the student's package.json or src?", () => {
  const submission = String(checkouts.find((s) => s.with?.repository === undefined)!.with?.path);
  const instructor = String(checkouts.find((s) => s.with?.repository !== undefined)!.with?.path);
  const install = runs.filter((s) => /\bnpm (ci|install)\b/.test(s.run!));
  assert.equal(install.length, 1);
  assert.equal(install[0]['working-directory'], instructor);
  const grade = runs.find((s) => /\bgrade\b/.test(s.run!))!;
  assert.match(grade.run!, new RegExp(`node ${instructor}/dist/cli\\.js grade --source ${instructor}/notebooks ${submission} `));
  for (const s of runs) {
    assert.doesNotMatch(s.run!, /\bnpx\b|npm run/, `${s.name}: npx or an npm script would pick the student's copy`);
    assert.ok(s['working-directory'] !== submission, `${s.name} runs inside the submission`);
  }
});

test('Does the workflow refuse to grade without the instructor repository, saying what to set?', () => {
  const guard = runs[0];
  assert.match(guard.run!, /exit 1/);
  assert.match(guard.run!, /SELFSUP_SOURCE_REPO/);
  assert.match(guard.run!, /SELFSUP_SOURCE_TOKEN/);
  assert.ok(steps.indexOf(guard) < steps.indexOf(checkouts[0]), 'the check comes first');
});
