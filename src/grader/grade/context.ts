import * as path from 'node:path';
import type { KernelSessionOptions } from '../../jupyter/kernel-session';
import type { ExecuteGradedOptions } from '../execute-graded';
import { chooseSandbox, type SandboxChoice } from '../sandbox';
import type { SourceNotebook } from '../load-source';
import { gradeIdOf, pointsOf, roleOf } from '../nbgrader-metadata';
import { round, type ExpectedChecks } from '../score';
import type { ExerciseGrade, SubmissionGrade } from '../types';

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
  /**
   * Memory limit of each kernel in MB (default 4096), for the kernel and every process it starts
   * together (resident memory), and for its V8 heap: a submission that exhausts it loses its
   * exercise, not the batch.
   */
  maxMemoryMb?: number;
  /** A submission's total time budget in ms (default none): when it runs out, the cells left report 'timeout'. */
  submissionTimeoutMs?: number;
  /** How kernels are isolated (default 'auto': the strongest available; see docs/grading.md, "Isolation"). */
  sandbox?: SandboxChoice;
  /** Extra kernel environment (SELFSUP_QUICK=1 is always set). */
  env?: Record<string, string>;
  /** Where the expected checks come from: a run of the source ('source', default) or the submission itself ('self', for a learner's own check). */
  reference?: 'source' | 'self';
  /** Kernel options (tests use this to pick the kernelspec). */
  kernel?: KernelSessionOptions;
  log?: (line: string) => void;
}

/** Everything the per-submission steps share. */
export interface SubmissionContext {
  options: GradeOptions;
  sources: SourceNotebook[];
  expected: Map<string, ExpectedChecks>;
  grade: SubmissionGrade;
  /** Which submitted file stands for which source notebook (null: not submitted). */
  files: Map<string, string | null>;
  /** This submission's feedback folder under `out/feedback/`, unique in the batch. */
  feedbackDir: string;
  /** Source notebooks whose submitted version was executed. */
  executed: string[];
}

export type SubmissionStep = (ctx: SubmissionContext) => Promise<void> | void;

/** Exercises of a notebook that could not be graded: zero points, each check 'not-run' with the reason. */
export function notGraded(source: SourceNotebook, expected: ExpectedChecks | undefined, reason: string): ExerciseGrade[] {
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

/** The kernel environment of every grading run: the heap limit in NODE_OPTIONS, SELFSUP_QUICK=1. */
export function kernelEnv(options: GradeOptions): Record<string, string | undefined> {
  const memory = `--max-old-space-size=${options.maxMemoryMb ?? 4096}`;
  const nodeOptions = [process.env.NODE_OPTIONS, options.kernel?.env?.NODE_OPTIONS, memory].filter(Boolean).join(' ');
  return { ...options.kernel?.env, ...options.env, SELFSUP_QUICK: '1', NODE_OPTIONS: nodeOptions };
}

/** How every grading kernel of `source` is started: sandbox, private folder, memory and time limits. */
export function kernelRunOptions(options: GradeOptions, source: SourceNotebook): ExecuteGradedOptions {
  return {
    ...options.kernel,
    cwd: kernelCwd(source),
    env: kernelEnv(options),
    timeoutMs: options.timeoutMs,
    sandbox: chooseSandbox(options.sandbox).kind,
    memoryLimitMb: options.maxMemoryMb ?? 4096,
  };
}

/** Where a source notebook's kernel runs. */
export function kernelCwd(source: SourceNotebook): string {
  return path.dirname(path.resolve(source.file));
}
