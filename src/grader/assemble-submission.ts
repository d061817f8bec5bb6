import type { Cell, CodeCell, Notebook } from '../jupyter/notebook';
import { sourceText } from '../jupyter/notebook';
import { normalizeSource } from './checksum';
import { findRegions, removeHiddenTests, STUB_LINES, stubSolutions, unmarkHiddenTests } from './markers';
import { gradeIdOf, roleOf } from './nbgrader-metadata';

export interface AssembledNotebook {
  /** The notebook to execute: the instructor's cells (hidden tests included) with the learner's solutions. */
  notebook: Notebook;
  /** One line per thing noticed, each naming the cell by grade_id. */
  messages: string[];
  /** Solution cells in the source, and how many of them the learner answered (their text is not the stub). */
  solutions: number;
  answered: number;
}

const codeCell = (source: string, metadata: Record<string, unknown> = {}): CodeCell => ({
  cell_type: 'code',
  metadata,
  source,
  outputs: [],
  execution_count: null,
});

/** The released stub of a solution cell (as make-student-notebooks writes it). */
export function solutionStub(solution: string): string {
  return findRegions(solution).some((r) => r.kind === 'solution') ? stubSolutions(solution) : STUB_LINES.join('\n');
}

/**
 * The fixed text of a solution cell around its solution regions (normalised), e.g. the function's
 * signature line and its closing brace: what any answer keeps. Empty when the whole cell is the
 * solution.
 */
function skeleton(solution: string): string[] {
  const lines = solution.split('\n');
  const parts: string[] = [];
  let from = 0;
  for (const r of findRegions(solution).filter((x) => x.kind === 'solution')) {
    parts.push(normalizeSource(lines.slice(from, r.begin).join('\n')));
    from = r.end + 1;
  }
  parts.push(normalizeSource(lines.slice(from).join('\n')));
  return parts;
}

/** Whether a cell's text keeps a solution cell's skeleton: its first part at the start, its last at the end, the rest in order. */
function fitsSkeleton(text: string, parts: string[]): boolean {
  if (parts.every((p) => p === '')) return false;
  if (!text.startsWith(parts[0]) || !text.endsWith(parts[parts.length - 1])) return false;
  let at = parts[0].length;
  for (const p of parts.slice(1, -1)) {
    const found = text.indexOf(p, at);
    if (found < 0) return false;
    at = found + p.length;
  }
  return at <= text.length - parts[parts.length - 1].length;
}

/**
 * Build the notebook that is graded from the instructor's `source` (with its markers) and a
 * learner's `submission`:
 * - solution cells come from the submission, matched by grade_id; a missing one is graded as
 *   unanswered, with the stub. When the same solution cell appears more than once, an answered
 *   copy is preferred over the stub (the last answered one, as the learner's run defined it last);
 * - cells whose nbgrader metadata is gone (another editor stripped it) are matched by content:
 *   a test or locked cell by its text, a solution cell by the text around its solution (the
 *   function's signature and closing brace), each reported;
 * - test and locked cells always come from the source, hidden tests included; a learner's edit,
 *   deletion, duplication or reordering of them is reported and undone;
 * - code cells the learner added stay, after the graded cell they followed;
 * - everything else (markdown, plain code) comes from the source.
 */
