import { createHmac as nodeCreateHmac } from 'node:crypto';

// Captured at load, like everything the signing path uses (see check.ts).
const createHmac = nodeCreateHmac;

/**
 * How graded checks report to the grader. Shared by the in-kernel helper (`check`) and the
 * grader, so it imports nothing but node:crypto (the grader never loads tfjs).
 *
 * A check's result travels as one display_data output with MIME type CHECK_MIME. During
 * grading, the grader puts a fresh random token into each test cell's source (never into the
 * environment or a file), and the helper signs each result with it:
 *   signature = HMAC-SHA256(token, canonical JSON of { gradeId, name, status, points, maxPoints, message })
 * A result without a valid signature for that cell's token is ignored, so printed text or a
 * hand-made output cannot award points.
 */
export const CHECK_MIME = 'application/vnd.selfsup.check+json';

/** How one check ended. 'fail': an expectation did not hold; 'error': the code under test threw. */
export type CheckStatus = 'pass' | 'fail' | 'error';

export interface CheckRecord {
  gradeId: string | null;
  name: string;
  status: CheckStatus;
  points: number;
  maxPoints: number;
  message: string;
}

export interface SignedCheckRecord extends CheckRecord {
  signature: string | null;
}

function canonical(r: CheckRecord): string {
  return JSON.stringify([r.gradeId, r.name, r.status, r.points, r.maxPoints, r.message]);
}

export function signCheck(record: CheckRecord, token: string): string {
  return createHmac('sha256', token).update(canonical(record)).digest('hex');
}

/** True when `record` carries a valid signature for `token`. */
export function verifyCheck(record: SignedCheckRecord, token: string): boolean {
  if (typeof record.signature !== 'string') return false;
  const fields: CheckRecord = {
    gradeId: record.gradeId,
    name: record.name,
    status: record.status,
    points: record.points,
    maxPoints: record.maxPoints,
    message: record.message,
  };
  return record.signature === signCheck(fields, token);
}

/** The first cell the grader runs in every kernel, before any notebook cell: loads the helper while nothing is patched. */
export const GRADER_SETUP_CELL = "require('selfsup/testing');";

/** The line the grader puts at the top of a test cell (see `beginGradedCell`). */
export function gradedCellPrelude(gradeId: string, token: string): string {
  return `require('selfsup/testing').beginGradedCell(${JSON.stringify(gradeId)}, ${JSON.stringify(token)});\n`;
}

Object.freeze(module.exports);
