import type { Cell, Notebook } from '../jupyter/notebook';
import { sourceText, toMultiline } from '../jupyter/notebook';
import type { GradedCell } from './execute-graded';
import { removeHiddenTests } from './markers';
import { roleOf } from './nbgrader-metadata';
import type { ExerciseGrade } from './types';

/**
 * The notebook a learner gets back: their graded run with its outputs (check results included),
 * hidden test code replaced by a note, and a summary cell at the top.
 */
export function feedbackNotebook(
  assembled: Notebook,
  instructor: Notebook,
  cells: GradedCell[],
  exercises: ExerciseGrade[],
  messages: string[],
): Notebook {
  const byIndex = new Map(cells.map((c) => [c.index, c]));
  const instructorById = new Map(instructor.cells.map((c) => [c.metadata?.nbgrader?.grade_id, c]));
  const out: Cell[] = assembled.cells.map((cell, index) => {
    const copy = JSON.parse(JSON.stringify(cell)) as Cell;
    if (copy.cell_type !== 'code') return copy;
    if (roleOf(cell) === 'test') {
      const original = instructorById.get(cell.metadata?.nbgrader?.grade_id);
      const visible = original ? removeHiddenTests(sourceText(original.source)) : sourceText(cell.source);
      const hidden = original && visible !== sourceText(original.source).replace(/\n+$/, '');
      copy.source = toMultiline(hidden ? `${visible}\n// (hidden tests ran here; their results are in the output below)` : visible);
    }
    const run = byIndex.get(index);
    copy.outputs = (run?.result?.outputs ?? []).map((o) =>
      o.output_type === 'stream' ? { ...o, text: toMultiline(String(o.text)) } : o,
    );
    copy.execution_count = run?.result?.executionCount ?? null;
    return copy;
  });
  const score = exercises.reduce((s, e) => s + e.points, 0);
  const max = exercises.reduce((s, e) => s + e.maxPoints, 0);
  const lines = [`# Feedback: ${Math.round(score * 1000) / 1000} / ${max} points`, ''];
  for (const e of exercises) {
    lines.push(`* **${e.gradeId}**: ${e.points} / ${e.maxPoints} (${e.status})`);
    for (const c of e.checks) if (c.status !== 'pass') lines.push(`  * ${c.name}: ${c.status}${c.message ? ` (${c.message.slice(0, 300)})` : ''}`);
  }
  if (messages.length > 0) lines.push('', ...messages.map((m) => `* ⚠️ ${m}`));
  out.unshift({ cell_type: 'markdown', metadata: {}, source: toMultiline(lines.join('\n')) });
  const nb: Notebook = { ...assembled, cells: out };
  if (nb.nbformat_minor >= 5) nb.cells.forEach((c, i) => (c.id ??= `feedback-${i}`));
  return nb;
}
