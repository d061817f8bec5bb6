import * as path from 'node:path';
import { stringifyNotebook, type Notebook } from '../../jupyter/notebook';
import { assembleSubmission } from '../assemble-submission';
import { executeGraded, type GradedCell } from '../execute-graded';
import { feedbackNotebook } from '../feedback-notebook';
import { readNotebookFile } from '../load-source';
import { writeFileAtomicSync } from '../../io/write-file-atomic';
import type { ExerciseGrade } from '../types';
import { expectedChecksFrom, scoreNotebook } from '../score';
import { capNotebookOutputs, MAX_NOTEBOOK_OUTPUT_BYTES } from './cap-outputs';
import { explainUpstreamFailures } from './upstream-failures';
import { kernelRunOptions, notGraded, type SubmissionContext, type SubmissionStep } from './context';

/** Read, restore protected cells, execute, score and write feedback, notebook by notebook. */
export const gradeNotebooks: SubmissionStep = async (ctx) => {
  const { options } = ctx;
  // One time budget for all of the submission's notebooks.
  const budget = options.submissionTimeoutMs ? { deadline: Date.now() + options.submissionTimeoutMs, totalMs: options.submissionTimeoutMs } : undefined;
  for (const source of ctx.sources) {
    const file = ctx.files.get(source.name);
    const expected = ctx.expected.get(source.name);
    if (!file) {
      if (ctx.files.size > 0) ctx.grade.messages.push(`${source.name} was not submitted`);
      notGradedFeedback(ctx, source.name, notGraded(source, expected, `${source.name} was not submitted`));
      continue;
    }
    let submitted: Notebook;
    try {
      const read = readNotebookFile(file, path.basename(file));
      submitted = read.notebook;
      if (read.encoding && read.encoding !== 'utf-8 with BOM') {
        ctx.grade.messages.push(`${source.name}: the file was saved as ${read.encoding.toUpperCase()}; it was read as such (Jupyter saves UTF-8)`);
      }
    } catch (err) {
      const why = (err as Error).message;
      ctx.grade.messages.push(`unreadable: ${why}`);
      notGradedFeedback(ctx, source.name, notGraded(source, expected, `the notebook could not be read (${why})`));
      continue;
    }
    const assembled = assembleSubmission(source.notebook, submitted, source.name);
    ctx.grade.messages.push(...assembled.messages);
    let cells: GradedCell[];
    try {
      cells = await executeGraded(assembled.notebook, { ...kernelRunOptions(options, source), budget });
    } catch (err) {
      const why = `the kernel could not be started: ${(err as Error).message}`;
      ctx.grade.messages.push(why);
      notGradedFeedback(ctx, source.name, notGraded(source, expected, why));
      continue;
    }
    ctx.executed.push(source.name);
    const reference = options.reference === 'self' ? expectedChecksFrom(cells) : expected ?? new Map();
    const exercises = scoreNotebook(assembled.notebook, source.name, cells, reference);
    ctx.grade.exercises.push(...exercises);
    const notes = explainUpstreamFailures(source.name, cells, exercises);
    const rejected = cells.reduce((s, c) => s + c.rejected, 0);
    if (rejected > 0) notes.push(`${source.name}: ${rejected} check result(s) without a valid signature were ignored`);
    const dropped = capNotebookOutputs(cells);
    if (dropped.outputs > 0) {
      notes.push(`${source.name}: ${dropped.outputs} output(s) were left out of the feedback notebook (it keeps at most ${MAX_NOTEBOOK_OUTPUT_BYTES} bytes of outputs)`);
    }
    const capped = cells.some((c) => c.result?.outputs.some((o) => o.output_type === 'stream' && /^\n\[selfsup: .* (dropped|cut)/.test(String(o.text))));
    if (capped && dropped.outputs === 0) notes.push(`${source.name}: some cells' output was over the per-cell limit and was cut (see the notes in the feedback notebook)`);
    ctx.grade.messages.push(...notes);
    writeFeedback(ctx, source.name, () => feedbackNotebook(assembled.notebook, source.notebook, cells, exercises, [...assembled.messages, ...notes]), () =>
      feedbackNotebook(assembled.notebook, source.notebook, [], exercises, [...assembled.messages, ...notes]),
    );
  }
};

/**
 * A notebook that could not be graded still gets its row's exercises (0 points, each saying why)
 * and a feedback notebook: the summary cell alone, with the submission's messages.
 */
function notGradedFeedback(ctx: SubmissionContext, name: string, exercises: ExerciseGrade[]): void {
  ctx.grade.exercises.push(...exercises);
  const messages = [...ctx.grade.messages];
  const summaryOnly = () => feedbackNotebook(emptyNotebook(ctx, name), emptyNotebook(ctx, name), [], exercises, messages);
  writeFeedback(ctx, name, summaryOnly, summaryOnly);
}

function emptyNotebook(ctx: SubmissionContext, name: string): Notebook {
  const source = ctx.sources.find((s) => s.name === name)!.notebook;
  return { ...source, cells: [] };
}

/**
 * Write a notebook's feedback; when that fails (a notebook too large to serialise, say), write
 * it again without the run's outputs, so every graded notebook has feedback.
 */
export function writeFeedback(ctx: SubmissionContext, name: string, full: () => Notebook, bare: () => Notebook): void {
  const rel = path.join('feedback', ctx.feedbackDir, name);
  const file = path.join(ctx.options.out, rel);
  try {
    writeFileAtomicSync(file, stringifyNotebook(full()));
  } catch (err) {
    const why = `${name}: the feedback notebook could not be written with its outputs (${(err as Error).message}); it was written without them`;
    ctx.grade.messages.push(why);
    const nb = bare();
    nb.cells[0].source = [...(Array.isArray(nb.cells[0].source) ? nb.cells[0].source : [nb.cells[0].source]), `\n* ⚠️ ${why}`];
    writeFileAtomicSync(file, stringifyNotebook(nb));
  }
  ctx.grade.feedback.push(rel);
}
