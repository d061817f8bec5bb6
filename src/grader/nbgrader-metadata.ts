import type { Cell } from '../jupyter/notebook';

/**
 * nbgrader-compatible cell metadata (schema version 3), under `cell.metadata.nbgrader`:
 *   solution  the learner writes code here (between // BEGIN SOLUTION and // END SOLUTION)
 *   grade     a test cell worth `points`, or a manually graded answer
 *   locked    read-only for the learner; restored from the instructor's copy when grading
 *   grade_id  a name unique within the notebook
 *   checksum  recorded at release for solution, locked and test cells (nbgrader's md5, see checksum.ts)
 *   cell_type recorded at release next to the checksum, as nbgrader does
 */
export interface NbgraderMetadata {
  grade: boolean;
  solution: boolean;
  locked: boolean;
  points?: number;
  grade_id: string;
  schema_version: 3;
  checksum?: string;
  cell_type?: 'code' | 'markdown' | 'raw';
  task?: boolean;
}

/** What a cell is, for release and grading. */
export type CellRole = 'solution' | 'test' | 'locked' | 'plain';

export function nbgraderOf(cell: Cell): Partial<NbgraderMetadata> | null {
  const meta = cell.metadata?.nbgrader;
  return meta && typeof meta === 'object' ? (meta as Partial<NbgraderMetadata>) : null;
}

export function gradeIdOf(cell: Cell): string | null {
  const id = nbgraderOf(cell)?.grade_id;
  return typeof id === 'string' && id !== '' ? id : null;
}

/** solution (learner's code), test (graded code cell), locked (restored), or plain. */
export function roleOf(cell: Cell): CellRole {
  const m = nbgraderOf(cell);
  if (!m) return 'plain';
  if (m.solution) return 'solution';
  if (m.grade && cell.cell_type === 'code') return 'test';
  if (m.locked || m.grade) return 'locked';
  return 'plain';
}

export function pointsOf(cell: Cell): number {
  const p = nbgraderOf(cell)?.points;
  return typeof p === 'number' && Number.isFinite(p) ? p : 0;
}
