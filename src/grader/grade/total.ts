import { round } from '../score';
import type { SubmissionStep } from './context';

/** Totals and status: 'graded' when at least one notebook was executed. */
export const total: SubmissionStep = (ctx) => {
  const g = ctx.grade;
  g.score = round(g.exercises.reduce((s, e) => s + e.points, 0));
  g.maxScore = round(g.exercises.reduce((s, e) => s + e.maxPoints, 0));
  g.status = ctx.executed.length > 0 ? 'graded' : 'error';
};
