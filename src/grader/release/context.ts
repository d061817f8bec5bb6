import type { KernelSessionOptions } from '../../jupyter/kernel-session';
import type { Notebook } from '../../jupyter/notebook';
import type { SourceNotebook } from '../load-source';

export interface ReleaseOptions {
  /** The instructor's notebooks (folder). */
  source: string;
  /** Where the student repository is written (replaced as a whole on success). */
  out: string;
  /** Run every notebook to prove solutions pass their tests and stubs do not (default true). */
  verify?: boolean;
  /** Per-cell time limit for verification runs (ms). */
  timeoutMs?: number;
  kernel?: KernelSessionOptions;
  /** The course checkout whose library is copied into the release (default: this package). */
  root?: string;
  log?: (line: string) => void;
}

/** What the release steps share. Each step adds to `errors` rather than throwing, so all problems are reported at once. */
export interface ReleaseContext {
  options: ReleaseOptions;
  sources: SourceNotebook[];
  /** Student versions, by notebook name (filled by makeStudentNotebooks). */
  student: Map<string, Notebook>;
  /** The folder being written (renamed to options.out at the end). */
  staging: string;
  /** "notebook, cell X: problem; fix" lines. */
  errors: string[];
  log: (line: string) => void;
}

export type ReleaseStep = (ctx: ReleaseContext) => Promise<void> | void;

/** "10.2-contrastive.ipynb, cell ntxent-tests" or "…, cell 7" when it has no grade_id. */
export function where(notebook: string, gradeId: string | null, index: number): string {
  return `${notebook}, cell ${gradeId ?? index + 1}`;
}