export function assembleSubmission(source: Notebook, submission: Notebook, notebookName: string): AssembledNotebook {
  const messages: string[] = [];
  const say = (m: string) => messages.push(`${notebookName}: ${m}`);
  const sourceById = new Map<string, Cell>();
  const byText = new Map<string, string>(); // normalised visible text of test and locked code cells -> grade_id
  const skeletons: Array<{ id: string; parts: string[]; stub: string }> = [];
  for (const cell of source.cells) {
    const id = gradeIdOf(cell);
    if (!id) continue;
    sourceById.set(id, cell);
    const role = roleOf(cell);
    const text = sourceText(cell.source);
    if (role === 'solution') skeletons.push({ id, parts: skeleton(text), stub: normalizeSource(solutionStub(text)) });
    else if (cell.cell_type === 'code' && (role === 'test' || role === 'locked')) {
      byText.set(normalizeSource(role === 'test' ? removeHiddenTests(text) : text), id);
    }
  }
  const stubOf = new Map(skeletons.map((k) => [k.id, k.stub]));
  const plainSources = new Set(
    source.cells.filter((c) => !gradeIdOf(c)).map((c) => normalizeSource(sourceText(c.source))),
  );

  const copies = new Map<string, Cell[]>(); // solution grade_id -> every copy, in order
  const seen = new Map<string, number>();
  const order: string[] = [];
  const byContent: string[] = [];
  const extras = new Map<string, Cell[]>(); // anchor grade_id ('' = before the first) -> learner's own cells
  let anchor = '';
  for (const cell of submission.cells) {
    let id = gradeIdOf(cell);
    if (!id && cell.cell_type === 'code') {
      // no (known) nbgrader metadata: recognise the cell by its content
      const text = normalizeSource(sourceText(cell.source));
      const matched =
        byText.get(text) ??
        skeletons.find((k) => text === k.stub || fitsSkeleton(text, k.parts))?.id;
      if (matched) {
        if (!byContent.includes(matched)) byContent.push(matched);
        id = matched;
      }
    }
    const original = id ? sourceById.get(id) : undefined;
    if (id && original) {
      const count = (seen.get(id) ?? 0) + 1;
      seen.set(id, count);
      anchor = id;
      const role = roleOf(original);
      if (role === 'solution') {
        copies.set(id, [...(copies.get(id) ?? []), cell]);
        if (count === 1) order.push(id);
        continue;
      }
      if (count > 1) {
        say(`cell ${id} appears ${count} times; the first copy is used`);
        continue;
      }
      order.push(id);
      const expected = normalizeSource(role === 'test' ? removeHiddenTests(sourceText(original.source)) : sourceText(original.source));
      if (normalizeSource(sourceText(cell.source)) !== expected || cell.cell_type !== original.cell_type) {
        say(`${role} cell ${id} was changed; the instructor's version is used`);
      }
      continue;
    }
    if (cell.cell_type !== 'code') continue;
    const text = normalizeSource(sourceText(cell.source));
    if (text === '' || plainSources.has(text)) continue;
    if (id) say(`cell ${id} is not part of this assignment; it runs as the learner's own code`);
    extras.set(anchor, [...(extras.get(anchor) ?? []), codeCell(sourceText(cell.source))]);
  }
  if (byContent.length > 0) {
    say(
      `cell(s) ${byContent.join(', ')} had lost their nbgrader metadata (saved by another editor?) and were matched by their content; ` +
        'to be sure of your grade, work in a copy of the released notebook in Jupyter',
    );
  }

  const solutions = new Map<string, Cell>();
  let answered = 0;
  for (const [id, list] of copies) {
    const isAnswered = (c: Cell) => normalizeSource(sourceText(c.source)) !== stubOf.get(id);
    const answers = list.filter(isAnswered);
    const chosen = answers.length > 0 ? answers[answers.length - 1] : list[0];
    solutions.set(id, chosen);
    if (answers.length > 0) answered++;
    if (list.length > 1) {
      const which = list.indexOf(chosen) + 1;
      const others = list.length - answers.length;
      const why =
        answers.length === 0 ? 'none is answered' : answers.length === 1 ? `the other${others > 1 ? 's are' : ' is'} the unanswered stub` : 'it is the last answered one';
      say(`solution cell ${id} appears ${list.length} times; copy ${which} is used (${why}); keep one copy`);
    }
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
        copy.source = solutionStub(sourceText(original.source));
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
  return { notebook: { ...source, cells }, messages, solutions: skeletons.length, answered };
}
