import * as path from 'node:path';
import { sourceText, type Notebook } from '../../jupyter/notebook';
import { executeGraded, type GradedCell } from '../execute-graded';
import { gradingVersion } from '../grade';
import { findRegions, stubSolutions, STUB_LINES } from '../markers';
import { gradeIdOf, roleOf } from '../nbgrader-metadata';
import { expectedChecksFrom, scoreNotebook } from '../score';
import { where, type ReleaseContext, type ReleaseStep } from './context';

function withStubs(nb: Notebook): Notebook {
  const copy = gradingVersion(nb);
  for (const cell of copy.cells) {
    if (roleOf(cell) !== 'solution') continue;
    const text = sourceText(cell.source);
    cell.source = findRegions(text).some((r) => r.kind === 'solution') ? stubSolutions(text) : STUB_LINES.join('\n');
  }
  return copy;
}

function failureOf(cell: GradedCell): string | null {
  if (!cell.result) return cell.notRunReason ?? 'not run';
  if (cell.result.status === 'ok') return null;
  const e = cell.result.error;
  return `${cell.result.status}${e ? `: ${e.ename}: ${e.evalue}` : ''}`;
}

async function run(ctx: ReleaseContext, nb: Notebook, file: string): Promise<GradedCell[]> {
  return executeGraded(nb, {
    ...ctx.options.kernel,
    cwd: path.dirname(path.resolve(file)),
    env: { ...ctx.options.kernel?.env, SELFSUP_QUICK: '1' },
    timeoutMs: ctx.options.timeoutMs,
  });
}

/**
 * Like otter-grader: every exercise's solution must pass its own tests (full marks), and its
 * stub must not; a stub must not turn any cell into a type error. Runs each notebook twice.
 * Must run after the metadata and marker checks.
 */
export const verifyExercises: ReleaseStep = async (ctx) => {
  if (ctx.options.verify === false) return;
  for (const { name, file, notebook } of ctx.sources) {
    if (!notebook.cells.some((c) => roleOf(c) === 'solution' || roleOf(c) === 'test')) continue;
    ctx.log(`  verifying ${name}: instructor solutions, then stubs`);
    const solved = gradingVersion(notebook);
    const solvedRun = await run(ctx, solved, file);
    const expected = expectedChecksFrom(solvedRun);
    for (const cell of solvedRun) {
      const failure = failureOf(cell);
      if (failure) ctx.errors.push(`${where(name, cell.gradeId, cell.index)}: fails in the instructor's notebook (${failure}); fix the notebook before releasing`);
    }
    for (const ex of scoreNotebook(solved, name, solvedRun, expected)) {
      if (ex.points < ex.maxPoints) {
        const bad = ex.checks.find((c) => c.status !== 'pass');
        ctx.errors.push(`${name}, cell ${ex.gradeId}: the solution does not pass its own tests (${bad ? `${bad.name}: ${bad.status}${bad.message ? `, ${bad.message}` : ''}` : 'not full marks'})`);
      }
    }
    const stubbed = withStubs(notebook);
    const stubRun = await run(ctx, stubbed, file);
    const solvedByIndex = new Map(solvedRun.map((c) => [c.index, c]));
    for (const cell of stubRun) {
      const e = cell.result?.error;
      if (e?.ename === 'TypeScriptError' && !failureOf(solvedByIndex.get(cell.index)!)) {
        const here = where(name, gradeIdOf(stubbed.cells[cell.index]), cell.index);
        if (roleOf(stubbed.cells[cell.index]) === 'solution') {
          ctx.errors.push(`${here}: its stub is a type error (${e.evalue}); keep declarations outside // BEGIN SOLUTION … // END SOLUTION`);
        } else {
          const culprit = stubbed.cells.slice(0, cell.index).reverse().find((c) => roleOf(c) === 'solution');
          const by = culprit ? `the stub of solution cell ${gradeIdOf(culprit)}` : 'a stub';
          ctx.errors.push(`${here}: ${by} makes this cell a type error (${e.evalue}); keep declarations outside // BEGIN SOLUTION … // END SOLUTION`);
        }
      }
    }
    for (const ex of scoreNotebook(stubbed, name, stubRun, expected)) {
      if (ex.maxPoints > 0 && ex.points >= ex.maxPoints) {
        ctx.errors.push(`${name}, cell ${ex.gradeId}: the unanswered exercise (the stub) passes these tests; they do not test the exercise`);
      }
    }
  }
};
