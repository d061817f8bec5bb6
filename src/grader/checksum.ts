import { createHash } from 'node:crypto';
import type { Cell } from '../jupyter/notebook';
import { sourceText } from '../jupyter/notebook';
import { pointsOf } from './nbgrader-metadata';

/** Normalise a cell's source for comparison: line endings and trailing whitespace do not count. */
export function normalizeSource(source: string): string {
  return source.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trimEnd()).join('\n').trim();
}

/** sha256 over cell type, points and normalised source: what a learner may not change in a locked or test cell. */
export function cellChecksum(cell: Cell): string {
  return createHash('sha256')
    .update(`${cell.cell_type}\n${pointsOf(cell)}\n${normalizeSource(sourceText(cell.source))}`)
    .digest('hex');
}
