import { createHmac as nodeCreateHmac, timingSafeEqual as nodeTimingSafeEqual, type KeyObject } from 'node:crypto';

// Captured at load, like everything the signing path uses (see check.ts).
const createHmac = nodeCreateHmac;
const timingSafeEqual = nodeTimingSafeEqual;
const BufferFrom = Buffer.from;
const ReflectApply = Reflect.apply;
// An HMAC's own methods too: a replaced `update` could swap the text before it is signed.
const hmacPrototype = Object.getPrototypeOf(createHmac('sha256', 'probe')) as { update: unknown; digest: unknown };
const hmacUpdate = hmacPrototype.update as (this: unknown, ...args: unknown[]) => unknown;
const hmacDigest = hmacPrototype.digest as (this: unknown, ...args: unknown[]) => unknown;

/**
 * How graded checks report to the grader. Shared by the in-kernel helper (`check`) and the
 * grader, so it imports nothing but node:crypto (the grader never loads tfjs).
 *
 * The grader makes one random secret per run and hands it to the kernel out of band, through
 * the kernel's stdin, which the grader's setup cell reads to its end before any notebook cell
 * runs (`receiveGraderSecret`). The secret never appears in a cell's source, the environment
 * or a file. Each test cell carries only a public random nonce in its first line, and after
 * the cell the grader runs a closing line with a second nonce that the cell could not know.
 *
 *   check record:  signature = HMAC-SHA256(secret, "check" | nonce | record fields)
 *   cell summary:  signature = HMAC-SHA256(secret, "summary" | nonce | closeNonce | every record)
 *
 * Fields are encoded by `canonical` (length-prefixed, no JSON, no toJSON), so patching JSON or a
 * prototype cannot change what is signed. A record or summary that does not verify is ignored.
 */
export const CHECK_MIME = 'application/vnd.selfsup.check+json';

/** The signed list of every check result of one test cell, shown by the grader's closing line. */
export const CELL_SUMMARY_MIME = 'application/vnd.selfsup.cell-summary+json';

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

/** A check result as shown in the kernel: its place in the cell (`seq`, from 0) and signature. */
export interface SignedCheckRecord extends CheckRecord {
  seq: number;
  signature: string | null;
}

/** Every result one test cell reported, in order, and what tampering the helper saw in it. */
export interface CellSummary {
  gradeId: string;
  records: Array<CheckRecord & { seq: number }>;
  /** Tampering seen during the cell ("Math.abs was replaced"); the grader then fails every check of the cell. */
  tampered: string[];
  signature: string;
}

/** Length-prefixed encoding of strings and numbers: unambiguous, and nothing in it can be hooked. */
export function canonical(fields: ReadonlyArray<string | number | null>): string {
  let out = '';
  for (let i = 0; i < fields.length; i++) {
    const f = fields[i];
    const text = f === null ? 'null' : typeof f === 'number' ? `n${f}` : `s${f}`;
    out += `${text.length}:${text};`;
  }
  return out;
}

function recordFields(r: CheckRecord & { seq: number }): Array<string | number | null> {
  return [r.gradeId, r.name, r.status, r.points, r.maxPoints, r.message, r.seq];
}

/** The run's secret: 32 bytes, as 64 hex digits in the grader, as a KeyObject in the kernel (its bytes live outside the JS heap). */
export type GraderSecret = string | KeyObject;

function hmac(secret: GraderSecret, text: string): string {
  const h = createHmac('sha256', typeof secret === 'string' ? BufferFrom(secret, 'hex') : secret);
  ReflectApply(hmacUpdate, h, [text, 'utf8']);
  return ReflectApply(hmacDigest, h, ['hex']) as string;
}

function same(a: unknown, b: string): boolean {
  if (typeof a !== 'string' || a.length !== b.length) return false;
  return timingSafeEqual(BufferFrom(a, 'utf8'), BufferFrom(b, 'utf8'));
}

export function signCheck(record: CheckRecord & { seq: number }, secret: GraderSecret, nonce: string): string {
  return hmac(secret, canonical(['check', nonce, ...recordFields(record)]));
}

/** True when `record` carries a valid signature for this run's `secret` and the cell's `nonce`. */
export function verifyCheck(record: SignedCheckRecord, secret: GraderSecret, nonce: string): boolean {
  if (typeof record !== 'object' || record === null || typeof record.seq !== 'number') return false;
  const fields = { gradeId: record.gradeId, name: record.name, status: record.status, points: record.points, maxPoints: record.maxPoints, message: record.message, seq: record.seq };
  return same(record.signature, signCheck(fields, secret, nonce));
}

export function signSummary(s: Omit<CellSummary, 'signature'>, secret: GraderSecret, nonce: string, closeNonce: string): string {
  const fields: Array<string | number | null> = ['summary', nonce, closeNonce, s.gradeId, s.records.length];
  for (const r of s.records) fields.push(...recordFields(r));
  fields.push(s.tampered.length, ...s.tampered);
  return hmac(secret, canonical(fields));
}

/** True when `summary` is well formed and signed for this run, this cell and this closing line. */
export function verifySummary(summary: CellSummary, secret: GraderSecret, nonce: string, closeNonce: string): boolean {
  if (typeof summary !== 'object' || summary === null) return false;
  if (!Array.isArray(summary.records) || !Array.isArray(summary.tampered)) return false;
  if (!summary.records.every((r) => typeof r === 'object' && r !== null && typeof r.seq === 'number')) return false;
  return same(summary.signature, signSummary(summary, secret, nonce, closeNonce));
}

/**
 * The first cell the grader runs in every kernel, before any notebook cell: loads the helper
 * while nothing is patched and reads the run's secret from stdin.
 */
export const GRADER_SETUP_CELL = "require('selfsup/testing').receiveGraderSecret();";

/** The line the grader puts at the top of a test cell (see `beginGradedCell`); the nonce is public. */
export function gradedCellPrelude(gradeId: string, nonce: string): string {
  return `require('selfsup/testing').beginGradedCell(${JSON.stringify(gradeId)}, ${JSON.stringify(nonce)});\n`;
}

/** What the grader runs after a test cell: shows the cell's signed summary (see `endGradedCell`). */
export function gradedCellClose(closeNonce: string): string {
  return `require('selfsup/testing').endGradedCell(${JSON.stringify(closeNonce)});`;
}

Object.freeze(module.exports);
