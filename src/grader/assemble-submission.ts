import type { Cell, CodeCell, Notebook } from '../jupyter/notebook';
import { sourceText } from '../jupyter/notebook';
import { normalizeSource } from './checksum';
import { removeHiddenTests, stubSolutions, unmarkHiddenTests } from './markers';
import { gradeIdOf, roleOf } from './nbgrader-metadata';

export interface AssembledNotebook {
  /** The notebook to execute: the instructor's cells (hidden tests included) with the learner's solutions. */
  notebook: Notebook;
  /** One line per thing noticed, each naming the cell by grade_id. */
  messages: string[];
}

const codeCell = (source: string, metadata: Record<string, unknown> = {}): CodeCell => ({
  cell_type: 'code',
  metadata,
  source,
  outputs: [],
  execution_count: null,
});

/**
 * Build the notebook that is graded from the instructor's `source` (with its markers) and a
 * learner's `submission`:
 * - solution cells come from the submission (matched by grade_id; a missing one is graded as
 *   unanswered, with the stub);
 * - test and locked cells always come from the source, hidden tests included; a learner's edit,
 *   deletion, duplication or reordering of them is reported and undone;
 * - code cells the learner added stay, after the graded cell they followed;
 * - everything else (markdown, plain code) comes from the source.
 */
export function assembleSubmission(source: Notebook, submission: Notebook, notebookName: string): AssembledNotebook {
  const messages: string[] = [];
  const say = (m: string) => messages.push(`${notebookName}: ${m}`);
  const sourceById = new Map<string, Cell>();
  for (const cell of source.cells) {
    const id = gradeIdOf(cell);
    if (id) sourceById.set(id, cell);
  }
  const plainSources = new Set(
    source.cells.filter((c) => !gradeIdOf(c)).map((c) => normalizeSource(sourceText(c.source))),
  );

  const solutions = new Map<string, Cell>();
  const seen = new Map<string, number>();
  const order: string[] = [];
  const extras = new Map<string, Cell[]>(); // anchor grade_id ('' = before the first) -> learner's own cells
  let anchor = '';
  for (const cell of submission.cells) {
    const id = gradeIdOf(cell);
    const original = id ? sourceById.get(id) : undefined;
    if (id && original) {
      const count = (seen.get(id) ?? 0) + 1;
      seen.set(id, count);
      anchor = id;
      if (count > 1) {
        say(`cell ${id} appears ${count} times; the first copy is used`);
        continue;
      }
      order.push(id);
      const role = roleOf(original);
      if (role === 'solution') {
        solutions.set(id, cell);
      } else {
        const expected = normalizeSource(role === 'test' ? removeHiddenTests(sourceText(original.source)) : sourceText(original.source));
        if (normalizeSource(sourceText(cell.source)) !== expected || cell.cell_type !== original.cell_type) {
          say(`${role} cell ${id} was changed; the instructor's version is used`);
        }
      }
      continue;
    }
    if (cell.cell_type !== 'code') continue;
    const text = normalizeSource(sourceText(cell.source));
    if (text === '' || plainSources.has(text)) continue;
    if (id) say(`cell ${id} is not part of this assignment; it runs as the learner's own code`);
    extras.set(anchor, [...(extras.get(anchor) ?? []), codeCell(sourceText(cell.source))]);
  }

  const expectedOrder = source.cells.map(gradeIdOf).filter((id): id is string => id !== null && order.includes(id));
  if (expectedOrder.join('\n') !== order.join('\n')) say("graded cells were reordered; the instructor's order is used");

  const cells: Cell[] = [];
  const firstGraded = source.cells.findIndex((c) => gradeIdOf(c) !== null);
  source.cells.forEach((original, i) => {
    if (i === firstGraded) cells.push(...(extras.get('') ?? []));
    const id = gradeIdOf(original);
    const role = roleOf(original);
    const copy = JSON.parse(JSON.stringify(original)) as Cell;
    if (copy.cell_type === 'code') {
      copy.outputs = [];
      copy.execution_count = null;
    }
    if (role === 'solution' && id) {
      const mine = solutions.get(id);
      if (mine) copy.source = sourceText(mine.source);
      else {
        say(`solution cell ${id} is missing; graded as not answered`);
        copy.source = stubSolutions(sourceText(original.source));
      }
    } else if (role === 'test') {
      if (!seen.has(id!)) say(`test cell ${id} was deleted; the instructor's version is used`);
      copy.source = unmarkHiddenTests(sourceText(original.source));
    } else if (role === 'locked' && id && !seen.has(id)) {
      say(`locked cell ${id} was deleted; the instructor's version is used`);
    }
    cells.push(copy);
    if (id) cells.push(...(extras.get(id) ?? []));
  });
  if (firstGraded < 0) cells.push(...(extras.get('') ?? []));
  return { notebook: { ...source, cells }, messages };
}
