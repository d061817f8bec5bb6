/**
 * The grade report (grades.json). Field names are a public format: keep them stable.
 * Schema: see docs/grading.md.
 */
export type CheckOutcome = 'pass' | 'fail' | 'error' | 'timeout' | 'not-run';

export interface CheckGrade {
  name: string;
  status: CheckOutcome;
  points: number;
  maxPoints: number;
  message: string;
}

export interface ExerciseGrade {
  notebook: string;
  /** The graded test cell's grade_id. */
  gradeId: string;
  /** 'pass' only with full marks; otherwise the worst status among its checks. */
  status: CheckOutcome;
  points: number;
  maxPoints: number;
  checks: CheckGrade[];
}

export interface SubmissionGrade {
  /** Student or submission name: the folder name, or the file name without .ipynb. */
  id: string;
  /** What was given on the command line. */
  path: string;
  /** 'graded' when its notebooks were executed; 'error' when nothing could be graded (unreadable, wrong file). */
  status: 'graded' | 'error';
  score: number;
  maxScore: number;
  /** What the grader noticed: tampered cells restored, missing cells, unreadable files. */
  messages: string[];
  exercises: ExerciseGrade[];
  /** Feedback notebooks written for this submission, relative to the output folder. */
  feedback: string[];
  durationMs: number;
}

export interface GradeReport {
  schema: 'selfsup-grades';
  schemaVersion: 1;
  generatedAt: string;
  source: string;
  maxScore: number;
  submissions: SubmissionGrade[];
}
