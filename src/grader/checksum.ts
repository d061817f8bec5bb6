import { createHash } from 'node:crypto';
import type { Cell } from '../jupyter/notebook';
import { sourceText } from '../jupyter/notebook';
import { nbgraderOf } from './nbgrader-metadata';

/** Normalise a cell's source for comparison: line endings and trailing whitespace do not count. */
export function normalizeSource(source: string): string {
  return source.replace(/\r\n?/g, '\n').split('\n').map((l) => l.trimEnd()).join('\n').trim();
}

/**
 * nbgrader's cell checksum (nbgrader/utils.py, `compute_checksum`), so that released notebooks
 * pass nbgrader's v3 metadata schema (a 32-character `checksum`) and nbgrader's tools accept
 * them: md5 over the UTF-8 bytes of, in order, the source as written, the cell type, Python's
 * str() of the `grade`, `solution` and locked flags ("True"/"False"; a solution cell is never
 * locked, a grade cell always is), the grade_id, and for a grade cell str(float(points)).
 */
export function cellChecksum(cell: Cell): string {
  const meta = nbgraderOf(cell) ?? {};
  const grade = Boolean(meta.grade);
  const solution = Boolean(meta.solution);
  const locked = solution ? false : grade ? true : Boolean(meta.locked);
  const md5 = createHash('md5');
  for (const part of [sourceText(cell.source), cell.cell_type, pyBool(grade), pyBool(solution), pyBool(locked), String(meta.grade_id ?? '')]) {
    md5.update(part, 'utf8');
  }
  if (grade) md5.update(pyFloatStr(Number(meta.points ?? 0)), 'utf8');
  return md5.digest('hex');
}

const pyBool = (b: boolean) => (b ? 'True' : 'False');

/**
 * Python's str(float(x)): the shortest round-trip digits (as JavaScript's), written in fixed
 * notation with at least one decimal ("2.0") when the decimal exponent is in [-4, 16), and
 * otherwise as "1e-05" / "1.5e+16" (sign and at least two exponent digits).
 */
export function pyFloatStr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mantissa, exp] = x.toExponential().split('e');
  const e = Number(exp);
  const sign = mantissa.startsWith('-') ? '-' : '';
  const digits = mantissa.replace('-', '').replace('.', '');
  if (e >= -4 && e < 16) {
    if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
    const int = digits.slice(0, e + 1).padEnd(e + 1, '0');
    const frac = digits.slice(e + 1) || '0';
    return `${sign}${int}.${frac}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}
