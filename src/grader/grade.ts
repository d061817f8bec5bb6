import * as fs from 'node:fs';
import * as path from 'node:path';
import { sourceText, type Notebook } from '../jupyter/notebook';
import { executeGraded } from './execute-graded';
import { kernelRunOptions, type GradeOptions, type SubmissionContext, type SubmissionStep } from './grade/context';
import { gradeNotebooks } from './grade/grade-notebooks';
import { matchFiles } from './grade/match-files';
import { total } from './grade/total';
import { loadSource, type SourceNotebook } from './load-source';
import { chooseSandbox } from './sandbox';
import { unmarkHiddenTests } from './markers';
import { pointsOf, roleOf } from './nbgrader-metadata';
import { classroomOutputLine } from './reports/classroom-result';
import { cleanStrings } from './reports/clean-text';
import { gradesCsv } from './reports/grades-csv';
import { junitXml } from './reports/junit-xml';
import { markdownSummary } from './reports/markdown-summary';
import { writeFileAtomicSync } from '../io/write-file-atomic';
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

/**
 * A row id and a feedback folder for each submission, unique in the batch: the folder name, or
 * the file name without .ipynb; when two submissions share it (assignment.ipynb from two
 * learners' folders), as many parent folders as tell them apart ("alice/assignment"); the same
 * path given twice gets " (2)". Feedback folders are the ids made safe for a file name.
 */
export function submissionIds(targets: string[]): Array<{ id: string; feedbackDir: string }> {
  const parts = targets.map((t) => {
    const segments = path.resolve(t).split(path.sep).filter(Boolean);
    const last = segments.length - 1;
    if (last >= 0 && segments[last].endsWith('.ipynb')) segments[last] = segments[last].slice(0, -'.ipynb'.length);
    return segments;
  });
  const ids = parts.map((p) => p.slice(-1).join('/') || 'submission');
  for (let depth = 2; ; depth++) {
    // only different paths are told apart by their folders; the same path given twice gets " (2)" below
    const clashing = ids.map((id, i) => parts[i].length >= depth && ids.some((other, j) => other === id && parts[j].join('/') !== parts[i].join('/')));
    if (!clashing.some(Boolean)) break;
    clashing.forEach((clash, i) => clash && (ids[i] = parts[i].slice(-depth).join('/')));
  }
  const taken = new Set<string>();
  const unique = ids.map((id) => {
    let candidate = id;
    for (let n = 2; taken.has(candidate); n++) candidate = `${id} (${n})`;
    taken.add(candidate);
    return candidate;
  });
  const dirs = new Set<string>();
  return unique.map((id) => {
    const safe = id.replace(/[^\w.-]+/g, '_') || 'submission';
    let dir = safe;
    for (let n = 2; dirs.has(dir.toLowerCase()); n++) dir = `${safe}-${n}`;
    dirs.add(dir.toLowerCase());
    return { id, feedbackDir: dir };
  });
}

async function gradeOne(
  target: string,
  naming: { id: string; feedbackDir: string },
  options: GradeOptions,
  sources: SourceNotebook[],
  expected: Map<string, ExpectedChecks>,
): Promise<SubmissionGrade> {
  const started = Date.now();
  const grade: SubmissionGrade = { id: naming.id, path: target, status: 'error', score: 0, maxScore: 0, messages: [], exercises: [], feedback: [], durationMs: 0 };
  const ctx: SubmissionContext = { options, sources, expected, grade, files: new Map(), feedbackDir: naming.feedbackDir, executed: [] };
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
    const cells = await executeGraded(gradingVersion(source.notebook), kernelRunOptions(options, source));
    expected.set(source.name, expectedChecksFrom(cells));
  }
  return expected;
}

/** Write every report file (each atomically). */
export function writeReports(report: GradeReport, out: string): void {
  writeFileAtomicSync(path.join(out, 'grades.json'), JSON.stringify(report, cleanStrings, 2) + '\n');
  writeFileAtomicSync(path.join(out, 'grades.csv'), gradesCsv(report));
  writeFileAtomicSync(path.join(out, 'junit.xml'), junitXml(report));
  writeFileAtomicSync(path.join(out, 'summary.md'), markdownSummary(report));
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
  const sandbox = chooseSandbox(options.sandbox);
  log(`  sandbox: ${sandbox.kind} (${sandbox.note}); memory limit ${options.maxMemoryMb ?? 4096} MB per kernel; ${options.submissionTimeoutMs ? `time budget ${options.submissionTimeoutMs / 1000} s per submission` : 'no time budget per submission'}`);
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
  const naming = submissionIds(options.submissions);
  let next = 0;
  const worker = async () => {
    while (next < options.submissions.length) {
      const i = next++;
      const g = await gradeOne(options.submissions[i], naming[i], options, sources, expected);
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
