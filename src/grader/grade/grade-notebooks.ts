import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseNotebook, stringifyNotebook, type Notebook } from '../../jupyter/notebook';
import { assembleSubmission } from '../assemble-submission';
import { executeGraded, type GradedCell } from '../execute-graded';
import { feedbackNotebook } from '../feedback-notebook';
import { writeAtomic } from '../reports/write-atomic';
import { expectedChecksFrom, scoreNotebook } from '../score';
import { kernelCwd, kernelEnv, notGraded, type SubmissionStep } from './context';

/** Read, restore protected cells, execute, score and write feedback, notebook by notebook. */
export const gradeNotebooks: SubmissionStep = async (ctx) => {
  const { options } = ctx;
  for (const source of ctx.sources) {
    const file = ctx.files.get(source.name);
    const expected = ctx.expected.get(source.name);
    if (!file) {
      if (ctx.files.size > 0) ctx.grade.messages.push(`${source.name} was not submitted`);
      ctx.grade.exercises.push(...notGraded(source, expected, `${source.name} was not submitted`));
      continue;
    }
    let submitted: Notebook;
    try {
      submitted = parseNotebook(fs.readFileSync(file, 'utf8'), path.basename(file));
    } catch (err) {
      const why = (err as Error).message;
      ctx.grade.messages.push(`unreadable: ${why}`);
      ctx.grade.exercises.push(...notGraded(source, expected, `the notebook could not be read (${why})`));
      continue;
    }
    const assembled = assembleSubmission(source.notebook, submitted, source.name);
    ctx.grade.messages.push(...assembled.messages);
    let cells: GradedCell[];
    try {
      cells = await executeGraded(assembled.notebook, {
        ...options.kernel,
        cwd: kernelCwd(source),
        env: kernelEnv(options),
        timeoutMs: options.timeoutMs,
      });
    } catch (err) {
      const why = `the kernel could not be started: ${(err as Error).message}`;
      ctx.grade.messages.push(why);
      ctx.grade.exercises.push(...notGraded(source, expected, why));
      continue;
    }
    const reference = options.reference === 'self' ? expectedChecksFrom(cells) : expected ?? new Map();
    const exercises = scoreNotebook(assembled.notebook, source.name, cells, reference);
    ctx.grade.exercises.push(...exercises);
    const rejected = cells.reduce((s, c) => s + c.rejected, 0);
    if (rejected > 0) ctx.grade.messages.push(`${source.name}: ${rejected} check result(s) without a valid signature were ignored`);
    const feedback = feedbackNotebook(assembled.notebook, source.notebook, cells, exercises, assembled.messages);
    const rel = path.join('feedback', safeName(ctx.grade.id), source.name);
    writeAtomic(path.join(options.out, rel), stringifyNotebook(feedback));
    ctx.grade.feedback.push(rel);
  }
};

function safeName(id: string): string {
  return id.replace(/[^\w.-]+/g, '_') || 'submission';
}
