import type { Notebook } from '../jupyter/notebook';
import type { CheckRecord } from '../testing/protocol';
import type { GradedCell } from './execute-graded';
import { gradeIdOf, pointsOf, roleOf } from './nbgrader-metadata';
import type { CheckGrade, CheckOutcome, ExerciseGrade } from './types';

/** The checks each test cell makes, as learned from running the instructor's solution. */
export type ExpectedChecks = Map<string, Array<{ name: string; maxPoints: number }>>;

/** Expected checks per test cell, from a run of the instructor's notebook (names in order, first occurrence). */
export function expectedChecksFrom(cells: GradedCell[]): ExpectedChecks {
  const expected: ExpectedChecks = new Map();
  for (const cell of cells) {
    if (cell.role !== 'test' || !cell.gradeId) continue;
    const list: Array<{ name: string; maxPoints: number }> = [];
    for (const c of cell.checks) if (!list.some((x) => x.name === c.name)) list.push({ name: c.name, maxPoints: c.maxPoints });
    expected.set(cell.gradeId, list);
  }
  return expected;
}

const severity: Record<CheckOutcome, number> = { pass: 0, 'not-run': 1, fail: 2, error: 3, timeout: 4 };

function cellOutcome(cell: GradedCell | undefined): { status: CheckOutcome; message: string } {
  if (!cell) return { status: 'not-run', message: 'the test cell was not run' };
  if (!cell.result) return { status: 'not-run', message: cell.notRunReason ?? 'the test cell was not run' };
  const err = cell.result.error;
  const why = err ? `${err.ename}: ${err.evalue}` : '';
  switch (cell.result.status) {
    case 'ok':
      return { status: 'pass', message: '' };
    case 'timeout':
      return { status: 'timeout', message: why || 'the test cell timed out' };
    case 'dead':
      return { status: 'error', message: why || 'the kernel died in the test cell' };
    default:
      return { status: 'error', message: why || 'the test cell failed' };
  }
}

/**
 * Score every test cell of `nb` (the assembled notebook) from its graded run.
 *
 * A test cell is worth its nbgrader `points`. When the instructor's run recorded checks for it,
 * the points are shared among those checks in proportion to each check's own points, and a
 * check earns its share only with a signed 'pass' from this run (the worst result counts when a
 * check reports more than once). A test cell without checks is all or nothing: full points
 * when it runs without error, as in nbgrader. A cell the run marked as tampered with earns
 * nothing: every check fails with the reason.
 */
export function scoreNotebook(nb: Notebook, notebookName: string, cells: GradedCell[], expected: ExpectedChecks): ExerciseGrade[] {
  const byIndex = new Map(cells.map((c) => [c.index, c]));
  const exercises: ExerciseGrade[] = [];
  nb.cells.forEach((cell, index) => {
    const gradeId = gradeIdOf(cell);
    if (roleOf(cell) !== 'test' || !gradeId) return;
    const maxPoints = pointsOf(cell);
    const run = byIndex.get(index);
    const outcome = cellOutcome(run);
    const wanted = expected.get(gradeId) ?? [];
    let checks: CheckGrade[];
    if (wanted.length === 0) {
      const passed = outcome.status === 'pass';
      checks = [{ name: gradeId, status: outcome.status, points: passed ? maxPoints : 0, maxPoints, message: outcome.message }];
    } else {
      const total = wanted.reduce((s, w) => s + w.maxPoints, 0);
      const scale = (w: number) => (total > 0 ? (maxPoints * w) / total : maxPoints / wanted.length);
      checks = wanted.map((w) => {
        const share = round(scale(w.maxPoints));
        const reports = (run?.checks ?? []).filter((c: CheckRecord) => c.name === w.name);
        if (reports.length === 0) {
          const status: CheckOutcome = outcome.status === 'pass' ? 'not-run' : outcome.status;
          const message = outcome.status === 'pass' ? 'this check did not report a result' : `not reached: ${outcome.message}`;
          return { name: w.name, status, points: 0, maxPoints: share, message };
        }
        const worst = reports.reduce((a, b) => (severity[b.status] > severity[a.status] ? b : a));
        return { name: w.name, status: worst.status, points: worst.status === 'pass' ? share : 0, maxPoints: share, message: worst.message };
      });
    }
    // A cell whose results cannot be trusted earns nothing; each check says why.
    const tampered = run?.tampered;
    if (tampered) checks = checks.map((c) => ({ ...c, status: 'fail', points: 0, message: c.message && !c.message.includes(tampered) ? `${tampered}; ${c.message}` : tampered }));
    const points = round(checks.reduce((s, c) => s + c.points, 0));
    const status: CheckOutcome =
      points >= maxPoints && checks.every((c) => c.status === 'pass')
        ? 'pass'
        : checks.reduce<CheckOutcome>((s, c) => (severity[c.status] > severity[s] ? c.status : s), 'pass');
    exercises.push({ notebook: notebookName, gradeId, status: status === 'pass' && points < maxPoints ? 'fail' : status, points, maxPoints, checks });
  });
  return exercises;
}

export function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
