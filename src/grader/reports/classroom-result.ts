import type { GradeReport } from '../types';
import { cleanStrings } from './clean-text';

/**
 * The result a GitHub Classroom autograding runner hands to the official reporter
 * (classroom-resources/autograding-grading-reporter): base64 of
 *   { version: 1, status: 'pass' | 'fail' | 'error', max_score, tests: [{ name, status, score, message, ... }] }
 * written to $GITHUB_OUTPUT as `result=<base64>`. One test per exercise, so the reporter shows
 * points per exercise.
 */
export interface ClassroomTest {
  name: string;
  status: 'pass' | 'fail' | 'error';
  score: number;
  max_score: number;
  message: string;
  test_code: string;
  filename: string;
  line_no: number;
  execution_time: string;
}

export interface ClassroomResult {
  version: 1;
  status: 'pass' | 'fail' | 'error';
  max_score: number;
  tests: ClassroomTest[];
}

export function classroomResult(report: GradeReport): ClassroomResult {
  const tests: ClassroomTest[] = report.submissions.flatMap((s) => [
    ...(s.status === 'error'
      ? [{ name: `${s.id}: submission`, status: 'error' as const, score: 0, max_score: 0, message: s.messages.join('; '), test_code: '', filename: s.path, line_no: 0, execution_time: `${(s.durationMs / 1000).toFixed(1)}s` }]
      : []),
    ...s.exercises.map((e) => ({
      name: `${e.notebook} ${e.gradeId}`,
      status: e.status === 'pass' ? ('pass' as const) : e.status === 'fail' ? ('fail' as const) : ('error' as const),
      score: e.points,
      max_score: e.maxPoints,
      message: e.checks.filter((c) => c.status !== 'pass').map((c) => `${c.name}: ${c.status}${c.message ? ` (${c.message})` : ''}`).join('; '),
      test_code: `checks: ${e.checks.map((c) => c.name).join(', ')}`,
      filename: e.notebook,
      line_no: 0,
      execution_time: '',
    })),
  ]);
  const status = tests.some((t) => t.status === 'error') ? 'error' : tests.some((t) => t.status === 'fail') ? 'fail' : 'pass';
  return { version: 1, status, max_score: report.maxScore, tests };
}

/** The GITHUB_OUTPUT line. */
export function classroomOutputLine(report: GradeReport): string {
  return `result=${Buffer.from(JSON.stringify(classroomResult(report), cleanStrings)).toString('base64')}\n`;
}
