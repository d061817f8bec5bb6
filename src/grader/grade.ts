import * as fs from 'node:fs';
import * as path from 'node:path';
import { sourceText, type Notebook } from '../jupyter/notebook';
import { executeGraded } from './execute-graded';
import { kernelCwd, kernelEnv, type GradeOptions, type SubmissionContext, type SubmissionStep } from './grade/context';
import { gradeNotebooks } from './grade/grade-notebooks';
import { matchFiles } from './grade/match-files';
import { total } from './grade/total';
import { loadSource, type SourceNotebook } from './load-source';
import { unmarkHiddenTests } from './markers';
import { pointsOf, roleOf } from './nbgrader-metadata';
import { classroomOutputLine } from './reports/classroom-result';
import { gradesCsv } from './reports/grades-csv';
import { junitXml } from './reports/junit-xml';
import { markdownSummary } from './reports/markdown-summary';
import { writeAtomic } from './reports/write-atomic';
import { expectedChecksFrom, round, type ExpectedChecks } from './score';
import type { GradeReport, SubmissionGrade } from './types';

export type { GradeOptions, SubmissionContext, SubmissionStep } from './grade/context';

/** The instructor's notebook as it runs when grading: solutions in, hidden tests in, markers out. */
export function gradingVersion(nb: Notebook): Notebook {
  const copy = JSON.parse(JSON.stringify(nb)) as Notebook;
  for (const cell of copy.cells) if (roleOf(cell) === 'test') cell.source = unmarkHiddenTests(sourceText(cell.source));
  return copy;
}

/**
 * The steps each submission goes through, in order:
 * - matchFiles first: it decides which submitted file stands for which source notebook;
 * - gradeNotebooks reads, assembles, executes and scores what matchFiles chose, and writes feedback;
 * - total last: it sums what gradeNotebooks scored (and runs again if a step throws).
 */
export const SUBMISSION_STEPS: SubmissionStep[] = [matchFiles, gradeNotebooks, total];

function submissionId(target: string): string {
  const base = path.basename(path.resolve(target));
  return base.endsWith('.ipynb') ? base.slice(0, -'.ipynb'.length) : base;
}

async function gradeOne(target: string, options: GradeOptions, sources: SourceNotebook[], expected: Map<string, ExpectedChecks>): Promise<SubmissionGrade> {
  const started = Date.now();
  const grade: SubmissionGrade = { id: submissionId(target), path: target, status: 'error', score: 0, maxScore: 0, messages: [], exercises: [], feedback: [], durationMs: 0 };
  const ctx: SubmissionContext = { options, sources, expected, grade, files: new Map() };
  try {
    for (const step of SUBMISSION_STEPS) await step(ctx);
  } catch (err) {
    grade.messages.push(`grading stopped: ${(err as Error).message}`);
    total(ctx);
    grade.status = 'error';
  }
  grade.durationMs = Date.now() - started;
  return grade;
}

/** Run the instructor's notebooks once to learn which checks each test cell makes. */
async function referenceRuns(sources: SourceNotebook[], options: GradeOptions): Promise<Map<string, ExpectedChecks>> {
  const expected = new Map<string, ExpectedChecks>();
  if (options.reference === 'self') return expected;
  for (const source of sources) {
    const cells = await executeGraded(gradingVersion(source.notebook), {
      ...options.kernel,
      cwd: kernelCwd(source),
      env: kernelEnv(options),
      timeoutMs: options.timeoutMs,
    });
    expected.set(source.name, expectedChecksFrom(cells));
  }
  return expected;
}

/** Write every report file (each atomically). */
export function writeReports(report: GradeReport, out: string): void {
  writeAtomic(path.join(out, 'grades.json'), JSON.stringify(report, null, 2) + '\n');
  writeAtomic(path.join(out, 'grades.csv'), gradesCsv(report));
  writeAtomic(path.join(out, 'junit.xml'), junitXml(report));
  writeAtomic(path.join(out, 'summary.md'), markdownSummary(report));
}

/**
 * Grade submissions against the instructor's notebooks. Every submission gets a row, whatever
 * is wrong with it; one bad submission never stops the batch. Reports are rewritten after each
 * submission, so an interrupted batch keeps what it graded.
 */
export async function grade(options: GradeOptions): Promise<GradeReport> {
  const log = options.log ?? (() => undefined);
  const sources = loadSource(options.source);
  log(`selfsup grade: ${sources.length} notebook(s) from ${options.source}, ${options.submissions.length} submission(s), ${options.jobs ?? 1} job(s)`);
  const expected = await referenceRuns(sources, options);
  const report: GradeReport = {
    schema: 'selfsup-grades',
    schemaVersion: 1,
    generatedAt: new Date().toISOString(),
    source: options.source,
    maxScore: round(sources.flatMap((s) => s.notebook.cells).filter((c) => roleOf(c) === 'test').reduce((s, c) => s + pointsOf(c), 0)),
    submissions: [],
  };
  const results: SubmissionGrade[] = new Array(options.submissions.length);
  let next = 0;
  const worker = async () => {
    while (next < options.submissions.length) {
      const i = next++;
      const g = await gradeOne(options.submissions[i], options, sources, expected);
      results[i] = g;
      log(`  ${g.id}: ${g.score} / ${g.maxScore}${g.status === 'error' ? ` (not graded: ${g.messages.join('; ')})` : ''} (${(g.durationMs / 1000).toFixed(1)} s)`);
      report.submissions = results.filter(Boolean);
      writeReports(report, options.out);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.jobs ?? 1, options.submissions.length)) }, worker));
  report.submissions = results;
  writeReports(report, options.out);
  if (options.classroom) {
    const line = classroomOutputLine(report);
    if (process.env.GITHUB_OUTPUT) fs.appendFileSync(process.env.GITHUB_OUTPUT, line);
    else process.stdout.write(line);
  }
  return report;
}
