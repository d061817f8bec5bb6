import type { GradedCell } from '../execute-graded';
import type { ExerciseGrade } from '../types';

/** "the kernel died in solution cell add (…)" for a cell that died or ran out of time; null otherwise. */
function failure(cell: GradedCell): string | null {
  const status = cell.result?.status;
  if (status !== 'dead' && status !== 'timeout') return null;
  const name = cell.gradeId ? `${cell.role === 'solution' ? 'solution ' : ''}cell ${cell.gradeId}` : `cell ${cell.index + 1}`;
  return `${status === 'dead' ? 'the kernel died in' : 'time ran out in'} ${name} (${cell.result!.error?.evalue ?? status})`;
}

/**
 * Say why a test cell failed when the cause came before it: the kernel died or time ran out in a
 * cell between the previous test cell and this one (a solution cell, usually), so what it defines
 * is missing and the test fails with a later, misleading error (a type error for a name never
 * defined). Prefixes each non-passing check's message; returns one line per such cell for the
 * submission's messages.
 */
export function explainUpstreamFailures(notebookName: string, cells: GradedCell[], exercises: ExerciseGrade[]): string[] {
  const lines: string[] = [];
  for (const cell of cells) {
    const why = failure(cell);
    if (why && cell.role !== 'test') lines.push(`${notebookName}: ${why}; the cells after it ran in a restarted kernel`);
  }
  for (const e of exercises) {
    const at = cells.findIndex((c) => c.role === 'test' && c.gradeId === e.gradeId);
    if (at < 0) continue;
    const previousTest = cells.slice(0, at).map((c) => c.role === 'test').lastIndexOf(true);
    const broken = cells.slice(previousTest + 1, at).map(failure).find((w): w is string => w !== null);
    if (!broken) continue;
    for (const c of e.checks) if (c.status !== 'pass') c.message = `${broken}; then ${c.message}`;
  }
  return lines;
}
