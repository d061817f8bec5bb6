import assert from 'node:assert/strict';
import { grade, type GradeOptions } from '../../src/grader/grade';
import type { CheckGrade, GradeReport, SubmissionGrade } from '../../src/grader/types';
import { tslabKernelSpec } from '../../src/jupyter/kernelspec';
import { tempDir } from './notebooks';

/**
 * One `grade()` run over a batch of fixture submissions, shared by the tests of one file: two
 * kernels at once, the repository's tslab kernel, reports in a temporary folder. Call `run` in
 * `before()` and `remove` in `after()`; the tests read rows by submission id.
 */
export class GradedBatch {
  /** Where the reports and feedback notebooks are written. */
  readonly dir: string;
  private readonly tmp: { dir: string; remove: () => void };
  private result: GradeReport | null = null;

  constructor(prefix: string, private readonly options: () => Omit<GradeOptions, 'out'>) {
    this.tmp = tempDir(prefix);
    this.dir = this.tmp.dir;
  }

  get report(): GradeReport {
    assert.ok(this.result, 'the batch has not been graded: call run() in before()');
    return this.result!;
  }

  run = async (): Promise<void> => {
    this.result = await grade({ jobs: 2, kernel: { spec: tslabKernelSpec() }, ...this.options(), out: this.dir });
  };

  remove = (): void => this.tmp.remove();

  row = (id: string): SubmissionGrade => {
    const r = this.report.submissions.find((s) => s.id === id);
    assert.ok(r, `a row for ${id} (rows: ${this.report.submissions.map((s) => s.id).join(', ')})`);
    return r!;
  };

  /** Points per exercise (grade_id) of one submission. */
  points = (id: string): Record<string, number> => Object.fromEntries(this.row(id).exercises.map((e) => [e.gradeId, e.points]));

  /** The checks of one exercise of one submission. */
  checks = (id: string, gradeId: string): CheckGrade[] => {
    const exercise = this.row(id).exercises.find((e) => e.gradeId === gradeId);
    assert.ok(exercise, `${id} has an exercise ${gradeId}`);
    return exercise!.checks;
  };
}
