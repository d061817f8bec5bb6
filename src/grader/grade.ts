import * as fs from 'node:fs';
import * as path from 'node:path';
import type { KernelSessionOptions } from '../jupyter/kernel-session';
import { parseNotebook, stringifyNotebook, sourceText, type Notebook } from '../jupyter/notebook';
import { assembleSubmission } from './assemble-submission';
import { executeGraded, type GradedCell } from './execute-graded';
import { feedbackNotebook } from './feedback-notebook';
import { loadSource, type SourceNotebook } from './load-source';
import { unmarkHiddenTests } from './markers';
import { gradeIdOf, pointsOf, roleOf } from './nbgrader-metadata';
import { classroomOutputLine } from './reports/classroom-result';
import { gradesCsv } from './reports/grades-csv';
import { junitXml } from './reports/junit-xml';
import { markdownSummary } from './reports/markdown-summary';
import { writeAtomic } from './reports/write-atomic';
import { expectedChecksFrom, round, scoreNotebook, type ExpectedChecks } from './score';
import type { ExerciseGrade, GradeReport, SubmissionGrade } from './types';

export interface GradeOptions {
  /** The instructor's notebooks (folder or one file). */
  source: string;
  /** Submissions: notebook files, or folders (one per learner) holding notebooks. */
  submissions: string[];
  /** Where reports and feedback go. */
  out: string;
  /** Kernels to run at once (default 1). */
  jobs?: number;
  /** Per-cell time limit in ms (default 120 s). */
  timeoutMs?: number;
  /** Also write the GitHub Classroom result to $GITHUB_OUTPUT. */
  classroom?: boolean;
  /** Heap limit of each kernel in MB (default 4096): a submission that exhausts it loses its exercise, not the batch. */
  maxMemoryMb?: number;
  /** Extra kernel environment (SELFSUP_QUICK=1 is always set). */
  env?: Record<string, string>;
  /** Where the expected checks come from: a run of the source ('source', default) or the submission itself ('self', for a learner's own check). */
  reference?: 'source' | 'self';
  /** Kernel options (tests use this to pick the kernelspec). */
  kernel?: KernelSessionOptions;
  log?: (line: string) => void;
}

/** Everything the per-submission steps share. */
interface SubmissionContext {
  options: GradeOptions;
  sources: SourceNotebook[];
  expected: Map<string, ExpectedChecks>;
  grade: SubmissionGrade;
  /** Which submitted file stands for which source notebook (null: not submitted). */
  files: Map<string, string | null>;
}

type Step = (ctx: SubmissionContext) => Promise<void> | void;

/** The instructor's notebook as it runs when grading: solutions in, hidden tests in, markers out. */
export function gradingVersion(nb: Notebook): Notebook {
  const copy = JSON.parse(JSON.stringify(nb)) as Notebook;
  for (const cell of copy.cells) if (roleOf(cell) === 'test') cell.source = unmarkHiddenTests(sourceText(cell.source));
  return copy;
}

function submissionId(target: string): string {
  const base = path.basename(path.resolve(target));
  return base.endsWith('.ipynb') ? base.slice(0, -'.ipynb'.length) : base;
}

/** Exercises of a notebook that could not be graded: zero points, each check 'not-run' with the reason. */
function notGraded(source: SourceNotebook, expected: ExpectedChecks | undefined, reason: string): ExerciseGrade[] {
  return source.notebook.cells
    .filter((c) => roleOf(c) === 'test' && gradeIdOf(c))
    .map((c) => {
      const gradeId = gradeIdOf(c)!;
      const maxPoints = pointsOf(c);
      const wanted = expected?.get(gradeId) ?? [];
      const total = wanted.reduce((s, w) => s + w.maxPoints, 0);
      const checks = (wanted.length > 0 ? wanted : [{ name: gradeId, maxPoints }]).map((w) => ({
        name: w.name,
        status: 'not-run' as const,
        points: 0,
        maxPoints: wanted.length > 0 && total > 0 ? round((maxPoints * w.maxPoints) / total) : maxPoints,
        message: reason,
      }));
      return { notebook: source.name, gradeId, status: 'not-run' as const, points: 0, maxPoints, checks };
    });
}

// ---- the steps, in order ------------------------------------------------------------------

/** 1. Find the submitted notebook for each source notebook. Must run first. */
const matchFiles: Step = (ctx) => {
  const target = ctx.grade.path;
  if (!fs.existsSync(target)) {
    ctx.grade.messages.push(`${target} does not exist`);
    return;
  }
  if (fs.statSync(target).isFile()) {
    const name = path.basename(target);
    const match = ctx.sources.find((s) => s.name === name) ?? (ctx.sources.length === 1 ? ctx.sources[0] : undefined);
    for (const s of ctx.sources) ctx.files.set(s.name, s === match ? target : null);
    if (!match) ctx.grade.messages.push(`${name} matches none of the assignment's notebooks (${ctx.sources.map((s) => s.name).join(', ')})`);
    return;
  }
  const dir = fs.existsSync(path.join(target, 'notebooks')) ? path.join(target, 'notebooks') : target;
  for (const s of ctx.sources) {
    const file = path.join(dir, s.name);
    ctx.files.set(s.name, fs.existsSync(file) ? file : null);
  }
};

/** 2. Read, restore protected cells, execute, score and write feedback, notebook by notebook. */
const gradeNotebooks: Step = async (ctx) => {
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
        cwd: path.dirname(path.resolve(source.file)),
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

/** 3. Totals and status. Must run last. */
const total: Step = (ctx) => {
  const g = ctx.grade;
  g.score = round(g.exercises.reduce((s, e) => s + e.points, 0));
  g.maxScore = round(g.exercises.reduce((s, e) => s + e.maxPoints, 0));
  const anyGraded = g.feedback.length > 0;
  g.status = anyGraded ? 'graded' : 'error';
};

/** Ordering: matchFiles decides what gradeNotebooks reads; total sums what gradeNotebooks scored. */
export const SUBMISSION_STEPS: Step[] = [matchFiles, gradeNotebooks, total];

function kernelEnv(options: GradeOptions): Record<string, string | undefined> {
  const memory = `--max-old-space-size=${options.maxMemoryMb ?? 4096}`;
  const nodeOptions = [process.env.NODE_OPTIONS, options.kernel?.env?.NODE_OPTIONS, memory].filter(Boolean).join(' ');
  return { ...options.kernel?.env, ...options.env, SELFSUP_QUICK: '1', NODE_OPTIONS: nodeOptions };
}

function safeName(id: string): string {
  return id.replace(/[^\w.-]+/g, '_') || 'submission';
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
      cwd: path.dirname(path.resolve(source.file)),
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
